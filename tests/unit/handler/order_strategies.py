"""Hypothesis strategies for order request bodies, written from the rules (not from the code).

`valid_orders` generates bodies every rule accepts; `order_json` renders a body as the JSON text
a client would send. The limits below restate the issue's rules on purpose: if the schema file
or the validator drifted from them, the property tests would notice.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from documented_order_rules import text_problem
from hypothesis import strategies as st

CURRENCIES = (
    "AUD", "BRL", "CAD", "CHF", "CNY", "CZK", "DKK", "EUR", "GBP", "HKD",
    "INR", "MXN", "NOK", "NZD", "PLN", "SEK", "SGD", "USD", "ZAR",
)  # fmt: skip
MAX_ITEMS = 100
MAX_QUANTITY = 1000
MAX_UNIT_PRICE_CENTS = 100_000_000  # 1,000,000.00
#: Most characters the rules forbid in text: controls, surrogates, line/paragraph separators and
#: bidirectional formatting (`documented_order_rules.text_problem` has the whole rule).
FORBIDDEN_CATEGORIES = ("Cc", "Cs", "Zl", "Zp")
BIDI_CONTROLS = "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x2070)]))


def utf16_units(text: str) -> int:
    """Length of ``text`` in UTF-16 code units."""
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


def free_text(max_units: int) -> st.SearchStrategy[str]:
    """Non-blank text without forbidden characters, at most ``max_units`` UTF-16 units."""
    return (
        st.text(
            alphabet=st.characters(
                exclude_categories=FORBIDDEN_CATEGORIES, exclude_characters=BIDI_CONTROLS
            ),
            min_size=1,
            max_size=max_units,
        )
        .filter(lambda s: not s.isspace())
        .filter(lambda s: text_problem(s, {"minLength": 1, "maxLength": max_units}) is None)
    )


ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def identifiers(more: str, min_rest: int, max_rest: int) -> st.SearchStrategy[str]:
    """A letter or digit, then ``min_rest``..``max_rest`` letters, digits or ``more``.

    (The same language as the schema's patterns, several times faster to draw than
    ``st.from_regex``.)
    """
    rest = st.text(alphabet=ALNUM + more, min_size=min_rest, max_size=max_rest)
    return st.builds(str.__add__, st.sampled_from(ALNUM), rest)


customer_ids = identifiers("_-", 2, 63)
skus = identifiers("._-", 0, 63)
unit_prices = st.integers(1, MAX_UNIT_PRICE_CENTS).map(lambda cents: Decimal(cents).scaleb(-2))
#: The same prices as a client may write them: whole numbers as JSON integers, some with zeros.
price_literals = st.one_of(
    unit_prices,
    st.integers(1, 1_000_000),
    st.integers(1, MAX_UNIT_PRICE_CENTS).map(
        lambda cents: Decimal(cents).scaleb(-2) + Decimal("0.000")
    ),
)

order_lines = st.fixed_dictionaries(
    {
        "sku": skus,
        "name": free_text(200),
        "quantity": st.integers(1, MAX_QUANTITY),
        "unitPrice": price_literals,
    }
)

addresses = st.fixed_dictionaries(
    {
        "fullName": free_text(100),
        "line1": free_text(200),
        "city": free_text(100),
        "country": st.text(alphabet=ALNUM[:26], min_size=2, max_size=2),
    },
    optional={
        "line2": free_text(200),
        "region": free_text(100),
        "postalCode": identifiers(" -", 0, 15),
    },
)


def line_sum(items: list[dict[str, Any]]) -> Decimal:
    """The order total from the rules: sum of quantity x unitPrice, two decimal places."""
    return sum(
        (Decimal(item["unitPrice"]) * item["quantity"] for item in items), Decimal(0)
    ).quantize(Decimal("0.01"))


@st.composite
def valid_orders(draw: st.DrawFn, max_items: int = MAX_ITEMS) -> dict[str, Any]:
    """A body that satisfies every rule (client total included about half of the time)."""
    document: dict[str, Any] = {
        "customerId": draw(customer_ids),
        "currency": draw(st.sampled_from(CURRENCIES)),
        "items": draw(st.lists(order_lines, min_size=1, max_size=max_items)),
        "shippingAddress": draw(addresses),
    }
    if draw(st.booleans()):
        document["billingAddress"] = draw(addresses)
    if draw(st.booleans()):
        document["total"] = line_sum(document["items"])
    return document


def order_json(document: Any) -> str:
    """Render a body as JSON text, each Decimal written exactly as its own literal."""
    literals: list[str] = []

    def mark(value: Any) -> Any:
        if isinstance(value, Decimal):
            literals.append(str(value))
            return f"\x00decimal{len(literals) - 1}\x00"
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v) for v in value]
        return value

    text = json.dumps(mark(document))
    for index, literal in enumerate(literals):
        text = text.replace(f'"\\u0000decimal{index}\\u0000"', literal, 1)
    return text


#: Any JSON value, numbers as a parser with parse_float=Decimal would produce them.
json_numbers = st.one_of(
    st.integers(),
    # Finite decimals from tiny to huge (faster to draw than st.decimals).
    st.builds(
        lambda digits, exponent: Decimal(digits).scaleb(exponent),
        st.integers(),
        st.integers(-400, 400),
    ),
)
json_values = st.recursive(
    st.none() | st.booleans() | json_numbers | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=12,
)

_json_scalars = st.none() | st.booleans() | json_numbers | st.text(max_size=30)
#: A value for one field of an order-shaped object: a scalar or a small flat container.
field_values = (
    _json_scalars
    | st.lists(_json_scalars, max_size=3)
    | st.dictionaries(st.text(max_size=12), _json_scalars, max_size=3)
)
