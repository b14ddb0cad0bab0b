"""The order API's operations, independent of API Gateway's event format.

Idempotent creation: with an ``Idempotency-Key`` the order id is derived from the key, and the
item is written only if no item has that id. When one exists, its stored ``requestHash`` (SHA-256
of the canonical validated request) decides: the same hash is a replay and returns the stored
order; another hash is a conflict (409). Concurrent duplicates therefore can never create two
items, and need no extra table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from orders.errors import (
    IdempotencyConflictError,
    OperationNotEnabledError,
    OrderNotFoundError,
    OrderValidationError,
    Problem,
)
from orders.models import Order
from orders.page_tokens import PageTokenCodec
from orders.repository import OrderRepository
from orders.request_parameters import order_id_for_idempotency_key
from orders.validation import OrderValidator


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class CreatedOrder:
    """The result of `OrderService.create_order`.

    Attributes
    ----------
    order : Order
        The stored order.
    replayed : bool
        True when the idempotency key had already created this order (nothing was written).
    """

    order: Order
    replayed: bool


@dataclass(frozen=True)
class CustomerOrdersPage:
    """A page of a customer's orders and the token of the next page (None on the last)."""

    orders: list[Order]
    next_token: str | None


class OrderService:
    """Create, read and list orders.

    Parameters
    ----------
    repository : OrderRepository
        Data access.
    validator : OrderValidator
        The order request validator.
    page_tokens : PageTokenCodec or None
        Encrypts and decrypts pagination tokens; None when the deployment cannot list orders.
    order_ttl_days : int
        Retention of an order before DynamoDB TTL deletes it.
    clock : callable, optional
        Returns the current UTC time (injectable for tests).
    """

    def __init__(
        self,
        repository: OrderRepository,
        validator: OrderValidator,
        page_tokens: PageTokenCodec | None,
        order_ttl_days: int,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._repository = repository
        self._validator = validator
        self._page_tokens = page_tokens
        self._order_ttl_days = order_ttl_days
        self._clock = clock

    def create_order(self, document: Any, idempotency_key: str | None) -> CreatedOrder:
        """Validate ``document`` and store it as a new PENDING order (idempotently with a key).

        Raises
        ------
        OrderValidationError
            If the body or the key is invalid.
        IdempotencyConflictError
            If the key was already used with a different request.
        DependencyUnavailableError
            If DynamoDB throttles or is unavailable.
        """
        # Both checked before either is reported, so one 400 lists every problem.
        key_problems: list[Problem] = []
        try:
            order_id = order_id_for_idempotency_key(idempotency_key)
        except OrderValidationError as error:
            key_problems = error.problems
        try:
            request = self._validator.validate(document)
        except OrderValidationError as error:
            error.problems[:0] = key_problems
            raise
        if key_problems:
            raise OrderValidationError("the Idempotency-Key header is invalid", key_problems)
        order = Order.create(request, order_id, self._clock(), self._order_ttl_days)
        outcome = self._repository.create(order)
        if outcome.created:
            return CreatedOrder(order=outcome.order, replayed=False)
        if outcome.order.request_hash != order.request_hash:
            message = "this Idempotency-Key was already used with a different request body"
            raise IdempotencyConflictError(message, [Problem("header:Idempotency-Key", message)])
        return CreatedOrder(order=outcome.order, replayed=True)

    def get_order(self, order_id: str) -> Order:
        """Return the order, or raise `OrderNotFoundError`."""
        order = self._repository.get(order_id)
        if order is None:
            raise OrderNotFoundError(f"there is no order with id {order_id}")
        return order

    def list_customer_orders(
        self, customer_id: str, limit: int, next_token: str | None
    ) -> CustomerOrdersPage:
        """Return a page of the customer's orders, newest first.

        Raises
        ------
        InvalidPageTokenError
            If ``next_token`` is not a token issued for this customer's listing.
        """
        if self._page_tokens is None:
            raise OperationNotEnabledError("listing orders needs the page-token key")
        codec = self._page_tokens
        start_key = None if next_token is None else codec.decode(next_token, customer_id)
        page = self._repository.list_by_customer(customer_id, limit, start_key)
        token = (
            None
            if page.last_evaluated_key is None
            else codec.encode(page.last_evaluated_key, customer_id)
        )
        return CustomerOrdersPage(orders=page.orders, next_token=token)
