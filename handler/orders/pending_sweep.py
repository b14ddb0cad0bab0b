"""Entry point of the pending-order sweep: confirm what the stream did not, publish the backlog age.

The stream processor confirms each order from its INSERT record. A record it could not handle
goes to the DLQ as a pointer, and the stream keeps records 24 hours, so an order whose record
is gone stays PENDING unless something else confirms it. This sweep, run on a schedule, is that
something: it queries the ``pending-orders`` index (partition key ``status``, sort key
``createdAt``) for ``status = PENDING AND createdAt <= now - age`` oldest first, and confirms
each order with the same conditional update as the processor (`OrderRepository.confirm`), so an
order the processor confirms at the same time is confirmed once and counted once.

Why a Query on a ``status`` index rather than a Scan: the sweep reads only PENDING orders
(idempotency records carry no ``status`` and are not in the index; CONFIRMED orders are in a
partition the sweep never reads), and orders written before the index existed are indexed by
DynamoDB's backfill, with no change to the write path. The index projects ``total`` and
``currency`` so confirmed orders are counted in ``ordersProcessed`` and ``orderValue`` like the
processor's, without a read per order.

Every run publishes ``oldestPendingOrderAgeSeconds`` (0 when nothing is PENDING), the metric of
the oldest-pending alarm: it rises when neither the processor nor the sweep can confirm.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import Any

from orders.aws_clients import create_client
from orders.aws_errors import transient_errors_as_unavailable
from orders.config import table_name_from_env
from orders.dynamodb_codec import deserialize_item
from orders.errors import ConfigurationError
from orders.models import STATUS_PENDING, format_timestamp
from orders.repository import OrderRepository
from orders.telemetry import count, logger, metrics, publish_metrics, record_order_value

#: Name of the index the sweep queries (the construct creates it under this name).
PENDING_INDEX_NAME = "pending-orders"
#: Orders confirmed per run at most, so one run stays well inside the function's timeout.
MAX_ORDERS_PER_RUN = 500
_PAGE_SIZE = 100


@dataclass(frozen=True)
class SweepSettings:
    """What the construct passes: the table, the index and the age from which to confirm."""

    table_name: str
    index_name: str
    min_age: timedelta

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SweepSettings:
        """Read ``TABLE_NAME``, ``PENDING_INDEX_NAME`` and ``PENDING_MIN_AGE_MINUTES``.

        Raises
        ------
        ConfigurationError
            If a value is missing or the age is not a whole number of minutes in 1..1440.
        """
        env = os.environ if environ is None else environ
        index_name = env.get("PENDING_INDEX_NAME", "").strip()
        if not index_name:
            raise ConfigurationError(
                "invalid function configuration: PENDING_INDEX_NAME is not set"
            )
        raw_age = env.get("PENDING_MIN_AGE_MINUTES", "").strip()
        if not raw_age.isdigit() or not 1 <= int(raw_age) <= 1440:
            raise ConfigurationError(
                "invalid function configuration: PENDING_MIN_AGE_MINUTES must be a whole "
                f"number of minutes from 1 to 1440, got {raw_age!r}"
            )
        return cls(
            table_name=table_name_from_env(env),
            index_name=index_name,
            min_age=timedelta(minutes=int(raw_age)),
        )


@dataclass(frozen=True)
class SweepResult:
    """What one run did."""

    confirmed: int
    already_handled: int
    oldest_pending_age_seconds: float


def _pending_query(settings: SweepSettings, **extra: Any) -> dict[str, Any]:
    return {
        "TableName": settings.table_name,
        "IndexName": settings.index_name,
        "KeyConditionExpression": "#status = :pending",
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": {":pending": {"S": STATUS_PENDING}},
        "ScanIndexForward": True,
        **extra,
    }


def oldest_pending_created_at(client: Any, settings: SweepSettings) -> str | None:
    """Return ``createdAt`` of the oldest PENDING order (any age), or None when there is none."""
    with transient_errors_as_unavailable("dynamodb"):
        response = client.query(**_pending_query(settings, Limit=1))
    items = response.get("Items") or []
    return None if not items else str(items[0]["createdAt"]["S"])


def _parse_timestamp(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)


def sweep(
    client: Any,
    settings: SweepSettings,
    now: datetime,
    limit: int = MAX_ORDERS_PER_RUN,
    on_confirmed: Callable[[Mapping[str, Any]], None] | None = None,
) -> SweepResult:
    """Confirm the PENDING orders created at least ``settings.min_age`` before ``now``.

    Oldest first, at most ``limit`` per run (the next run continues). Returns the counts and
    the age of the oldest order still PENDING after the run (0.0 when none is).
    """
    repository = OrderRepository(client, settings.table_name)
    cutoff = format_timestamp(now - settings.min_age)
    confirmed_at = format_timestamp(now)
    confirmed = already_handled = 0
    start_key: dict[str, Any] | None = None
    while confirmed + already_handled < limit:
        request = _pending_query(
            settings, Limit=min(_PAGE_SIZE, limit - confirmed - already_handled)
        )
        request["KeyConditionExpression"] += " AND createdAt <= :cutoff"
        request["ExpressionAttributeValues"][":cutoff"] = {"S": cutoff}
        if start_key is not None:
            request["ExclusiveStartKey"] = start_key
        with transient_errors_as_unavailable("dynamodb"):
            response = client.query(**request)
        for raw in response.get("Items") or []:
            item = deserialize_item(raw)
            if repository.confirm(str(item["orderId"]), confirmed_at):
                confirmed += 1
                if on_confirmed is not None:
                    on_confirmed(item)
            else:
                already_handled += 1
        start_key = response.get("LastEvaluatedKey")
        if start_key is None:
            break
    oldest = oldest_pending_created_at(client, settings)
    age = 0.0 if oldest is None else max(0.0, (now - _parse_timestamp(oldest)).total_seconds())
    return SweepResult(confirmed, already_handled, age)


def _record_confirmed(item: Mapping[str, Any]) -> None:
    count("ordersProcessed")
    count("ordersReconciled")
    total, currency = item.get("total"), item.get("currency")
    if isinstance(total, Decimal) and isinstance(currency, str):
        record_order_value(total, currency)
    logger.info("pending order confirmed by the sweep", extra={"orderId": item["orderId"]})


@cache
def build_settings() -> SweepSettings:
    """Read the settings once per execution environment."""
    return SweepSettings.from_env()


#: Key of a direct invocation's event that overrides the minimum age (the one-off backfill,
#: ``order-kit confirm-pending``); the schedule's event never carries it.
MIN_AGE_OVERRIDE_KEY = "minAgeMinutes"


def settings_for_event(settings: SweepSettings, event: Mapping[str, Any]) -> SweepSettings:
    """``settings``, with the minimum age of ``event["minAgeMinutes"]`` when it is given.

    Raises
    ------
    ValueError
        The override is not a whole number of minutes from 0 to 1440.
    """
    if not isinstance(event, Mapping) or MIN_AGE_OVERRIDE_KEY not in event:
        return settings
    minutes = event[MIN_AGE_OVERRIDE_KEY]
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= 1440:
        raise ValueError(
            f"{MIN_AGE_OVERRIDE_KEY} must be a whole number of minutes from 0 to 1440, "
            f"got {minutes!r}"
        )
    return replace(settings, min_age=timedelta(minutes=minutes))


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Run one sweep and report it.

    The schedule's event is not read; a direct invocation may pass ``{"minAgeMinutes": N}``
    to confirm younger orders once (the backfill after an upgrade that adds the processor).
    """
    try:
        result = sweep(
            create_client("dynamodb"),
            settings_for_event(build_settings(), event),
            datetime.now(timezone.utc),
            on_confirmed=_record_confirmed,
        )
        metrics.add_metric(
            name="oldestPendingOrderAgeSeconds",
            unit="Seconds",
            value=result.oldest_pending_age_seconds,
        )
        logger.info(
            "pending sweep done",
            extra={
                "confirmed": result.confirmed,
                "alreadyHandled": result.already_handled,
                "oldestPendingAgeSeconds": result.oldest_pending_age_seconds,
            },
        )
        return {
            "confirmed": result.confirmed,
            "alreadyHandled": result.already_handled,
            "oldestPendingOrderAgeSeconds": result.oldest_pending_age_seconds,
        }
    finally:
        publish_metrics()
