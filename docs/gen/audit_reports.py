"""``order-kit audit`` at every migration phase: run (or read from the cache) and read reports."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docs.gen.inputs import BUILD_DIR, REPO_ROOT, input_digest, prune_stale

#: What an audit result depends on (the ledger lives in kit/audit/).
AUDIT_INPUTS = (
    "kit",
    "handler",
    "policies",
    "pyproject.toml",
    "requirements/dev.txt",
    "requirements/checkov.txt",
)
#: The report files kept in the cache (the audit's own names).
REPORT_FILE = "audit.json"
MATRIX_FILE = "control-matrix.json"
#: The directory of the OSCAL documents (kit.audit.report_formats.oscal_report.OSCAL_DIR).
OSCAL_DIR = "oscal"
#: The ``version`` of ``audit.json`` this generator reads.
SUPPORTED_REPORT_VERSION = 1


class AuditRunError(RuntimeError):
    """``order-kit audit`` could not produce a report (not the same as a failed audit)."""


@dataclass(frozen=True)
class PhaseAudit:
    """The ``audit.json`` of one phase, with accessors for what the pages show.

    ``directory`` is the cached report directory (with the ``oscal/`` documents), when known.
    """

    phase: int
    report: Mapping[str, Any]
    directory: Path | None = None

    def oscal(self, name: str) -> Mapping[str, Any]:
        """An OSCAL document of the audit (``assessment-results.json``...), parsed.

        Raises
        ------
        AuditRunError
            When the cache holds no such document.
        """
        path = (self.directory or Path(".")) / OSCAL_DIR / name
        try:
            document: Mapping[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise AuditRunError(f"{path}: cannot read the OSCAL document ({error})") from None
        return document

    def oscal_names(self) -> list[str]:
        """The OSCAL documents of the audit, by file name."""
        if self.directory is None:
            return []
        return sorted(path.name for path in (self.directory / OSCAL_DIR).glob("*.json"))

    @property
    def passed(self) -> bool:
        """True when the audit passed (no open finding, no ledger problem)."""
        return bool(self.report["summary"]["passed"])

    @property
    def open_findings(self) -> list[Mapping[str, Any]]:
        """The findings that fail the audit."""
        return [f for f in self.report["findings"] if f["status"] == "open"]

    @property
    def acknowledged_count(self) -> int:
        """How many findings ledger entries acknowledge."""
        return int(self.report["summary"]["acknowledged_findings"])

    @property
    def ledger_problems(self) -> list[Mapping[str, Any]]:
        """Stale, expired, unapplied or outside-the-ledger acknowledgments."""
        return list(self.report["ledger"]["problems"])

    @property
    def controls(self) -> list[Mapping[str, Any]]:
        """The control matrix rows."""
        return list(self.report["controls"])

    def open_by_tool(self) -> dict[str, int]:
        """Open findings per scanner (every scanner that ran, zero included)."""
        counts = {tool: 0 for tool in self.report["tools"]}
        for finding in self.open_findings:
            counts[finding["tool"]] = counts.get(finding["tool"], 0) + 1
        return counts

    def open_by_rule(self) -> list[tuple[str, str, int]]:
        """``(tool, rule, number of resources)`` of the open findings, most frequent first."""
        counts: dict[tuple[str, str], int] = {}
        for finding in self.open_findings:
            key = (finding["tool"], finding["rule_id"])
            counts[key] = counts.get(key, 0) + 1
        return sorted(
            ((tool, rule, n) for (tool, rule), n in counts.items()),
            key=lambda item: (-item[2], item[0], item[1]),
        )

    def control_status_counts(self) -> dict[str, int]:
        """Number of controls in each status (``passed``, ``failed``...)."""
        counts: dict[str, int] = {}
        for row in self.controls:
            counts[row["status"]] = counts.get(row["status"], 0) + 1
        return counts


@dataclass(frozen=True)
class PhaseAudits:
    """The audits of several phases and what obtaining them cost.

    Attributes
    ----------
    audits : dict of int to PhaseAudit
    cache_dir : Path
    audited : tuple of int
        Phases audited by this run (the others came from the cache).
    seconds : float
    """

    audits: dict[int, PhaseAudit]
    cache_dir: Path
    audited: tuple[int, ...]
    seconds: float


def read_report(path: Path, phase: int) -> PhaseAudit:
    """Read an ``audit.json``; refuse other report versions with a clear error."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise AuditRunError(f"{path}: cannot read the audit report ({error})") from None
    version = report.get("version") if isinstance(report, dict) else None
    if version != SUPPORTED_REPORT_VERSION:
        raise AuditRunError(
            f"{path}: audit report version {version!r}; the docs generator reads version "
            f"{SUPPORTED_REPORT_VERSION}"
        )
    return PhaseAudit(phase, report, path.parent)


def run_audit_cli(phase: int, out_dir: Path) -> None:
    """Run ``order-kit audit --phase PHASE --out OUT_DIR`` (exit 0 passed, 1 failed: both ok)."""
    command = [
        sys.executable,
        "-m",
        "kit.cli",
        "audit",
        "--phase",
        str(phase),
        "--out",
        str(out_dir),
    ]
    completed = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        command, cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    if completed.returncode not in (0, 1) or not (out_dir / REPORT_FILE).is_file():
        tail = "\n".join((completed.stderr or completed.stdout).strip().splitlines()[-15:])
        raise AuditRunError(
            f"`order-kit audit --phase {phase}` exited with {completed.returncode} and wrote no "
            f"report:\n{tail}"
        )


def audit_phases(
    phases: range,
    build_dir: Path = BUILD_DIR,
    runner: Callable[[int, Path], None] = run_audit_cli,
) -> PhaseAudits:
    """Return the audit of every phase in ``phases``, auditing only phases not in the cache.

    The cache key covers the kit (and its ledger), the handler, the custom policies, the
    package definition, every requirements file and today's date (ledger entries expire).
    """
    started = time.monotonic()
    key = input_digest(AUDIT_INPUTS, dt.date.today().isoformat())
    cache_dir = build_dir / f"audits-{key}"
    audited = []
    for phase in phases:
        target = cache_dir / f"phase-{phase}"
        if not (target / REPORT_FILE).is_file():
            build_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(prefix="audit-", dir=build_dir) as scratch:
                out = Path(scratch) / "out"
                runner(phase, out)
                staging = Path(scratch) / "keep"
                staging.mkdir()
                for name in (REPORT_FILE, MATRIX_FILE):
                    if (out / name).is_file():
                        shutil.copy2(out / name, staging / name)
                if (out / OSCAL_DIR).is_dir():
                    shutil.copytree(out / OSCAL_DIR, staging / OSCAL_DIR)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.rmtree(target, ignore_errors=True)
                staging.rename(target)
            audited.append(phase)
    if audited:
        prune_stale(cache_dir)
    audits = {
        phase: read_report(cache_dir / f"phase-{phase}" / REPORT_FILE, phase) for phase in phases
    }
    return PhaseAudits(audits, cache_dir, tuple(audited), time.monotonic() - started)
