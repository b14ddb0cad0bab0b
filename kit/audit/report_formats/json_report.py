"""The machine-readable report (``audit.json``) and the control matrix as JSON."""

from __future__ import annotations

from typing import Any

from kit.audit.runner import AuditResult

REPORT_VERSION = 1


def _summary(result: AuditResult) -> dict[str, Any]:
    by_tool: dict[str, dict[str, int]] = {}
    for finding in result.findings:
        counts = by_tool.setdefault(finding.tool, {"open": 0, "acknowledged": 0})
        counts[finding.status.value] += 1
    return {
        "passed": result.passed,
        "open_findings": len(result.open_findings),
        "acknowledged_findings": len(result.acknowledged_findings),
        "ledger_problems": len(result.problems),
        "by_tool": by_tool,
    }


def json_document(result: AuditResult) -> dict[str, Any]:
    """The whole audit as plain data."""
    return {
        "version": REPORT_VERSION,
        "target": result.target,
        "summary": _summary(result),
        "templates": result.templates,
        "tools": {
            tool: {"ran": scan.ran, "seconds": round(scan.seconds, 3)}
            for tool, scan in result.scans.items()
        },
        "timings_seconds": {step: round(value, 3) for step, value in result.timings.items()},
        "findings": [finding.as_dict() for finding in result.findings],
        "ledger": {
            "source": result.ledger.source,
            "entries": [entry.as_dict() for entry in result.ledger.entries],
            "problems": [problem.as_dict() for problem in result.problems],
        },
        "controls": [row.as_dict() for row in result.controls],
    }


def control_matrix_document(result: AuditResult) -> dict[str, Any]:
    """The control matrix alone."""
    return {
        "version": REPORT_VERSION,
        "target": result.target,
        "controls": [row.as_dict() for row in result.controls],
    }
