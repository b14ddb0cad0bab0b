"""Single-rule violations of a valid order body, for the property tests.

Each mutation breaks exactly one rule of the issue in place and returns the field path the
validator must report: the only path, since nothing else is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st
from order_strategies import MAX_ITEMS, json_values, line_sum

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
