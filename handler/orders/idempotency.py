"""Idempotency keys scoped to their caller, remembered for a limited window.

A ``POST /orders`` with an ``Idempotency-Key`` first claims the key with an idempotency record
under ``idempotency#<SHA-256 of caller id and key>`` (a put conditional on no live record), then
stores the order under the random id (UUID 4) the record names (a put conditional on the id
being free). Of any number of concurrent requests with the same caller and key exactly one
claims the key; the others read the record and answer with its order (same request) or 409
(a different request). Should the claimer fail before writing the order, the next request with
the same key and body writes it under the claimed id, so there is still exactly one order.
Conditional writes rather than a ``TransactWriteItems``: the same guarantee, half the write
cost, and no transaction conflicts to retry. Nobody can compute an order id from a key, and
the same key from two callers names two records, so two independent orders.

The record expires (its ``ttl``) after the idempotency window; DynamoDB deletes expired items
lazily, so the claim also overwrites a record whose ``ttl`` has passed. The order keeps its
own, much longer, ``ttl``.

Migration from the kit's earlier scheme, where an order's id was ``uuid5(namespace, key)`` and
there were no records: a keyed create first reads the *legacy* order id (such orders are never
written any more, so a read cannot race). If one exists and it belongs to the caller (same
request hash, or, in ``cognito`` mode, the same customer), the key is answered from it
exactly as before (replay, or 409 for another body); otherwise the legacy order is someone
else's and the create proceeds without it. The read can be dropped from the kit once every
pre-upgrade key is older than its clients retry.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from orders.errors import OrderValidationError, Problem
from orders.models import Order, format_timestamp

#: Table key prefix of idempotency records (order ids are UUIDs, so they never collide).
RECORD_KEY_PREFIX = "idempotency#"
#: Idempotency keys: 1-128 printable characters without spaces (a UUID fits comfortably).
_IDEMPOTENCY_KEY = re.compile(r"[!-~]{1,128}\Z")
#: The namespace of the earlier scheme's key-derived order ids (only read, for migration).
LEGACY_IDEMPOTENCY_NAMESPACE = uuid.UUID("2aaed9a9-d64e-48e1-bd82-d37b5261344c")


def check_idempotency_key(key: str) -> str:
    """Return ``key`` if it is 1-128 printable ASCII characters without spaces.

    Raises
    ------
    OrderValidationError
        Otherwise, naming the header.
    """
    if not _IDEMPOTENCY_KEY.match(key):
        message = "must be 1-128 printable ASCII characters without spaces"
        raise OrderValidationError(
            f"invalid request parameter: {message}", [Problem("header:Idempotency-Key", message)]
        )
    return key


def record_key(caller_id: str, idempotency_key: str) -> str:
    """Return the table key of the idempotency record of ``idempotency_key`` for a caller.

    Examples
    --------
    >>> record_key("arn:aws:iam::1:role/a", "k") != record_key("arn:aws:iam::1:role/b", "k")
    True
    >>> record_key("a", "k").startswith("idempotency#")
    True
    """
    # The length prefix keeps ("a:b", "c") and ("a", "b:c") apart.
    material = f"{len(caller_id)}:{caller_id}:{idempotency_key}".encode()
    return RECORD_KEY_PREFIX + hashlib.sha256(material).hexdigest()


def legacy_order_id(idempotency_key: str) -> str:
    """Return the id the earlier scheme gave the order of ``idempotency_key``."""
    return str(uuid.uuid5(LEGACY_IDEMPOTENCY_NAMESPACE, idempotency_key))


def replayed_order(
    request_hash: str,
    record: IdempotencyRecord | None,
    legacy_order: Order | None,
    get_order: Callable[[str], Order | None],
) -> Order | None:
    """Return the stored order that a request with ``request_hash`` replays, or None.

    The caller's live ``record`` of the key decides when there is one: the same request hash
    replays the order it names (read with ``get_order``; None while that order is not written
    yet), another hash replays nothing. Without a record, the pre-upgrade ``legacy_order``
    under the key is replayed when its request hash is the same. Reads only: whether a request
    that replays nothing is a conflict, or writes, is the caller's decision.
    """
    if record is not None:
        return get_order(record.order_id) if record.request_hash == request_hash else None
    if legacy_order is not None and legacy_order.request_hash == request_hash:
        return legacy_order
    return None


def is_record_key(table_key: str) -> bool:
    """Tell whether a table key (``orderId`` attribute) is an idempotency record's."""
    return table_key.startswith(RECORD_KEY_PREFIX)


@dataclass(frozen=True)
class IdempotencyRecord:
    """The item remembering which order a (caller, key) created.

    Attributes
    ----------
    key : str
        The table key, `record_key` of the caller and the idempotency key.
    order_id : str
        The order created with it.
    request_hash : str
        The request hash of that order (decides replay or conflict).
    created_at : str
        When the record was written.
    ttl : int
        Epoch seconds after which the record no longer counts (and DynamoDB deletes it).
    """

    key: str
    order_id: str
    request_hash: str
    created_at: str
    ttl: int

    @classmethod
    def create(
        cls, key: str, order_id: str, request_hash: str, now: datetime, window_hours: int
    ) -> IdempotencyRecord:
        """Return the record for a new order, expiring ``window_hours`` after ``now``."""
        return cls(
            key=key,
            order_id=order_id,
            request_hash=request_hash,
            created_at=format_timestamp(now),
            ttl=int((now + timedelta(hours=window_hours)).timestamp()),
        )

    def to_item(self) -> dict[str, Any]:
        """Return the DynamoDB item (no ``customerId``: records stay out of the index)."""
        return {
            "orderId": self.key,
            "recordType": "idempotency",
            "idempotentOrderId": self.order_id,
            "requestHash": self.request_hash,
            "createdAt": self.created_at,
            "ttl": self.ttl,
        }

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> IdempotencyRecord:
        """Build the record from its deserialized item."""
        return cls(
            key=str(item["orderId"]),
            order_id=str(item["idempotentOrderId"]),
            request_hash=str(item["requestHash"]),
            created_at=str(item["createdAt"]),
            ttl=int(item["ttl"]),
        )
