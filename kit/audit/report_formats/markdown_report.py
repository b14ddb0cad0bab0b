"""The report for people (``audit.md``) and the control matrix as Markdown."""

from __future__ import annotations

from collections.abc import Iterable

from kit.audit.runner import AuditResult


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> list[str]:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines.extend("| " + " | ".join(_cell(value) for value in row) + " |" for row in rows)
    return lines


def _matrix_lines(result: AuditResult) -> list[str]:
    rows = []
    for row in result.controls:
        checks = ", ".join(f"`{check}`" for check in row.control.checks) or "—"
        detail = "; ".join(row.reasons) if row.reasons else ""
        if row.status.value == "failed":
            detail = "; ".join(f"{f.rule_id} @ {f.resource}" for f in row.findings if f.is_open)
        elif row.status.value == "not scanned":
            detail = row.control.covered_by
        rows.append([row.control.control_id, row.control.title, checks, row.status.value, detail])
    return _table(["Control", "What", "Checks", "Status", "Findings / reasons"], rows)


def control_matrix_markdown(result: AuditResult) -> str:
    """The control matrix: control -> checks -> status (with reasons)."""
    lines = [f"# Control matrix — {result.target}", ""]
    lines.extend(_matrix_lines(result))
    return "\n".join(lines)


def markdown_document(result: AuditResult) -> str:
    """Summary, open findings, ledger problems, acknowledged findings and the matrix."""
    verdict = "PASSED" if result.passed else "FAILED"
    lines = [
        f"# Audit of the {result.target}: {verdict}",
        "",
        f"- Open findings: {len(result.open_findings)}",
        f"- Acknowledged findings: {len(result.acknowledged_findings)}",
        f"- Ledger problems: {len(result.problems)} (ledger: `{result.ledger.source}`)",
        f"- Templates: {', '.join(f'`{name}`' for name in result.templates)}",
        "- Time: "
        + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in result.timings.items()),
        "",
        "## Open findings",
        "",
    ]
    if result.open_findings:
        lines.extend(
            _table(
                ["Tool", "Rule", "Resource", "Message"],
                ([f.tool, f.rule_id, f.resource, f.message] for f in result.open_findings),
            )
        )
    else:
        lines.append("None.")
    lines += ["", "## Ledger problems", ""]
    lines.extend(f"- **{p.kind.value}**: {p.message}" for p in result.problems)
    if not result.problems:
        lines.append("None.")
    lines += ["", "## Acknowledged findings", ""]
    if result.acknowledged_findings:
        lines.extend(
            _table(
                ["Tool", "Rule", "Resource", "Acknowledgment"],
                (
                    [f.tool, f.rule_id, f.resource, f.acknowledgment]
                    for f in result.acknowledged_findings
                ),
            )
        )
    else:
        lines.append("None.")
    lines += ["", "## Control matrix", ""]
    lines.extend(_matrix_lines(result))
    return "\n".join(lines)
