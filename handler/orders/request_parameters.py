"""Checking the path, query and header parameters of the API's requests.

The customer id format comes from the order schema, so the ``customerId`` of a body and of a
path follow one rule.
"""

from __future__ import annotations

import re
from functools import cache

from orders.errors import OrderValidationError, Problem
from orders.validation import load_order_request_schema

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


def _invalid(path: str, message: str) -> OrderValidationError:
    return OrderValidationError(f"invalid request parameter: {message}", [Problem(path, message)])


@cache
def _customer_id_pattern() -> re.Pattern[str]:
    pattern: str = load_order_request_schema()["properties"]["customerId"]["pattern"]
    return re.compile(pattern)


def parse_order_id(value: str | None) -> str:
    """Return the order id from the path, which must be a lowercase canonical UUID.

    Examples
    --------
    >>> parse_order_id("2aaed9a9-d64e-48e1-bd82-d37b5261344c")
    '2aaed9a9-d64e-48e1-bd82-d37b5261344c'
    """
    if value is None or not _CANONICAL_UUID.match(value):
        raise _invalid("path:orderId", "must be an order id (a lowercase UUID)")
    return value


def parse_customer_id(value: str | None) -> str:
    """Return the customer id from the path, checked against the schema's pattern."""
    # The pattern's "$" also matches before a final newline, hence the explicit check.
    if value is None or "\n" in value or not _customer_id_pattern().search(value):
        raise _invalid(
            "path:customerId",
            f"must match the pattern {_customer_id_pattern().pattern}",
        )
    return value


def parse_page_size(value: str | None) -> int:
    """Return the ``limit`` query parameter: 1-100, default 20.

    Examples
    --------
    >>> parse_page_size(None), parse_page_size("50")
    (20, 50)
    """
    if value is None:
        return DEFAULT_PAGE_SIZE
    if (
        not value.isascii()
        or not value.isdigit()
        or len(value) > 3
        or not 1 <= int(value) <= MAX_PAGE_SIZE
    ):
        raise _invalid("query:limit", f"must be an integer from 1 to {MAX_PAGE_SIZE}")
    return int(value)
