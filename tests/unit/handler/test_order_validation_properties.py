"""Property tests of OrderValidator: what it accepts, what it rejects and where, and that it
never fails in any other way.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from order_mutations import MUTATIONS
from order_strategies import field_values, json_values, line_sum, order_json, valid_orders
from orders.dynamodb_codec import deserialize_item, serialize_item
from orders.errors import MalformedBodyError, OrderValidationError, PayloadTooLargeError
from orders.json_body import parse_json_body
from orders.models import Order
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


@given(valid_orders(max_items=5), st.sampled_from(sorted(MUTATIONS)), st.data())
def test_each_single_rule_violation_is_rejected_with_its_field_path(
    document: dict[str, Any], rule: str, data: st.DataObject
) -> None:
    # Given a valid order that breaks exactly one rule
    broken = copy.deepcopy(document)
    expected_path = MUTATIONS[rule](broken, data)
    # Then validation fails at exactly that field
    assert problem_paths(broken) == {expected_path}, rule


def assert_only_validation_errors(value: Any) -> None:
    """validate() accepts exactly what problems() finds nothing wrong with, and fails only with
    OrderValidationError (listing the same problems)."""
    problems = VALIDATOR.problems(value)
    try:
        VALIDATOR.validate(value)
    except OrderValidationError as error:
        assert error.problems, "a rejection must say what is wrong"
        assert error.problems == problems
    else:
        assert problems == []


@given(json_values)
def test_arbitrary_json_values_raise_nothing_but_the_validation_error(value: Any) -> None:
    assert_only_validation_errors(value)


@given(
    st.fixed_dictionaries(
        {},
        optional={
            "customerId": field_values,
            "currency": field_values,
            "items": st.lists(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "sku": field_values,
                        "name": field_values,
                        "quantity": field_values,
                        "unitPrice": field_values,
                    },
                ),
                max_size=3,
            )
            | field_values,
            "total": field_values,
            "shippingAddress": field_values,
            "billingAddress": field_values,
        },
    )
)
def test_order_shaped_json_raises_nothing_but_the_validation_error(value: Any) -> None:
    assert_only_validation_errors(value)


@given(st.binary(max_size=2048))
def test_arbitrary_bytes_raise_nothing_but_request_errors(raw: bytes) -> None:
    try:
        VALIDATOR.validate(parse_json_body(raw))
    except (MalformedBodyError, PayloadTooLargeError, OrderValidationError) as error:
        assert error.problems
