"""checkov: every built-in CloudFormation check plus the kit's policies, skips from the ledger.

The audit writes two copies of the templates: ``raw/`` (as synthesized) and
``acknowledged/``, where each ``checkov`` ledger entry became a resource-level skip
(``Metadata.checkov.skip``, the reason as the comment) on the resources its pattern matches;
run checkov on ``acknowledged/`` (in CI, say) and it reports exactly the audit's verdict.

The audit itself scans only ``raw/`` and applies the same ledger entries to the results:
checkov does not evaluate a skipped check, so only a raw scan can tell that an entry hides
nothing any more (stale), and scanning both copies would double checkov's time (the scan of
each template, not checkov's start, dominates). The test suite proves that checkov honours
the generated skips. The construct's own skips (:mod:`kit.acknowledgments`) are in the
synthesized templates already and are reported as acknowledged by the kit; any other skip
found in a template is reported as an acknowledgment outside the ledger.

The executable is ``$ORDER_KIT_CHECKOV``, else ``checkov`` on ``PATH``, else
``.venv-checkov/bin/checkov`` of a repository checkout (``make venv-checkov``, its own venv
with the exact pins of ``requirements/checkov.txt``). A pip user gets checkov with the kit's
audit extra, ``pip install 'production-order-kit[audit]'`` (Python 3.11+).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.acknowledgments import find_kit_acknowledgment
from kit.audit.assembly import CloudAssembly, Template
from kit.audit.findings import Finding, FindingStatus, LedgerProblem, ProblemKind, ScanResult
from kit.audit.ledger import LedgerEntry
from kit.paths import policies_dir

TOOL = "checkov"
CHECKOV_ENV = "ORDER_KIT_CHECKOV"
RAW_DIR = "raw"
ACKNOWLEDGED_DIR = "acknowledged"
CHECKOV_TIMEOUT_SECONDS = 600
_REPO_ROOT = Path(__file__).resolve().parents[2]
_REPO_CHECKOV = _REPO_ROOT / ".venv-checkov" / "bin" / "checkov"


class CheckovError(RuntimeError):
    """checkov is missing or did not produce a report."""


def locate_checkov(environ: Mapping[str, str] | None = None) -> Path:
    """Find the checkov executable (see the module docstring for the search order).

    Raises
    ------
    CheckovError
        When no executable is found, saying how to install one.
    """
    env = os.environ if environ is None else environ
    configured = env.get(CHECKOV_ENV)
    if configured:
        path = Path(configured)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise CheckovError(f"{CHECKOV_ENV}={configured} is not an executable file")
        return path
    on_path = shutil.which("checkov", path=env.get("PATH"))
    if on_path:
        return Path(on_path)
    if _REPO_CHECKOV.is_file():
        return _REPO_CHECKOV
    raise CheckovError(missing_checkov_message())


def missing_checkov_message(in_checkout: bool | None = None) -> str:
    """How to get checkov: the pip extra for an installed kit, ``make`` in a checkout."""
    if in_checkout is None:
        in_checkout = (_REPO_ROOT / "Makefile").is_file() and (_REPO_ROOT / "kit").is_dir()
    how = (
        "run `make venv-checkov` (creates .venv-checkov from requirements/checkov.txt)"
        if in_checkout
        else "install the kit with its audit extra (Python 3.11 or later): "
        "pip install 'production-order-kit[audit]'"
    )
    return (
        f"checkov not found: {how}; or put checkov on PATH, or set {CHECKOV_ENV} to its executable"
    )


def _skip_metadata(template: Template, entries: Sequence[LedgerEntry]) -> dict[str, Any]:
    body = copy.deepcopy(template.body)
    for logical_id, resource in body.get("Resources", {}).items():
        path = template.construct_path(logical_id)
        skips = [
            {"id": entry.rule, "comment": f"{entry.reason} (ledger #{entry.index})"}
            for entry in entries
            if entry.tool == TOOL and entry.matches_path(path)
        ]
        if skips:
            metadata = resource.setdefault("Metadata", {})
            checkov_metadata = metadata.setdefault("checkov", {})
            checkov_metadata.setdefault("skip", []).extend(skips)
    return body


def write_scan_copies(
    assembly: CloudAssembly, entries: Sequence[LedgerEntry], directory: Path
) -> None:
    """Write the raw and the acknowledged copy of every template under ``directory``."""
    shutil.rmtree(directory, ignore_errors=True)
    for template in assembly.templates:
        for kind, body in (
            (RAW_DIR, template.body),
            (ACKNOWLEDGED_DIR, _skip_metadata(template, entries)),
        ):
            target = directory / kind / template.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(body, indent=1), encoding="utf-8")


@dataclass(frozen=True)
class _Result:
    check_id: str
    check_name: str
    outcome: str
    template: str
    logical_id: str
    line: int | None
    comment: str | None


def _records(report: Any) -> list[dict[str, Any]]:
    reports = report if isinstance(report, list) else [report]
    records: list[dict[str, Any]] = []
    for single in reports:
        results = single.get("results", {}) if isinstance(single, dict) else {}
        for section in ("passed_checks", "failed_checks", "skipped_checks"):
            records.extend(results.get(section, []))
    return records


def _parse(report: Any) -> list[_Result]:
    parsed = []
    for record in _records(report):
        template = str(record.get("file_path", "")).lstrip("/")
        line_range = record.get("file_line_range") or []
        result = record.get("check_result", {})
        parsed.append(
            _Result(
                check_id=str(record.get("check_id")),
                check_name=str(record.get("check_name", "")),
                outcome=str(result.get("result")),
                template=template,
                logical_id=str(record.get("resource", "")).rsplit(".", 1)[-1],
                line=int(line_range[0]) if line_range else None,
                comment=result.get("suppress_comment"),
            )
        )
    return parsed


def _finding(
    result: _Result,
    path: str,
    status: FindingStatus,
    reason: str | None,
    entry: int | None,
    acknowledged_by: str | None = None,
) -> Finding:
    return Finding(
        tool=TOOL,
        rule_id=result.check_id,
        resource=path,
        message=result.check_name,
        severity="error",
        status=status,
        reason=reason,
        ledger_entry=entry,
        acknowledged_by=acknowledged_by,
        template=result.template,
        logical_id=result.logical_id,
        line=result.line,
    )


def _checkov_arguments(directory: Path) -> list[str]:
    return [
        "--skip-download",
        "--framework",
        "cloudformation",
        "--external-checks-dir",
        str(policies_dir()),
        "--directory",
        str(directory),
        "--output",
        "json",
    ]


def _report(returncode: int, stdout: str, stderr: str) -> Any:
    # checkov exits 1 when a check fails.
    if returncode not in (0, 1) or not stdout.strip():
        raise CheckovError(f"checkov exited {returncode}: {stderr.strip()[-2000:]}")
    try:
        return json.loads(stdout)
    except json.JSONDecodeError as error:
        raise CheckovError(f"checkov printed no JSON report: {error}") from error


def run_checkov(executable: Path, directory: Path) -> Any:
    """Run checkov on ``directory`` with the kit's policies and return its JSON report.

    Raises
    ------
    CheckovError
        When checkov fails (exit status other than 0 or 1) or prints no report.
    """
    completed = subprocess.run(  # noqa: S603 - the command is built from fixed parts
        [str(executable), *_checkov_arguments(directory)],
        capture_output=True,
        text=True,
        timeout=CHECKOV_TIMEOUT_SECONDS,
        check=False,
    )
    return _report(completed.returncode, completed.stdout, completed.stderr)


def _interpreter_of(executable: Path) -> Path | None:
    """The Python interpreter named by the executable's ``#!`` line, if it is one."""
    try:
        with executable.open("rb") as script:
            first_line = script.readline(512).decode("utf-8", "replace").strip()
    except OSError:
        return None
    if not first_line.startswith("#!"):
        return None
    interpreter = Path(first_line[2:].strip().split(" ")[0])
    if (
        interpreter.is_absolute()
        and interpreter.name.startswith("python")
        and interpreter.is_file()
    ):
        return interpreter
    return None


