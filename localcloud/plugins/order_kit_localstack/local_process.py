"""Run one Lambda execution environment as a local process.

:class:`LocalProcessRuntime` starts the function's runtime (for Python, ``python -m
awslambdaric <handler>``) with ``AWS_LAMBDA_RUNTIME_API`` pointing at its own
:class:`~order_kit_localstack.runtime_api.RuntimeApiServer`, hands it one event at a time and
returns what the runtime posted back, with the function's output framed by Lambda's
``START`` / ``END`` / ``REPORT`` lines. It enforces the function timeout (the process is
killed and a fresh one starts on the next invocation, as Lambda resets a sandbox), reports a
process that dies mid-invocation as a failed invocation, and on stop lets the invocation in
flight finish before it kills its process.

Standard library only: LocalStack is adapted to this class in
:mod:`order_kit_localstack.executor`.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from order_kit_localstack.runtime_api import PendingInvocation, RuntimeApiServer

# How often a waiting invocation checks whether the runtime process is still alive.
_LIVENESS_POLL_SECONDS = 0.05


@dataclass(frozen=True)
class RuntimeCommand:
    """How to start the runtime process of one environment.

    Parameters
    ----------
    argv
        Program and arguments, e.g. ``[python, "-m", "awslambdaric", "app.handler"]``.
    cwd
        Working directory: the unzipped function code (Lambda's ``/var/task``).
    env
        The complete environment of the process; ``AWS_LAMBDA_RUNTIME_API`` is added.
    """

    argv: Sequence[str]
    cwd: Path
    env: Mapping[str, str]


@dataclass(frozen=True)
class InvocationOutcome:
    """The result of one invocation.

    Parameters
    ----------
    request_id
        The invocation's request id.
    payload
        The function's response, or its error document when ``is_error``.
    is_error
        True for a handler error, an initialisation error, a timeout or a crash.
    logs
        The function's output for this invocation between ``START`` and ``REPORT`` lines.
    """

    request_id: str
    payload: bytes
    is_error: bool
    logs: str


class RuntimeStartError(RuntimeError):
    """The runtime process could not be started or never asked for work."""


class RuntimeInitError(RuntimeError):
    """The function failed during initialisation (e.g. its handler module does not import).

    Parameters
    ----------
    payload
        The error document the runtime posted to ``/init/error`` (or one describing the exit).
    logs
        The process output up to the failure.
    """

    def __init__(self, payload: bytes, logs: str) -> None:
        super().__init__(payload.decode(errors="replace"))
        self.payload = payload
        self.logs = logs


class LocalProcessRuntime:
    """One Lambda execution environment backed by a local process.

    Parameters
    ----------
    command
        How to start the runtime process.
    log_path
        File that receives the process's stdout and stderr.
    timeout_seconds
        The function timeout.
    memory_mb
        The configured memory size (reported in ``REPORT``; not enforced).
    version
        The function version shown in ``START`` lines, e.g. ``$LATEST``.
    startup_timeout_seconds
        How long a fresh process may take to ask for its first event.
    """

    def __init__(
        self,
        command: RuntimeCommand,
        log_path: Path,
        timeout_seconds: float,
        memory_mb: int = 128,
        version: str = "$LATEST",
        startup_timeout_seconds: float = 20.0,
    ) -> None:
        if timeout_seconds <= 0:
            raise ValueError(f"timeout_seconds must be positive, got {timeout_seconds}")
        self._command = command
        self._log_path = log_path
        self._timeout_seconds = timeout_seconds
        self._memory_mb = memory_mb
        self._version = version
        self._startup_timeout_seconds = startup_timeout_seconds
        self._server = RuntimeApiServer()
        self._process: subprocess.Popen[bytes] | None = None
        self._log_offset = 0
        self._init_duration_ms: float | None = None
        self._lock = threading.Lock()
        self._stopped = False

    @property
    def pid(self) -> int | None:
        """PID of the current runtime process, if one is running."""
        return self._process.pid if self._process and self._process.poll() is None else None

    def start(self) -> None:
        """Serve the Runtime API and start the runtime process.

        Raises
        ------
        RuntimeInitError
            The function failed during initialisation.
        RuntimeStartError
            The process exited or never polled for work within the startup timeout.
        """
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log_path.touch()
        self._server.start()
        self._spawn()

    def invoke(
        self,
        request_id: str,
        payload: bytes,
        function_arn: str,
        trace_id: str | None = None,
    ) -> InvocationOutcome:
        """Hand one event to the runtime and wait for its outcome.

        Parameters
        ----------
        request_id
            The invocation's request id.
        payload
            The event (JSON text).
        function_arn
            The invoked function ARN (``context.invoked_function_arn``).
        trace_id
            The X-Ray trace header, if any.

        Returns
        -------
        InvocationOutcome
            The response, or an error outcome for handler errors, timeouts and crashes.
        """
        with self._lock:
            if self._stopped:
                raise RuntimeStartError("the execution environment was stopped")
            if self.pid is None:
                # The previous process timed out or crashed: a fresh one, as after a reset.
                try:
                    self._spawn()
                except RuntimeInitError as error:
                    return InvocationOutcome(request_id, error.payload, True, error.logs)
            return self._invoke_running(request_id, payload, function_arn, trace_id)

    def stop(self) -> None:
        """Refuse new invocations, let the one in flight finish, then kill the process.

        LocalStack stops the old execution environments of a function as soon as an update
        (new code, configuration, role) is ready, also while one of them is invoking. Lambda
        lets such an invocation complete with the previous code and configuration ("Lambda
        function states", Lambda Developer Guide; UpdateFunctionConfiguration, Lambda API
        Reference), so the in-flight invocation is awaited, bounded by what it may take (a
        fresh process plus the function timeout). Safe to call more than once.
        """
        self._stopped = True
        # An invocation holds the lock from start to outcome; it enforces its own timeout.
        in_flight_bound = self._startup_timeout_seconds + self._timeout_seconds + 1
        drained = self._lock.acquire(timeout=in_flight_bound)
        try:
            self._kill()
            self._server.stop()
        finally:
            if drained:
                self._lock.release()

    def read_output(self) -> str:
        """Return everything the runtime processes of this environment have written."""
        return self._log_path.read_text(errors="replace") if self._log_path.exists() else ""

    def _spawn(self) -> None:
        self._server.drain()
        self._server.reset_polled()
        env = dict(self._command.env)
        env["AWS_LAMBDA_RUNTIME_API"] = self._server.address
        started = time.monotonic()
        with self._log_path.open("ab") as log_file:
            # The runtime stays in LocalStack's process group, so stopping the local cloud by
            # process group also ends every runtime process.
            self._process = subprocess.Popen(
                list(self._command.argv),
                cwd=self._command.cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        deadline = started + self._startup_timeout_seconds
        while time.monotonic() < deadline:
            if self._server.wait_until_polled(_LIVENESS_POLL_SECONDS):
                self._init_duration_ms = (time.monotonic() - started) * 1000
                return
            reply = self._server.next_reply(0)
            if reply is not None and reply.is_error and not reply.request_id:
                self._kill()
                raise RuntimeInitError(reply.payload, self._take_output())
            if self._process.poll() is not None:
                # Give an /init/error posted just before the exit a moment to arrive.
                reply = self._server.next_reply(0.2)
                code = self._process.returncode
                self._process = None
                if reply is not None and reply.is_error and not reply.request_id:
                    raise RuntimeInitError(reply.payload, self._take_output())
                raise RuntimeInitError(
                    _error_document(
                        "Runtime.ExitError", f"Runtime exited with error: exit status {code}"
                    ),
                    self._take_output(),
                )
        self._kill()
        raise RuntimeStartError(
            f"the runtime did not poll for work within {self._startup_timeout_seconds:.0f} s;"
            f" output:\n{self._take_output()}"
        )

    def _invoke_running(
        self, request_id: str, payload: bytes, function_arn: str, trace_id: str | None
    ) -> InvocationOutcome:
        init_duration_ms, self._init_duration_ms = self._init_duration_ms, None
        started = time.monotonic()
        deadline = started + self._timeout_seconds
        headers = {
            "Lambda-Runtime-Deadline-Ms": str(int((time.time() + self._timeout_seconds) * 1000)),
            "Lambda-Runtime-Invoked-Function-Arn": function_arn,
        }
        if trace_id:
            headers["Lambda-Runtime-Trace-Id"] = trace_id
        self._server.submit(PendingInvocation(request_id, payload, headers))
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return self._timed_out(request_id, started, init_duration_ms)
            reply = self._server.next_reply(min(remaining, _LIVENESS_POLL_SECONDS))
            if reply is not None and reply.request_id == request_id:
                return self._finish(
                    request_id, reply.payload, reply.is_error, started, init_duration_ms
                )
            if self._process is None or self._process.poll() is not None:
                # A reply posted just before the process ended still counts.
                reply = self._server.next_reply(_LIVENESS_POLL_SECONDS)
                if reply is not None and reply.request_id == request_id:
                    return self._finish(
                        request_id, reply.payload, reply.is_error, started, init_duration_ms
                    )
                return self._crashed(request_id, started, init_duration_ms)

    def _timed_out(
        self, request_id: str, started: float, init_duration_ms: float | None
    ) -> InvocationOutcome:
        self._kill()
        message = f"Task timed out after {self._timeout_seconds:.2f} seconds"
        with self._log_path.open("a") as log_file:
            log_file.write(f"{_timestamp()} {request_id} {message}\n")
        document = _error_document("Sandbox.Timedout", f"RequestId: {request_id} Error: {message}")
        return self._finish(request_id, document, True, started, init_duration_ms)

    def _crashed(
        self, request_id: str, started: float, init_duration_ms: float | None
    ) -> InvocationOutcome:
        code = self._process.returncode if self._process else None
        self._process = None
        document = _error_document(
            "Runtime.ExitError",
            f"RequestId: {request_id} Error: Runtime exited with error: exit status {code}",
        )
        return self._finish(request_id, document, True, started, init_duration_ms)

    def _finish(
        self,
        request_id: str,
        payload: bytes,
        is_error: bool,
        started: float,
        init_duration_ms: float | None,
    ) -> InvocationOutcome:
        duration_ms = (time.monotonic() - started) * 1000
        report = [
            f"REPORT RequestId: {request_id}",
            f"Duration: {duration_ms:.2f} ms",
            f"Billed Duration: {max(1, math.ceil(duration_ms))} ms",
            f"Memory Size: {self._memory_mb} MB",
        ]
        if (max_memory := self._max_memory_used_mb()) is not None:
            report.append(f"Max Memory Used: {max_memory} MB")
        if init_duration_ms is not None:
            report.append(f"Init Duration: {init_duration_ms:.2f} ms")
        logs = (
            f"START RequestId: {request_id} Version: {self._version}\n"
            f"{self._take_output()}"
            f"END RequestId: {request_id}\n" + "\t".join(report) + "\n"
        )
        return InvocationOutcome(request_id, payload, is_error, logs)

    def _take_output(self) -> str:
        """Return the output written since the last call (the runtime writes unbuffered)."""
        with self._log_path.open("rb") as log_file:
            log_file.seek(self._log_offset)
            data = log_file.read()
        self._log_offset += len(data)
        text = data.decode(errors="replace")
        return text if not text or text.endswith("\n") else text + "\n"

    def _max_memory_used_mb(self) -> int | None:
        pid = self.pid
        if pid is None:
            return None
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return None  # not Linux, or the process just ended
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return math.ceil(int(line.split()[1]) / 1024)
        return None

    def _kill(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _error_document(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()


def _timestamp() -> str:
    return (
        time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{int(time.time() % 1 * 1000):03d}Z"
    )
