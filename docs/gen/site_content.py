"""Compute every generated page and fragment of the site from real runs of the kit."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from docs.gen.architecture_svg import PhaseDiagrams, diagram_block, not_drawn_note
from docs.gen.audit_reports import AuditRunError, audit_phases
from docs.gen.compliance import (
    render_audit_summary,
    render_control_matrix,
    render_kit_acknowledgments,
    render_ledger,
)
from docs.gen.dashboard import (
    DashboardError,
    alarms_on_dashboard,
    read_dashboard,
    render_dashboard,
)
from docs.gen.feature_notes import FeatureNotesError, feature_notes
from docs.gen.inputs import BUILD_DIR, FRAGMENTS_DIR
from docs.gen.live_upgrade import FAILED_STEP_FILE, load_live_upgrade, render_live_upgrade
from docs.gen.migration_pages import (
    PhaseNotesError,
    PhaseStep,
    load_phase_notes,
    page_path,
    render_overview,
    render_phase_page,
)
from docs.gen.oscal_evidence import render_oscal_evidence
from docs.gen.phase_templates import phase_templates
from docs.gen.readme_example import EXAMPLES_DIR, render_example, render_readme_example
from docs.gen.runbook import RunbookError, alarm_facts, load_runbook, render_runbook
from docs.gen.template_diff import diff_templates

#: Errors that mean the site cannot be generated truthfully (each names the cause).
GENERATION_ERRORS = (
    AuditRunError,
    DashboardError,
    FeatureNotesError,
    PhaseNotesError,
    RunbookError,
    ValueError,
)


@dataclass
class GeneratedSite:
    """What :func:`generate_site` produced.

    Attributes
    ----------
    pages : dict of str to str
        Docs-relative path -> Markdown of the generated pages (the phase pages).
    fragments : dict of str to Path
        Fragment name -> the file written under ``build/docs/fragments`` (included by the
        hand-written pages with ``--8<--``).
    steps : list of PhaseStep
        The per-phase data the pages were rendered from.
    timings : dict of str to float
        Seconds spent synthesizing, auditing and rendering.
    cache : dict of str to str
        What came from the cache and what was recomputed.
    """

    pages: dict[str, str] = field(default_factory=dict)
    fragments: dict[str, Path] = field(default_factory=dict)
    steps: list[PhaseStep] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    cache: dict[str, str] = field(default_factory=dict)


def _write_if_changed(path: Path, text: str) -> None:
    # Rewriting identical fragments would make `mkdocs serve` see a change on every build.
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def generate_site(
    build_dir: Path = BUILD_DIR, fragments_dir: Path = FRAGMENTS_DIR
) -> GeneratedSite:
    """Synthesize and audit the reference app at every phase (or read the cache) and render.

    Returns
    -------
    GeneratedSite
        The phase pages (to be added to the site) and the fragment files written.
    """
    from kit.migration import check_migration
    from kit.phases import FIRST_PHASE, LAST_PHASE, PHASE_TITLES, introduced_at
    from kit.reference_app import reference_props

    site = GeneratedSite()
    phases = range(FIRST_PHASE, LAST_PHASE + 1)

    templates = phase_templates(phases, build_dir)
    site.timings["synthesis"] = templates.seconds
    site.cache["templates"] = (
        f"synthesized into {templates.cache_dir}"
        if templates.synthesized
        else f"read from {templates.cache_dir}"
    )
    audits = audit_phases(phases, build_dir)
    site.timings["audit"] = audits.seconds
    site.cache["audits"] = (
        f"audited phases {list(audits.audited)} into {audits.cache_dir}"
        if audits.audited
        else f"read from {audits.cache_dir}"
    )

    started = time.monotonic()
    prefix = reference_props(LAST_PHASE).resource_prefix + "-"
    diagrams = PhaseDiagrams(templates.templates, prefix)
    notes = feature_notes()
    why = load_phase_notes(list(phases))
    for phase in phases:
        template = templates.templates[phase]
        previous = templates.templates.get(phase - 1)
        site.steps.append(
            PhaseStep(
                phase=phase,
                title=PHASE_TITLES[phase],
                why=why[phase],
                introduced=tuple((name, notes[name]) for name in introduced_at(phase)),
                template=template,
                diff=None if previous is None else diff_templates(previous, template),
                problems=(
                    None
                    if previous is None
                    else tuple(str(p) for p in check_migration(previous, template))
                ),
                audit=audits.audits[phase],
            )
        )
    for step in site.steps:
        modified = [] if step.diff is None else [c.logical_id for c in step.diff.modified]
        diagram = diagram_block(
            diagrams.svg(step.phase, modified),
            f"The reference app at phase {step.phase}, drawn from its synthesized template "
            "(scroll sideways for all of it; hover a box for its logical id).",
        )
        site.pages[page_path(step.phase)] = render_phase_page(step, LAST_PHASE, diagram)

    production = audits.audits[LAST_PHASE]
    last_template = templates.templates[LAST_PHASE]
    dashboard = read_dashboard(last_template)
    on_dashboard = alarms_on_dashboard(last_template, dashboard.widgets, prefix)
    architecture = diagram_block(
        diagrams.svg(LAST_PHASE, highlight=False),
        f"The reference app (phase {LAST_PHASE}), drawn from its synthesized template "
        "when this site was built (scroll sideways for all of it).",
    )
    fragments = {
        "architecture.md": architecture + "\n" + not_drawn_note(diagrams.graphs[LAST_PHASE]) + "\n",
        "dashboard.md": render_dashboard(dashboard, on_dashboard),
        "migration-overview.md": render_overview(site.steps),
        "live-upgrade.md": render_live_upgrade(load_live_upgrade()),
        "live-upgrade-failed-step.md": render_live_upgrade(
            load_live_upgrade(FAILED_STEP_FILE), FAILED_STEP_FILE
        ),
        "runbook.md": render_runbook(
            load_runbook(), alarm_facts(templates.templates, prefix), on_dashboard
        ),
        "audit-summary.md": render_audit_summary(production),
        "control-matrix.md": render_control_matrix(production),
        "ledger.md": render_ledger(production),
        "kit-acknowledgments.md": render_kit_acknowledgments(production),
        "oscal-evidence.md": render_oscal_evidence(production, audits.audits[FIRST_PHASE]),
        "readme-example.md": render_readme_example(),
    }
    for example in sorted(EXAMPLES_DIR.glob("*.py")):
        fragments[f"examples/{example.stem}.md"] = render_example(example)
    for name, text in fragments.items():
        path = fragments_dir / name
        _write_if_changed(path, text)
        site.fragments[name] = path
    site.timings["render"] = time.monotonic() - started
    return site
