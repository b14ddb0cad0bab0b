"""``order-kit audit``: synthesize, scan with cdk-nag, checkov and cfn-lint, reconcile the ledger.

cdk-nag runs inside synthesis; checkov (a subprocess) and cfn-lint (in a thread) then run
concurrently on the same templates. The audit passes when no finding is open and the ledger
has no problem (stale, expired, not applied, or an acknowledgment made outside it).
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from aws_cdk import App

from kit.audit.assembly import CloudAssembly, read_assembly
from kit.audit.cfn_lint_scan import cfn_lint_scan
from kit.audit.checkov_scan import PrestartedCheckov, checkov_scan, locate_checkov
from kit.audit.control_matrix import ControlResult, control_matrix
from kit.audit.findings import Finding, LedgerProblem, ProblemKind, ScanResult
from kit.audit.ledger import Ledger, LedgerEntry, default_ledger_path, load_ledger
from kit.audit.nag_scan import nag_scan
from kit.audit.synthesis import load_app_factory, synthesize
from kit.phases import LAST_PHASE
from kit.reference_app import build_reference_app

DEFAULT_OUT = Path("reports/audit")
ASSEMBLY_DIR = "cdk.out"
SCANNED_TEMPLATES_DIR = "templates"


@dataclass(frozen=True)
class AuditOptions:
    """What to audit and where to write the reports.

    Attributes
    ----------
    app : str or None
        ``module:function`` returning the app to audit (see :mod:`kit.audit.synthesis`).
    assembly : Path or None
        An already synthesized cloud assembly to audit instead.
    phase : int or None
        Migration phase of the reference app (default 5); only without ``app``/``assembly``.
    ledger : Path or None
        The ledger file. Default: the kit's ledger for the reference app, none otherwise.
    out : Path
        Report directory.
    today : datetime.date or None
        The date expiry is judged against (default: today).
    checkov : Path or None
        The checkov executable (default: found by :func:`locate_checkov`).
    """

    app: str | None = None
    assembly: Path | None = None
    phase: int | None = None
    ledger: Path | None = None
    out: Path = DEFAULT_OUT
    today: dt.date | None = None
    checkov: Path | None = None

    def __post_init__(self) -> None:
        if self.app and self.assembly:
            raise ValueError("give either an app or an assembly, not both")
        if self.phase is not None and (self.app or self.assembly):
            raise ValueError("--phase applies to the reference app only")

    @property
    def target(self) -> str:
        """A description of what is audited."""
        if self.assembly:
            return f"cloud assembly {self.assembly}"
        if self.app:
            return f"app {self.app}"
        return f"reference app, phase {LAST_PHASE if self.phase is None else self.phase}"


@dataclass
class AuditResult:
    """Everything the audit found.

    Attributes
    ----------
    target : str
        What was audited.
    ledger : Ledger
        The ledger used.
    findings : list of Finding
        Every finding of every tool, open and acknowledged.
    problems : list of LedgerProblem
        Ledger problems.
    scans : dict
        Tool -> its scan.
    controls : list of ControlResult
        The control matrix.
    templates : list of str
        The templates scanned.
    timings : dict
        Seconds per step (``synth``, ``checkov``, ``cfn-lint``, ``total``).
    assembly : CloudAssembly or None
        The audited cloud assembly (its templates and the services' records).
    started : datetime.datetime or None
        When the audit started (UTC).
    """

    target: str
    ledger: Ledger
    findings: list[Finding] = field(default_factory=list)
    problems: list[LedgerProblem] = field(default_factory=list)
    scans: dict[str, ScanResult] = field(default_factory=dict)
    controls: list[ControlResult] = field(default_factory=list)
    templates: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    assembly: CloudAssembly | None = None
    started: dt.datetime | None = None

    @property
    def open_findings(self) -> list[Finding]:
        """The findings that fail the audit."""
        return [finding for finding in self.findings if finding.is_open]

    @property
    def acknowledged_findings(self) -> list[Finding]:
        """The findings a ledger entry accepted."""
        return [finding for finding in self.findings if not finding.is_open]

    @property
    def passed(self) -> bool:
        """True when nothing is open and the ledger has no problem."""
        return not self.open_findings and not self.problems


def _ledger_for(options: AuditOptions) -> Ledger:
    if options.ledger is not None:
        return load_ledger(options.ledger)
    if options.app or options.assembly:
        return Ledger(entries=(), source="<no ledger>")
    return load_ledger(default_ledger_path())


def _factory(options: AuditOptions, outdir: Path) -> Callable[[], App]:
    if options.app:
        return load_app_factory(options.app)
    phase = LAST_PHASE if options.phase is None else options.phase
    return functools.partial(build_reference_app, str(outdir), phase)


def _stale(
    ledger_entries: Ledger, active_indices: set[int], scans: dict[str, ScanResult]
) -> list[LedgerProblem]:
    problems = []
    for entry in ledger_entries.entries:
        scan = scans.get(entry.tool)
        if entry.index not in active_indices or scan is None or not scan.ran:
            continue
        if entry.index not in scan.matched_entries:
            problems.append(
                LedgerProblem(
                    ProblemKind.STALE,
                    f"ledger {entry.label}: matches no finding (stale); remove it",
                    entry.index,
                )
            )
    return problems


def _scan(
    options: AuditOptions,
    result: AuditResult,
    active: Sequence[LedgerEntry],
    checkov_process: PrestartedCheckov,
) -> tuple[ScanResult, ScanResult, ScanResult]:
    """Synthesize (or read) the assembly, then run checkov and cfn-lint concurrently."""
    assembly: CloudAssembly
    if options.assembly is not None:
        assembly = read_assembly(options.assembly)
        nag = nag_scan(assembly, active, acknowledged_in_synth=False)
        result.timings["synth"] = 0.0
    else:
        outdir = options.out / ASSEMBLY_DIR
        synthesized = synthesize(_factory(options, outdir), outdir, active)
        assembly = synthesized.assembly
        nag = nag_scan(
            assembly,
            active,
            acknowledged_in_synth=True,
            outside_ledger=synthesized.outside_ledger,
            seconds=synthesized.seconds,
        )
        result.timings["synth"] = synthesized.seconds
    result.templates = [template.name for template in assembly.templates]
    result.assembly = assembly
    # checkov waits on its subprocess and cfn-lint runs in this process: they overlap.
    with ThreadPoolExecutor(max_workers=2) as pool:
        checkov_future = pool.submit(
            checkov_scan, assembly, active, options.out / SCANNED_TEMPLATES_DIR, checkov_process
        )
        lint_future = pool.submit(cfn_lint_scan, assembly, active)
        return checkov_future.result(), lint_future.result(), nag


def run_audit(options: AuditOptions) -> AuditResult:
    """Run the whole audit.

    Parameters
    ----------
    options : AuditOptions
        What to audit.

    Returns
    -------
    AuditResult
        Findings, ledger problems, control matrix and timings (reports are written by
        :func:`kit.audit.report_formats.write_reports`).

    Raises
    ------
    kit.audit.ledger.LedgerError
        The ledger file is invalid.
    kit.audit.checkov_scan.CheckovError
        checkov is missing or failed.
    kit.audit.synthesis.SynthesisError
        The app could not be built or synthesized.
    kit.audit.assembly.AssemblyError
        The assembly directory is unreadable.
    """
    started = time.perf_counter()
    today = options.today or dt.date.today()
    ledger = _ledger_for(options)
    active = ledger.active(today)
    executable = options.checkov or locate_checkov()
    result = AuditResult(
        target=options.target, ledger=ledger, started=dt.datetime.now(dt.timezone.utc)
    )
    result.problems.extend(
        LedgerProblem(
            ProblemKind.EXPIRED,
            f"ledger {entry.label}: expired on {entry.expires}; renew or fix the finding",
            entry.index,
        )
        for entry in ledger.expired(today)
    )
    # checkov starts now: its import overlaps with synthesis.
    with PrestartedCheckov(executable) as checkov_process:
        checkov, lint, nag = _scan(options, result, active, checkov_process)
    result.scans = {scan.tool: scan for scan in (nag, checkov, lint)}
    for scan in result.scans.values():
        result.findings.extend(scan.findings)
        result.problems.extend(scan.problems)
    result.problems.extend(_stale(ledger, {e.index for e in active}, result.scans))
    result.controls = control_matrix(result.findings, result.scans)
    result.timings["checkov"] = checkov.seconds
    result.timings["cfn-lint"] = lint.seconds
    result.timings["total"] = time.perf_counter() - started
    return result
