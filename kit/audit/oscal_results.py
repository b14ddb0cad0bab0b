"""The OSCAL assessment results of one ``order-kit audit`` run.

- every check is an **observation**: each finding of each tool (``fail``, or ``acknowledged``
  with its reason and who gave it) and each rule a tool evaluated without a finding
  (``pass``, on every resource it scanned); an observation on a ProductionOrderService's
  resource names the service's component (defined in the result's local definitions) as its
  subject;
- every acknowledgment is also a **risk**: ``deviation-approved`` when the kit or the user's
  ledger accepted it with a reason, ``deviation-requested`` for a suppression found in the
  template that neither made (a ledger problem);
- every control a finding bears on is a **finding** against it: ``not-satisfied`` while one
  of its findings is open, ``satisfied`` otherwise. The controls are the kit's control matrix
  rows (``SEC-1``...) and the NIST SP 800-53 Rev. 5, HIPAA and PCI DSS ids cdk-nag's
  ``RULES.md`` maps the rules to (a rule of another pack, or a checkov or cfn-lint check,
  bears on the ids of the kit control it proves).

No assessment plan is written: the plan is the audit's fixed set of checks; ``import-ap``
points at the audit's JSON report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from trestle.oscal import assessment_results as oscal_ar
from trestle.oscal import common as oscal

from kit.audit.control_matrix import ControlStatus
from kit.audit.controls import CONTROLS, CheckRef
from kit.audit.findings import Finding
from kit.audit.nag_controls import FRAMEWORKS, framework_of, oscal_control_ids
from kit.audit.nag_rules import split_nag_rule
from kit.audit.oscal_component import component_uuid
from kit.audit.oscal_document import metadata, props, stable_uuid
from kit.audit.oscal_statements import ServiceView
from kit.audit.runner import AuditResult

#: The ``framework`` prop of a finding on a kit control.
KIT_FRAMEWORK = "production-order-kit control matrix"
_PASS, _FAIL, _ACKNOWLEDGED = "pass", "fail", "acknowledged"


@dataclass
class _Target:
    control_id: str
    framework: str
    open: list[str] = field(default_factory=list)
    observations: list[str] = field(default_factory=list)
    risks: list[str] = field(default_factory=list)
    kit_status: ControlStatus | None = None


def _check_of(finding: Finding) -> CheckRef:
    if finding.tool == "cdk-nag":
        return CheckRef("cdk-nag", split_nag_rule(finding.rule_id)[1])
    if finding.tool == "cfn-lint":
        return CheckRef("cfn-lint", "*")
    return CheckRef(finding.tool, finding.rule_id)


def control_targets(finding: Finding) -> list[tuple[str, str]]:
    """``(control id, framework)`` of every control ``finding`` bears on.

    A cdk-nag rule of a framework pack bears on the ids ``RULES.md`` maps it to; every check
    also bears on the kit controls it proves, and on the framework ids of those controls'
    own framework rules.
    """
    check = _check_of(finding)
    targets: list[tuple[str, str]] = []
    framework = framework_of(check.rule) if check.tool == "cdk-nag" else None
    if framework is not None:
        targets.extend((cid, framework.title) for cid in oscal_control_ids(check.rule))
    for control in CONTROLS:
        if check in control.checks:
            targets.append((control.control_id, KIT_FRAMEWORK))
            targets.extend(_framework_ids(control.checks))
    return list(dict.fromkeys(targets))


def _framework_ids(checks: Sequence[CheckRef]) -> list[tuple[str, str]]:
    ids: list[tuple[str, str]] = []
    for check in checks:
        framework = framework_of(check.rule) if check.tool == "cdk-nag" else None
        if framework is not None:
            ids.extend((cid, framework.title) for cid in oscal_control_ids(check.rule))
    return ids


def _observation_props(
    tool: str, rule: str, resource: str, outcome: str, finding: Finding | None
) -> list[oscal.Property] | None:
    pairs: list[tuple[str, object]] = [
        ("tool", tool),
        ("rule", rule),
        ("resource", resource),
        ("result", outcome),
    ]
    if finding is not None:
        pairs.append(("severity", finding.severity))
        if finding.template:
            pairs.append(("template", finding.template))
        if finding.logical_id:
            pairs.append(("logical-id", finding.logical_id))
        if not finding.is_open:
            pairs.append(("acknowledged-by", finding.acknowledged_by or "template"))
            if finding.ledger_entry is not None:
                pairs.append(("ledger-entry", finding.ledger_entry))
    return props(pairs)


def _subject(services: Sequence[ServiceView], resource: str) -> list[oscal.SubjectReference] | None:
    for view in services:
        if view.owns(resource):
            return [
                oscal.SubjectReference(
                    subject_uuid=component_uuid(view),
                    type="component",
                    title=f"ProductionOrderService {view.path}",
                )
            ]
    return None


def _finding_key(finding: Finding) -> tuple[str, ...]:
    return (
        finding.tool,
        finding.rule_id,
        finding.resource,
        finding.status.value,
        str(finding.line or ""),
        finding.message,
    )


def _observations(
    result: AuditResult, services: Sequence[ServiceView], moment: dt.datetime
) -> Iterator[tuple[Finding | None, oscal.Observation]]:
    seen: set[str] = set()
    for finding in sorted(result.findings, key=_finding_key):
        uuid = stable_uuid("observation", *_finding_key(finding))
        if uuid in seen:
            continue
        seen.add(uuid)
        outcome = _FAIL if finding.is_open else _ACKNOWLEDGED
        yield (
            finding,
            oscal.Observation(
                uuid=uuid,
                title=f"{finding.tool} {finding.rule_id}: {outcome}",
                description=finding.message or finding.rule_id,
                props=_observation_props(
                    finding.tool, finding.rule_id, finding.resource, outcome, finding
                ),
                methods=["TEST"],
                types=["finding"],
                subjects=_subject(services, finding.resource),
                collected=moment,
                remarks=finding.acknowledgment or None,
            ),
        )
    found = {(f.tool, _check_of(f).rule) for f in result.findings}
    found |= {(f.tool, f.rule_id) for f in result.findings}
    for tool in sorted(result.scans):
        scan = result.scans[tool]
        if not scan.ran:
            continue
        for rule in sorted(scan.evaluated_rules):
            if (tool, rule) in found:
                continue
            yield (
                None,
                oscal.Observation(
                    uuid=stable_uuid("observation", tool, rule, "*", _PASS),
                    title=f"{tool} {rule}: pass",
                    description=f"{tool} evaluated {rule} on every scanned resource: no finding.",
                    props=_observation_props(tool, rule, "*", _PASS, None),
                    methods=["TEST"],
                    types=["control-objective"],
                    collected=moment,
                ),
            )


_GIVERS = {"kit": "the kit", "ledger": "the ledger"}


def _risk(finding: Finding, observation_uuid: str) -> oscal.Risk:
    who = finding.acknowledged_by or "template"
    giver = _GIVERS.get(who, "a suppression in the template, outside the ledger")
    return oscal.Risk(
        uuid=stable_uuid("risk", *_finding_key(finding)),
        title=f"{finding.rule_id} on {finding.resource}",
        description=finding.message or finding.rule_id,
        statement=f"Acknowledged by {giver}: {finding.reason or 'no reason given'}",
        status="deviation-approved" if who in _GIVERS else "deviation-requested",
        props=props(
            [("acknowledged-by", who)]
            + ([("ledger-entry", finding.ledger_entry)] if finding.ledger_entry is not None else [])
        ),
        related_observations=[oscal.RelatedObservation(observation_uuid=observation_uuid)],
    )


def _targets(
    result: AuditResult,
    observed: list[tuple[Finding | None, oscal.Observation]],
    risks: dict[str, oscal.Risk],
) -> list[_Target]:
    targets: dict[str, _Target] = {}
    for row in result.controls:
        if row.status in (ControlStatus.NOT_EVALUATED, ControlStatus.NOT_SCANNED):
            continue
        target = targets.setdefault(
            row.control.control_id, _Target(row.control.control_id, KIT_FRAMEWORK)
        )
        target.kit_status = row.status
        # The framework controls the row's checks prove were reviewed too.
        for control_id, framework in _framework_ids(row.control.checks):
            targets.setdefault(control_id, _Target(control_id, framework))
    for finding, observation in observed:
        if finding is None:
            continue
        for control_id, framework in control_targets(finding):
            target = targets.setdefault(control_id, _Target(control_id, framework))
            target.observations.append(observation.uuid)
            if finding.is_open:
                target.open.append(f"{finding.tool} {finding.rule_id} @ {finding.resource}")
            elif observation.uuid in risks:
                target.risks.append(risks[observation.uuid].uuid)
    order = {KIT_FRAMEWORK: 0, **{f.title: i + 1 for i, f in enumerate(FRAMEWORKS)}}
    return sorted(targets.values(), key=lambda t: (order.get(t.framework, 9), t.control_id))


def _finding(target: _Target, result_uuid: str) -> oscal.Finding:
    satisfied = not target.open and target.kit_status is not ControlStatus.FAILED
    state = "satisfied" if satisfied else "not-satisfied"
    if target.open:
        description = "Open findings: " + "; ".join(target.open) + "."
    elif target.observations:
        description = "Every finding on this control is acknowledged with a reason (see risks)."
    else:
        description = "The checks proving this control ran and found nothing."
    return oscal.Finding(
        uuid=stable_uuid("finding", result_uuid, target.control_id),
        title=f"{target.control_id}: {state}",
        description=description,
        props=props([("framework", target.framework)]),
        target=oscal.FindingTarget(
            type="objective-id",
            target_id=target.control_id,
            props=props([("framework", target.framework)]),
            status=oscal.ObjectiveStatus(state=state),
        ),
        related_observations=[
            oscal.RelatedObservation(observation_uuid=uuid)
            for uuid in dict.fromkeys(target.observations)
        ]
        or None,
        related_risks=[oscal.AssociatedRisk(risk_uuid=uuid) for uuid in dict.fromkeys(target.risks)]
        or None,
    )


def _local_components(services: Sequence[ServiceView]) -> oscal_ar.LocalDefinitions1 | None:
    if not services:
        return None
    return oscal_ar.LocalDefinitions1(
        components=[
            oscal.SystemComponent(
                uuid=component_uuid(view),
                type="service",
                title=f"ProductionOrderService {view.path}",
                description=(
                    "The order service as synthesized for this audit; its component definition "
                    "is written next to these results."
                ),
                status=oscal.Status(state="under-development"),
            )
            for view in services
        ]
    )


def assessment_results(
    result: AuditResult, services: Sequence[ServiceView], moment: dt.datetime
) -> oscal_ar.AssessmentResults:
    """The OSCAL assessment results of the audit ``result``.

    Parameters
    ----------
    result : AuditResult
        The audit.
    services : sequence of ServiceView
        The ProductionOrderServices of the audited assembly.
    moment : datetime.datetime
        The document time (:func:`kit.audit.oscal_document.document_time`).
    """
    result_uuid = stable_uuid("result", result.target)
    observed = list(_observations(result, services, moment))
    risks = {
        observation.uuid: _risk(finding, observation.uuid)
        for finding, observation in observed
        if finding is not None and not finding.is_open
    }
    targets = _targets(result, observed, risks)
    verdict = "passed" if result.passed else "failed"
    tools = ", ".join(
        f"{tool}{'' if scan.ran else ' (did not run)'}"
        for tool, scan in sorted(result.scans.items())
    )
    oscal_result = oscal_ar.Result(
        uuid=result_uuid,
        title=f"order-kit audit of the {result.target}: {verdict}",
        description=(
            f"order-kit audit of the {result.target} with {tools}: "
            f"{len(result.open_findings)} open findings, {len(result.acknowledged_findings)} "
            f"acknowledged, {len(result.problems)} ledger problems; templates: "
            f"{', '.join(result.templates)}."
        ),
        start=moment,
        end=moment,
        props=props(
            [("audit-passed", str(result.passed).lower()), ("ledger", result.ledger.source)]
        ),
        local_definitions=_local_components(services),
        reviewed_controls=oscal.ReviewedControls(
            control_selections=[
                oscal.ControlSelections(
                    include_controls=[
                        oscal.SelectControlById(control_id=target.control_id) for target in targets
                    ]
                )
                if targets
                else oscal.ControlSelectionsAll(include_all=oscal.IncludeAll())
            ]
        ),
        observations=[observation for _finding_, observation in observed] or None,
        risks=list(risks.values()) or None,
        findings=[_finding(target, result_uuid) for target in targets] or None,
        remarks=(
            "Ledger problems: " + " / ".join(p.message for p in result.problems)
            if result.problems
            else None
        ),
    )
    return oscal_ar.AssessmentResults(
        uuid=stable_uuid("assessment-results", result.target),
        metadata=metadata(f"Assessment results: order-kit audit of the {result.target}", moment),
        import_ap=oscal_ar.ImportAp(
            href="audit.json",
            remarks="No OSCAL assessment plan: the plan is the audit's fixed set of checks.",
        ),
        results=[oscal_result],
    )
