"""Entry point of the stream processor function (DynamoDB stream batches).

Each record is handled by what it is: an INSERT of a new order is confirmed
(``orders.confirmation``); a REMOVE by DynamoDB's TTL of an order is archived to S3 when the
deployment has an archive bucket (``orders.archive``); anything else is ignored.

Returns a partial batch response, ``{"batchItemFailures": [{"itemIdentifier": <sequence
number>}, ...]}``, so one poison record does not block the others: the event source mapping
(``ReportBatchItemFailures``) retries from the first failed record, bisecting the batch, and
finally sends what still fails to its on-failure destination (the DLQ). When every record of a
batch fails the function raises instead, so the invocation counts as an error and the batch is
retried whole, as Powertools' BatchProcessor does.

Why not Powertools' BatchProcessor: its import (it pulls in asyncio and every event data class)
costs about 100 ms of cold start on the reference machine, for what is one loop here
(``python tests/perf/bench_handler.py`` prints the numbers). Records that are replayed (records
after a failed one are delivered again) are harmless: confirmation is a conditional update, and
business metrics (``ordersProcessed``, ``orderValue`` per currency) are published only when this
invocation's update confirmed the order, so a replay is never counted twice; archiving is a
create-only put, so a replayed expiry writes nothing and ``ordersArchived`` counts each order once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from functools import cache
from typing import Any

from orders.archive import ArchiveResult, OrderArchive, archive_expired_order
from orders.aws_clients import create_client
from orders.config import archive_bucket_from_env, table_name_from_env
from orders.confirmation import ConfirmationResult, confirm_new_order
from orders.dynamodb_codec import deserialize_item
from orders.models import format_timestamp
from orders.repository import OrderRepository
from orders.telemetry import count, logger, publish_metrics, record_order_value


class BatchFailedError(Exception):
    """Every record of the batch failed; raised so the whole batch is retried."""


@cache
def build_repository() -> OrderRepository:
    """Build the repository from ``TABLE_NAME``; cached for the execution environment."""
    return OrderRepository(create_client("dynamodb"), table_name_from_env())


@cache
def build_archive() -> OrderArchive | None:
    """Build the archive from ``ARCHIVE_BUCKET`` (None without it); cached like the repository."""
    bucket = archive_bucket_from_env()
    return None if bucket is None else OrderArchive(create_client("s3"), bucket)


def handle_record(record: Mapping[str, Any]) -> ConfirmationResult | ArchiveResult:
    """Confirm the order one stream record inserted, or archive the order its TTL deletion
    removed (raising makes the record a batch item failure)."""
    stream = record.get("dynamodb") or {}
    if record.get("eventName") == "REMOVE":
        return _archive(record, stream)
    outcome = confirm_new_order(
        record.get("eventName"),
        deserialize_item(stream.get("NewImage") or {}),
        build_repository(),
        format_timestamp(datetime.now(timezone.utc)),
    )
    if outcome.order is not None:
        count("ordersProcessed")
        record_order_value(outcome.order.total, outcome.order.currency)
        logger.info(
            "order confirmed",
            extra={"orderId": outcome.order.order_id, "currency": outcome.order.currency},
        )
    elif outcome.result is ConfirmationResult.ALREADY_HANDLED:
        logger.info("order already handled; replayed record ignored")
    return outcome.result


def _archive(record: Mapping[str, Any], stream: Mapping[str, Any]) -> ArchiveResult:
    old_image = deserialize_item(stream.get("OldImage") or {})
    result = archive_expired_order(record, old_image, build_archive())
    if result is ArchiveResult.ARCHIVED:
        count("ordersArchived")
        logger.info("expired order archived", extra={"orderId": old_image.get("orderId")})
    elif result is ArchiveResult.ALREADY_ARCHIVED:
        logger.info("expired order already archived; replayed record ignored")
    return result


def process_batch(
    records: list[Mapping[str, Any]],
    handle: Callable[[Mapping[str, Any]], object] = handle_record,
) -> dict[str, list[dict[str, str]]]:
    """Handle each record; return the partial batch response naming the failed ones.

    Raises
    ------
    BatchFailedError
        If every record failed, or a failed record has no sequence number to report.
    """
    failures: list[dict[str, str]] = []
    for record in records:
        logger.set_correlation_id(record.get("eventID"))
        try:
            handle(record)
        except Exception:
            count("processingFailures")
            logger.exception("stream record failed", extra={"eventName": record.get("eventName")})
            sequence_number = (record.get("dynamodb") or {}).get("SequenceNumber")
            if not sequence_number:
                raise BatchFailedError("a failed record has no sequence number") from None
            failures.append({"itemIdentifier": str(sequence_number)})
    logger.set_correlation_id(None)
    if records and len(failures) == len(records):
        raise BatchFailedError(f"all {len(records)} records of the batch failed")
    return {"batchItemFailures": failures}


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Process a DynamoDB stream batch and return the partial batch response."""
    try:
        return process_batch(event.get("Records") or [])
    finally:
        publish_metrics()
