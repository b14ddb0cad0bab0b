"""Entry point of the stream processor function (DynamoDB stream batches).

Uses Powertools' `BatchProcessor`, which returns ``{"batchItemFailures": [...]}`` with the
sequence number of every failed record, so one poison record does not block the others; the
event source mapping retries it (bisecting the batch) and finally sends it to its on-failure
destination. Business metrics (``ordersProcessed``, ``orderValue`` per currency) are published
only when this invocation's conditional update confirmed the order, so a replayed record is never
counted twice.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

from orders.aws_clients import create_client
from orders.config import table_name_from_env
from orders.confirmation import ConfirmationResult, confirm_new_order
from orders.models import format_timestamp
from orders.repository import OrderRepository
from orders.telemetry import count, logger, publish_metrics, record_order_value

batch_processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


@cache
def build_repository() -> OrderRepository:
    """Build the repository from ``TABLE_NAME``; cached for the execution environment."""
    return OrderRepository(create_client("dynamodb"), table_name_from_env())


def handle_record(record: DynamoDBRecord) -> ConfirmationResult:
    """Confirm the order one stream record inserted (raising makes it a batch item failure)."""
    logger.set_correlation_id(record.event_id)
    stream = record.dynamodb
    try:
        outcome = confirm_new_order(
            record.get("eventName"),
            stream.new_image if stream is not None else {},
            build_repository(),
            format_timestamp(datetime.now(timezone.utc)),
        )
    except Exception:
        count("processingFailures")
        logger.exception("stream record failed", extra={"eventName": record.get("eventName")})
        raise
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


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Process a DynamoDB stream batch and return the partial batch response."""
    try:
        response: dict[str, Any] = process_partial_response(
            event=event,
            record_handler=handle_record,
            processor=batch_processor,
            context=context,
        )  # type: ignore[assignment]  # a TypedDict of the same shape
        return response
    finally:
        publish_metrics()
