"""The construct's own acknowledgments: its reasoned design decisions, carried by its resources.

Compliance scanners report some of the construct's deliberate choices (python3.13, no VPC, no
stage cache, WAF opt-in...). Their reasons live in one data file shipped with the kit,
``kit/acknowledgments.yaml``; :func:`attach_acknowledgments` puts each one that applies to the
props in use on the construct's own L1 resources, in the form each tool reads:

- cdk-nag: ``Validations.of(resource).acknowledge(Acknowledgment(id="<pack>::<rule>", ...))``,
  so any of the packs added as a policy-validation plugin reports the finding as suppressed,
  with the kit's reason;
- checkov: ``Metadata.checkov.skip`` entries ``{id, comment}`` on the resource;
- cfn-lint: ``Metadata.cfn-lint.config.ignore_checks`` on the resource.

The data file format::

    version: 1
    acknowledgments:
      - tool: cdk-nag                    # cdk-nag | checkov | cfn-lint
        rule: AwsSolutions-L1            # the exact finding id, as in a ledger entry
        resource: "*Function/Function/Resource"   # relative to the construct
        when: {enable_waf: false}        # optional: OrderServiceProps or Features fields
        reason: python3.13 is the default deliberately...

A granular cdk-nag rule may name one of the construct's own resources by its path in braces,
``AwsSolutions-IAM5[Resource::<{Archive/Bucket/Resource}.Arn>/orders/*]``: the finding id holds
that resource's logical id, which depends on where the construct sits in the app, so the kit
puts the logical id in when it attaches the entry, and the audit accepts any logical id there.

An entry applies when every ``when`` key equals the value of the prop (``OrderServiceProps``
field; an enum compares by member name) or of the deployed control (``kit.phases.Features``
field) of that name. Resources added to the construct after it was built get nothing: the kit
never acknowledges what it did not build.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cache, cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import yaml
from aws_cdk import Acknowledgment, CfnResource, Stack, Validations
from constructs import Construct

from kit.path_patterns import compile_resource_pattern
from kit.phases import Features

if TYPE_CHECKING:
    from kit.props import OrderServiceProps

#: The tools an acknowledgment can address.
TOOLS = ("cdk-nag", "checkov", "cfn-lint")
DATA_FILE_VERSION = 1
_KEYS = frozenset({"tool", "rule", "resource", "reason", "when"})
_REQUIRED = ("tool", "rule", "resource", "reason")


class AcknowledgmentsFileError(ValueError):
    """The kit's acknowledgments file is invalid (a packaging or editing mistake)."""


