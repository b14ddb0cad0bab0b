"""Shared fixtures of the audit tests: checkov, tiny stacks synthesized with the packs, and
the audit of the reference app (phase 5) and of the naive phase 0, each run once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kit.audit.checkov_scan import CheckovError, locate_checkov

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
AUDIT_TIMEOUT_SECONDS = 600


@dataclass(frozen=True)
class CliRun:
    """One ``order-kit audit`` run in a subprocess, and its JSON report."""

    returncode: int
    stdout: str
    stderr: str
    out: Path

    def report(self) -> dict[str, Any]:
        """The parsed ``audit.json``."""
        data: dict[str, Any] = json.loads((self.out / "audit.json").read_text())
        return data


def run_cli(out: Path, *args: str) -> CliRun:
    """Run ``python -m kit.cli audit --out OUT ARGS`` from the repository root."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    completed = subprocess.run(
        [sys.executable, "-m", "kit.cli", "audit", "--out", str(out), *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=AUDIT_TIMEOUT_SECONDS,
        check=False,
    )
    return CliRun(completed.returncode, completed.stdout, completed.stderr, out)


@pytest.fixture(scope="session")
def checkov_executable() -> Path:
    """The checkov executable the audit uses; the tests fail (not skip) without it."""
    try:
        return locate_checkov()
    except CheckovError as error:
        pytest.fail(str(error), pytrace=False)


@pytest.fixture(scope="session")
def reference_run(tmp_path_factory: pytest.TempPathFactory, checkov_executable: Path) -> CliRun:
    """``order-kit audit`` on the reference app (phase 5) with the kit's ledger."""
    return run_cli(tmp_path_factory.mktemp("audit-phase5"))


@pytest.fixture(scope="session")
def phase0_run(tmp_path_factory: pytest.TempPathFactory, checkov_executable: Path) -> CliRun:
    """``order-kit audit --phase 0``: the seed's naive starting point."""
    return run_cli(tmp_path_factory.mktemp("audit-phase0"), "--phase", "0")
