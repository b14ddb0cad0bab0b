"""What changes between two CloudFormation templates, resource by resource and by type."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Resource attributes compared besides ``Properties`` (``Metadata`` is CDK bookkeeping).
_COMPARED_ATTRIBUTES = ("Type", "DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy")


@dataclass(frozen=True)
class ResourceChange:
    """One resource added, removed or modified.

    Attributes
    ----------
    logical_id, type_name : str
    changed : tuple of str
        For a modification: the top-level properties (and attributes such as
        ``DeletionPolicy``) whose value differs; empty for additions and removals.
    """

    logical_id: str
    type_name: str
    changed: tuple[str, ...] = ()


@dataclass(frozen=True)
class TypeSummary:
    """Counts of changed resources of one type."""

    type_name: str
    added: int = 0
    removed: int = 0
    modified: int = 0


@dataclass(frozen=True)
class TemplateDiff:
    """The resource-level difference from an old template to a new one."""

    added: tuple[ResourceChange, ...] = ()
    removed: tuple[ResourceChange, ...] = ()
    modified: tuple[ResourceChange, ...] = ()
    unchanged: int = 0
    by_type: tuple[TypeSummary, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        """True when no resource changes."""
        return not (self.added or self.removed or self.modified)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _changed_keys(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, ...]:
    changed = [
        name
        for name in _COMPARED_ATTRIBUTES
        if _canonical(before.get(name)) != _canonical(after.get(name))
    ]
    old_props: Mapping[str, Any] = before.get("Properties", {})
    new_props: Mapping[str, Any] = after.get("Properties", {})
    changed += sorted(
        name
        for name in set(old_props) | set(new_props)
        if _canonical(old_props.get(name)) != _canonical(new_props.get(name))
    )
    return tuple(changed)


def diff_templates(old: Mapping[str, Any], new: Mapping[str, Any]) -> TemplateDiff:
    """Compare the ``Resources`` of two templates.

    Parameters
    ----------
    old, new
        Synthesized CloudFormation templates (parsed JSON).

    Returns
    -------
    TemplateDiff
        Added, removed and modified resources (sorted by type, then logical id) and counts
        per resource type.

    Examples
    --------
    >>> old = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"A": 1}}}}
    >>> new = {"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"A": 2}},
    ...                      "T": {"Type": "AWS::SNS::Topic"}}}
    >>> d = diff_templates(old, new)
    >>> [(c.logical_id, c.changed) for c in d.modified], [c.logical_id for c in d.added]
    ([('Q', ('A',))], ['T'])
    """
    old_resources: Mapping[str, Any] = old.get("Resources", {})
    new_resources: Mapping[str, Any] = new.get("Resources", {})

    def order(change: ResourceChange) -> tuple[str, str]:
        return change.type_name, change.logical_id

    added = sorted(
        (
            ResourceChange(lid, r.get("Type", "?"))
            for lid, r in new_resources.items()
            if lid not in old_resources
        ),
        key=order,
    )
    removed = sorted(
        (
            ResourceChange(lid, r.get("Type", "?"))
            for lid, r in old_resources.items()
            if lid not in new_resources
        ),
        key=order,
    )
    modified: list[ResourceChange] = []
    unchanged = 0
    for lid, before in old_resources.items():
        after = new_resources.get(lid)
        if after is None:
            continue
        changed = _changed_keys(before, after)
        if changed:
            modified.append(ResourceChange(lid, after.get("Type", "?"), changed))
        else:
            unchanged += 1
    modified.sort(key=order)

    counts: dict[str, dict[str, int]] = {}
    for kind, changes in (("added", added), ("removed", removed), ("modified", modified)):
        for change in changes:
            counts.setdefault(change.type_name, {"added": 0, "removed": 0, "modified": 0})
            counts[change.type_name][kind] += 1
    by_type = tuple(TypeSummary(name, **counts[name]) for name in sorted(counts))
    return TemplateDiff(tuple(added), tuple(removed), tuple(modified), unchanged, by_type)


def count_by_type(template: Mapping[str, Any]) -> dict[str, int]:
    """Number of resources of each type in ``template`` (sorted by type)."""
    counts: dict[str, int] = {}
    for resource in template.get("Resources", {}).values():
        type_name = resource.get("Type", "?")
        counts[type_name] = counts.get(type_name, 0) + 1
    return dict(sorted(counts.items()))
