"""Confirming new orders from the table's stream: PENDING -> CONFIRMED, replay-safe.

A stream record is handled as follows:

- not an INSERT (MODIFY, REMOVE by TTL...), or an item that is not an order -> ignored;
- an INSERT of an order that is not PENDING -> ignored;
- an INSERT of a PENDING order -> conditional update to CONFIRMED. If the order is no longer
  PENDING (this record is a replay, or the order was already handled) the update changes nothing
  and the record still succeeds;
- an INSERT whose order image is malformed -> `InvalidOrderRecordError`, reported as a batch item
  failure so that, after the event source mapping's retries, it reaches the on-failure
  destination (the DLQ) without blocking the other records.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orders.models import STATUS_PENDING, Order
from orders.repository import OrderRepository

_CURRENCY = re.compile(r"[A-Z]{3}\Z")


class InvalidOrderRecordError(Exception):
    """A stream record carries an order image that cannot be read as an order."""


class ConfirmationResult(enum.Enum):
    """What handling one stream record did."""

    CONFIRMED = "confirmed"
    ALREADY_HANDLED = "already_handled"
    IGNORED = "ignored"


@dataclass(frozen=True)
class ConfirmationOutcome:
    """The result for one record, with the order when it was confirmed now (for metrics)."""

    result: ConfirmationResult
    order: Order | None = None


def is_order_image(image: Mapping[str, Any]) -> bool:
    """True when a deserialized item is an order (idempotency records have no ``status``)."""
    return "orderId" in image and "status" in image


def confirm_new_order(
    event_name: str | None,
    new_image: Mapping[str, Any],
    repository: OrderRepository,
    confirmed_at: str,
) -> ConfirmationOutcome:
    """Confirm the PENDING order that one stream record inserted.

    Parameters
    ----------
    event_name : str or None
        The record's ``eventName`` (``INSERT``, ``MODIFY``, ``REMOVE``).
    new_image : mapping
        The record's deserialized ``NewImage`` (empty when absent).
    repository : OrderRepository
        Performs the conditional update.
    confirmed_at : str
        Timestamp written as ``confirmedAt``.

    Raises
    ------
    InvalidOrderRecordError
        If the inserted item looks like an order but cannot be read as one.
    DependencyUnavailableError
        If DynamoDB throttles (the record is then retried).
    """
    if event_name != "INSERT" or not is_order_image(new_image):
        return ConfirmationOutcome(ConfirmationResult.IGNORED)
    if new_image.get("status") != STATUS_PENDING:
        return ConfirmationOutcome(ConfirmationResult.IGNORED)
    try:
        order = Order.from_item(new_image)
    except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as error:
        raise InvalidOrderRecordError(
            f"the inserted item is not a readable order ({type(error).__name__})"
        ) from error
    if not order.order_id or not order.total.is_finite() or not _CURRENCY.match(order.currency):
        raise InvalidOrderRecordError("the inserted item has an invalid id, total or currency")
    if repository.confirm(order.order_id, confirmed_at):
        return ConfirmationOutcome(ConfirmationResult.CONFIRMED, order)
    return ConfirmationOutcome(ConfirmationResult.ALREADY_HANDLED)
