"""The control matrix: each seed control, the checks that prove it, and their status."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kit.audit.controls import CONTROLS, CheckRef, Control
from kit.audit.findings import Finding, ScanResult
from kit.audit.nag_rules import split_nag_rule


class ControlStatus(str, enum.Enum):
    """The verdict on one control."""

    PASSED = "passed"
    FAILED = "failed"
    ACKNOWLEDGED = "acknowledged"
    NOT_EVALUATED = "not evaluated"
    NOT_SCANNED = "not scanned"


@dataclass(frozen=True)
class ControlResult:
    """One row of the matrix.

    Attributes
    ----------
    control : Control
        The control.
    status : ControlStatus
        ``failed`` when a check has an open finding; ``acknowledged`` when its only findings
        are acknowledged; ``passed`` when the checks that ran found nothing and at least one
        of them examined a resource; ``not evaluated`` when none did (no resource of the
        type); cdk-nag does not say which resources a rule examined, so its silence is
        evidence only for controls that no checkov or cfn-lint check covers;
        ``not scanned`` when no scanner can see it (``covered_by`` says what proves it).
    evaluated : tuple of CheckRef
        The checks that ran.
    findings : tuple of Finding
        The findings of the control's checks.
    """

    control: Control
    status: ControlStatus
    evaluated: tuple[CheckRef, ...]
    findings: tuple[Finding, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        """The distinct reasons of the acknowledged findings."""
        return tuple(dict.fromkeys(f.reason for f in self.findings if f.reason and not f.is_open))

    def as_dict(self) -> dict[str, Any]:
        """The row as plain data."""
        return {
            "control_id": self.control.control_id,
            "title": self.control.title,
            "seed_area": self.control.seed_area,
            "status": self.status.value,
            "checks": [str(check) for check in self.control.checks],
            "evaluated_checks": [str(check) for check in self.evaluated],
            "covered_by": self.control.covered_by or None,
            "open_findings": [f"{f.rule_id} @ {f.resource}" for f in self.findings if f.is_open],
            "acknowledged": [
                {"finding": f"{f.rule_id} @ {f.resource}", "reason": f.reason}
                for f in self.findings
                if not f.is_open
            ],
        }


def _finding_check(finding: Finding) -> CheckRef:
    if finding.tool == "cdk-nag":
        return CheckRef("cdk-nag", split_nag_rule(finding.rule_id)[1])
    if finding.tool == "cfn-lint":
        return CheckRef("cfn-lint", "*")
    return CheckRef(finding.tool, finding.rule_id)


def _evaluated(check: CheckRef, scans: Mapping[str, ScanResult]) -> bool:
    scan = scans.get(check.tool)
    if scan is None or not scan.ran:
        return False
    return check.rule == "*" or check.rule in scan.evaluated_rules


def _has_evidence(control: Control, evaluated: Sequence[CheckRef]) -> bool:
    if any(check.tool != "cdk-nag" for check in control.checks):
        return any(check.tool != "cdk-nag" for check in evaluated)
    return bool(evaluated)


def control_matrix(
    findings: Sequence[Finding],
    scans: Mapping[str, ScanResult],
    controls: Sequence[Control] = CONTROLS,
) -> list[ControlResult]:
    """Decide the status of every control from the audit's findings.

    Parameters
    ----------
    findings : sequence of Finding
        All findings, open and acknowledged.
    scans : mapping
        Tool -> its scan (which rules it evaluated, whether it ran).
    controls : sequence of Control
        The controls (default: :data:`kit.audit.controls.CONTROLS`).

    Returns
    -------
    list of ControlResult
        One row per control, in order.
    """
    by_check: dict[CheckRef, list[Finding]] = {}
    for finding in findings:
        by_check.setdefault(_finding_check(finding), []).append(finding)
    rows = []
    for control in controls:
        related = tuple(f for check in control.checks for f in by_check.get(check, ()))
        evaluated = tuple(check for check in control.checks if _evaluated(check, scans))
        if any(f.is_open for f in related):
            status = ControlStatus.FAILED
        elif related:
            status = ControlStatus.ACKNOWLEDGED
        elif _has_evidence(control, evaluated):
            status = ControlStatus.PASSED
        elif not control.checks:
            status = ControlStatus.NOT_SCANNED
        else:
            status = ControlStatus.NOT_EVALUATED
        rows.append(ControlResult(control, status, evaluated, related))
    return rows
