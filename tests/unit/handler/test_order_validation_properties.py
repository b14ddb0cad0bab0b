"""Property tests of OrderValidator: what it accepts, what it rejects and where, and that it
never fails in any other way.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from order_strategies import (
    MAX_ITEMS,
    json_values,
    line_sum,
    order_json,
    valid_orders,
)
from orders.errors import MalformedBodyError, OrderValidationError, PayloadTooLargeError
from orders.json_body import parse_json_body
from orders.models import Order
from orders.repository import deserialize_item, serialize_item
from orders.responses import to_json
from orders.validation import OrderValidator

VALIDATOR = OrderValidator()
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def problem_paths(document: Any) -> set[str]:
    with pytest.raises(OrderValidationError) as raised:
        VALIDATOR.validate(document)
    return {p.path for p in raised.value.problems}


@given(valid_orders())
def test_generated_valid_orders_are_accepted_and_round_trip_to_the_stored_form(
    document: dict[str, Any],
) -> None:
    # Given a valid order as a client sends it (JSON text)
    parsed = parse_json_body(order_json(document).encode("utf-8"))
    # When it is validated, stored and read back
    request = VALIDATOR.validate(parsed)
    order = Order.create(request, "00000000-0000-4000-8000-000000000000", NOW, 90)
    stored = Order.from_item(deserialize_item(serialize_item(order.to_item())))
    public = json.loads(to_json(stored.to_public_dict()), parse_float=Decimal)
    # Then every field the client sent comes back unchanged
    assert stored == order
    assert public["customerId"] == document["customerId"]
    assert public["currency"] == document["currency"]
    assert public["shippingAddress"] == document["shippingAddress"]
    assert public.get("billingAddress") == document.get("billingAddress")
    assert len(public["items"]) == len(document["items"])
    for sent, returned in zip(document["items"], public["items"], strict=True):
        assert returned["sku"] == sent["sku"]
        assert returned["name"] == sent["name"]
        assert returned["quantity"] == sent["quantity"]
        assert Decimal(returned["unitPrice"]) == Decimal(sent["unitPrice"])
    # And the total is the Decimal sum of the lines (the client's, when it sent one)
    assert Decimal(public["total"]) == line_sum(document["items"])
    if "total" in document:
        assert Decimal(public["total"]) == document["total"]
    assert public["status"] == "PENDING"


TEXT_FIELDS = [
    ("customerId",),
    ("items", 0, "name"),
    ("items", 0, "sku"),
    ("shippingAddress", "fullName"),
    ("shippingAddress", "line1"),
    ("shippingAddress", "city"),
]
CONTROL_CHARACTERS = ["\x00", "\n", "\t", "\x1b", "\x7f", "\x85", "\u2028", "\u202e", "\ud800"]


def path_text(location: tuple[str | int, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def set_at(document: dict[str, Any], location: tuple[str | int, ...], value: Any) -> None:
    target: Any = document
    for part in location[:-1]:
        target = target[part]
    target[location[-1]] = value


def delete_at(document: dict[str, Any], location: tuple[str | int, ...]) -> None:
    target: Any = document
    for part in location[:-1]:
        target = target[part]
    del target[location[-1]]


Mutation = Callable[[dict[str, Any], st.DataObject], str]


def _missing_required(document: dict[str, Any], data: st.DataObject) -> str:
    location = data.draw(
        st.sampled_from(
            [
                ("customerId",),
                ("currency",),
                ("items",),
                ("shippingAddress",),
                ("items", 0, "sku"),
                ("items", 0, "name"),
                ("items", 0, "quantity"),
                ("items", 0, "unitPrice"),
                ("shippingAddress", "fullName"),
                ("shippingAddress", "line1"),
                ("shippingAddress", "city"),
                ("shippingAddress", "country"),
            ]
        )
    )
    delete_at(document, location)
    return path_text(location)


def _unknown_field(document: dict[str, Any], data: st.DataObject) -> str:
    parent = data.draw(st.sampled_from([(), ("items", 0), ("shippingAddress",)]))
    target: Any = document
    for part in parent:
        target = target[part]
    name = data.draw(st.sampled_from(["discount", "couponCode", "isAdmin", "orderId"]))
    target[name] = data.draw(json_values)
    return path_text((*parent, name))


def _bad_quantity(document: dict[str, Any], data: st.DataObject) -> str:
    index = data.draw(st.integers(0, len(document["items"]) - 1))
    bad = data.draw(
        st.one_of(
            st.integers(max_value=0),
            st.integers(min_value=1001),
            st.sampled_from([Decimal("1.5"), Decimal("2.0"), "2", True, None]),
        )
    )
    document["items"][index]["quantity"] = bad
    return f"items[{index}].quantity"


def _bad_unit_price(document: dict[str, Any], data: st.DataObject) -> str:
    index = data.draw(st.integers(0, len(document["items"]) - 1))
    bad = data.draw(
        st.one_of(
            st.sampled_from([0, Decimal("0.00"), Decimal("-1"), "9.99", None, False]),
            st.decimals(min_value=Decimal("1000000.01"), allow_nan=False, allow_infinity=False),
            # three or more significant decimal places
            st.integers(1, 10**9)
            .filter(lambda mills: mills % 10 != 0)
            .map(lambda mills: Decimal(mills).scaleb(-3)),
            st.sampled_from([Decimal("1e400"), Decimal("1e-400")]),
        )
    )
    document["items"][index]["unitPrice"] = bad
    return f"items[{index}].unitPrice"


def _bad_currency(document: dict[str, Any], data: st.DataObject) -> str:
    document["currency"] = data.draw(
        st.sampled_from(["JPY", "usd", "XXX", "EURO", "", 978, None, ["EUR"]])
    )
    return "currency"


def _wrong_total(document: dict[str, Any], data: st.DataObject) -> str:
    delta = data.draw(st.sampled_from([Decimal("0.01"), Decimal("-0.01"), Decimal("1")]))
    wrong = line_sum(document["items"]) + delta
    document["total"] = wrong if wrong > 0 else Decimal("0.01") + line_sum(document["items"])
    return "total"


def _item_count(document: dict[str, Any], data: st.DataObject) -> str:
    if data.draw(st.booleans()):
        document["items"] = []
    else:
        document["items"] = (document["items"] * (MAX_ITEMS + 1))[: MAX_ITEMS + 1]
    document.pop("total", None)
    return "items"


def _too_long_text(document: dict[str, Any], data: st.DataObject) -> str:
    location, limit = data.draw(
        st.sampled_from(
            [
                (("items", 0, "name"), 200),
                (("shippingAddress", "fullName"), 100),
                (("shippingAddress", "line1"), 200),
                (("shippingAddress", "city"), 100),
            ]
        )
    )
    # Either too many characters, or few enough characters but too many UTF-16 units.
    text = data.draw(st.sampled_from(["x" * (limit + 1), "\U0001f600" * (limit // 2 + 1)]))
    set_at(document, location, text)
    return path_text(location)


def _control_character(document: dict[str, Any], data: st.DataObject) -> str:
    location = data.draw(st.sampled_from(TEXT_FIELDS))
    char = data.draw(st.sampled_from(CONTROL_CHARACTERS))
    set_at(document, location, "ab" + char + "cd")
    return path_text(location)


def _blank_text(document: dict[str, Any], data: st.DataObject) -> str:
    location = data.draw(st.sampled_from([("items", 0, "name"), ("shippingAddress", "city")]))
    set_at(document, location, data.draw(st.sampled_from([" ", "   ", "\u3000", "\u00a0"])))
    return path_text(location)


def _bad_identifier(document: dict[str, Any], data: st.DataObject) -> str:
    location, bad = data.draw(
        st.sampled_from(
            [
                (("customerId",), "ab"),
                (("customerId",), "-abc"),
                (("customerId",), "cust 1"),
                (("customerId",), "c" * 65),
                (("customerId",), "cüst"),
                (("customerId",), 12345),
                (("items", 0, "sku"), ".sku"),
                (("items", 0, "sku"), "s" * 65),
                (("shippingAddress", "country"), "gb"),
                (("shippingAddress", "country"), "GBR"),
                (("shippingAddress",), "1 Main St, London"),
                (("shippingAddress",), None),
            ]
        )
    )
    set_at(document, location, bad)
    return path_text(location)


def _bad_billing_address(document: dict[str, Any], data: st.DataObject) -> str:
    document["billingAddress"] = {"fullName": "A", "line1": "B", "city": "C"}
    return "billingAddress.country"


MUTATIONS: dict[str, Mutation] = {
    "missing required field": _missing_required,
    "unknown field": _unknown_field,
    "bad quantity": _bad_quantity,
    "bad unit price": _bad_unit_price,
    "bad currency": _bad_currency,
    "total that disagrees": _wrong_total,
    "too few or too many items": _item_count,
    "text too long": _too_long_text,
    "control character": _control_character,
    "blank text": _blank_text,
    "bad identifier": _bad_identifier,
    "incomplete billing address": _bad_billing_address,
}


@given(valid_orders(max_items=5), st.sampled_from(sorted(MUTATIONS)), st.data())
def test_each_single_rule_violation_is_rejected_with_its_field_path(
    document: dict[str, Any], rule: str, data: st.DataObject
) -> None:
    # Given a valid order that breaks exactly one rule
    broken = copy.deepcopy(document)
    expected_path = MUTATIONS[rule](broken, data)
    # Then validation fails at exactly that field
    assert problem_paths(broken) == {expected_path}, rule


@given(json_values)
def test_arbitrary_json_values_raise_nothing_but_the_validation_error(value: Any) -> None:
    try:
        VALIDATOR.validate(value)
    except OrderValidationError as error:
        assert error.problems, "a rejection must say what is wrong"


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "customerId": json_values,
            "currency": json_values,
            "items": st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "sku": json_values,
                        "name": json_values,
                        "quantity": json_values,
                        "unitPrice": json_values,
                    },
                ),
                max_size=3,
            )
            | json_values,
            "total": json_values,
            "shippingAddress": json_values,
            "billingAddress": json_values,
        },
    )
)
def test_order_shaped_json_raises_nothing_but_the_validation_error(value: Any) -> None:
    try:
        VALIDATOR.validate(value)
    except OrderValidationError as error:
        assert error.problems


@given(st.binary(max_size=2048))
def test_arbitrary_bytes_raise_nothing_but_request_errors(raw: bytes) -> None:
    try:
        VALIDATOR.validate(parse_json_body(raw))
    except (MalformedBodyError, PayloadTooLargeError, OrderValidationError) as error:
        assert error.problems