@dataclass(frozen=True)
class KitAcknowledgment:
    """One reasoned design decision of the construct.

    Attributes
    ----------
    tool : str
        ``cdk-nag``, ``checkov`` or ``cfn-lint``.
    rule : str
        The finding id (``AwsSolutions-IAM5[Resource::*]``, ``CKV_AWS_117``, ``W3005``).
    resource : str
        Construct path pattern of the L1 resources, relative to the construct.
    reason : str
        Why the finding is accepted.
    when : Mapping
        Prop or control name -> the value under which the entry applies.
    """

    tool: str
    rule: str
    resource: str
    reason: str
    when: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @cached_property
    def _rule_pattern(self) -> re.Pattern[str]:
        parts = _RULE_REFERENCE.split(self.rule)
        # split() alternates text and captured paths: the paths become logical-id patterns.
        return re.compile(
            "".join(
                re.escape(part) if index % 2 == 0 else "[A-Za-z0-9]+"
                for index, part in enumerate(parts)
            )
        )

    def matches_rule(self, rule: str) -> bool:
        """True when ``rule``, a finding id, is this entry's rule (any logical id in place of
        a ``{path}`` reference)."""
        return self._rule_pattern.fullmatch(rule) is not None

    def rule_in(self, construct: Construct) -> str:
        """The rule with each ``{path}`` reference replaced by the logical id of the resource
        at that path below ``construct``."""

        def logical_id(match: re.Match[str]) -> str:
            resource = construct.node.find_child(match.group(1).split("/")[0])
            for name in match.group(1).split("/")[1:]:
                resource = resource.node.find_child(name)
            assert isinstance(resource, CfnResource)
            return Stack.of(resource).get_logical_id(resource)

        return _RULE_REFERENCE.sub(logical_id, self.rule)

    @cached_property
    def _relative(self) -> re.Pattern[str]:
        return compile_resource_pattern(self.resource)

    @cached_property
    def _anywhere(self) -> re.Pattern[str]:
        return compile_resource_pattern("**/" + self.resource)

    def applies_to(self, props: OrderServiceProps) -> bool:
        """True when the props in use (and the controls their phase deploys) meet ``when``."""
        features = props.features
        for name, expected in self.when.items():
            value = getattr(features, name) if name in _FEATURE_NAMES else getattr(props, name)
            if isinstance(value, enum.Enum):
                value = value.name
            if value != expected:
                return False
        return True

    def matches_relative(self, relative_path: str) -> bool:
        """True when a resource at ``relative_path`` (inside the construct) is covered."""
        return self._relative.fullmatch(relative_path) is not None

    def matches_path(self, construct_path: str) -> bool:
        """True when ``construct_path`` (from the app root) ends in a covered resource path."""
        return self._anywhere.fullmatch(construct_path) is not None

    @property
    def nag_id(self) -> str:
        """The id cdk-nag acknowledges: ``<pack>::<rule>`` (also accepted for granular ids)."""
        return f"{self.rule.split('-', 1)[0]}::{self.rule}"

    def as_dict(self) -> dict[str, Any]:
        """The entry as plain data (reports, docs)."""
        return {
            "tool": self.tool,
            "rule": self.rule,
            "resource": self.resource,
            "reason": self.reason,
            "when": dict(self.when),
        }


_FEATURE_NAMES = frozenset(f.name for f in fields(Features))
#: A ``{construct/path}`` reference inside a rule.
_RULE_REFERENCE = re.compile(r"\{([A-Za-z0-9/._-]+)\}")


def _prop_names() -> frozenset[str]:
    from kit.props import OrderServiceProps  # kit.props imports nothing of this module

    return frozenset(f.name for f in fields(OrderServiceProps))


def _entry(source: str, index: int, raw: object) -> KitAcknowledgment:
    where = f"{source}: acknowledgment #{index}"
    if not isinstance(raw, dict):
        raise AcknowledgmentsFileError(f"{where}: must be a mapping")
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise AcknowledgmentsFileError(f"{where}: unknown key(s) {', '.join(unknown)}")
    for key in _REQUIRED:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise AcknowledgmentsFileError(f"{where}: {key!r} must be a non-empty string")
    if raw["tool"] not in TOOLS:
        raise AcknowledgmentsFileError(f"{where}: tool must be one of {', '.join(TOOLS)}")
    when = raw.get("when") or {}
    if not isinstance(when, dict):
        raise AcknowledgmentsFileError(f"{where}: 'when' must be a mapping")
    names = _FEATURE_NAMES | _prop_names()
    for name in when:
        if name not in names:
            raise AcknowledgmentsFileError(
                f"{where}: 'when' names {name!r}, neither an OrderServiceProps nor a Features field"
            )
    return KitAcknowledgment(
        tool=raw["tool"],
        rule=raw["rule"].strip(),
        resource=raw["resource"].strip(),
        reason=" ".join(raw["reason"].split()),
        when=MappingProxyType(dict(when)),
    )


