"""The migration guide: one generated page per phase and the overview table."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from docs.gen.audit_reports import PhaseAudit
from docs.gen.inputs import DATA_DIR
from docs.gen.markdown import code, rst_to_markdown, table
from docs.gen.template_diff import TemplateDiff, count_by_type

#: Why each phase matters (hand-written), keyed by phase number.
PHASE_NOTES_FILE = DATA_DIR / "phases.yaml"


class PhaseNotesError(ValueError):
    """``docs/data/phases.yaml`` does not describe exactly the kit's phases."""


@dataclass(frozen=True)
class PhaseStep:
    """Everything a phase page shows, computed by running the kit.

    Attributes
    ----------
    phase : int
    title : str
        ``PHASE_TITLES[phase]``.
    why : str
        The hand-written introduction (``docs/data/phases.yaml``).
    introduced : tuple of (str, str)
        ``(control, description)`` of the controls this phase adds.
    template : dict
        The reference stack's template at this phase.
    diff : TemplateDiff or None
        Changes from the previous phase's template (``None`` for phase 0).
    problems : tuple of str or None
        ``check_migration`` verdict from the previous phase (``None`` for phase 0).
    audit : PhaseAudit
        The audit report at this phase.
    """

    phase: int
    title: str
    why: str
    introduced: tuple[tuple[str, str], ...]
    template: Mapping[str, Any]
    diff: TemplateDiff | None
    problems: tuple[str, ...] | None
    audit: PhaseAudit

    @property
    def resource_count(self) -> int:
        """Resources in the template."""
        return len(self.template.get("Resources", {}))


