"""The price catalog: the unit price of each sku per currency, set by the operator.

When the deployment has a catalog (``PRICE_CATALOG_TABLE``), the API prices every line from it:
a line whose sku is not in the catalog, or has no price in the order's currency, is refused
(400); a client ``unitPrice`` that differs from the catalog's is refused with the current
prices (409), so a client can never set what it pays. Items are ``{"sku": S, "prices": M}``
with ``prices`` a map of ISO 4217 currency code to a number (see ``order-kit catalog load``).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from orders.aws_errors import transient_errors_as_unavailable
from orders.errors import DependencyUnavailableError, OrderValidationError, Problem, RequestError
from orders.models import CENTS, OrderRequest

#: BatchGetItem reads at most this many keys per call (an order has at most 100 lines).
_BATCH_LIMIT = 100
#: Rounds of retrying the keys DynamoDB left unprocessed before answering 503.
_UNPROCESSED_ROUNDS = 3


class PriceConflictError(RequestError):
    """A client ``unitPrice`` differs from the catalog's current price (HTTP 409); the problems
    name each such line and its current price."""

    status = 409
    code = "PRICE_CHANGED"


class PriceCatalog:
    """Reads unit prices from the catalog table (strongly consistent ``BatchGetItem``).

    Parameters
    ----------
    client : botocore client
        A DynamoDB client.
    table_name : str
        The catalog table.
    """

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client
        self._table_name = table_name

    def prices(self, skus: list[str]) -> dict[str, dict[str, Decimal]]:
        """Return ``{sku: {currency: price}}`` for the skus the catalog has (others absent)."""
        found: dict[str, dict[str, Decimal]] = {}
        distinct = sorted(set(skus))
        for start in range(0, len(distinct), _BATCH_LIMIT):
            keys = [{"sku": {"S": sku}} for sku in distinct[start : start + _BATCH_LIMIT]]
            request: dict[str, Any] = {
                self._table_name: {
                    "Keys": keys,
                    "ConsistentRead": True,
                    "ProjectionExpression": "sku, prices",
                }
            }
            for _ in range(_UNPROCESSED_ROUNDS):
                with transient_errors_as_unavailable("dynamodb"):
                    response = self._client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self._table_name, []):
                    found[item["sku"]["S"]] = _item_prices(item)
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
            if request:
                raise DependencyUnavailableError("dynamodb")
        return found


def _item_prices(item: Mapping[str, Any]) -> dict[str, Decimal]:
    prices = item.get("prices", {}).get("M", {})
    return {currency: Decimal(value["N"]) for currency, value in prices.items() if "N" in value}


def check_prices(request: OrderRequest, catalog: Mapping[str, Mapping[str, Decimal]]) -> None:
    """Check every line of ``request`` against ``catalog`` (as returned by `PriceCatalog.prices`).

    Raises
    ------
    OrderValidationError
        If a sku is not in the catalog or has no price in the order's currency (400).
    PriceConflictError
        If a line's ``unitPrice`` differs from the catalog's price (409).

    Examples
    --------
    >>> from orders.models import OrderLine
    >>> request = OrderRequest("c-1", "EUR", (OrderLine("A-1", "Mug", 1, Decimal("9.00")),), {})
    >>> check_prices(request, {"A-1": {"EUR": Decimal("9.5")}})
    Traceback (most recent call last):
    ...
    orders.catalog.PriceConflictError: the price of 1 line has changed
    """
    unknown: list[Problem] = []
    changed: list[Problem] = []
    for index, line in enumerate(request.lines):
        price = catalog.get(line.sku, {}).get(request.currency)
        if price is None:
            unknown.append(
                Problem(
                    f"items[{index}].sku",
                    f"sku {line.sku} is not for sale in {request.currency}",
                )
            )
        elif line.unit_price != price.quantize(CENTS):
            changed.append(
                Problem(
                    f"items[{index}].unitPrice",
                    f"the current unit price of sku {line.sku} is "
                    f"{price.quantize(CENTS)} {request.currency}",
                )
            )
    if unknown:
        raise OrderValidationError(
            f"{len(unknown)} line{'' if len(unknown) == 1 else 's'} name a sku the catalog "
            "does not sell in this currency",
            unknown,
        )
    if changed:
        raise PriceConflictError(
            f"the price of {len(changed)} line{'' if len(changed) == 1 else 's'} has changed",
            changed,
        )
