"""CloudFormation resource schemas, as shipped with cfn-lint (no network needed).

Used for what the templates alone do not say: which resource types take tags, and which
properties are create-only (changing them replaces the resource).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import cfnlint.data.schemas

_SCHEMAS_DIR = Path(cfnlint.data.schemas.__file__).parent
DEFAULT_REGION = "us-east-1"


@cache
def _index(region: str) -> dict[str, str]:
    path = _SCHEMAS_DIR / "providers" / f"{region}.json"
    index: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return index


@cache
def resource_schema(type_name: str, region: str = DEFAULT_REGION) -> dict[str, Any] | None:
    """Return the resource schema of ``type_name`` (e.g. ``AWS::DynamoDB::Table``), or
    ``None`` when cfn-lint has none for that type in ``region``."""
    digest = _index(region).get(type_name)
    if digest is None:
        return None
    schema: dict[str, Any] = json.loads(
        (_SCHEMAS_DIR / "resources" / f"{digest}.json").read_text(encoding="utf-8")
    )
    return schema


def is_taggable(type_name: str) -> bool:
    """True when the type takes a ``Tags`` property."""
    schema = resource_schema(type_name)
    if schema is None:
        return False
    tagging = schema.get("tagging", {})
    return bool(tagging.get("taggable", False)) and "Tags" in schema.get("properties", {})


#: Properties whose change replaces the resource according to the CloudFormation reference,
#: but which the registry schema of the type does not list as create-only.
_REPLACING_PROPERTIES = {
    "AWS::DynamoDB::Table": ("/properties/KeySchema",),
    "AWS::KMS::Key": ("/properties/KeySpec", "/properties/KeyUsage", "/properties/MultiRegion"),
}


def create_only_properties(type_name: str) -> tuple[tuple[str, ...], ...]:
    """Paths of the properties whose change replaces a resource of ``type_name``.

    Each path is a tuple of keys below ``Properties``; ``"*"`` stands for every list item.

    Examples
    --------
    >>> ("TableName",) in create_only_properties("AWS::DynamoDB::Table")
    True
    """
    schema = resource_schema(type_name) or {}
    pointers = [*schema.get("createOnlyProperties", []), *_REPLACING_PROPERTIES.get(type_name, ())]
    paths = []
    for pointer in pointers:
        parts = pointer.split("/")
        if len(parts) >= 3 and parts[0] == "" and parts[1] == "properties":
            paths.append(tuple(parts[2:]))
    return tuple(dict.fromkeys(paths))
