"""The OSCAL component definition of one ProductionOrderService, as its props configure it.

For each kit control the service deploys (an implementation statement exists,
:mod:`kit.audit.oscal_statements`) and the audit did not fail on the service's resources, the
component claims the regulatory controls that the control's cdk-nag rules support, per
``RULES.md`` of cdk-nag (:mod:`kit.audit.nag_controls`): one ``control-implementation`` per
framework (NIST SP 800-53 Rev. 5, HIPAA Security, PCI DSS 3.2.1), one
``implemented-requirement`` per control id, described by the statements of the kit controls
that support it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from trestle.oscal import component as oscal_component

from kit.audit.control_matrix import ControlStatus, control_matrix
from kit.audit.controls import CONTROLS, Control
from kit.audit.findings import Finding, ScanResult
from kit.audit.nag_controls import FRAMEWORKS, Framework, framework_of, oscal_control_ids
from kit.audit.oscal_document import metadata, props, stable_uuid
from kit.audit.oscal_statements import ServiceView, statements_for

_CONTROLS_BY_ID = {control.control_id: control for control in CONTROLS}


@dataclass(frozen=True)
class Claim:
    """A kit control the service implements, and the regulatory control ids it supports.

    Attributes
    ----------
    control : Control
        The kit control.
    statement : str
        How the service implements it.
    status : ControlStatus
        The control's status on the service's resources in this audit.
    reasons : tuple of str
        Reasons of the acknowledged findings of the control on the service.
    """

    control: Control
    statement: str
    status: ControlStatus
    reasons: tuple[str, ...]

    def rules(self, framework: Framework) -> list[str]:
        """The control's cdk-nag rules of ``framework``."""
        return [
            check.rule
            for check in self.control.checks
            if check.tool == "cdk-nag" and framework_of(check.rule) is framework
        ]

    def control_ids(self, framework: Framework) -> list[str]:
        """The OSCAL control ids of ``framework`` the control supports."""
        ids = [cid for rule in self.rules(framework) for cid in oscal_control_ids(rule)]
        return list(dict.fromkeys(ids))


def component_uuid(view: ServiceView) -> str:
    """The UUID of the service's component (the same in both documents)."""
    return stable_uuid("component", view.path)


def service_claims(
    view: ServiceView, findings: Sequence[Finding], scans: dict[str, ScanResult]
) -> list[Claim]:
    """The kit controls ``view`` deploys and the audit did not fail on its resources."""
    own = [finding for finding in findings if view.owns(finding.resource)]
    rows = {row.control.control_id: row for row in control_matrix(own, scans)}
    claims = []
    for control_id, statement in statements_for(view):
        row = rows[control_id]
        if row.status is not ControlStatus.FAILED:
            claims.append(Claim(_CONTROLS_BY_ID[control_id], statement, row.status, row.reasons))
    return claims


def _requirement(
    view: ServiceView, framework: Framework, control_id: str, claims: list[Claim]
) -> oscal_component.ImplementedRequirement:
    description = "\n\n".join(
        f"{claim.control.control_id} ({claim.control.title}): {claim.statement}" for claim in claims
    )
    reasons = [reason for claim in claims for reason in claim.reasons]
    return oscal_component.ImplementedRequirement(
        uuid=stable_uuid("implemented-requirement", view.path, framework.pack, control_id),
        control_id=control_id,
        description=description,
        props=props(
            [("kit-control", claim.control.control_id) for claim in claims]
            + [
                ("cdk-nag-rule", rule)
                for rule in dict.fromkeys(r for claim in claims for r in claim.rules(framework))
            ]
        ),
        remarks=(
            "Findings accepted on this service: " + " / ".join(dict.fromkeys(reasons))
            if reasons
            else None
        ),
    )


def _implementation(
    view: ServiceView, framework: Framework, claims: list[Claim]
) -> oscal_component.ControlImplementation | None:
    by_control: dict[str, list[Claim]] = {}
    for claim in claims:
        for control_id in claim.control_ids(framework):
            by_control.setdefault(control_id, []).append(claim)
    if not by_control:
        return None
    return oscal_component.ControlImplementation(
        uuid=stable_uuid("control-implementation", view.path, framework.pack),
        source=framework.source,
        description=(
            f"{framework.title} controls supported by the cdk-nag {framework.pack} rules that "
            f"the service's deployed controls satisfy (rule-to-control mapping of cdk-nag's "
            "RULES.md, after the AWS Config conformance pack)."
        ),
        props=props([("framework", framework.title)]),
        implemented_requirements=[
            _requirement(view, framework, control_id, by_control[control_id])
            for control_id in sorted(by_control, key=_control_sort_key)
        ],
    )


def _control_sort_key(control_id: str) -> tuple[object, ...]:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", control_id))


def _prop_pairs(view: ServiceView) -> list[tuple[str, object]]:
    pairs: list[tuple[str, object]] = [("construct-path", view.path)]
    for name, value in view.props.items():
        if isinstance(value, dict):
            text = ", ".join(f"{k}={v}" for k, v in sorted(value.items()))
        elif isinstance(value, list):
            text = ", ".join(map(str, value))
        else:
            text = str(value)
        if text.strip():
            pairs.append((name, text))
    return pairs


def component_definition(
    view: ServiceView,
    findings: Sequence[Finding],
    scans: dict[str, ScanResult],
    moment: dt.datetime,
) -> oscal_component.ComponentDefinition:
    """The OSCAL component definition of the service ``view``.

    Parameters
    ----------
    view : ServiceView
        The service, its recorded props and its resources.
    findings : sequence of Finding
        The audit's findings (those on the service's resources decide what it may claim).
    scans : dict
        The audit's scans.
    moment : datetime.datetime
        The document time (:func:`kit.audit.oscal_document.document_time`).
    """
    claims = service_claims(view, findings, scans)
    implementations = [
        implementation
        for framework in FRAMEWORKS
        if (implementation := _implementation(view, framework, claims)) is not None
    ]
    service = view.props
    authorization = (
        f"{service.get('authorization')} authorization"
        if view.features.get("api_authorization")
        else "no API authorization"
    )
    component = oscal_component.DefinedComponent(
        uuid=component_uuid(view),
        type="service",
        title=f"ProductionOrderService {view.path}",
        description=(
            f"Serverless order service '{service.get('service_name')}' "
            f"({service.get('environment_name')}): API Gateway REST API -> Lambda -> DynamoDB, "
            f"built by production-order-kit at migration phase {service.get('phase')} with "
            f"{authorization}"
            f"{', a WAF web ACL' if service.get('enable_waf') else ''}. Kit controls deployed: "
            f"{', '.join(claim.control.control_id for claim in claims) or 'none'}."
        ),
        purpose="Create, read and list orders; process them from the table stream.",
        props=props(_prop_pairs(view)),
        control_implementations=implementations or None,
    )
    return oscal_component.ComponentDefinition(
        uuid=stable_uuid("component-definition", view.path),
        metadata=metadata(f"Component definition: ProductionOrderService {view.path}", moment),
        components=[component],
    )


def component_file_name(view: ServiceView) -> str:
    """``component-definition.<construct path, dashed>.json``."""
    return f"component-definition.{re.sub(r'[^A-Za-z0-9_.-]+', '-', view.path)}.json"
