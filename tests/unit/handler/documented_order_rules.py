"""An independent reading of the order rules the schema states in words, for differential tests.

Written from the order request schema's top-level description (the text clients read in the
OpenAPI document), not from ``orders.validation``: the character sets are restated from that
text and from Unicode's DerivedCoreProperties.txt (Default_Ignorable_Code_Point, Unicode 15.1),
and the arithmetic uses plain `Decimal` in a wide context. `documented_verdict` combines
``jsonschema``'s Draft4Validator (the schema) with these rules; together they say whether the API
must accept a JSON text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Context, Decimal, InvalidOperation
from typing import Any

import jsonschema

# (3) control characters, as code point ranges (inclusive).
CONTROL_RANGES = (
    (0x00, 0x1F),  # C0
    (0x7F, 0x7F),  # DEL
    (0x80, 0x9F),  # C1
    (0x2028, 0x2029),  # line and paragraph separators
    (0x202A, 0x202E),  # bidirectional embeddings and overrides
    (0x2066, 0x2069),  # bidirectional isolates
    (0x206A, 0x206F),  # deprecated format characters
    (0xFFF9, 0xFFFB),  # interlinear annotation
    (0xD800, 0xDFFF),  # (lone) surrogates
)
# (4) tag characters and noncharacters.
TAG_AND_NONCHARACTER_RANGES = (
    (0xE0000, 0xE007F),
    (0xFDD0, 0xFDEF),
    *((plane * 0x10000 + 0xFFFE, plane * 0x10000 + 0xFFFF) for plane in range(17)),
)
# (5) Default_Ignorable_Code_Point (DerivedCoreProperties.txt) plus U+2800 braille blank.
INVISIBLE_RANGES = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x2800, 0x2800),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
MAX_PRICE_PLACES = 2
#: Wide enough for any in-range amount of an order to be exact.
_EXACT = Context(prec=1000)


def _in(ranges: tuple[tuple[int, int], ...], character: str) -> bool:
    code = ord(character)
    return any(low <= code <= high for low, high in ranges)


def utf16_length(text: str) -> int:
    """(6) Length as JavaScript counts it: code points beyond U+FFFF count 2."""
    return sum(2 if ord(c) > 0xFFFF else 1 for c in text)


def text_problem(text: str, schema: dict[str, Any]) -> str | None:
    """Which of rules (3)-(6) ``text`` breaks, or None."""
    if any(_in(CONTROL_RANGES, c) for c in text):
        return "control character"
    if any(_in(TAG_AND_NONCHARACTER_RANGES, c) for c in text):
        return "tag character or noncharacter"
    # Rule (5) applies to free text (the fields with a length range), required or optional.
    visible = [c for c in text if not (c.isspace() or _in(INVISIBLE_RANGES, c))]
    if "minLength" in schema and text and not visible:
        return "blank"
    if "maxLength" in schema and utf16_length(text) > schema["maxLength"]:
        return "longer than maxLength in UTF-16 code units"
    return None


def _strings(value: Any, schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, str):
        yield value, schema
    elif isinstance(value, dict):
        for name, member in value.items():
            sub = schema.get("properties", {}).get(name)
            if sub is not None:
                yield from _strings(member, sub)
    elif isinstance(value, list) and "items" in schema:
        for member in value:
            yield from _strings(member, schema["items"])


def business_problems(document: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """Rules (1)-(6) for a ``document`` the schema accepts."""
    problems = [
        f"{text!r}: {problem}"
        for text, sub in _strings(document, schema)
        if (problem := text_problem(text, sub)) is not None
    ]
    cents = Decimal("0.01")
    total = Decimal(0)
    for item in document["items"]:
        price = Decimal(item["unitPrice"])
        if price.quantize(cents, context=_EXACT) != price:
            problems.append(f"unitPrice {price} has more than {MAX_PRICE_PLACES} decimal places")
        total = _EXACT.add(total, _EXACT.multiply(price, Decimal(item["quantity"])))
    if "total" in document and Decimal(document["total"]) != total:
        problems.append(f"total {document['total']} is not the sum {total}")
    return problems


def _oracle_float(literal: str) -> Decimal | float:
    try:
        return Decimal(literal)
    except InvalidOperation:
        # Beyond Decimal's exponent range; as a float it is 0 or infinite, which every bound of
        # an order refuses just as it refuses the exact value.
        return float(literal)


def _oracle_int(literal: str) -> int | float:
    return int(literal) if len(literal) < 4000 else float(literal)


def parse(text: str) -> Any:
    """Parse a JSON text with exact numbers (as the documented rules read them)."""
    return json.loads(text, parse_float=_oracle_float, parse_int=_oracle_int)


@dataclass(frozen=True)
class Verdict:
    """Whether the API must accept a body, and why not."""

    schema_errors: list[str]
    rule_problems: list[str]

    @property
    def accepted(self) -> bool:
        return not self.schema_errors and not self.rule_problems


def documented_verdict(text: str, schema: dict[str, Any]) -> Verdict:
    """Judge the JSON ``text`` by the schema (Draft4Validator) and the rules in its words."""
    document = parse(text)
    validator = jsonschema.Draft4Validator(schema)
    schema_errors = [error.message for error in validator.iter_errors(document)]
    if schema_errors:
        return Verdict(schema_errors, [])
    return Verdict([], business_problems(document, schema))
