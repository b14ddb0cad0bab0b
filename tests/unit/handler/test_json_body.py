"""Strict JSON body parsing: media type, size, encoding, numbers, duplicate keys."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

import pytest
from orders.errors import MalformedBodyError, PayloadTooLargeError, UnsupportedMediaTypeError
from orders.json_body import (
    MAX_BODY_BYTES,
    OUT_OF_RANGE_EXPONENT,
    OUT_OF_RANGE_INTEGER,
    check_json_media_type,
    decode_event_body,
    parse_json_body,
)
from orders.validation import load_order_request_schema


def test_non_integers_become_exact_decimals_and_integers_stay_int() -> None:
    parsed = parse_json_body(b'{"a": 0.1, "b": 1e2, "c": 7, "d": -0.0, "e": 1E-400}')
    assert parsed == {
        "a": Decimal("0.1"),
        "b": Decimal("1E+2"),
        "c": 7,
        "d": Decimal("-0.0"),
        "e": Decimal("1E-400"),
    }
    assert type(parsed["c"]) is int


@pytest.mark.parametrize(
    "text",
    ["NaN", "[Infinity]", '{"a": -Infinity}', '{"x": 1, "x": 1}', "[1] x", "", "   ", "\ufeff{}"],
)
def test_non_strict_json_is_refused(text: str) -> None:
    with pytest.raises(MalformedBodyError):
        parse_json_body(text.encode())


def test_integer_literals_longer_than_30_digits_become_a_stand_in_of_their_sign() -> None:
    # Valid JSON, so not a malformed body; exact up to 30 digits, then +-10**30 (never parsed:
    # int() of a long literal is quadratic), which every bound of an order refuses.
    assert parse_json_body(b"-" + b"9" * 30) == -int("9" * 30)
    assert parse_json_body(b"[" + b"9" * 31 + b", -" + b"1" * 100_000 + b"]") == [
        OUT_OF_RANGE_INTEGER,
        -OUT_OF_RANGE_INTEGER,
    ]


@pytest.mark.parametrize(
    ("literal", "stand_in"),
    [
        ("1e1000000000000000000", Decimal(f"1E+{OUT_OF_RANGE_EXPONENT}")),
        ("-2.5E+99999999999999999999999", Decimal(f"-1E+{OUT_OF_RANGE_EXPONENT}")),
        ("1" + "0" * 100 + "e999999999999999999", Decimal(f"1E+{OUT_OF_RANGE_EXPONENT}")),
        ("0.001e-2000000000000000000", Decimal(f"1E-{OUT_OF_RANGE_EXPONENT}")),
        ("-7e-" + "9" * 5000, Decimal(f"-1E-{OUT_OF_RANGE_EXPONENT}")),
        ("0.000e99999999999999999999", Decimal(0)),
        ("-0e-99999999999999999999", Decimal(0)),
    ],
)
def test_numbers_beyond_the_decimal_exponent_range_become_a_stand_in(
    literal: str, stand_in: Decimal
) -> None:
    # Decimal("1e1000000000000000000") raises InvalidOperation (it once made a 500).
    assert parse_json_body(f'{{"a": {literal}}}'.encode()) == {"a": stand_in}


def test_stand_ins_lie_beyond_every_bound_of_the_order_schema() -> None:
    bounds = [
        Decimal(node[keyword])
        for node in _schema_nodes(load_order_request_schema())
        for keyword in ("minimum", "maximum")
        if keyword in node
    ]
    assert bounds
    huge, tiny = Decimal(f"1E+{OUT_OF_RANGE_EXPONENT}"), Decimal(f"1E-{OUT_OF_RANGE_EXPONENT}")
    for bound in bounds:
        assert -OUT_OF_RANGE_INTEGER < bound < OUT_OF_RANGE_INTEGER
        assert -huge < bound < huge
        # A tiny stand-in sits strictly between 0 and every positive bound, like the literal.
        assert bound <= 0 or tiny < bound


def _schema_nodes(schema: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = [schema]
    for sub in schema.get("properties", {}).values():
        nodes += _schema_nodes(sub)
    if isinstance(schema.get("items"), dict):
        nodes += _schema_nodes(schema["items"])
    return nodes


def test_surrounding_json_whitespace_is_allowed_but_not_other_spaces() -> None:
    assert parse_json_body(b" \t\r\n{} \n") == {}
    with pytest.raises(MalformedBodyError):
        parse_json_body("\u00a0{}".encode())


def test_invalid_utf8_and_lone_surrogates_are_refused() -> None:
    with pytest.raises(MalformedBodyError, match="UTF-8"):
        parse_json_body(b'"\xc3\x28"')
    with pytest.raises(MalformedBodyError, match="UTF-8"):
        parse_json_body(decode_event_body('"\ud800"', is_base64_encoded=False))


def test_deep_nesting_is_a_malformed_body_not_a_crash() -> None:
    with pytest.raises(MalformedBodyError, match="nested too deeply"):
        parse_json_body(b"[" * 120_000 + b"]" * 120_000)


def test_size_limit_is_inclusive() -> None:
    at_limit = b"[" + b" " * (MAX_BODY_BYTES - 2) + b"]"
    assert parse_json_body(at_limit) == []
    with pytest.raises(PayloadTooLargeError):
        parse_json_body(at_limit + b" ")


def test_event_body_decoding() -> None:
    assert decode_event_body("{}", is_base64_encoded=False) == b"{}"
    assert decode_event_body(base64.b64encode(b"{}").decode(), is_base64_encoded=True) == b"{}"
    for empty in (None, ""):
        with pytest.raises(MalformedBodyError, match="empty"):
            decode_event_body(empty, is_base64_encoded=False)
    with pytest.raises(MalformedBodyError, match="base64"):
        decode_event_body("not base64!", is_base64_encoded=True)
    too_big = base64.b64encode(b" " * (MAX_BODY_BYTES + 1)).decode()
    with pytest.raises(PayloadTooLargeError):
        decode_event_body(too_big, is_base64_encoded=True)
    just_fits = base64.b64encode(b" " * MAX_BODY_BYTES).decode()
    assert len(decode_event_body(just_fits, is_base64_encoded=True)) == MAX_BODY_BYTES


@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "APPLICATION/JSON",
        "application/json; charset=utf-8",
        'application/json;charset="UTF-8"',
    ],
)
def test_json_media_types_are_accepted(content_type: str) -> None:
    check_json_media_type(content_type)


@pytest.mark.parametrize(
    "content_type",
    [None, "", "text/json", "application/jsonp", "application/json; charset=utf-16", "*/*"],
)
def test_other_media_types_are_unsupported(content_type: str | None) -> None:
    with pytest.raises(UnsupportedMediaTypeError) as raised:
        check_json_media_type(content_type)
    assert raised.value.status == 415
