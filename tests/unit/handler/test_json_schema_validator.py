"""The draft-04 subset validator: agreement with jsonschema's Draft4Validator, and its limits."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from order_mutations import MUTATIONS
from order_strategies import json_values, utf16_units, valid_orders
from orders.json_schema import SchemaValidator
from orders.validation import load_order_request_schema

SCHEMA = load_order_request_schema()
OURS = SchemaValidator(SCHEMA)
REFERENCE = jsonschema.Draft4Validator(SCHEMA)


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *strings_in(v)]]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


def assert_same_verdict(document: Any) -> None:
    ours = OURS.problems(document)
    # The compiled fast path and the full pass always agree.
    assert OURS.is_valid(document) == (not ours)
    reference_valid = REFERENCE.is_valid(document)
    if reference_valid and ours:
        # The one intended difference: maxLength counts UTF-16 units, so astral text can be
        # too long for us while draft-04 (code points) accepts it.
        assert all(p.message.startswith("must be at most") for p in ours), ours
        assert any(utf16_units(s) > len(s) for s in strings_in(document))
    else:
        assert reference_valid == (not ours), (ours, list(REFERENCE.iter_errors(document)))


@given(valid_orders(max_items=5), st.sampled_from(sorted(MUTATIONS)), st.data())
def test_verdict_agrees_with_jsonschema_on_near_valid_orders(
    document: dict[str, Any], rule: str, data: st.DataObject
) -> None:
    broken = copy.deepcopy(document)
    if data.draw(st.booleans()):
        MUTATIONS[rule](broken, data)
    assert_same_verdict(broken)


@given(json_values)
def test_verdict_agrees_with_jsonschema_on_arbitrary_json(value: Any) -> None:
    assert_same_verdict(value)


def test_every_error_is_reported_not_only_the_first() -> None:
    problems = OURS.problems(
        {"customerId": 5, "currency": "usd", "items": [{}, {"quantity": 0}], "extra": 1}
    )
    assert [(p.path, p.message) for p in problems] == [
        ("shippingAddress", "is required"),
        ("customerId", "must be a string"),
        ("currency", "must be one of: " + ", ".join(SCHEMA["properties"]["currency"]["enum"])),
        ("items[0].sku", "is required"),
        ("items[0].name", "is required"),
        ("items[0].quantity", "is required"),
        ("items[0].unitPrice", "is required"),
        ("items[1].sku", "is required"),
        ("items[1].name", "is required"),
        ("items[1].unitPrice", "is required"),
        ("items[1].quantity", "must be at least 1"),
        ("extra", "is not an allowed field"),
    ]


def test_unknown_field_names_that_are_not_identifiers_are_not_echoed() -> None:
    problems = OURS.problems({"<script>": 1, "a b": 2})
    assert {(p.path, p.message) for p in problems} >= {
        ("$", "contains a field that is not allowed")
    }
    assert not any("<script>" in p.path or "a b" in p.path for p in problems)


def test_integers_follow_draft4_no_fraction_no_exponent() -> None:
    validator = SchemaValidator({"type": "integer"})
    assert validator.problems(3) == []
    for not_integer in (Decimal("3.0"), Decimal("3E+0"), True, 3.0):
        assert validator.problems(not_integer), not_integer


def test_enum_compares_as_json_so_true_is_not_1() -> None:
    validator = SchemaValidator({"enum": [1, "a"]})
    assert validator.problems(Decimal("1.0")) == []
    assert validator.problems(True)


def test_exclusive_bounds() -> None:
    validator = SchemaValidator(
        {"minimum": 0, "exclusiveMinimum": True, "maximum": 10, "exclusiveMaximum": True}
    )
    assert [validator.problems(v) != [] for v in (0, Decimal("0.01"), Decimal("9.99"), 10)] == [
        True,
        False,
        False,
        True,
    ]


@pytest.mark.parametrize(
    "schema",
    [
        {"multipleOf": 0.01},
        {"format": "email"},
        {"$ref": "#/definitions/a"},
        {"oneOf": [{}]},
        {"properties": {"a": {"not": {}}}},
        {"items": [{}]},
        {"type": "decimal"},
    ],
)
def test_schemas_using_unsupported_keywords_are_refused(schema: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        SchemaValidator(schema)
