"""The order API's operations, independent of API Gateway's event format.

Every operation takes the `Caller`: orders record who created them, and in ``cognito`` mode a
caller creates, reads and lists only their own customer's orders.

Idempotent creation (see ``orders.idempotency``): with an ``Idempotency-Key`` the order gets a
random id, claimed first by a conditional put of a record of the (caller, key) pair, which lives
for the idempotency window, then written with a conditional put. When a live record exists,
its ``requestHash`` (SHA-256 of the canonical validated request) decides: the same hash is a
replay and returns the stored order; another hash is a conflict (409). Concurrent duplicates
can never create two orders.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from orders.caller import Caller
from orders.catalog import PriceCatalog, check_prices
from orders.errors import (
    DependencyUnavailableError,
    IdempotencyConflictError,
    OperationNotEnabledError,
    OrderNotFoundError,
    OrderValidationError,
    Problem,
    RequestError,
)
from orders.idempotency import (
    IdempotencyRecord,
    check_idempotency_key,
    legacy_order_id,
    record_key,
    replayed_order,
)
from orders.models import Order
from orders.page_tokens import PageTokenCodec
from orders.repository import OrderRepository
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
    idempotency_window_hours : int, optional
        How long an idempotency key is remembered for its caller (default 24).
    price_catalog : PriceCatalog or None, optional
        Prices every line when set (see ``orders.catalog``); None trusts the client's prices.
    clock : callable, optional
        Returns the current UTC time (injectable for tests).
    """

    def __init__(
        self,
        repository: OrderRepository,
        validator: OrderValidator,
        page_tokens: PageTokenCodec | None,
        order_ttl_days: int,
        idempotency_window_hours: int = 24,
        clock: Callable[[], datetime] = _utc_now,
        price_catalog: PriceCatalog | None = None,
    ) -> None:
        self._repository = repository
        self._validator = validator
        self._page_tokens = page_tokens
        self._order_ttl_days = order_ttl_days
        self._idempotency_window_hours = idempotency_window_hours
        self._clock = clock
        self._price_catalog = price_catalog

    def create_order(
        self, document: Any, idempotency_key: str | None, caller: Caller
    ) -> CreatedOrder:
        """Validate ``document`` and store it as a new PENDING order (idempotently with a key).

        Raises
        ------
        OrderValidationError
            If the body or the key is invalid.
        ForbiddenError
            If a ``cognito`` caller orders for another customer.
        PriceConflictError
            If a line's ``unitPrice`` differs from the price catalog's (with a catalog). A
            retry (same caller, key and body) of an order created before the price changed
            replays that order instead.
        IdempotencyConflictError
            If the caller already used the key with a different request.
        DependencyUnavailableError
            If DynamoDB throttles or is unavailable.
        """
        # Both checked before either is reported, so one 400 lists every problem.
        key_problems: list[Problem] = []
        if idempotency_key is not None:
            try:
                check_idempotency_key(idempotency_key)
            except OrderValidationError as error:
                key_problems = error.problems
        try:
            request = self._validator.validate(document)
        except OrderValidationError as error:
            error.problems[:0] = key_problems
            raise
        if key_problems:
            raise OrderValidationError("the Idempotency-Key header is invalid", key_problems)
        caller.check_may_create_for(request.customer_id)
        now = self._clock()
        order = Order.create(
            request, str(uuid.uuid4()), now, self._order_ttl_days, created_by=caller.caller_id
        )
        if self._price_catalog is not None:
            try:
                check_prices(request, self._price_catalog.prices([ln.sku for ln in request.lines]))
            except RequestError:
                # A retry of an order created before a price change replays that order: the
                # prices were checked when it was created, and a retry must not fail it.
                replay = (
                    None
                    if idempotency_key is None
                    else self._stored_replay(order, idempotency_key, caller, now)
                )
                if replay is None:
                    raise
                return replay
        if idempotency_key is None:
            outcome = self._repository.create(order)
            # The id is this request's fresh UUID: an item already under it is this request's
            # own write whose response was lost and that the SDK retried (same author, request
            # and time); anything else is a UUID collision, vanishingly rare and retryable.
            if not outcome.is_own_write(order):
                raise DependencyUnavailableError("dynamodb")
            return CreatedOrder(order=order, replayed=False)
        return self._create_idempotently(order, idempotency_key, caller, now)

    def _stored_replay(
        self, order: Order, idempotency_key: str, caller: Caller, now: datetime
    ) -> CreatedOrder | None:
        """Return the order this caller already created with this key and this same request
        (a replay), or None. Reads only; the same decision as `_create_idempotently`
        (`orders.idempotency.replayed_order`)."""
        record = self._repository.find_record(
            record_key(caller.caller_id, idempotency_key), int(now.timestamp())
        )
        legacy = (
            None if record is not None else self._repository.get(legacy_order_id(idempotency_key))
        )
        stored = replayed_order(order.request_hash, record, legacy, self._repository.get)
        return None if stored is None else CreatedOrder(order=stored, replayed=True)

    def _create_idempotently(
        self, order: Order, idempotency_key: str, caller: Caller, now: datetime
    ) -> CreatedOrder:
        record = IdempotencyRecord.create(
            record_key(caller.caller_id, idempotency_key),
            order.order_id,
            order.request_hash,
            now,
            self._idempotency_window_hours,
        )
        legacy_id: str | None = legacy_order_id(idempotency_key)
        while True:
            outcome = self._repository.create_idempotent(
                order, record, legacy_id, int(now.timestamp())
            )
            if outcome.created:
                return CreatedOrder(order=order, replayed=False)
            stored = replayed_order(
                order.request_hash,
                outcome.existing_record,
                outcome.legacy_order,
                self._repository.get,
            )
            if stored is not None:
                return CreatedOrder(order=stored, replayed=True)
            if outcome.existing_record is not None:
                existing = outcome.existing_record
                if existing.request_hash != order.request_hash:
                    raise _idempotency_conflict()
                # The claimer has not written the order (yet, or failed in between): this
                # same request writes it under the claimed id; the conditional put lets one.
                claimed = replace(order, order_id=existing.order_id)
                written = self._repository.create(claimed)
                return CreatedOrder(order=written.order, replayed=not written.created)
            legacy = outcome.legacy_order
            assert legacy is not None
            if caller.acts_for_one_customer and legacy.customer_id == caller.customer_id:
                raise _idempotency_conflict()
            # Another caller's pre-upgrade order (or, for trusted IAM callers, whose author
            # the old scheme did not record): it does not bind this caller's key.
            legacy_id = None

    def get_order(self, order_id: str, caller: Caller) -> Order:
        """Return the order, or raise `OrderNotFoundError` (also for an expired order, and for
        another customer's order when the caller acts for one customer)."""
        order = self._repository.get(order_id)
        if order is None or order.is_expired(self._clock()):
            # An expired order is gone (it is archived, not served), though DynamoDB may not
            # have deleted it yet.
            raise OrderNotFoundError(f"there is no order with id {order_id}")
        caller.check_may_read(order_id, order.customer_id)
        return order

    def list_customer_orders(
        self, customer_id: str, limit: int, next_token: str | None, caller: Caller
    ) -> CustomerOrdersPage:
        """Return a page of the customer's unexpired orders, newest first.

        Raises
        ------
        ForbiddenError
            If a ``cognito`` caller lists another customer's orders.
        InvalidPageTokenError
            If ``next_token`` is not a token issued for this customer's listing.
        """
        caller.check_may_list(customer_id)
        if self._page_tokens is None:
            raise OperationNotEnabledError("listing orders needs the page-token key")
        codec = self._page_tokens
        start_key = None if next_token is None else codec.decode(next_token, customer_id)
        page = self._repository.list_by_customer(customer_id, limit, start_key)
        now = self._clock()
        # Expired orders are left out, so a page may hold fewer than ``limit`` orders and
        # still have a next page (as with any filtered DynamoDB query).
        orders = [order for order in page.orders if not order.is_expired(now)]
        token = (
            None
            if page.last_evaluated_key is None
            else codec.encode(page.last_evaluated_key, customer_id)
        )
        return CustomerOrdersPage(orders=orders, next_token=token)


def _idempotency_conflict() -> IdempotencyConflictError:
    message = "this Idempotency-Key was already used with a different request body"
    return IdempotencyConflictError(message, [Problem("header:Idempotency-Key", message)])
