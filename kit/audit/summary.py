"""The short summary ``order-kit audit`` prints."""

from __future__ import annotations

from pathlib import Path

from kit.audit.runner import AuditResult

#: Open findings listed in the summary before it says "... and N more".
MAX_LISTED = 30


def format_summary(result: AuditResult, reports: dict[str, Path]) -> str:
    """Verdict, counts per tool, open findings, ledger problems, report paths and timings."""
    lines = [f"order-kit audit: {result.target}"]
    for tool, scan in result.scans.items():
        if not scan.ran:
            lines.append(f"  {tool:9} not run (no validation report in the assembly)")
            continue
        findings = [f for f in result.findings if f.tool == tool]
        open_count = sum(1 for f in findings if f.is_open)
        by_kit = sum(1 for f in findings if f.acknowledged_by == "kit")
        lines.append(
            f"  {tool:9} {open_count} open, {len(findings) - open_count} acknowledged"
            f" ({by_kit} by the kit)  ({scan.seconds:.1f} s)"
        )
    extra_tools = {f.tool for f in result.findings} - set(result.scans)
    for tool in sorted(extra_tools):
        count = sum(1 for f in result.findings if f.tool == tool and f.is_open)
        lines.append(f"  {tool:9} {count} open")
    for finding in result.open_findings[:MAX_LISTED]:
        lines.append(f"  OPEN  {finding.tool} {finding.rule_id}  {finding.resource}")
    if len(result.open_findings) > MAX_LISTED:
        lines.append(f"  ... and {len(result.open_findings) - MAX_LISTED} more (see the reports)")
    for problem in result.problems:
        lines.append(f"  LEDGER {problem.kind.value}: {problem.message}")
    failed = sum(1 for row in result.controls if row.status.value == "failed")
    lines.append(f"  controls: {len(result.controls)}, failed {failed}")
    lines.append("  reports: " + ", ".join(str(path) for path in reports.values()))
    lines.append(
        "  time: " + ", ".join(f"{step} {sec:.1f} s" for step, sec in result.timings.items())
    )
    lines.append("PASSED" if result.passed else "FAILED")
    return "\n".join(lines)