class PrestartedCheckov:
    """checkov started ahead of time, so that its import overlaps with synthesis.

    Importing checkov takes most of its start-up time. When the executable is a Python
    console script, its interpreter runs :mod:`kit.audit.checkov_driver`, which imports
    checkov at once and then waits for the arguments; otherwise :meth:`scan` simply runs the
    executable. Use as a context manager: an unused process is stopped on exit.

    Parameters
    ----------
    executable : Path
        The checkov executable (:func:`locate_checkov`).
    """

    def __init__(self, executable: Path) -> None:
        self.executable = executable
        self._process: subprocess.Popen[str] | None = None
        interpreter = _interpreter_of(executable)
        if interpreter is not None:
            self._process = subprocess.Popen(  # noqa: S603 - fixed interpreter and script
                [str(interpreter), str(Path(__file__).with_name("checkov_driver.py"))],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )

    def scan(self, directory: Path) -> Any:
        """Run checkov on ``directory`` and return its JSON report (see :func:`run_checkov`)."""
        process, self._process = self._process, None
        if process is None:
            return run_checkov(self.executable, directory)
        try:
            stdout, stderr = process.communicate(
                json.dumps(_checkov_arguments(directory)) + "\n", timeout=CHECKOV_TIMEOUT_SECONDS
            )
        except subprocess.TimeoutExpired as error:
            process.kill()
            process.communicate()
            raise CheckovError(f"checkov ran longer than {CHECKOV_TIMEOUT_SECONDS} s") from error
        return _report(process.returncode, stdout, stderr)

    def close(self) -> None:
        """Stop the waiting process if :meth:`scan` was never called."""
        process, self._process = self._process, None
        if process is not None:
            process.communicate("\n", timeout=CHECKOV_TIMEOUT_SECONDS)

    def __enter__(self) -> PrestartedCheckov:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def checkov_scan(
    assembly: CloudAssembly,
    entries: Sequence[LedgerEntry],
    workdir: Path,
    checkov: PrestartedCheckov,
) -> ScanResult:
    """Scan the assembly's templates with checkov and classify the results.

    Parameters
    ----------
    assembly : CloudAssembly
        The templates to scan.
    entries : sequence of LedgerEntry
        The active ledger entries (``checkov`` ones become skips and acknowledge findings).
    workdir : Path
        Where the raw and acknowledged copies are written (kept as evidence; the raw copy
        is scanned).
    checkov : PrestartedCheckov
        The checkov process to use.

    Returns
    -------
    ScanResult
        Findings, ledger problems and the checks that ran.
    """
    started = time.perf_counter()
    write_scan_copies(assembly, entries, workdir)
    results = _parse(checkov.scan(workdir / RAW_DIR))
    by_name = {template.name: template for template in assembly.templates}
    checkov_entries = [entry for entry in entries if entry.tool == TOOL]
    scan = ScanResult(tool=TOOL)
    for result in results:
        scan.evaluated_rules.add(result.check_id)
        template = by_name.get(result.template)
        path = (
            template.construct_path(result.logical_id)
            if template
            else f"{result.template}/{result.logical_id}"
        )
        if result.outcome == "SKIPPED" and find_kit_acknowledgment(
            TOOL, result.check_id, path, result.comment
        ):
            scan.findings.append(
                _finding(result, path, FindingStatus.ACKNOWLEDGED, result.comment, None, "kit")
            )
        elif result.outcome == "SKIPPED":
            scan.problems.append(
                LedgerProblem(
                    ProblemKind.OUTSIDE_LEDGER,
                    f"{path}: {result.check_id} is skipped in the template itself "
                    f"({result.comment!r}), not by the ledger",
                )
            )
            scan.findings.append(
                _finding(result, path, FindingStatus.ACKNOWLEDGED, result.comment, None, "template")
            )
        elif result.outcome == "FAILED":
            entry = next(
                (e for e in checkov_entries if e.matches(TOOL, result.check_id, path)), None
            )
            if entry is None:
                scan.findings.append(_finding(result, path, FindingStatus.OPEN, None, None))
            else:
                scan.matched_entries.add(entry.index)
                scan.findings.append(
                    _finding(
                        result,
                        path,
                        FindingStatus.ACKNOWLEDGED,
                        entry.reason,
                        entry.index,
                        "ledger",
                    )
                )
    scan.seconds = time.perf_counter() - started
    return scan