def load_phase_notes(phases: Sequence[int], path: Path = PHASE_NOTES_FILE) -> dict[int, str]:
    """Read the per-phase introductions; every phase in ``phases`` and nothing else."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise PhaseNotesError(f"{path}: cannot read ({error})") from None
    if not isinstance(data, dict) or sorted(data) != sorted(phases):
        found = sorted(data) if isinstance(data, dict) else data
        raise PhaseNotesError(
            f"{path}: expected an entry for each phase {list(phases)}, got {found}"
        )
    notes = {int(phase): str(text).strip() for phase, text in data.items()}
    empty = [phase for phase, text in notes.items() if not text]
    if empty:
        raise PhaseNotesError(f"{path}: empty introduction for phase(s) {empty}")
    return notes


def page_path(phase: int) -> str:
    """The page of ``phase``, relative to the docs directory."""
    return f"migration/phase-{phase}.md"


def _verdict(step: PhaseStep) -> str:
    assert step.problems is not None
    command = (
        f"order-kit migrate-check phase-{step.phase - 1}.template.json "
        f"phase-{step.phase}.template.json"
    )
    if not step.problems:
        return (
            '!!! success "Safe for live data"\n'
            f"    `{command}` finds no problem: every stateful resource (table, key, queue, "
            "topic, log groups) keeps its logical id, no create-only property changes, nothing "
            "data-bearing is deleted and the table gains or loses at most one index.\n"
        )
    listed = "\n".join(f"    - {code(problem)}" for problem in step.problems)
    return (
        f'!!! danger "Unsafe: {len(step.problems)} problem(s)"\n'
        f"    `{command}` reports:\n\n{listed}\n"
    )


def _diff_section(step: PhaseStep) -> str:
    if step.diff is None:
        counts = count_by_type(step.template)
        rows = [[code(type_name), n] for type_name, n in counts.items()]
        return (
            f"The starting point has **{step.resource_count} resources**:\n\n"
            + table(["Resource type", "Count"], rows)
            + "\n"
        )
    diff = step.diff
    summary = (
        f"**{step.resource_count} resources** (phase {step.phase - 1}: "
        f"{step.resource_count - len(diff.added) + len(diff.removed)}): "
        f"**{len(diff.added)} added**, **{len(diff.removed)} removed**, "
        f"**{len(diff.modified)} modified**, {diff.unchanged} unchanged.\n\n"
    )
    if diff.is_empty:
        return summary
    rows = [
        [code(s.type_name), s.added or "", s.removed or "", s.modified or ""] for s in diff.by_type
    ]
    text = summary + table(["Resource type", "Added", "Removed", "Modified"], rows) + "\n"
    details = []
    for change in diff.added:
        details.append([code(change.logical_id), code(change.type_name), "added", ""])
    for change in diff.removed:
        details.append([code(change.logical_id), code(change.type_name), "removed", ""])
    for change in diff.modified:
        changed = ", ".join(code(name) for name in change.changed)
        details.append([code(change.logical_id), code(change.type_name), "modified", changed])
    body = table(["Logical id", "Type", "Change", "What changes"], details)
    indented = "\n".join(f"    {line}" for line in body.splitlines())
    return text + f'\n??? note "Every changed resource ({len(details)})"\n\n{indented}\n'


def _audit_section(step: PhaseStep) -> str:
    audit = step.audit
    open_findings = audit.open_findings
    by_tool = ", ".join(f"{tool} {n}" for tool, n in audit.open_by_tool().items())
    status = audit.control_status_counts()
    controls = ", ".join(f"{n} {name}" for name, n in sorted(status.items()))
    verdict = "passes" if audit.passed else "fails"
    text = (
        f"`order-kit audit --phase {step.phase}` **{verdict}**: "
        f"**{len(open_findings)} open findings** ({by_tool}), "
        f"{audit.acknowledged_count} acknowledged in the ledger, "
        f"{len(audit.ledger_problems)} ledger problems. Controls: {controls}.\n"
    )
    failed = [row for row in audit.controls if row["status"] == "failed"]
    if failed:
        rows = [[row["control_id"], row["title"], len(row["open_findings"])] for row in failed]
        text += (
            "\nControls still failing:\n\n"
            + table(["Control", "What", "Open findings"], rows)
            + "\n"
        )
    if open_findings:
        rows = [[tool, code(rule), n] for tool, rule, n in audit.open_by_rule()]
        body = table(["Tool", "Rule", "Resources"], rows)
        indented = "\n".join(f"    {line}" for line in body.splitlines())
        text += f'\n??? warning "Open findings by rule ({len(rows)} rules)"\n\n{indented}\n'
    stale = [p for p in audit.ledger_problems if p["kind"] == "stale"]
    other = [p for p in audit.ledger_problems if p["kind"] != "stale"]
    if other:
        listed = "\n".join(f"- {problem['kind']}: {problem['message']}" for problem in other)
        text += f"\nLedger problems:\n\n{listed}\n"
    if stale:
        # The ledger is written for the full deployment: entries about resources or settings
        # a later phase adds match nothing yet, and the audit counts them as stale.
        listed = "\n".join(f"    - {problem['message']}" for problem in stale)
        text += (
            f'\n??? info "{len(stale)} ledger entries match no finding at this phase"\n\n'
            "    The ledger is written for phase 5; these entries acknowledge findings on "
            "resources or settings that do not exist yet at this phase, so the audit reports "
            f"them as stale:\n\n{listed}\n"
        )
    return text


def _diagram_intro(step: PhaseStep) -> str:
    if step.diff is None:
        return (
            "What the naive start deploys, with its gaps in red; the faded outlines are what the "
            "later phases add.\n"
        )
    return (
        f"What phase {step.phase} adds is outlined in green, what it changes in amber; faded "
        "outlines arrive in a later phase, red text is a control still missing.\n"
    )


def render_phase_page(step: PhaseStep, last_phase: int, diagram: str = "") -> str:
    """The Markdown page of one phase; ``diagram`` (Markdown) is the architecture at it."""
    parts = [f"# Phase {step.phase}: {step.title}\n", f"{step.why}\n"]
    if diagram:
        parts += [f"## Architecture at phase {step.phase}\n", _diagram_intro(step), diagram]
    parts.append("## What this phase adds\n")
    if step.introduced:
        rows = [[code(name), rst_to_markdown(note)] for name, note in step.introduced]
        parts.append(table(["Control", "What it is"], rows) + "\n")
    else:
        parts.append(
            "No control: every control of the kit arrives in a later phase "
            "(see the [overview](index.md)).\n"
        )
    parts.append(
        "Build the reference app at this phase with "
        f"`cdk synth -c order-kit:phase={step.phase}`, or your own service with "
        f"`OrderServiceProps(phase={step.phase})`.\n"
    )
    heading = (
        "## Template at phase 0"
        if step.diff is None
        else f"## Template changes from phase {step.phase - 1}"
    )
    parts += [heading + "\n", _diff_section(step)]
    if step.problems is not None:
        parts += [f"## Migration safety: phase {step.phase - 1} to {step.phase}\n", _verdict(step)]
    parts += [f"## Audit findings remaining at phase {step.phase}\n", _audit_section(step)]
    nav = []
    if step.phase > 0:
        nav.append(f"[← Phase {step.phase - 1}](phase-{step.phase - 1}.md)")
    if step.phase < last_phase:
        nav.append(f"[Phase {step.phase + 1} →](phase-{step.phase + 1}.md)")
    parts.append(" · ".join(nav) + "\n")
    return "\n".join(parts)


def render_overview(steps: Sequence[PhaseStep]) -> str:
    """The overview table of the migration guide (a fragment of ``migration/index.md``)."""
    rows = []
    for step in steps:
        if step.diff is None:
            changes, safety = "starting point", "—"
        else:
            diff = step.diff
            changes = f"+{len(diff.added)} / -{len(diff.removed)} / ~{len(diff.modified)}"
            safety = "safe" if not step.problems else f"UNSAFE ({len(step.problems)})"
        failed = step.audit.control_status_counts().get("failed", 0)
        rows.append(
            [
                f"[{step.phase}: {step.title}](phase-{step.phase}.md)",
                ", ".join(code(name) for name, _ in step.introduced) or "—",
                step.resource_count,
                changes,
                safety,
                len(step.audit.open_findings),
                failed,
                "passes" if step.audit.passed else "fails",
            ]
        )
    return (
        table(
            [
                "Phase",
                "Controls added",
                "Resources",
                "Added / removed / modified",
                "migrate-check",
                "Open findings",
                "Failing controls",
                "Audit",
            ],
            rows,
        )
        + "\n"
    )
