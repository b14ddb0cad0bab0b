"""Loading the price catalog (``order-kit catalog load prices.csv``).

The CSV has exactly the header ``sku,currency,unitPrice`` and one row per (sku, currency). Every
row is checked against the same rules as an order line (the order schema's sku pattern and
currencies; a price above 0, at most 1,000,000, at most 2 decimal places); a duplicate
(sku, currency) is an error. Every problem is reported with its line number and nothing is
written unless the whole file is valid. Each sku becomes one item ``{"sku", "prices": {currency:
price}}`` (what the api function reads, see ``orders.catalog``), replacing the sku's prices.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from kit.paths import handler_source_dir

HEADER = ["sku", "currency", "unitPrice"]
#: Refuse files larger than this many rows (the catalog is loaded by an operator, not streamed).
MAX_ROWS = 100_000


class CatalogFileError(ValueError):
    """The CSV file is invalid; ``problems`` lists every problem (``"line N: ..."``)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the price file:\n" + "\n".join(problems))
        self.problems = problems


def _order_rules() -> tuple[re.Pattern[str], frozenset[str], Decimal]:
    path = handler_source_dir() / "orders/schema/order_request.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    line = schema["properties"]["items"]["items"]["properties"]
    return (
        re.compile(line["sku"]["pattern"]),
        frozenset(schema["properties"]["currency"]["enum"]),
        Decimal(str(line["unitPrice"]["maximum"])),
    )


def parse_price_file(text: str) -> dict[str, dict[str, Decimal]]:
    """Return ``{sku: {currency: price}}`` from the CSV ``text``.

    Raises
    ------
    CatalogFileError
        Naming every invalid line.

    Examples
    --------
    >>> parse_price_file("sku,currency,unitPrice\\nBOOK-1,EUR,30\\nBOOK-1,USD,32.50\\n")
    {'BOOK-1': {'EUR': Decimal('30.00'), 'USD': Decimal('32.50')}}
    """
    sku_pattern, currencies, maximum = _order_rules()
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[str] = []
    prices: dict[str, dict[str, Decimal]] = {}
    try:
        header = next(rows, None)
        if header != HEADER:
            raise CatalogFileError([f"line 1: the header must be {','.join(HEADER)}, got {header}"])
        for row in rows:
            number = rows.line_num
            if number > MAX_ROWS + 1:
                raise CatalogFileError([f"line {number}: more than {MAX_ROWS} rows"])
            if len(row) != len(HEADER):
                problems.append(f"line {number}: expected 3 fields, got {len(row)}")
                continue
            sku, currency, text_price = row
            if not sku_pattern.fullmatch(sku):
                problems.append(f"line {number}: sku {sku!r} does not match {sku_pattern.pattern}")
            if currency not in currencies:
                problems.append(f"line {number}: currency {currency!r} is not one orders accept")
            price = _price(text_price, maximum)
            if isinstance(price, str):
                problems.append(f"line {number}: unitPrice {text_price!r} {price}")
            elif currency in prices.get(sku, {}):
                problems.append(f"line {number}: a second price for sku {sku} in {currency}")
            else:
                prices.setdefault(sku, {})[currency] = price
    except csv.Error as error:
        problems.append(f"line {rows.line_num}: not valid CSV ({error})")
    if not problems and not prices:
        problems.append("the file has no prices")
    if problems:
        raise CatalogFileError(problems)
    return prices


def _price(text: str, maximum: Decimal) -> Decimal | str:
    try:
        value = Decimal(text.strip()) if text.strip() == text else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        return "is not a decimal number"
    if not Decimal("0") < value <= maximum:
        return f"must be above 0 and at most {maximum}"
    if value != value.quantize(Decimal("0.01")):
        return "has more than 2 decimal places"
    return value.quantize(Decimal("0.01"))


def load_prices(client: Any, table_name: str, prices: Mapping[str, Mapping[str, Decimal]]) -> int:
    """Write one item per sku into the catalog table with ``client`` (DynamoDB); return the
    number of skus written."""
    for sku, by_currency in sorted(prices.items()):
        client.put_item(
            TableName=table_name,
            Item={
                "sku": {"S": sku},
                "prices": {"M": {c: {"N": str(p)} for c, p in sorted(by_currency.items())}},
            },
        )
    return len(prices)
