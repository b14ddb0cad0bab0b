"""Code and commands shown in the docs run: example files, the README example, make targets
and ``python -m localcloud`` sub-commands."""

from __future__ import annotations

import html
import re
import runpy
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kit.audit.report_formats import REPORT_FILES
from kit.cli import build_parser
from tests.unit.kit.test_readme_example import readme_example

from .conftest import REPO_ROOT, BuiltSite

DOCS = REPO_ROOT / "docs"
PAGES = sorted(DOCS.glob("**/*.md"))
EXAMPLES = sorted((DOCS / "examples").glob("*.py"))


def shell_blocks() -> list[tuple[Path, str]]:
    """Every line of every ``sh`` code block of the hand-written pages."""
    lines = []
    for page in PAGES:
        for block in re.findall(r"```sh\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL):
            lines += [(page, line.strip()) for line in block.splitlines() if line.strip()]
    return lines


def makefile_targets() -> set[str]:
    text = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Za-z][\w-]*):", text, re.MULTILINE))


def test_examples_are_included_by_a_page() -> None:
    included = "\n".join(page.read_text(encoding="utf-8") for page in PAGES)
    assert EXAMPLES, "docs/examples has no example"
    for example in EXAMPLES:
        assert f'--8<-- "build/docs/fragments/examples/{example.stem}.md"' in included


def test_migration_check_example_runs_and_finds_the_step_safe(
    capsys: pytest.CaptureFixture[str],
) -> None:
    runpy.run_path(str(DOCS / "examples" / "migration_check.py"), run_name="__main__")
    assert capsys.readouterr().out.strip().splitlines()[-1] == "safe"


def test_quick_start_shows_the_readme_example_the_tests_run(built_site: BuiltSite) -> None:
    page = built_site.page("quick-start/")
    code = html.unescape(re.sub(r"<[^>]+>", "", page))
    for line in readme_example().splitlines():
        if line.strip():
            assert line in code, f"quick start lacks the README line {line!r}"


def test_make_targets_named_in_the_docs_exist() -> None:
    targets = makefile_targets()
    named = {match for _, line in shell_blocks() for match in re.findall(r"^make ([\w-]+)", line)}
    named |= {
        match
        for page in PAGES
        for match in re.findall(r"`make ([\w-]+)`", page.read_text(encoding="utf-8"))
    }
    assert {"audit", "test", "local", "local-down", "docs"} <= named
    assert named <= targets, f"the docs name make targets the Makefile lacks: {named - targets}"


def test_localcloud_commands_named_in_the_docs_exist() -> None:
    commands = {
        match
        for _, line in shell_blocks()
        for match in re.findall(r"python -m localcloud ([a-z]+)", line)
    }
    assert {"up", "down", "deploy", "status", "env"} <= commands
    for command in sorted(commands):
        completed = subprocess.run(
            [sys.executable, "-m", "localcloud", command, "--help"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode == 0, f"python -m localcloud {command}: {completed.stderr}"


def test_order_kit_commands_named_in_the_docs_exist() -> None:
    commands = {
        match for _, line in shell_blocks() for match in re.findall(r"^order-kit ([a-z-]+)", line)
    }
    assert {"audit", "migrate-check"} <= commands
    for command in sorted(commands):
        completed = subprocess.run(
            [sys.executable, "-m", "kit.cli", command, "--help"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.returncode == 0, f"order-kit {command}: {completed.stderr}"


def test_audit_workflows_run_the_documented_audit_and_upload_its_sarif() -> None:
    """The project's CI workflow runs the README's `make audit`; the users' copy-ready example
    runs `order-kit audit` with flags the CLI accepts. Both upload the SARIF report the audit
    writes, with the permission code scanning needs."""
    workflows = {
        "make audit": REPO_ROOT / ".github" / "workflows" / "audit.yml",
        "order-kit audit": DOCS / "examples" / "audit-workflow.yml",
    }
    for command, path in workflows.items():
        job = yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"]["audit"]
        runs = [step["run"] for step in job["steps"] if "run" in step]
        (audit,) = [run for run in runs if run.startswith(command)]
        if command == "order-kit audit":
            build_parser().parse_args(shlex.split(audit)[1:])
            assert any("production-order-kit[audit]" in run for run in runs)
        (upload,) = [
            step
            for step in job["steps"]
            if step.get("uses", "").startswith("github/codeql-action/upload-sarif@")
        ]
        assert upload["with"]["sarif_file"] == f"reports/audit/{REPORT_FILES['sarif']}"
        assert job["permissions"]["security-events"] == "write"
