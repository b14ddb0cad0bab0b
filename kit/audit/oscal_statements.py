"""Implementation statements: how one ProductionOrderService implements a control, in words
generated from its synthesized resources and its props (which key, which alarms, which
retention...).

A statement function returns ``None`` when the service has not deployed what the control needs
(a phase below the one that adds it, or a prop that switches it off): the component definition
then does not claim the control.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from kit.audit.assembly import CloudAssembly


@dataclass(frozen=True)
class Resource:
    """One resource of the service: construct path (relative to the service), type, properties."""

    path: str
    type: str
    properties: Mapping[str, Any]


@dataclass(frozen=True)
class ServiceView:
    """A ProductionOrderService in the assembly: its path, props and resources.

    Attributes
    ----------
    path : str
        The service's construct path.
    record : Mapping
        What the service recorded in the assembly (``kit.service.service_record``).
    resources : tuple of Resource
        The resources under the service's path, in template order.
    """

    path: str
    record: Mapping[str, Any]
    resources: tuple[Resource, ...]

    @property
    def props(self) -> Mapping[str, Any]:
        """The service's props as recorded (enums by name)."""
        props = self.record.get("props")
        return props if isinstance(props, dict) else {}

    @property
    def features(self) -> Mapping[str, Any]:
        """The controls the service deployed (``kit.phases.Features`` as recorded)."""
        features = self.record.get("features")
        return features if isinstance(features, dict) else {}

    def of_type(self, resource_type: str) -> list[Resource]:
        """The resources of one CloudFormation type."""
        return [r for r in self.resources if r.type == resource_type]

    def owns(self, construct_path: str) -> bool:
        """True when ``construct_path`` is a resource of this service."""
        return construct_path.startswith(self.path + "/")


def services_in(assembly: CloudAssembly) -> list[ServiceView]:
    """Every ProductionOrderService of the assembly, by construct path."""
    views = []
    for template in assembly.templates:
        for path, record in sorted(template.services.items()):
            resources = tuple(
                Resource(
                    template.construct_path(logical_id)[len(path) + 1 :],
                    str(body.get("Type")),
                    body.get("Properties") or {},
                )
                for logical_id, body in template.resources().items()
                if isinstance(body, dict)
                and template.construct_path(logical_id).startswith(path + "/")
            )
            views.append(ServiceView(path, record, resources))
    return views


def _names(resources: list[Resource]) -> str:
    return ", ".join(_short(r.path) for r in resources)


def _short(path: str) -> str:
    return path.removesuffix("/Resource")


def _listing(items: list[str]) -> str:
    return ", ".join(items) if items else "none"


def _key(view: ServiceView) -> Resource | None:
    keys = view.of_type("AWS::KMS::Key")
    return keys[0] if keys else None


def _alias(view: ServiceView) -> str:
    aliases = [r.properties.get("AliasName") for r in view.of_type("AWS::KMS::Alias")]
    return next((str(a) for a in aliases if isinstance(a, str)), "no alias")


def _encrypted(view: ServiceView, resource_type: str, key_property: str) -> list[Resource]:
    return [r for r in view.of_type(resource_type) if r.properties.get(key_property)]


def _sec1(view: ServiceView) -> str | None:
    key = _key(view)
    if key is None:
        return None
    tables = [
        r
        for r in view.of_type("AWS::DynamoDB::Table")
        if (r.properties.get("SSESpecification") or {}).get("KMSMasterKeyId")
    ]
    parts = [
        f"tables {_names(tables) or 'none'}",
        f"queues {_names(_encrypted(view, 'AWS::SQS::Queue', 'KmsMasterKeyId')) or 'none'}",
        f"topics {_names(_encrypted(view, 'AWS::SNS::Topic', 'KmsMasterKeyId')) or 'none'}",
        "function environments "
        f"{_names(_encrypted(view, 'AWS::Lambda::Function', 'KmsKeyArn')) or 'none'}",
    ]
    return (
        f"The customer-managed KMS key {_short(key.path)} ({_alias(view)}) encrypts data at "
        f"rest: {'; '.join(parts)}."
    )


def _sec2(view: ServiceView) -> str | None:
    groups = view.of_type("AWS::Logs::LogGroup")
    encrypted = [g for g in groups if g.properties.get("KmsKeyId")]
    if not encrypted:
        return None
    return (
        f"{len(encrypted)} of the service's {len(groups)} CloudWatch log groups are encrypted "
        f"with the customer-managed KMS key: {_names(encrypted)}."
    )


def _actions(policy: Resource) -> list[str]:
    document = policy.properties.get("PolicyDocument") or {}
    actions: list[str] = []
    for statement in document.get("Statement") or []:
        action = statement.get("Action")
        actions.extend([action] if isinstance(action, str) else list(action or []))
    return actions


def _sec3(view: ServiceView) -> str | None:
    policies = view.of_type("AWS::IAM::ManagedPolicy")
    if not policies:
        return None
    described = []
    for policy in policies:
        actions = sorted(set(_actions(policy)))
        described.append(f"{_short(policy.path)} ({_listing(actions)})")
    inline = view.of_type("AWS::IAM::Policy")
    return (
        f"Each role has its own customer-managed policy naming its actions: "
        f"{'; '.join(described)}. Inline policies: {_names(inline) or 'none'}."
    )


