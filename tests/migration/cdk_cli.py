"""The pinned ``cdk`` / ``cdklocal`` CLIs (``make cdk-cli``), run the way the README tells users to.

The environment is what ``python -m localcloud env`` prints for the endpoint (parsed from its
``export`` lines, so the test uses exactly what users ``eval``), plus the venv's interpreter and
Node first on ``PATH`` (``cdk.json`` runs ``python3 app.py``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from localcloud.cli import export_lines
from localcloud.layout import REPOSITORY_ROOT

#: Where ``make cdk-cli`` installs the CLIs.
CDK_BIN = REPOSITORY_ROOT / "build" / "cdk-cli" / "node_modules" / ".bin"


def exported_environment(endpoint: str) -> dict[str, str]:
    """The variables of ``python -m localcloud env`` for ``endpoint``."""
    variables = {}
    for line in export_lines(endpoint):
        name, _, value = line.removeprefix("export ").partition("=")
        variables[name] = value
    return variables


def cli_environment(endpoint: str) -> dict[str, str]:
    """``os.environ`` without other AWS settings, plus the local cloud's and the CLIs' ``PATH``."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "CDK_", "ORDER_KIT_", "LOCALSTACK_"))
    }
    environment.update(exported_environment(endpoint))
    environment["PATH"] = os.pathsep.join(
        [str(CDK_BIN), str(Path(sys.executable).parent), environment.get("PATH", "")]
    )
    environment["JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION"] = "1"
    environment["CDK_DISABLE_CLI_TELEMETRY"] = "true"
    return environment


@dataclass(frozen=True)
class CliRun:
    """One CLI command: its exit code, combined output and wall time."""

    command: tuple[str, ...]
    returncode: int
    output: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output.splitlines()[-lines:])


class CdkLocal:
    """``cdklocal`` against one endpoint, from the repository root (its ``cdk.json``)."""

    def __init__(self, endpoint: str, timeout: float = 900.0) -> None:
        if not (CDK_BIN / "cdklocal").exists():
            raise FileNotFoundError(f"{CDK_BIN / 'cdklocal'} missing: run `make cdk-cli`")
        self.endpoint = endpoint
        self.environment = cli_environment(endpoint)
        self.timeout = timeout

    def run(self, *arguments: str) -> CliRun:
        command = (str(CDK_BIN / "cdklocal"), *arguments)
        started = time.monotonic()
        result = subprocess.run(
            command,
            cwd=REPOSITORY_ROOT,
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=self.timeout,
            check=False,
        )
        return CliRun(
            command, result.returncode, result.stdout + result.stderr, time.monotonic() - started
        )

    def bootstrap(self) -> CliRun:
        return self.run("bootstrap", "--ci", "--no-notices")

    def deploy(self, phase: int, outdir: Path, app: str | None = None) -> CliRun:
        """``cdklocal deploy -c order-kit:phase=N``, keeping the assembly in ``outdir``."""
        arguments = [
            "deploy",
            "--require-approval",
            "never",
            "--ci",
            "--no-notices",
            "--progress",
            "events",
            "-c",
            f"order-kit:phase={phase}",
            "--output",
            str(outdir),
        ]
        if app is not None:
            arguments += ["--app", app]
        return self.run(*arguments)
