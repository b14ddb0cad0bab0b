"""The order as the API receives it (`OrderRequest`) and as it is stored (`Order`).

Money is `Decimal` end to end: parsed as Decimal from the JSON body, summed with Decimal, stored
as a DynamoDB number, and rendered to JSON from Decimal (see ``orders.responses``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

STATUS_PENDING = "PENDING"
STATUS_CONFIRMED = "CONFIRMED"
#: Amounts are stored and returned with exactly two decimal places.
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class OrderLine:
    """One line of an order: ``quantity`` units of ``sku`` at ``unit_price`` each."""

    sku: str
    name: str
    quantity: int
    unit_price: Decimal

    @property
    def line_total(self) -> Decimal:
        """Return ``quantity * unit_price`` (exact: Decimal, at most 2 places)."""
        return self.unit_price * self.quantity

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON/DynamoDB form: ``{"sku", "name", "quantity", "unitPrice"}``."""
        return {
            "sku": self.sku,
            "name": self.name,
            "quantity": self.quantity,
            "unitPrice": self.unit_price,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OrderLine:
        """Build a line from its JSON/DynamoDB form (numbers may be Decimal or int)."""
        return cls(
            sku=str(data["sku"]),
            name=str(data["name"]),
            quantity=int(data["quantity"]),
            unit_price=Decimal(data["unitPrice"]).quantize(CENTS),
        )


def order_total(lines: tuple[OrderLine, ...] | list[OrderLine]) -> Decimal:
    """Return the sum of the line totals, with two decimal places.

    Examples
    --------
    >>> order_total([OrderLine("A-1", "Mug", 3, Decimal("0.10"))])
    Decimal('0.30')
    """
    return sum((line.line_total for line in lines), Decimal("0")).quantize(CENTS)


@dataclass(frozen=True)
class OrderRequest:
    """A validated ``POST /orders`` body (see ``orders.validation.OrderValidator``).

    Addresses are kept as the validated mappings of strings, so their fields are defined by the
    JSON Schema alone.
    """

    customer_id: str
    currency: str
    lines: tuple[OrderLine, ...]
    shipping_address: Mapping[str, str]
    billing_address: Mapping[str, str] | None = None

    @property
    def total(self) -> Decimal:
        """Return the server-side total of the order."""
        return order_total(self.lines)

    def canonical_json(self) -> str:
        """Return a canonical JSON text of the request (the basis of `request_hash`).

        Keys are sorted, amounts are written with two decimal places, and a client-sent total is
        not part of it (it is derived), so two bodies that mean the same order have the same text.
        """
        document: dict[str, Any] = {
            "customerId": self.customer_id,
            "currency": self.currency,
            "items": [
                {**line.to_dict(), "unitPrice": str(line.unit_price.quantize(CENTS))}
                for line in self.lines
            ],
            "shippingAddress": dict(self.shipping_address),
        }
        if self.billing_address is not None:
            document["billingAddress"] = dict(self.billing_address)
        return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def request_hash(self) -> str:
        """Return the SHA-256 hex digest of `canonical_json` (stored as ``requestHash``)."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()


def format_timestamp(moment: datetime) -> str:
    """Return ``moment`` as fixed-width ISO-8601 UTC with milliseconds, e.g. ``...T12:00:00.000Z``.

    The fixed width makes the text sort like the time, which the customer index relies on.

    Examples
    --------
    >>> format_timestamp(datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc))
    '2026-01-02T03:04:05.678Z'
    """
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class Order:
    """An order as stored in the table (one item per order, partition key ``orderId``)."""

    order_id: str
    customer_id: str
    currency: str
    lines: tuple[OrderLine, ...]
    total: Decimal
    status: str
    created_at: str
    ttl: int
    shipping_address: Mapping[str, str]
    request_hash: str
    billing_address: Mapping[str, str] | None = None
    confirmed_at: str | None = field(default=None)
    #: Who created the order (the caller id); None on orders stored before it was recorded.
    created_by: str | None = None

    def is_expired(self, now: datetime) -> bool:
        """True from the moment its ``ttl`` is reached: the order is gone for the API, even
        while DynamoDB has not deleted it yet (TTL deletes within days, not on the second).

        Examples
        --------
        >>> order = Order("o-1", "c-1", "EUR", (), Decimal("0"), "PENDING", "t", 100, {}, "h")
        >>> def at(seconds): return datetime.fromtimestamp(seconds, timezone.utc)
        >>> order.is_expired(at(99.9)), order.is_expired(at(100))
        (False, True)
        """
        return self.ttl <= now.timestamp()

    def same_write_as(self, other: Order) -> bool:
        """True when ``other`` is the same create as this order: same id, author, request and
        creation time (a retried write finds its own first attempt).

        Examples
        --------
        >>> from dataclasses import replace
        >>> order = Order("o-1", "c-1", "EUR", (), Decimal("0"), "PENDING", "t", 0, {}, "h")
        >>> order.same_write_as(replace(order, status="CONFIRMED"))
        True
        >>> order.same_write_as(replace(order, created_at="t2"))
        False
        """
        return (self.order_id, self.created_by, self.request_hash, self.created_at) == (
            other.order_id,
            other.created_by,
            other.request_hash,
            other.created_at,
        )

    @classmethod
    def create(
        cls,
        request: OrderRequest,
        order_id: str,
        now: datetime,
        ttl_days: int,
        created_by: str | None = None,
    ) -> Order:
        """Return the new PENDING order for ``request``, expiring ``ttl_days`` after ``now``.

        Examples
        --------
        >>> request = OrderRequest("cust-1", "EUR", (OrderLine("A-1", "Mug", 2, Decimal("4.50")),),
        ...                        {"fullName": "A", "line1": "B", "city": "C", "country": "DE"})
        >>> order = Order.create(request, "id-1", datetime(2026, 1, 1, tzinfo=timezone.utc), 90)
        >>> order.total, order.status, order.ttl
        (Decimal('9.00'), 'PENDING', 1775001600)
        """
        return cls(
            order_id=order_id,
            customer_id=request.customer_id,
            currency=request.currency,
            lines=request.lines,
            total=request.total,
            status=STATUS_PENDING,
            created_at=format_timestamp(now),
            ttl=int((now + timedelta(days=ttl_days)).timestamp()),
            shipping_address=request.shipping_address,
            billing_address=request.billing_address,
            request_hash=request.request_hash(),
            created_by=created_by,
        )

    def to_item(self) -> dict[str, Any]:
        """Return the DynamoDB item in Python types (Decimal numbers), ready to serialize."""
        item: dict[str, Any] = {
            "orderId": self.order_id,
            "customerId": self.customer_id,
            "currency": self.currency,
            "items": [line.to_dict() for line in self.lines],
            "total": self.total,
            "status": self.status,
            "createdAt": self.created_at,
            "ttl": self.ttl,
            "shippingAddress": dict(self.shipping_address),
            "requestHash": self.request_hash,
        }
        if self.billing_address is not None:
            item["billingAddress"] = dict(self.billing_address)
        if self.confirmed_at is not None:
            item["confirmedAt"] = self.confirmed_at
        if self.created_by is not None:
            item["createdBy"] = self.created_by
        return item

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> Order:
        """Build an order from a deserialized DynamoDB item (the inverse of `to_item`)."""
        billing = item.get("billingAddress")
        return cls(
            order_id=str(item["orderId"]),
            customer_id=str(item["customerId"]),
            currency=str(item["currency"]),
            lines=tuple(OrderLine.from_dict(line) for line in item["items"]),
            total=Decimal(item["total"]).quantize(CENTS),
            status=str(item["status"]),
            created_at=str(item["createdAt"]),
            ttl=int(item["ttl"]),
            shipping_address={k: str(v) for k, v in item["shippingAddress"].items()},
            billing_address=None if billing is None else {k: str(v) for k, v in billing.items()},
            request_hash=str(item["requestHash"]),
            confirmed_at=None if item.get("confirmedAt") is None else str(item["confirmedAt"]),
            created_by=None if item.get("createdBy") is None else str(item["createdBy"]),
        )

    def to_public_dict(self) -> dict[str, Any]:
        """Return the order as the API returns it (no ``requestHash``, ``ttl`` or ``createdBy``:
        who created an order is for the operators' audit, not for API callers)."""
        public: dict[str, Any] = {
            "orderId": self.order_id,
            "customerId": self.customer_id,
            "status": self.status,
            "currency": self.currency,
            "items": [line.to_dict() for line in self.lines],
            "total": self.total,
            "createdAt": self.created_at,
            "shippingAddress": dict(self.shipping_address),
        }
        if self.billing_address is not None:
            public["billingAddress"] = dict(self.billing_address)
        if self.confirmed_at is not None:
            public["confirmedAt"] = self.confirmed_at
        return public
