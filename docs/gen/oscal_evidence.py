"""The "Compliance evidence" page's generated part: the OSCAL documents of the reference app's
audit (read from the cached audit of each phase), summarized, with excerpts."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from docs.gen.audit_reports import AuditRunError, PhaseAudit
from docs.gen.markdown import code, table

RESULTS_FILE = "assessment-results.json"
_SAMPLE_CONTROL = "au-11"


def _props(item: Mapping[str, Any], name: str) -> list[str]:
    return [p["value"] for p in item.get("props", []) if p["name"] == name]


def _component_documents(audit: PhaseAudit) -> dict[str, Mapping[str, Any]]:
    names = [n for n in audit.oscal_names() if n.startswith("component-definition.")]
    if not names:
        raise AuditRunError(f"the phase {audit.phase} audit wrote no OSCAL component definition")
    return {name: audit.oscal(name)["component-definition"] for name in names}


def _block(data: object) -> str:
    return "```json\n" + json.dumps(data, indent=2) + "\n```\n"


def _summary(counts: Counter[str]) -> str:
    return ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "none"


def _outcomes(result: Mapping[str, Any]) -> str:
    return _summary(Counter(v for o in result.get("observations", []) for v in _props(o, "result")))


def _risk_statuses(result: Mapping[str, Any]) -> str:
    return _summary(Counter(r["status"] for r in result.get("risks", [])))


def _finding_states(result: Mapping[str, Any]) -> str:
    return _summary(Counter(f["target"]["status"]["state"] for f in result.get("findings", [])))


def render_oscal_evidence(production: PhaseAudit, naive: PhaseAudit) -> str:
    """The documents of the phase-5 audit, what each holds, excerpts, and phase 0 for contrast."""
    components = _component_documents(production)
    results = production.oscal(RESULTS_FILE)["assessment-results"]
    result = results["results"][0]
    lines = []
    rows = []
    for name, document in components.items():
        component = document["components"][0]
        for implementation in component.get("control-implementations", []):
            framework = _props(implementation, "framework")[0]
            ids = [r["control-id"] for r in implementation["implemented-requirements"]]
            rows.append([code(f"oscal/{name}"), framework, len(ids), ", ".join(ids[:6]) + " ..."])
    lines.append(
        "**Component definitions** (one per ProductionOrderService): the control ids each "
        "framework's implementation claims.\n\n"
        + table(["File", "Framework", "Controls", "First ids"], rows)
    )

    component = next(iter(components.values()))["components"][0]
    requirement = next(
        r
        for implementation in component["control-implementations"]
        for r in implementation["implemented-requirements"]
        if r["control-id"] == _SAMPLE_CONTROL
    )
    seen: dict[str, str] = {}
    for implementation in component["control-implementations"]:
        for item in implementation["implemented-requirements"]:
            for paragraph in item["description"].split("\n\n"):
                kit_control = paragraph.split(" ", 1)[0]
                seen.setdefault(kit_control, paragraph.split("): ", 1)[-1])
    statements = [[code(k), v] for k, v in sorted(seen.items())]
    lines.append(
        "**Implementation statements**, generated from the synthesized resources and the "
        "props of the reference app (one per kit control the service deploys):\n\n"
        + table(["Kit control", "Statement"], statements)
    )
    lines.append(
        f"One implemented requirement, NIST SP 800-53 Rev. 5 {code(_SAMPLE_CONTROL)}:\n\n"
        + _block(requirement)
    )

    naive_result = naive.oscal(RESULTS_FILE)["assessment-results"]["results"][0]
    rows = []
    for part, counts in (
        ("observations", _outcomes),
        ("risks (acknowledgments)", _risk_statuses),
        ("findings (controls)", _finding_states),
    ):
        rows.append([part, counts(result), counts(naive_result)])
    lines.append(
        f"**Assessment results** ({code('oscal/' + RESULTS_FILE)}):\n\n"
        + table(["Part", "Phase 5 (this run)", "Phase 0 (naive start)"], rows)
    )
    risk = result["risks"][0] if result.get("risks") else None
    if risk is not None:
        lines.append("One acknowledgment, as a risk:\n\n" + _block(risk))
    failing = next(
        (
            f
            for f in naive_result.get("findings", [])
            if f["target"]["target-id"] == "cp-9"
            and f["target"]["status"]["state"] == "not-satisfied"
        ),
        None,
    )
    if failing is not None:
        excerpt = dict(failing)
        related = excerpt.get("related-observations", [])
        if len(related) > 2:
            excerpt["related-observations"] = related[:2]
        lines.append(
            "At phase 0 (no point-in-time recovery yet), the finding on NIST "
            f"{code('cp-9')} (first two related observations shown):\n\n" + _block(excerpt)
        )
    return "\n\n".join(line.rstrip("\n") for line in lines) + "\n"
