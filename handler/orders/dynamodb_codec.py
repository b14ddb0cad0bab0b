"""DynamoDB attribute values (``{"S": ...}``, ``{"N": ...}``) to and from Python values.

Why not ``boto3.dynamodb.types``: importing any boto3 module imports boto3 itself, and with it
s3transfer, which is the largest part of a cold import; the order item needs strings, numbers,
booleans, null, lists and maps only. The tests check this codec against boto3's
TypeSerializer/TypeDeserializer on generated items.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any


def to_attribute_value(value: Any) -> dict[str, Any]:
    """Return the DynamoDB attribute value of a Python value.

    Numbers must be ``int`` or ``Decimal`` (a float would silently lose precision, so it is
    refused, as boto3 does).

    Raises
    ------
    TypeError
        For a float, a non-finite Decimal, or a type DynamoDB items of this service never hold.

    Examples
    --------
    >>> to_attribute_value({"qty": 2, "price": Decimal("9.99"), "tags": ["a"]})
    {'M': {'qty': {'N': '2'}, 'price': {'N': '9.99'}, 'tags': {'L': [{'S': 'a'}]}}}
    """
    kind = type(value)
    if kind is str:
        return {"S": value}
    # Exact types first: the ABC checks below are several times slower.
    if kind is dict:
        return {"M": {str(k): to_attribute_value(v) for k, v in value.items()}}
    if kind is list:
        return {"L": [to_attribute_value(v) for v in value]}
    if kind is bool:
        return {"BOOL": value}
    if kind is int:
        return {"N": str(value)}
    if kind is Decimal:
        if not value.is_finite():
            raise TypeError(f"DynamoDB numbers must be finite, got {value}")
        return {"N": str(value)}
    if value is None:
        return {"NULL": True}
    if isinstance(value, Mapping):
        return {"M": {str(k): to_attribute_value(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return {"L": [to_attribute_value(v) for v in value]}
    raise TypeError(f"cannot store a {kind.__name__} in a DynamoDB item")


def from_attribute_value(attribute: Mapping[str, Any]) -> Any:
    """Return the Python value of a DynamoDB attribute value (numbers as Decimal).

    Raises
    ------
    TypeError
        For a malformed attribute value or a type this service never stores (sets, binary).

    Examples
    --------
    >>> from_attribute_value({"M": {"n": {"N": "1.50"}, "ok": {"BOOL": True}}})
    {'n': Decimal('1.50'), 'ok': True}
    """
    if len(attribute) != 1:
        raise TypeError(f"an attribute value has exactly one type, got {sorted(attribute)}")
    ((kind, value),) = attribute.items()
    if kind == "S":
        return str(value)
    if kind == "N":
        return Decimal(value)
    if kind == "BOOL":
        return bool(value)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: from_attribute_value(v) for k, v in value.items()}
    if kind == "L":
        return [from_attribute_value(v) for v in value]
    raise TypeError(f"unsupported DynamoDB attribute type {kind!r}")


def serialize_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``item`` as a DynamoDB item of attribute values."""
    return {name: to_attribute_value(value) for name, value in item.items()}


def deserialize_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """Return a DynamoDB item of attribute values as Python values (numbers as Decimal)."""
    return {name: from_attribute_value(value) for name, value in item.items()}
