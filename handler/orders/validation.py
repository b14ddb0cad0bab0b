"""`OrderValidator`: the JSON Schema file plus the business rules, in one pass, every problem.

The schema (``orders/schema/order_request.schema.json``) is the single source of truth for the
shape of an order; API Gateway validates with the same file. The rules a draft-04 schema cannot
express, or that API Gateway could evaluate differently, are checked here:

- unit prices have at most 2 decimal places, by value (``multipleOf: 0.01`` is unreliable in
  floating point, so the schema does not use it);
- a client-sent ``total`` equals the server-side Decimal sum of quantity x unitPrice;
- no text contains control characters, tag characters or noncharacters, and no text is blank.

The schema's top-level description states these rules for clients (and so the OpenAPI document
and the API Gateway model, both built from the same file); the character sets below implement
exactly its wording.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from orders.errors import OrderValidationError, Problem
from orders.json_schema import SchemaValidator, child_path, index_path
from orders.models import OrderLine, OrderRequest, order_total

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "order_request.schema.json"
#: Control characters no order text may contain: C0, DEL, C1, the line and paragraph
#: separators, the bidirectional embeddings/overrides/isolates (they reorder the text around
#: them; the plain marks U+200E, U+200F and U+061C do not and are allowed), the deprecated format
#: characters, the interlinear annotation characters, and lone surrogates (which would also break
#: UTF-8 storage).
_CONTROL_CHARACTERS = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u206f\ufff9-\ufffb\ud800-\udfff]"
)
#: Tag characters (invisible text, as in "ASCII smuggling") and the 66 noncharacters.
_TAG_OR_NONCHARACTER = re.compile(
    "[\U000e0000-\U000e007f\ufdd0-\ufdef"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
    + "]"
)
#: Text made only of these shows as nothing: whitespace, the Unicode default-ignorable code
#: points (DerivedCoreProperties.txt, Default_Ignorable_Code_Point) and U+2800 braille blank.
_BLANK_TEXT = re.compile(
    r"[\s\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    r"\u202a-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8"
    r"\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]*\Z"
)
_MAX_PRICE_PLACES = 2


@cache
def load_order_request_schema() -> dict[str, Any]:
    """Return the order request JSON Schema (draft-04) from the handler package.

    Examples
    --------
    >>> load_order_request_schema()["$schema"]
    'http://json-schema.org/draft-04/schema#'
    """
    with SCHEMA_PATH.open(encoding="utf-8") as schema_file:
        schema: dict[str, Any] = json.load(schema_file)
    return schema


def decimal_places_at_most(value: Decimal, places: int) -> bool:
    """Tell whether the finite ``value`` has at most ``places`` significant decimal places.

    Trailing zeros do not count (``1.500`` has one place). Works on the digits alone, so no
    Decimal context rounding can make a long literal look shorter than it is.

    Examples
    --------
    >>> decimal_places_at_most(Decimal("19.99"), 2), decimal_places_at_most(Decimal("1.500"), 2)
    (True, True)
    >>> decimal_places_at_most(Decimal("0.001"), 2)
    False
    """
    _, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # NaN or Infinity
        return False
    if exponent >= -places:
        return True
    extra_places = -places - exponent
    return all(digit == 0 for digit in digits[-extra_places:])


def _as_decimal(value: Any) -> Decimal | None:
    """Return a JSON number as Decimal (None for anything else or a non-finite float)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # Only reachable when called with Python floats rather than parsed JSON.
        decimal = Decimal(repr(value))
        return decimal if decimal.is_finite() else None
    return None


def check_text(text: str, schema: Mapping[str, Any]) -> str | None:
    """The text rules for every string of an order: no control characters, no tag characters
    or noncharacters; free text (a field with a ``minLength``, required or optional) not blank.
    Returns the problem message, or None.

    Examples
    --------
    >>> check_text("Mug\\x00", {}), check_text("\\u200b", {"minLength": 1}), check_text("Mug", {})
    ('must not contain control characters', 'must not be blank', None)
    >>> check_text("Mug\\ufffe", {})
    'must not contain tag characters or noncharacters'
    """
    if _CONTROL_CHARACTERS.search(text):
        return "must not contain control characters"
    if _TAG_OR_NONCHARACTER.search(text):
        return "must not contain tag characters or noncharacters"
    if text and schema.get("minLength", 0) > 0 and _BLANK_TEXT.match(text):
        return "must not be blank"
    return None


class OrderValidator:
    """Validate a parsed ``POST /orders`` body and turn it into an `OrderRequest`.

    Parameters
    ----------
    schema : Mapping, optional
        The draft-04 schema; defaults to the packaged ``order_request.schema.json``.

    Examples
    --------
    >>> validator = OrderValidator()
    >>> validator.validate({"customerId": "c"})
    Traceback (most recent call last):
    ...
    orders.errors.OrderValidationError: the order is invalid (4 problems)
    """

    def __init__(self, schema: Mapping[str, Any] | None = None) -> None:
        self.schema = load_order_request_schema() if schema is None else schema
        self._schema_validator = SchemaValidator(self.schema, string_check=check_text)

    def problems(self, document: Any) -> list[Problem]:
        """Return every schema and business-rule problem of ``document`` (empty when valid)."""
        problems = self._schema_validator.problems(document)
        if isinstance(document, dict):
            self._check_prices_and_total(document, problems)
        return problems

    def validate(self, document: Any) -> OrderRequest:
        """Return the validated order request.

        Raises
        ------
        OrderValidationError
            Listing every problem (field path + message) when ``document`` is not a valid order.
        """
        # Fast path for the common case; the full pass only runs to explain a rejection.
        valid = self._schema_validator.is_valid(document)
        problems = [] if valid else self.problems(document)
        if valid:
            self._check_prices_and_total(document, problems)
        if problems:
            noun = "problem" if len(problems) == 1 else "problems"
            raise OrderValidationError(f"the order is invalid ({len(problems)} {noun})", problems)
        billing = document.get("billingAddress")
        return OrderRequest(
            customer_id=document["customerId"],
            currency=document["currency"],
            lines=tuple(OrderLine.from_dict(item) for item in document["items"]),
            shipping_address=dict(document["shippingAddress"]),
            billing_address=None if billing is None else dict(billing),
        )

    def _check_prices_and_total(self, document: dict[str, Any], problems: list[Problem]) -> None:
        items = document.get("items")
        if not isinstance(items, list) or any(p.path == "items" for p in problems):
            return  # not a list, or its size was refused: its members are not checked
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            price = _as_decimal(item.get("unitPrice"))
            if price is not None and not decimal_places_at_most(price, _MAX_PRICE_PLACES):
                problems.append(
                    Problem(
                        child_path(index_path("items", index), "unitPrice"),
                        f"must have at most {_MAX_PRICE_PLACES} decimal places",
                    )
                )
        client_total = _as_decimal(document.get("total"))
        if client_total is None or any(
            p.path in ("items", "total") or p.path.startswith("items[") for p in problems
        ):
            return  # the schema reports a malformed total; a bad line makes any sum meaningless
        server_total = order_total([OrderLine.from_dict(item) for item in items])
        if client_total != server_total:
            problems.append(
                Problem(
                    "total",
                    f"does not match the total computed from the items ({server_total})",
                )
            )
