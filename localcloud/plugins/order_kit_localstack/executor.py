"""LocalStack Lambda runtime executor that runs zip Python functions as local processes.

LocalStack's default executor starts one Docker container per execution environment. This one
starts ``python -m awslambdaric <handler>`` from an interpreter that plays the Lambda runtime
(configured per runtime name, see :func:`runtime_interpreters`), with the unzipped code as
working directory and ``PYTHONPATH``, talking to a Runtime API served on a random
``127.0.0.1`` port (:mod:`order_kit_localstack.local_process`).

Limits: zip packages of the configured Python runtimes only; layers published in the same
account are added to ``PYTHONPATH`` (their ``python/`` directory); no sandbox, no memory limit.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from localstack import config
from localstack.services.lambda_.invocation.executor_endpoint import StatusErrorException
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.runtime_executor import (
    LambdaRuntimeException,
    RuntimeExecutor,
)
from localstack.utils.strings import to_bytes

from order_kit_localstack.local_process import (
    LocalProcessRuntime,
    RuntimeCommand,
    RuntimeInitError,
)

RUNTIMES_VARIABLE = "ORDER_KIT_LAMBDA_RUNTIMES"


def runtime_interpreters(environ: dict[str, str] | None = None) -> dict[str, str]:
    """Parse ``ORDER_KIT_LAMBDA_RUNTIMES`` into ``{runtime name: python executable}``.

    Parameters
    ----------
    environ
        Environment to read (defaults to the process environment).

    Returns
    -------
    dict[str, str]
        For example ``{"python3.13": "/repo/build/localstack/lambda-python3.13/bin/python"}``.

    Raises
    ------
    LambdaRuntimeException
        An entry is not of the form ``name=path``.

    Examples
    --------
    >>> runtime_interpreters({"ORDER_KIT_LAMBDA_RUNTIMES": "python3.13=/opt/py313/bin/python"})
    {'python3.13': '/opt/py313/bin/python'}
    """
    raw = (environ if environ is not None else os.environ).get(RUNTIMES_VARIABLE, "")
    interpreters: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in raw.split(","))):
        name, separator, path = entry.partition("=")
        if not separator or not name or not path:
            raise LambdaRuntimeException(
                f"{RUNTIMES_VARIABLE} entry {entry!r} is not of the form runtime=/path/to/python"
            )
        interpreters[name.strip()] = path.strip()
    return interpreters


class LocalProcessRuntimeExecutor(RuntimeExecutor):
    """Runs one execution environment as a local ``awslambdaric`` process."""

    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id, function_version)
        self._runtime: LocalProcessRuntime | None = None
        self._environment_dir = Path(tempfile.gettempdir()) / "lambda-environments" / id
        # An initialisation error is the first invocation's result, as on AWS.
        self._init_error: RuntimeInitError | None = None

    def start(self, env_vars: dict[str, Any]) -> None:
        """Start the runtime process with LocalStack's environment for this function."""
        function_config = self.function_version.config
        python = self._interpreter()
        if not function_config.handler or function_config.code is None:
            raise LambdaRuntimeException("the local-process executor runs zip functions only")
        code_dir = Path(function_config.code.get_unzipped_code_location())
        environment_dir = self._environment_dir
        (environment_dir / "tmp").mkdir(parents=True, exist_ok=True)
        self._runtime = LocalProcessRuntime(
            RuntimeCommand(
                argv=[python, "-m", "awslambdaric", function_config.handler],
                cwd=code_dir,
                env=self._process_environment(env_vars, code_dir, environment_dir),
            ),
            log_path=environment_dir / "output.log",
            timeout_seconds=float(function_config.timeout),
            memory_mb=int(function_config.memory_size),
            version=self.function_version.id.qualifier,
            startup_timeout_seconds=float(config.LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT),
        )
        try:
            self._runtime.start()
        except RuntimeInitError as error:
            self._init_error = error

    def stop(self) -> None:
        """Stop the runtime (after the invocation in flight) and remove its scratch directory."""
        if self._runtime is not None:
            self._runtime.stop()
        shutil.rmtree(self._environment_dir, ignore_errors=True)

    def get_address(self) -> str:
        """The runtime runs on this host."""
        return "127.0.0.1"

    def get_endpoint_from_executor(self) -> str:
        """LocalStack as seen from the runtime process: the gateway's own address."""
        host = config.GATEWAY_LISTEN[0].host
        return "127.0.0.1" if host in ("0.0.0.0", "", "::") else host  # noqa: S104

    def get_runtime_endpoint(self) -> str:
        """LocalStack's executor callback URL (unused: this executor serves its own API)."""
        return (
            f"http://{self.get_endpoint_from_executor()}:{config.GATEWAY_LISTEN[0].port}"
            f"/_localstack_lambda/{self.id}"
        )

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        """Run one invocation; handler errors, timeouts and crashes come back as errors."""
        request_id = payload["invoke-id"]
        if self._init_error is not None:
            error, self._init_error = self._init_error, None
            return InvocationResult(request_id, error.payload, is_error=True, logs=error.logs)
        if self._runtime is None:
            raise StatusErrorException("execution environment not started", payload=b"")
        outcome = self._runtime.invoke(
            request_id=request_id,
            payload=to_bytes(payload["payload"]),
            function_arn=payload["invoked-function-arn"],
            trace_id=payload.get("trace-id"),
        )
        return InvocationResult(
            outcome.request_id, outcome.payload, is_error=outcome.is_error, logs=outcome.logs
        )

    def get_logs(self) -> str:
        """All output of this environment's runtime processes."""
        return self._runtime.read_output() if self._runtime is not None else ""

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        """Unzip the code (and same-account layers) and check that the runtime is configured."""
        function_config = function_version.config
        runtime = function_config.runtime
        if runtime not in runtime_interpreters():
            raise LambdaRuntimeException(
                f"runtime {runtime!r} is not available to the local-process executor"
                f" (configured: {sorted(runtime_interpreters())}; set {RUNTIMES_VARIABLE})"
            )
        if function_config.code is not None:
            function_config.code.prepare_for_execution()
        for layer in function_config.layers:
            if layer.code is not None:
                layer.code.prepare_for_execution()

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        """Nothing to clean: LocalStack removes the unzipped code itself."""

    @classmethod
    def validate_environment(cls) -> bool:
        """Warn at startup when no runtime interpreter is configured or one is missing."""
        try:
            interpreters = runtime_interpreters()
        except LambdaRuntimeException:
            return False
        return bool(interpreters) and all(os.access(p, os.X_OK) for p in interpreters.values())

    def _interpreter(self) -> str:
        runtime = self.function_version.config.runtime
        python = runtime_interpreters().get(str(runtime))
        if python is None:
            raise LambdaRuntimeException(
                f"runtime {runtime!r} is not available to the local-process executor;"
                f" set {RUNTIMES_VARIABLE}"
            )
        if not os.access(python, os.X_OK):
            raise LambdaRuntimeException(f"the {runtime} interpreter {python} is not executable")
        return python

    def _process_environment(
        self, env_vars: dict[str, Any], code_dir: Path, environment_dir: Path
    ) -> dict[str, str]:
        environment = {name: str(value) for name, value in env_vars.items()}
        python_path = [str(code_dir)]
        for layer in self.function_version.config.layers:
            if layer.code is not None:
                python_path.append(str(Path(layer.code.get_unzipped_code_location()) / "python"))
        environment.update(
            {
                # Where the code lives here, instead of /var/task and /var/runtime.
                "LAMBDA_TASK_ROOT": str(code_dir),
                "LAMBDA_RUNTIME_DIR": str(Path(self._interpreter()).parent.parent),
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{self.function_version.config.runtime}",
                "PYTHONPATH": os.pathsep.join(python_path),
                # Output goes straight to the log file, so each invocation gets its own lines.
                "PYTHONUNBUFFERED": "1",
                "PYTHONDONTWRITEBYTECODE": "1",
                "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
                "LANG": "C.UTF-8",
                # Keep the function away from the user's ~/.aws and the shared /tmp.
                "HOME": str(environment_dir / "tmp"),
                "TMPDIR": str(environment_dir / "tmp"),
            }
        )
        return environment
