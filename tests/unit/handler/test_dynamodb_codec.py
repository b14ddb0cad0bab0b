"""The DynamoDB attribute-value codec agrees with boto3's TypeSerializer/TypeDeserializer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from hypothesis import given
from hypothesis import strategies as st
from orders.dynamodb_codec import (
    deserialize_item,
    from_attribute_value,
    serialize_item,
    to_attribute_value,
)

# Numbers DynamoDB can hold: at most 38 significant digits, magnitude 1E-130 to 9.99E+125.
numbers = st.integers(-(10**38) + 1, 10**38 - 1) | st.builds(
    lambda digits, exponent: Decimal(digits).scaleb(exponent),
    st.integers(-(10**37), 10**37),
    st.integers(-80, 80),
)
item_values = st.recursive(
    st.none() | st.booleans() | numbers | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=8,
)
items = st.dictionaries(st.text(min_size=1, max_size=8), item_values, max_size=3)


@given(items)
def test_codec_matches_boto3_and_round_trips(item: dict[str, Any]) -> None:
    wire = serialize_item(item)
    assert wire == {k: TypeSerializer().serialize(v) for k, v in item.items()}
    decoded = deserialize_item(wire)
    assert decoded == {k: TypeDeserializer().deserialize(v) for k, v in wire.items()}
    assert serialize_item(decoded) == wire


@pytest.mark.parametrize("value", [1.5, Decimal("NaN"), Decimal("Infinity"), b"bytes", {1, 2}])
def test_values_an_order_item_never_holds_are_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        to_attribute_value(value)


@pytest.mark.parametrize("attribute", [{}, {"S": "a", "N": "1"}, {"SS": ["a"]}, {"B": b"x"}])
def test_malformed_or_unsupported_attribute_values_are_refused(attribute: dict[str, Any]) -> None:
    with pytest.raises(TypeError):
        from_attribute_value(attribute)
