"""Reading references out of a CloudFormation template (``Ref``, ``Fn::GetAtt``, ``Fn::Join``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_LOGICAL_ID_HASH = re.compile(r"[0-9A-F]{8}$")


def referenced_ids(value: Any) -> Iterator[str]:
    """Logical ids that ``value`` refers to with ``Ref`` or ``Fn::GetAtt`` (pseudo parameters
    such as ``AWS::Region`` are not resources and are skipped), in document order.

    Examples
    --------
    >>> list(referenced_ids({"A": [{"Ref": "Table"}, {"Fn::GetAtt": ["Key", "Arn"]}]}))
    ['Table', 'Key']
    """
    if isinstance(value, dict):
        if set(value) == {"Ref"} and isinstance(value["Ref"], str):
            if not value["Ref"].startswith("AWS::"):
                yield value["Ref"]
            return
        if set(value) == {"Fn::GetAtt"}:
            target = value["Fn::GetAtt"]
            name = target[0] if isinstance(target, list) else str(target).split(".", 1)[0]
            yield str(name)
            return
        for child in value.values():
            yield from referenced_ids(child)
    elif isinstance(value, list):
        for child in value:
            yield from referenced_ids(child)


def resolve_text(value: Any) -> str:
    """A string property as text: ``Fn::Join`` joined, references as ``${LogicalId}`` (or
    ``${LogicalId.Attribute}``) placeholders, pseudo parameters as ``${AWS::Region}``.

    Examples
    --------
    >>> resolve_text({"Fn::Join": ["", ["a-", {"Ref": "Api"}, "/", {"Fn::GetAtt": ["Q", "Arn"]}]]})
    'a-${Api}/${Q.Arn}'
    """
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict) and set(value) == {"Ref"}:
        return "${" + str(value["Ref"]) + "}"
    if isinstance(value, dict) and set(value) == {"Fn::GetAtt"}:
        target = value["Fn::GetAtt"]
        dotted = ".".join(target) if isinstance(target, list) else str(target)
        return "${" + dotted + "}"
    if isinstance(value, dict) and set(value) == {"Fn::Join"}:
        separator, parts = value["Fn::Join"]
        return str(separator).join(resolve_text(part) for part in parts)
    raise ValueError(f"cannot read {value!r} as text (only strings, Ref, GetAtt and Join)")


def short_name(logical_id: str, prefix: str = "") -> str:
    """A logical id without the CDK's 8-digit hash suffix and without ``prefix``.

    Examples
    --------
    >>> short_name("OrderServiceOrdersTable27C28F7A", "OrderService")
    'OrdersTable'
    """
    name = _LOGICAL_ID_HASH.sub("", logical_id) if len(logical_id) > 8 else logical_id
    if prefix and name.startswith(prefix) and len(name) > len(prefix):
        name = name[len(prefix) :]
    return name
