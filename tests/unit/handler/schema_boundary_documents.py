"""JSON texts generated from a draft-04 schema and mutated at every boundary it declares.

`boundary_documents` walks the schema (not the handler's code) and, at each node, draws a value
on or next to the node's boundaries: ``minItems``/``maxItems``, ``minLength``/``maxLength`` (in
code points and in UTF-16 code units), ``minimum``/``maximum`` with their exclusive flags,
``pattern``, ``enum``, ``required``, ``additionalProperties`` and ``type``. Free text mixes
plain letters with the characters the documented text rules name (controls, bidirectional
formatting, marks, joiners, tags, noncharacters, private use, blank-looking fillers). Numbers
come as literals a client may write: fractions with trailing zeros, exponents, dozens of
digits, and exponents far beyond what ``Decimal`` holds. A ``total`` is usually the sum of the
lines, so that it can be right. Half the documents are drawn *on* the boundaries only (at
minimum, at maximum, at the UTF-16 limit...), half also *past* them, so that both answers are
common.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st


class NumberLiteral(str):
    """A JSON number written exactly as this text (e.g. ``1e99999999999999999999``)."""


#: Characters that the documented text rules treat specially, and a few ordinary non-ASCII ones.
SPECIAL_CHARACTERS = (
    "\x00\t\n\x1f\x7f\x85\x9f\u2028\u2029\u202a\u202e\u2066\u2069\u206a\u206f\ufff9\ufffb"
    "\ud800\udfff"  # controls, bidirectional formatting, deprecated format, annotation, surrogates
    "\u200e\u200f\u061c\u200c\u200d\u00ad\u2060\u2061\ufeff\u200b\u034f\u180e\ufe0f"
    "\u3164\u115f\u1160\uffa0\u2800\u00a0\u3000 "  # marks, joiners, invisible, fillers, spaces
    "\U000e0001\U000e0041\U000e007f\U000e0100\ufdd0\ufdef\ufffe\uffff\U0010ffff\U0001fffe"
    "\ue000\uf8ff\U000f0000\U00100000\u0378\U0001f600\U0001f3f4\u00e9\u4e2d\u0301"
)
#: Number literals beyond any bound of an order, or beyond what Python's number types hold.
EXTREME_LITERALS = (
    "1e99999999999999999999",
    "-1e99999999999999999999",
    "1e-99999999999999999999",
    "0e99999999999999999999",
    "0.0e-99999999999999999999",
    "9" * 40,
    "-" + "9" * 40,
    "1" + "0" * 400,
    "1." + "0" * 60 + "1",
    "1E+999999999999999999",
    "1e-1999999999999999997",
    "1E400",
    "5e-324",
)


def _rarely(draw: st.DrawFn, one_in: int, wild: bool = True) -> bool:
    """True about once in ``one_in`` draws; never for a document that stays in bounds.

    (The rare case is the high end: hypothesis starts from, and shrinks towards, zeros.)
    """
    return wild and draw(st.integers(0, one_in - 1)) == one_in - 1


def _free_text(draw: st.DrawFn, schema: dict[str, Any], wild: bool) -> str:
    low = schema.get("minLength", 0)
    high = schema.get("maxLength", low + 20)
    plain = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .-"
    special = st.sampled_from(SPECIAL_CHARACTERS)
    # Short text mostly; the length boundaries (in code points and UTF-16 units) sometimes.
    kinds = ["short"] * 6 + ["min", "max", "astral-max"] + (["over"] if wild else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "min":
        length = low
    elif kind == "max":
        length = high
    elif kind == "astral-max":
        # high code points of which one is an emoji: within maxLength as draft-04 counts,
        # one over it in UTF-16 units; or high - 1, exactly at the UTF-16 limit.
        length = draw(st.sampled_from([high, high - 1] if wild else [high - 1]))
    elif kind == "over":
        length = high + 1
    else:
        length = draw(st.integers(max(low, 1), min(high, 12)))
    characters = list(draw(st.text(plain, min_size=length, max_size=length)))
    if characters and kind == "astral-max":
        characters[draw(st.integers(0, len(characters) - 1))] = "\U0001f600"
    if characters and draw(st.integers(0, 3 if wild else 30)) == 1:
        # Special characters: mixed into the text, or the whole text (blank-looking texts).
        count = draw(st.integers(1, min(3, len(characters))))
        for _ in range(count):
            characters[draw(st.integers(0, len(characters) - 1))] = draw(special)
        if _rarely(draw, 3, wild):
            characters = [draw(special) for _ in characters]
    return "".join(characters)


def _string(draw: st.DrawFn, schema: dict[str, Any], wild: bool) -> Any:
    if "enum" in schema:
        if _rarely(draw, 25, wild):
            return draw(st.sampled_from(["", "eur", "XXX", "EURO", " EUR"]))
        return draw(st.sampled_from(schema["enum"]))
    if "pattern" in schema:
        if _rarely(draw, 25, wild):
            return draw(st.sampled_from(["", "-a", "a b!", "é", "A" * 65, "AB\n"]))
        text: str = draw(st.from_regex(schema["pattern"], fullmatch=True))
        if "maxLength" in schema and _rarely(draw, 20, wild):
            text = (text * schema["maxLength"])[: schema["maxLength"] + draw(st.integers(0, 1))]
        return text
    return _free_text(draw, schema, wild)


def _decimal_places(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places)) if places else value


def _number(draw: st.DrawFn, schema: dict[str, Any], integer: bool, wild: bool) -> Any:
    low = Decimal(schema.get("minimum", -1000))
    high = Decimal(schema.get("maximum", 1000))
    if _rarely(draw, 12, wild):
        # Past a boundary, or a literal of unusual form.
        step = Decimal(1) if integer else Decimal("0.01")
        candidates = [low - step, high + step, low, high, Decimal("0")]
        choice = draw(st.sampled_from(["edge", "extreme", "form"]))
        if choice == "edge":
            return NumberLiteral(str(draw(st.sampled_from(candidates))))
        if choice == "extreme":
            return NumberLiteral(draw(st.sampled_from(EXTREME_LITERALS)))
        return NumberLiteral(draw(st.sampled_from(["2.0", "2e0", "1.5e1", "0.001", "1E2", "-0"])))
    if integer:
        start = int(low) + (1 if schema.get("exclusiveMinimum") else 0)
        return draw(st.sampled_from([start, int(high)]) | st.integers(start, min(int(high), 20)))
    cents = draw(
        st.sampled_from([1, int(high * 100)]) | st.integers(1, min(int(high * 100), 100_000))
    )
    value = Decimal(cents).scaleb(-2)
    form = draw(st.sampled_from(["plain"] * 4 + ["trailing zeros", "exponent", "three places"]))
    if form == "trailing zeros":
        return NumberLiteral(f"{value}000")
    if form == "exponent":
        return NumberLiteral(f"{cents}e-2")
    if form == "three places":
        return NumberLiteral(f"{value}{draw(st.integers(0, 9 if wild else 0))}")
    return NumberLiteral(str(value)) if value != value.to_integral_value() else int(value)


def _wrong_type(draw: st.DrawFn) -> Any:
    return draw(st.sampled_from([None, True, "1", [], {}, 1, NumberLiteral("1.5")]))


def _object(draw: st.DrawFn, schema: dict[str, Any], wild: bool) -> dict[str, Any]:
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", ()))
    document: dict[str, Any] = {}
    for name, sub in properties.items():
        if name in required or draw(st.booleans()):
            document[name] = draw(schema_values(sub, wild))
    if required and _rarely(draw, 40, wild):
        del document[draw(st.sampled_from(sorted(required)))]
    if schema.get("additionalProperties") is False and _rarely(draw, 40, wild):
        document[draw(st.sampled_from(["extra", "x y", "Total"]))] = 1
    return document


def _array(draw: st.DrawFn, schema: dict[str, Any], wild: bool) -> list[Any]:
    low = schema.get("minItems", 0)
    high = schema.get("maxItems", low + 5)
    kinds = ["few"] * 80 + ["min", "max"] + (["under", "over"] if wild else [])
    kind = draw(st.sampled_from(kinds))
    size = {"min": low, "under": low - 1, "max": high, "over": high + 1}.get(kind)
    if size is None:
        size = draw(st.integers(max(low, 1), min(high, 3)))
    return [draw(schema_values(schema["items"], wild)) for _ in range(max(size, 0))]


@st.composite
def schema_values(draw: st.DrawFn, schema: dict[str, Any], wild: bool) -> Any:
    """A value for ``schema``: within or on its boundaries, and past them sometimes if ``wild``."""
    if _rarely(draw, 60, wild):
        return _wrong_type(draw)
    kind = schema.get("type")
    if kind == "object":
        return _object(draw, schema, wild)
    if kind == "array":
        return _array(draw, schema, wild)
    if kind == "string":
        return _string(draw, schema, wild)
    if kind in ("integer", "number"):
        return _number(draw, schema, kind == "integer", wild)
    raise ValueError(f"no generator for schema type {kind!r}")


def _line_sum(items: Any) -> Decimal | None:
    try:
        return sum(
            (Decimal(item["unitPrice"]) * item["quantity"] for item in items), Decimal(0)
        ).quantize(Decimal("0.01"))
    except Exception:  # a malformed line: no meaningful sum
        return None


@st.composite
def boundary_documents(draw: st.DrawFn, schema: dict[str, Any]) -> str:
    """A JSON text of an order generated from ``schema`` (see the module docstring)."""
    document = draw(schema_values(schema, draw(st.booleans())))
    if isinstance(document, dict) and "total" in document and draw(st.booleans()):
        total = _line_sum(document.get("items"))
        if total is not None:
            document["total"] = NumberLiteral(
                draw(st.sampled_from([str(total), f"{total}0", f"{total.normalize():e}"]))
            )
    return render(document)


def render(value: Any) -> str:
    """Render a generated value as JSON text, number literals verbatim."""
    if isinstance(value, NumberLiteral):
        return str(value)
    if isinstance(value, dict):
        members = (f"{json.dumps(k)}:{render(v)}" for k, v in value.items())
        return "{" + ",".join(members) + "}"
    if isinstance(value, list):
        return "[" + ",".join(render(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value)
