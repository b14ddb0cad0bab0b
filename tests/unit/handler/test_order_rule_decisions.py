"""One test per decision the order request schema states in words (its top-level description,
and so the OpenAPI document and the API Gateway model), each through the API function: numbers
of any size, blank text, control, bidirectional, tag, noncharacter and private-use characters,
decimal places by value, lengths in UTF-16 code units, integers without fraction or exponent.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from handler_harness import ApiResponse, AwsAccount, json_lines
from orders.validation import load_order_request_schema

PostOrder = Callable[..., ApiResponse]
DESCRIPTION = load_order_request_schema()["description"]


def order_text(**changes: str) -> str:
    """A valid order as JSON text, with the JSON literal at each ``changes`` key replaced."""
    document: dict[str, Any] = {
        "customerId": "cust-1",
        "currency": "EUR",
        "items": [{"sku": "A-1", "name": "Mug", "quantity": 2, "unitPrice": "@unitPrice"}],
        "shippingAddress": {"fullName": "Ada", "line1": "1 Main St", "city": "X", "country": "DE"},
    }
    if "total" in changes:
        document["total"] = "@total"
    text = json.dumps(document).replace('"@unitPrice"', changes.pop("unitPrice", "4.50"))
    text = text.replace('"@total"', changes.pop("total", "9.00"))
    for field, literal in changes.items():
        text = text.replace(json.dumps(_default(field)), literal, 1)
    return text


def _default(field: str) -> Any:
    return {"quantity": 2, "name": "Mug", "line1": "1 Main St"}[field]


def refused_at(response: ApiResponse) -> list[tuple[str, str]]:
    assert response.status == 400, response.body
    assert response.body["code"] == "VALIDATION_FAILED"
    return [(e["field"], e["message"]) for e in response.body["errors"]]


# --- Numbers of any size: refused by the bound they break, naming the field, never a 5xx -----

EXTREME = {
    "1e1000000000000000000": "must be at most",
    "-1e1000000000000000000": "must be greater than 0",
    "1e-2000000000000000000": None,  # a tiny positive amount: too many places / not the sum
    "0e99999999999999999999": "must be greater than 0",
    "9" * 31: "must be at most",
    "9" * 5000: "must be at most",
    "1" + "0" * 5000 + ".5": "must be at most",
}


@pytest.mark.parametrize("literal", sorted(EXTREME))
@pytest.mark.parametrize(
    ("field", "path"),
    [("unitPrice", "items[0].unitPrice"), ("total", "total"), ("quantity", "items[0].quantity")],
)
def test_a_number_of_any_size_is_a_400_naming_its_field(
    aws: AwsAccount, post_order: PostOrder, log_output: Any, literal: str, field: str, path: str
) -> None:
    response = post_order(order_text(**{field: literal}))
    problems = refused_at(response)
    assert [p for p, _ in problems] == [path]
    expected = EXTREME[literal]
    if field == "quantity" and ("e" in literal or "." in literal):
        expected = "must be an integer"  # a literal with a fraction or exponent is no integer
    if expected is not None:
        assert problems[0][1].startswith(expected), problems
    # ...and the log names the field, not an unhandled error.
    lines = json_lines(log_output.getvalue())
    assert [line["fields"] for line in lines if line["message"] == "request refused"] == [[path]]
    assert all(line["level"] != "ERROR" for line in lines if "level" in line)


def test_a_long_literal_of_a_valid_amount_is_accepted_and_stored_with_two_places(
    aws: AwsAccount, post_order: PostOrder
) -> None:
    response = post_order(order_text(unitPrice="4.5" + "0" * 5000, total="9" + ".0" + "0" * 99))
    assert response.status == 201, response.body
    assert response.body["items"][0]["unitPrice"] == Decimal("4.50")
    assert response.body["total"] == Decimal("9.00")


# --- Two decimal places, by value -----------------------------------------------------------


@pytest.mark.parametrize("literal", ["19.990", "1.5e1", "1999e-2", "4", "0.1E+1"])
def test_decimal_places_are_judged_by_value(post_order: PostOrder, literal: str) -> None:
    assert post_order(order_text(unitPrice=literal)).status == 201


@pytest.mark.parametrize("literal", ["0.001", "19.991", "1.2345e1", "1e-3"])
def test_more_than_two_decimal_places_by_value_are_refused(
    post_order: PostOrder, literal: str
) -> None:
    response = post_order(order_text(unitPrice=literal))
    assert refused_at(response) == [("items[0].unitPrice", "must have at most 2 decimal places")]
    assert "judged by its value, not by how it is written" in DESCRIPTION


# --- Integers: no fraction, no exponent -----------------------------------------------------


@pytest.mark.parametrize("literal", ["2.0", "2e0", "0.2E1"])
def test_a_quantity_must_be_written_as_an_integer(post_order: PostOrder, literal: str) -> None:
    assert refused_at(post_order(order_text(quantity=literal))) == [
        ("items[0].quantity", "must be an integer")
    ]


# --- Blank text ---------------------------------------------------------------------------------

INVISIBLE = {
    "zero-width space": "\u200b",
    "word joiner": "\u2060",
    "BOM": "\ufeff",
    "Hangul filler": "\u3164",
    "halfwidth Hangul filler": "\uffa0",
    "braille blank": "\u2800",
    "soft hyphen": "\u00ad",
    "left-to-right mark": "\u200e",
    "variation selector": "\ufe0f",
    "no-break and ideographic spaces": "\u00a0\u3000",
}


@pytest.mark.parametrize("name", sorted(INVISIBLE))
def test_text_of_only_invisible_characters_is_blank(post_order: PostOrder, name: str) -> None:
    text = json.dumps(INVISIBLE[name] + " ")
    assert refused_at(post_order(order_text(name=text))) == [("items[0].name", "must not be blank")]
    # ...while the same characters around visible text are accepted.
    assert post_order(order_text(name=json.dumps(f"Mug{INVISIBLE[name]}s"))).status == 201


def test_an_optional_field_sent_blank_is_refused_not_ignored(post_order: PostOrder) -> None:
    body = json.loads(order_text())
    body["shippingAddress"]["line2"] = "\u200b"
    assert refused_at(post_order(json.dumps(body))) == [
        ("shippingAddress.line2", "must not be blank")
    ]
    assert "in required and optional fields alike" in DESCRIPTION


# --- Control, bidirectional, tag and noncharacters; private use ---------------------------------


@pytest.mark.parametrize(
    "character",
    ["\u202a", "\u202e", "\u2066", "\u2069", "\u206a", "\u206f", "\ufff9", "\u2028", "\x85"],
)
def test_embeddings_overrides_isolates_and_other_controls_are_refused(
    post_order: PostOrder, character: str
) -> None:
    assert refused_at(post_order(order_text(name=json.dumps(f"Mug{character}")))) == [
        ("items[0].name", "must not contain control characters")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "\u05e9\u05dc\u05d5\u05dd\u200e 42",  # right-to-left text with a left-to-right mark
        "abc\u200f",
        "\u0627\u061c1",
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # a ZWJ emoji sequence
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian with a non-joiner
        "\uf8ff Mug",  # private use
        "\U000f0000",  # private use, plane 15
        "\u0378x",  # not assigned (yet)
    ],
)
def test_marks_joiners_private_use_and_unassigned_code_points_are_accepted(
    post_order: PostOrder, text: str
) -> None:
    response = post_order(order_text(name=json.dumps(text)))
    assert response.status == 201, response.body
    assert response.body["items"][0]["name"] == text


@pytest.mark.parametrize(
    "text",
    [
        "Mug\U000e0041",  # invisible tag text
        "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",  # flag: Scotland
        "Mug\ufdd0",
        "Mug\ufffe",
        "Mug\U0010ffff",
    ],
)
def test_tag_characters_and_noncharacters_are_refused(post_order: PostOrder, text: str) -> None:
    assert refused_at(post_order(order_text(name=json.dumps(text)))) == [
        ("items[0].name", "must not contain tag characters or noncharacters")
    ]


# --- Lengths in UTF-16 code units ---------------------------------------------------------------


def test_max_length_counts_utf16_code_units(post_order: PostOrder) -> None:
    # 200 code points (what draft-04 counts), 201 UTF-16 code units: refused.
    over = "a" * 199 + "\U0001f600"
    assert refused_at(post_order(order_text(name=json.dumps(over)))) == [
        ("items[0].name", "must be at most 200 characters long")
    ]
    assert post_order(order_text(name=json.dumps(over[1:]))).status == 201
    assert "counted in UTF-16 code units" in DESCRIPTION
