"""The compliance page's generated parts: the control matrix and the acknowledgment ledger."""

from __future__ import annotations

from docs.gen.audit_reports import PhaseAudit
from docs.gen.markdown import code, table
from kit.acknowledgments import find_kit_acknowledgment, kit_acknowledgments

_STATUS_TEXT = {"failed": "**failed**"}


def render_audit_summary(audit: PhaseAudit) -> str:
    """One paragraph and a table: the verdict, findings per scanner, scanner run times."""
    report = audit.report
    summary = report["summary"]
    verdict = "passes" if audit.passed else "fails"
    rows = []
    for tool, run in report["tools"].items():
        counts = summary["by_tool"].get(tool, {"open": 0, "acknowledged": 0})
        rows.append(
            [
                tool,
                "yes" if run["ran"] else "no",
                counts["open"],
                counts["acknowledged"],
                f"{run['seconds']:.1f} s",
            ]
        )
    return (
        f"The audit of the {report['target']} **{verdict}**: "
        f"{summary['open_findings']} open findings, {summary['acknowledged_findings']} "
        f"acknowledged, {summary['ledger_problems']} ledger problems.\n\n"
        + table(["Scanner", "Ran", "Open", "Acknowledged", "Time"], rows)
        + "\n"
    )


def render_control_matrix(audit: PhaseAudit) -> str:
    """The control matrix: each control, the checks that prove it and its status."""
    rows = []
    for row in audit.controls:
        checks = row["checks"]
        if checks:
            evaluated = len(row["evaluated_checks"])
            proof = f"{evaluated} of {len(checks)} checks ran: " + ", ".join(
                code(check) for check in checks
            )
        else:
            proof = f"not scannable; proven by {row['covered_by']}"
        evidence = [f"open: {code(item)}" for item in row["open_findings"]]
        if row["acknowledged"]:
            evidence.append(
                f"acknowledged ({len(row['acknowledged'])}): see the acknowledgments below"
            )
        rows.append(
            [
                f"**{row['control_id']}**",
                row["seed_area"],
                row["title"],
                _STATUS_TEXT.get(row["status"], row["status"]),
                proof,
                "; ".join(evidence),
            ]
        )
    return table(["Control", "Area", "What", "Status", "Checks", "Findings"], rows) + "\n"


def render_ledger(audit: PhaseAudit) -> str:
    """Every ledger entry with its reason and how many findings it acknowledges."""
    ledger = audit.report["ledger"]
    used: dict[int, int] = {}
    for finding in audit.report["findings"]:
        if finding.get("ledger_entry") is not None:
            used[finding["ledger_entry"]] = used.get(finding["ledger_entry"], 0) + 1
    rows = []
    for entry in ledger["entries"]:
        limits = ", ".join(
            part
            for part in (
                f"owner {entry['owner']}" if entry.get("owner") else "",
                f"expires {entry['expires']}" if entry.get("expires") else "",
            )
            if part
        )
        rows.append(
            [
                entry["index"],
                entry["tool"],
                code(entry["rule"]),
                code(entry["resource"]),
                entry["reason"],
                used.get(entry["index"], 0),
                limits or "—",
            ]
        )
    source = ledger["source"]
    if not rows:
        return f"No entries (`{_relative(source)}` is empty).\n"
    return (
        f"{len(ledger['entries'])} entries (from `{_relative(source)}`); each acknowledges the "
        "findings of one rule on the resources its pattern matches.\n\n"
        + table(["#", "Tool", "Rule", "Resource pattern", "Reason", "Findings", "Limits"], rows)
        + "\n"
    )


def render_kit_acknowledgments(audit: PhaseAudit) -> str:
    """The construct's own acknowledgments (``kit/acknowledgments.yaml``), each with its
    condition and how many findings of the audited app it acknowledges."""
    used: dict[int, int] = {}
    entries = kit_acknowledgments()
    for finding in audit.report["findings"]:
        if finding.get("acknowledged_by") != "kit":
            continue
        ack = find_kit_acknowledgment(
            finding["tool"], finding["rule_id"], finding["resource"], finding["reason"]
        )
        if ack is not None:
            used[entries.index(ack)] = used.get(entries.index(ack), 0) + 1
    rows = [
        [
            index + 1,
            ack.tool,
            code(ack.rule),
            code(ack.resource),
            ", ".join(f"{code(name)} = {code(str(value))}" for name, value in ack.when.items())
            or "always",
            ack.reason,
            used.get(index, 0),
        ]
        for index, ack in enumerate(entries)
    ]
    return (
        f"{len(entries)} acknowledgments (from `kit/acknowledgments.yaml`); the construct "
        "attaches each to its own resources whose path, relative to the construct, matches the "
        "pattern, while the condition holds for the props in use.\n\n"
        + table(
            ["#", "Tool", "Rule", "Resource pattern", "When", "Reason", "Findings"],
            rows,
        )
        + "\n"
    )


def _relative(source: str) -> str:
    # The report names the ledger by absolute path; the page shows where it is in the kit.
    marker = "kit/"
    return source[source.index(marker) :] if marker in source else source
