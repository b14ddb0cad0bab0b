"""Running checkov (from its own venv) with the project's policies, for the policy tests.

checkov's pins clash with the CDK dev venv, so it lives in ``.venv-checkov`` (built by
``make venv-checkov`` from ``requirements/checkov.txt``) and runs as a subprocess. Starting
checkov takes a few seconds, so each fixture directory is scanned once per session.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
POLICIES_DIR = REPO_ROOT / "policies"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"
CHECKOV_VENV_ENV = "CHECKOV_VENV"
DEFAULT_CHECKOV_VENV = REPO_ROOT / ".venv-checkov"
CHECKOV_TIMEOUT_SECONDS = 300


@dataclass(frozen=True)
class CheckovScan:
    """The outcome of one checkov run.

    Attributes
    ----------
    results : dict
        ``(check id, file name, logical id) -> "PASSED" | "FAILED" | "SKIPPED"``.
    suppress_comments : dict
        ``(check id, file name, logical id) -> comment`` of every skipped result.
    stderr : str
        checkov's log output.
    """

    results: dict[tuple[str, str, str], str]
    suppress_comments: dict[tuple[str, str, str], str]
    stderr: str

    def resources(self, check_id: str, file_name: str, outcome: str) -> set[str]:
        """Return the logical ids of ``file_name`` on which ``check_id`` had ``outcome``."""
        return {
            logical_id
            for (check, name, logical_id), result in self.results.items()
            if check == check_id and name == file_name and result == outcome
        }

    def check_ids(self) -> set[str]:
        """Return every check id that produced a result."""
        return {check for check, _, _ in self.results}


def locate_checkov(venv: Path) -> Path:
    """Return the checkov executable of ``venv``, failing the test if the venv is missing.

    Parameters
    ----------
    venv : Path
        The checkov virtual environment.

    Returns
    -------
    Path
        ``<venv>/bin/checkov``.
    """
    executable = venv / "bin" / "checkov"
    if not executable.is_file():
        pytest.fail(
            f"checkov is not installed at {executable}; run `make venv-checkov` to create "
            f"{venv} from requirements/checkov.txt (or point {CHECKOV_VENV_ENV} at a venv)",
            pytrace=False,
        )
    return executable


def run_checkov(
    executable: Path, target: Path, extra_env: Mapping[str, str] | None = None
) -> CheckovScan:
    """Scan every template in directory ``target`` with the built-in and project policies.

    Parameters
    ----------
    executable : Path
        The checkov executable.
    target : Path
        Directory of CloudFormation templates.
    extra_env : Mapping[str, str], optional
        Environment variables added for this run (the policy settings).

    Returns
    -------
    CheckovScan
        The parsed results.
    """
    env = {**os.environ, **(extra_env or {})}
    command = [
        str(executable),
        "--skip-download",
        "--framework",
        "cloudformation",
        "--external-checks-dir",
        str(POLICIES_DIR),
        "--directory",
        str(target),
        "--output",
        "json",
    ]
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=env,
        timeout=CHECKOV_TIMEOUT_SECONDS,
        check=False,
    )
    # checkov exits 1 when a check fails, which the failing fixtures always cause.
    if completed.returncode not in (0, 1) or not completed.stdout.strip():
        pytest.fail(
            f"checkov exited {completed.returncode}:\n{completed.stderr[-4000:]}", pytrace=False
        )
    report = json.loads(completed.stdout)
    if report["summary"]["parsing_errors"]:
        pytest.fail(f"checkov could not parse templates in {target}", pytrace=False)
    results: dict[tuple[str, str, str], str] = {}
    suppress_comments: dict[tuple[str, str, str], str] = {}
    for section in ("passed_checks", "failed_checks", "skipped_checks"):
        for record in report["results"][section]:
            logical_id = record["resource"].rsplit(".", 1)[-1]
            key = (record["check_id"], Path(record["file_path"]).name, logical_id)
            results[key] = record["check_result"]["result"]
            if "suppress_comment" in record["check_result"]:
                suppress_comments[key] = record["check_result"]["suppress_comment"]
    return CheckovScan(
        results=results, suppress_comments=suppress_comments, stderr=completed.stderr
    )


@pytest.fixture(scope="session")
def checkov_executable() -> Path:
    """The checkov executable of ``$CHECKOV_VENV`` (default ``.venv-checkov``)."""
    return locate_checkov(Path(os.environ.get(CHECKOV_VENV_ENV, DEFAULT_CHECKOV_VENV)))


@pytest.fixture(scope="session")
def checkov(checkov_executable: Path) -> Callable[..., CheckovScan]:
    """A function scanning a directory of templates: ``checkov(target, extra_env=None)``."""

    def scan(target: Path, extra_env: Mapping[str, str] | None = None) -> CheckovScan:
        return run_checkov(checkov_executable, target, extra_env)

    return scan


@pytest.fixture(scope="session")
def fixture_scan(checkov: Callable[..., CheckovScan]) -> CheckovScan:
    """One scan of every fixture template with the default policy settings."""
    return checkov(FIXTURES_DIR)