def parse_acknowledgments(
    text: str, source: str = "<acknowledgments>"
) -> tuple[KitAcknowledgment, ...]:
    """Parse and validate the text of an acknowledgments file.

    Raises
    ------
    AcknowledgmentsFileError
        When the document is not a valid acknowledgments file.
    """
    document = yaml.safe_load(text)
    if not isinstance(document, dict) or document.get("version") != DATA_FILE_VERSION:
        raise AcknowledgmentsFileError(f"{source}: must be a mapping with 'version: 1'")
    raw_entries = document.get("acknowledgments")
    if not isinstance(raw_entries, list):
        raise AcknowledgmentsFileError(f"{source}: 'acknowledgments' must be a list")
    return tuple(_entry(source, index, raw) for index, raw in enumerate(raw_entries, start=1))


def acknowledgments_path() -> Path:
    """The data file shipped with the kit."""
    return Path(__file__).resolve().parent / "acknowledgments.yaml"


@cache
def kit_acknowledgments() -> tuple[KitAcknowledgment, ...]:
    """Every acknowledgment of the kit, read once from :func:`acknowledgments_path`."""
    path = acknowledgments_path()
    return parse_acknowledgments(path.read_text(encoding="utf-8"), source=str(path))


def _merge_metadata(
    resource: CfnResource, key: str, path: tuple[str, ...], items: list[Any]
) -> None:
    """Append ``items`` to the list at ``Metadata.<key>.<path...>`` of ``resource``."""
    metadata = resource.get_metadata(key)
    root: dict[str, Any] = dict(metadata) if isinstance(metadata, dict) else {}
    node = root
    for name in path[:-1]:
        node[name] = dict(node.get(name) or {})
        node = node[name]
    node[path[-1]] = [*(node.get(path[-1]) or []), *items]
    resource.add_metadata(key, root)


def attach_acknowledgments(
    construct: Construct, props: OrderServiceProps
) -> list[tuple[str, KitAcknowledgment]]:
    """Attach every kit acknowledgment that applies to ``props`` to the construct's resources.

    Call it once, at the end of the construct's constructor.

    Parameters
    ----------
    construct : Construct
        The :class:`kit.ProductionOrderService`; only the L1 resources below it are touched.
    props : OrderServiceProps
        The props in use.

    Returns
    -------
    list of (str, KitAcknowledgment)
        The construct path of each resource and the acknowledgment attached to it (with the
        logical ids in place of a rule's ``{path}`` references).
    """
    applicable = [ack for ack in kit_acknowledgments() if ack.applies_to(props)]
    prefix = construct.node.path + "/"
    attached: list[tuple[str, KitAcknowledgment]] = []
    for child in construct.node.find_all():
        if not CfnResource.is_cfn_resource(child):
            continue
        assert isinstance(child, CfnResource)
        relative = child.node.path[len(prefix) :]
        matching = [ack for ack in applicable if ack.matches_relative(relative)]
        for ack in matching:
            if ack.tool == "cdk-nag":
                rule = ack.rule_in(construct)
                nag_id = f"{rule.split('-', 1)[0]}::{rule}"
                Validations.of(child).acknowledge(Acknowledgment(id=nag_id, reason=ack.reason))
                attached.append((child.node.path, replace(ack, rule=rule)))
        skips = [{"id": a.rule, "comment": a.reason} for a in matching if a.tool == "checkov"]
        if skips:
            _merge_metadata(child, "checkov", ("skip",), skips)
        ignores = [a.rule for a in matching if a.tool == "cfn-lint"]
        if ignores:
            _merge_metadata(child, "cfn-lint", ("config", "ignore_checks"), ignores)
        attached.extend((child.node.path, ack) for ack in matching if ack.tool != "cdk-nag")
    return attached


def find_kit_acknowledgment(
    tool: str, rule: str, construct_path: str, reason: str | None
) -> KitAcknowledgment | None:
    """The kit acknowledgment that explains an acknowledged finding, if the kit made it.

    A finding counts as acknowledged by the kit only when the tool, the rule, the resource
    path (below any construct) and the reason text all match an entry of the data file.
    """
    for ack in kit_acknowledgments():
        if (
            ack.tool == tool
            and ack.matches_rule(rule)
            and ack.reason == reason
            and ack.matches_path(construct_path)
        ):
            return ack
    return None
