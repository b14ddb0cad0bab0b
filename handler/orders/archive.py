"""Archiving expired orders: the orders DynamoDB TTL deletes are written to S3 first-hand.

DynamoDB TTL deletes an expired item itself and writes a ``REMOVE`` record to the table's
stream with ``userIdentity`` ``{"type": "Service", "principalId": "dynamodb.amazonaws.com"}``
(AWS DynamoDB developer guide, "DynamoDB Streams and Time to Live"); the record's
``OldImage`` is the order as it was. A stream record is handled as follows:

- a ``REMOVE`` by TTL of an order -> the order is written to the archive bucket under
  :func:`archive_key`, once: the put is conditional (``If-None-Match: *``), so a replayed record
  (a retried batch, or the records after a failed one) finds the object and writes nothing;
- a ``REMOVE`` by anyone else (a ``DeleteItem`` call: ``userIdentity`` absent) -> ignored: a
  deliberate delete is not an expiry, and whoever deleted the order owns its fate;
- a ``REMOVE`` by TTL of an idempotency record (``orderId`` = ``idempotency#...``: no
  ``status``) -> ignored, they are not orders;
- a ``REMOVE`` by TTL whose image cannot be read as an order -> `InvalidOrderRecordError`, a
  batch item failure that ends in the DLQ after the event source mapping's retries.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from orders.aws_errors import error_code, transient_errors_as_unavailable
from orders.confirmation import InvalidOrderRecordError, is_order_image
from orders.models import Order

#: ``userIdentity`` of the stream records of DynamoDB's TTL deletions (AWS documents exactly
#: these two fields and values).
TTL_USER_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
#: Key prefix of every archived order; the processor may write under it and nowhere else.
ARCHIVE_PREFIX = "orders/"
_CREATION_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})T")


class ArchiveResult(enum.Enum):
    """What handling one stream record did for the archive."""

    ARCHIVED = "archived"
    ALREADY_ARCHIVED = "already_archived"
    IGNORED = "ignored"


def is_ttl_removal(record: Mapping[str, Any]) -> bool:
    """True when the stream record is DynamoDB's own TTL deletion of an item.

    Examples
    --------
    >>> is_ttl_removal({"eventName": "REMOVE", "userIdentity": dict(TTL_USER_IDENTITY)})
    True
    >>> is_ttl_removal({"eventName": "REMOVE"})  # a DeleteItem call
    False
    """
    identity = record.get("userIdentity") or {}
    return (
        record.get("eventName") == "REMOVE"
        and identity.get("type") == TTL_USER_IDENTITY["type"]
        and identity.get("principalId") == TTL_USER_IDENTITY["principalId"]
    )


def archive_key(order: Order) -> str:
    """The order's object key: ``orders/<yyyy>/<mm>/<dd>/<orderId>.json`` by its creation day.

    Deterministic (the same order always has the same key), so a replayed record cannot write a
    second copy; by creation day, the day an order counts for in tax records.

    Examples
    --------
    >>> order = Order("o-1", "c-1", "EUR", (), Decimal("0"), "CONFIRMED",
    ...               "2026-03-04T05:06:07.000Z", 0, {}, "h")
    >>> archive_key(order)
    'orders/2026/03/04/o-1.json'
    """
    day_match = _CREATION_DAY.match(order.created_at)
    if day_match is None or not order.order_id or "/" in order.order_id:
        raise ValueError(f"order {order.order_id!r} has no archivable id and creation day")
    year, month, day = day_match.groups()
    return f"{ARCHIVE_PREFIX}{year}/{month}/{day}/{order.order_id}.json"


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Amounts as decimal text, never binary floats (as stored: exact).
        return str(value)
    raise TypeError(f"cannot archive a {type(value).__name__}")


def archive_document(order: Order) -> bytes:
    """The archived object: the stored order (every attribute, ``ttl`` and ``createdBy``
    included) as canonical JSON, UTF-8; the same order always gives the same bytes.

    Examples
    --------
    >>> order = Order("o-1", "c-1", "EUR", (), Decimal("1.50"), "CONFIRMED", "t", 7, {}, "h")
    >>> json.loads(archive_document(order))["total"]
    '1.50'
    """
    return json.dumps(
        order.to_item(),
        default=_json_value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode("utf-8")


def archived_order_bytes(order: Order) -> int:
    """Bytes one archived order occupies in the bucket (its object body), for cost estimates."""
    return len(archive_document(order))


class OrderArchive:
    """Writes expired orders to the archive bucket.

    Parameters
    ----------
    client : botocore client
        An S3 client.
    bucket : str
        The archive bucket (its default encryption, the service key, encrypts each object).
    """

    def __init__(self, client: Any, bucket: str) -> None:
        self._client = client
        self._bucket = bucket

    def put(self, order: Order) -> bool:
        """Write ``order`` unless its object exists; return False if it already did.

        Raises
        ------
        DependencyUnavailableError
            If S3 throttles or is unavailable (the record is then retried).
        """
        try:
            with transient_errors_as_unavailable("s3"):
                self._client.put_object(
                    Bucket=self._bucket,
                    Key=archive_key(order),
                    Body=archive_document(order),
                    ContentType="application/json",
                    # Create only: a replayed record finds the object (412) and writes no
                    # second version (S3 user guide, "Conditional writes").
                    IfNoneMatch="*",
                )
        except ClientError as error:
            if error_code(error) == "PreconditionFailed":
                return False
            raise
        return True


def archive_expired_order(
    record: Mapping[str, Any], old_image: Mapping[str, Any], archive: OrderArchive | None
) -> ArchiveResult:
    """Archive the order one stream record's TTL deletion removed (see the module docstring).

    Parameters
    ----------
    record : mapping
        The stream record (``eventName``, ``userIdentity``).
    old_image : mapping
        Its deserialized ``OldImage`` (empty when absent).
    archive : OrderArchive or None
        Where to write; None when the deployment archives nothing (records are ignored).

    Raises
    ------
    InvalidOrderRecordError
        If the expired item looks like an order but cannot be read as one.
    """
    if archive is None or not is_ttl_removal(record) or not is_order_image(old_image):
        return ArchiveResult.IGNORED
    try:
        order = Order.from_item(old_image)
        archive_key(order)
    except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError) as error:
        raise InvalidOrderRecordError(
            f"the expired item is not a readable order ({type(error).__name__})"
        ) from error
    return ArchiveResult.ARCHIVED if archive.put(order) else ArchiveResult.ALREADY_ARCHIVED