def _sec4(view: ServiceView) -> str | None:
    key = _key(view)
    if key is None:
        return None
    rotation = "enabled" if key.properties.get("EnableKeyRotation") else "disabled"
    statements = (key.properties.get("KeyPolicy") or {}).get("Statement") or []
    services = sorted(
        {
            _text(service)
            for statement in statements
            for service in _as_list((statement.get("Principal") or {}).get("Service"))
        }
    )
    return (
        f"KMS key {_short(key.path)}: automatic rotation {rotation}, alias {_alias(view)}, "
        f"a key policy of {len(statements)} statements; service principals allowed to use it: "
        f"{_listing(services)}; removal policy {view.props.get('removal_policy')}."
    )


def _text(value: object) -> str:
    """A template value as text: ``Fn::Join`` joined, ``Ref`` as ``${Name}``."""
    if isinstance(value, dict) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Ref":
            return f"${{{argument}}}"
        if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            return str(argument[0]).join(_text(part) for part in argument[1])
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _rel1(view: ServiceView) -> str | None:
    queues = view.of_type("AWS::SQS::Queue")
    if not queues:
        return None
    functions = [
        r for r in view.of_type("AWS::Lambda::Function") if r.properties.get("DeadLetterConfig")
    ]
    mappings = [
        r
        for r in view.of_type("AWS::Lambda::EventSourceMapping")
        if (r.properties.get("DestinationConfig") or {}).get("OnFailure")
    ]
    return (
        f"Dead-letter queue {_names(queues)} receives failed asynchronous invocations of "
        f"{_names(functions) or 'no function'} and the failed stream batches of "
        f"{_names(mappings) or 'no event source mapping'} (on-failure destination)."
    )


def _rel3(view: ServiceView) -> str | None:
    tables = [
        r
        for r in view.of_type("AWS::DynamoDB::Table")
        if (r.properties.get("PointInTimeRecoverySpecification") or {}).get(
            "PointInTimeRecoveryEnabled"
        )
    ]
    if not tables:
        return None
    return (
        f"Point-in-time recovery is enabled on {_names(tables)} (restore to any second of the "
        "last 35 days); deletion protection "
        + ("on." if all(t.properties.get("DeletionProtectionEnabled") for t in tables) else "off.")
    )


def _mon1(view: ServiceView) -> str | None:
    alarms = view.of_type("AWS::CloudWatch::Alarm")
    topics = view.of_type("AWS::SNS::Topic")
    if not alarms or not topics:
        return None
    names = sorted(
        name if isinstance(name := a.properties.get("AlarmName"), str) else _short(a.path)
        for a in alarms
    )
    emails = view.props.get("alarm_emails") or []
    return (
        f"{len(alarms)} CloudWatch alarms ({', '.join(names)}) notify the SNS topic "
        f"{_names(topics)}, with {len(emails)} e-mail subscription(s); the API latency alarm "
        f"fires above p99 {view.props.get('api_latency_alarm_ms')} ms."
    )


def _mon2(view: ServiceView) -> str | None:
    functions = [
        r
        for r in view.of_type("AWS::Lambda::Function")
        if (r.properties.get("TracingConfig") or {}).get("Mode") == "Active"
    ]
    stages = [
        r for r in view.of_type("AWS::ApiGateway::Stage") if r.properties.get("TracingEnabled")
    ]
    if not functions and not stages:
        return None
    return (
        f"X-Ray active tracing on the functions {_names(functions) or 'none'} and on the API "
        f"stages {_names(stages) or 'none'}."
    )


def _mon3(view: ServiceView) -> str | None:
    stages = [
        r for r in view.of_type("AWS::ApiGateway::Stage") if r.properties.get("AccessLogSetting")
    ]
    if not stages:
        return None
    levels = sorted(
        {
            str(setting.get("LoggingLevel"))
            for stage in stages
            for setting in stage.properties.get("MethodSettings") or []
            if setting.get("LoggingLevel")
        }
    )
    return (
        f"API stages {_names(stages)} write JSON access logs to their own log group and "
        f"execution logs at level {_listing(levels)}, through the account logging role "
        f"({view.props.get('api_gateway_account_role')})."
    )


def _perf1(view: ServiceView) -> str | None:
    functions = [
        r
        for r in view.of_type("AWS::Lambda::Function")
        if r.properties.get("ReservedConcurrentExecutions") is not None
    ]
    if not functions:
        return None
    limits = [
        f"{_short(r.path)}: {r.properties['ReservedConcurrentExecutions']}" for r in functions
    ]
    return f"Reserved concurrency bounds each function: {'; '.join(limits)}."


def _ops1(view: ServiceView) -> str | None:
    groups = view.of_type("AWS::Logs::LogGroup")
    kept = [g for g in groups if g.properties.get("RetentionInDays")]
    if not kept:
        return None
    days = sorted({int(g.properties["RetentionInDays"]) for g in kept})
    return (
        f"{len(kept)} of {len(groups)} log groups keep their events "
        f"{' / '.join(map(str, days))} days (log_retention_days="
        f"{view.props.get('log_retention_days')}), then CloudWatch Logs deletes them: "
        f"{_names(kept)}."
    )


#: Kit control id -> the function writing its implementation statement for a service.
STATEMENTS: Mapping[str, Callable[[ServiceView], str | None]] = MappingProxyType(
    {
        "SEC-1": _sec1,
        "SEC-2": _sec2,
        "SEC-3": _sec3,
        "SEC-4": _sec4,
        "REL-1": _rel1,
        "REL-3": _rel3,
        "MON-1": _mon1,
        "MON-2": _mon2,
        "MON-3": _mon3,
        "PERF-1": _perf1,
        "OPS-1": _ops1,
    }
)


def statements_for(view: ServiceView) -> Iterator[tuple[str, str]]:
    """``(kit control id, statement)`` of every control the service deploys, in order."""
    for control_id, write in STATEMENTS.items():
        statement = write(view)
        if statement is not None:
            yield control_id, statement
