"""Migration safety: prove that moving a stack from one template to the next loses no data.

``check_migration(old, new)`` compares two synthesized CloudFormation templates and reports:

* ``stateful-removed``: a data-bearing resource (table, key, queue, log group, topic...) of the
  old template is missing from the new one (deleted, or renamed: a new logical id is a new
  resource, and the old one and its data go);
* ``type-changed``: a logical id now names a resource of another type (replacement);
* ``replacement``: a create-only property changed (CloudFormation replaces the resource); the
  create-only properties come from the CloudFormation resource schemas cfn-lint ships;
* ``gsi-changes``: one table update creates or deletes more than one global secondary index
  (DynamoDB refuses that in a single update).

Examples
--------
>>> old = {"Resources": {"T": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "a"}}}}
>>> new = {"Resources": {"T": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": "b"}}}}
>>> [p.rule for p in check_migration(old, new)]
['replacement']
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kit.resource_schemas import create_only_properties

#: Resource types that hold data (or protect it): never to be removed or replaced.
STATEFUL_TYPES = frozenset(
    {
        "AWS::DynamoDB::Table",
        "AWS::DynamoDB::GlobalTable",
        "AWS::KMS::Key",
        "AWS::SQS::Queue",
        "AWS::SNS::Topic",
        "AWS::Logs::LogGroup",
        "AWS::S3::Bucket",
        "AWS::Backup::BackupVault",
    }
)

_MISSING = object()


@dataclass(frozen=True)
class MigrationProblem:
    """One reason the upgrade is unsafe for live data."""

    rule: str
    logical_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.logical_id}: {self.message}"


def load_template(path: str | Path) -> dict[str, Any]:
    """Read a synthesized template (JSON), with a clear error for anything else."""
    path = Path(path)
    try:
        template = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: no such template") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not a JSON CloudFormation template ({error})") from None
    if not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        raise ValueError(f"{path}: not a CloudFormation template (no Resources section)")
    return template


def _values_at(value: Any, path: tuple[str, ...]) -> Iterator[Any]:
    """Values found at ``path`` below ``value`` ("*" = each list item); _MISSING if absent."""
    if not path:
        yield value
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(value, list):
            for item in value:
                yield from _values_at(item, rest)
        else:
            yield _MISSING
    elif isinstance(value, Mapping) and head in value:
        yield from _values_at(value[head], rest)
    else:
        yield _MISSING


def _canonical(values: list[Any]) -> str:
    return json.dumps([None if v is _MISSING else v for v in values], sort_keys=True)


def _gsi_names(resource: Mapping[str, Any]) -> dict[str, str]:
    indexes = resource.get("Properties", {}).get("GlobalSecondaryIndexes", [])
    return {
        index["IndexName"]: json.dumps(index.get("KeySchema"), sort_keys=True)
        for index in indexes
        if isinstance(index, Mapping) and "IndexName" in index
    }


def check_migration(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[MigrationProblem]:
    """Return every reason the change from ``old`` to ``new`` is unsafe (empty: safe)."""
    problems: list[MigrationProblem] = []
    old_resources: Mapping[str, Any] = old.get("Resources", {})
    new_resources: Mapping[str, Any] = new.get("Resources", {})
    for logical_id, before in old_resources.items():
        type_name = before.get("Type", "")
        after = new_resources.get(logical_id)
        if after is None:
            if type_name in STATEFUL_TYPES:
                problems.append(
                    MigrationProblem(
                        "stateful-removed",
                        logical_id,
                        f"{type_name} is removed from the template (a new logical id would be "
                        "a new, empty resource)",
                    )
                )
            continue
        if after.get("Type") != type_name:
            problems.append(
                MigrationProblem(
                    "type-changed",
                    logical_id,
                    f"type changes from {type_name} to {after.get('Type')} (replacement)",
                )
            )
            continue
        for path in create_only_properties(type_name):
            was = list(_values_at(before.get("Properties", {}), path))
            now = list(_values_at(after.get("Properties", {}), path))
            if _canonical(was) != _canonical(now):
                problems.append(
                    MigrationProblem(
                        "replacement",
                        logical_id,
                        f"create-only property {'.'.join(path)} of {type_name} changes "
                        f"({_canonical(was)} -> {_canonical(now)}): the resource is replaced",
                    )
                )
        if type_name == "AWS::DynamoDB::Table":
            was_gsi, now_gsi = _gsi_names(before), _gsi_names(after)
            created = {n for n in now_gsi if n not in was_gsi or was_gsi[n] != now_gsi[n]}
            deleted = {n for n in was_gsi if n not in now_gsi or was_gsi[n] != now_gsi[n]}
            if len(created) + len(deleted) > 1:
                problems.append(
                    MigrationProblem(
                        "gsi-changes",
                        logical_id,
                        f"one update creates {sorted(created)} and deletes {sorted(deleted)}; "
                        "DynamoDB allows one GSI creation or deletion per update",
                    )
                )
    return problems
