"""DynamoDB Time to Live for the moto-backed DynamoDB: a background sweep that deletes expired
items the way DynamoDB's own TTL process does.

moto stores a table's TTL setting but never deletes anything. DynamoDB, per its documentation
(API reference, ``UpdateTimeToLive``; developer guide, "Time to Live" and "DynamoDB Streams and
Time to Live"):

- an item is expired when its TTL attribute is a Number (epoch seconds) less than the current
  time; items without the attribute, or with a non-Number value, are never deleted;
- expired items are deleted by a background process, on a best-effort basis, typically within
  two days: until then reads still return them;
- each deletion is a ``REMOVE`` record on the table's stream (with the old image, as the view
  type says) whose ``userIdentity`` is ``{"Type": "Service", "PrincipalId":
  "dynamodb.amazonaws.com"}`` in the Streams API (``Identity`` shape), and ``{"type":
  "Service", "principalId": "dynamodb.amazonaws.com"}`` in the event Lambda hands the function
  (Lambda developer guide, "Using AWS Lambda with Amazon DynamoDB", filtering TTL records); a
  ``DeleteItem`` call's record has no ``userIdentity``.

LocalStack's DynamoDB event source mapping builds the Lambda event from ``eventID``,
``eventName`` and ``dynamodb`` only; :func:`forward_user_identity` makes it pass
``userIdentity`` on in Lambda's shape, as AWS does.

This sweep does exactly that every ``ORDER_KIT_TTL_SWEEP_SECONDS`` seconds (the local cloud sets
it; unset or 0: no sweep). Deleting seconds rather than days after expiry is inside the window
DynamoDB documents, so the application sees a behaviour AWS may show it too; the other end of
the window (expired but not yet deleted) is what the application's own tests cover.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

#: Seconds between two sweeps (the local cloud's environment); unset or 0 disables the sweep.
SWEEP_INTERVAL_VARIABLE = "ORDER_KIT_TTL_SWEEP_SECONDS"
#: ``userIdentity`` of the stream records of TTL deletions, as the Streams API returns it.
TTL_USER_IDENTITY = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}

LOG = logging.getLogger(__name__)
_started = threading.Event()


def _is_expired(item: Any, attribute: str, now: float) -> bool:
    value = item.attrs.get(attribute)
    if value is None or value.type != "N":
        return False
    try:
        return float(value.value) < now
    except ValueError:
        return False


def _items(table: Any) -> list[tuple[Any, Any, Any]]:
    """(hash key, range key or None, item) of every item of a moto table."""
    if table.range_key_attr is None:
        return [(hash_key, None, item) for hash_key, item in table.items.items()]
    return [
        (hash_key, range_key, item)
        for hash_key, by_range in table.items.items()
        for range_key, item in by_range.items()
    ]


def _remove_as_ttl(table: Any, hash_key: Any, range_key: Any) -> None:
    """Delete one item and record the stream's REMOVE as DynamoDB's TTL writes it."""
    from moto.dynamodb.models.table import StreamRecord

    items = table.items if range_key is None else table.items[hash_key]
    item = items.pop(hash_key if range_key is None else range_key)
    shard = table.stream_shard
    if shard is None:
        return
    view_type = table.stream_specification["StreamViewType"]
    sequence = len(shard.items) + shard.starting_sequence_number
    record = StreamRecord(table, view_type, "REMOVE", item, None, sequence)
    record.record["userIdentity"] = dict(TTL_USER_IDENTITY)
    # (moto's own Lambda event source mappings are not LocalStack's: LocalStack's Lambda
    # polls the stream through the DynamoDB Streams API, which serves these records.)
    shard.items.append(record)


def sweep(backends: Any, lock: Any, now: float | None = None) -> int:
    """Delete every expired item of every table whose TTL is enabled; return how many.

    Parameters
    ----------
    backends
        moto's ``dynamodb_backends`` (account -> region -> backend).
    lock
        The lock that serializes moto's table operations (``dynamodb_moto``).
    now
        Epoch seconds; the current time by default.
    """
    moment = time.time() if now is None else now
    removed = 0
    for account in list(backends.values()):
        for backend in list(account.values()):
            for table in list(backend.tables.values()):
                ttl = getattr(table, "ttl", None) or {}
                attribute = ttl.get("AttributeName")
                if ttl.get("TimeToLiveStatus") != "ENABLED" or not attribute:
                    continue
                with lock:
                    for hash_key, range_key, item in _items(table):
                        if _is_expired(item, attribute, moment):
                            _remove_as_ttl(table, hash_key, range_key)
                            removed += 1
    return removed


def start_sweeping(lock: Any) -> None:
    """Start the background sweep once per process, if ``ORDER_KIT_TTL_SWEEP_SECONDS`` > 0."""
    text = os.environ.get(SWEEP_INTERVAL_VARIABLE, "").strip()
    interval = float(text) if text else 0.0
    if interval <= 0 or _started.is_set():
        return
    _started.set()
    from moto.dynamodb.models import dynamodb_backends

    def run() -> None:
        while True:
            time.sleep(interval)
            try:
                sweep(dynamodb_backends, lock)
            except Exception:  # a sweep must never take the emulator down
                LOG.exception("DynamoDB TTL sweep failed")

    threading.Thread(target=run, name="order-kit-ttl-sweep", daemon=True).start()


def lambda_user_identity(identity: dict[str, Any]) -> dict[str, Any]:
    """A Streams API ``userIdentity`` in the shape of Lambda's DynamoDB event.

    Examples
    --------
    >>> lambda_user_identity(TTL_USER_IDENTITY)
    {'type': 'Service', 'principalId': 'dynamodb.amazonaws.com'}
    """
    return {"type": identity.get("Type"), "principalId": identity.get("PrincipalId")}


def forward_user_identity() -> None:
    """Make LocalStack's DynamoDB stream poller put each record's ``userIdentity`` into the
    Lambda event, as AWS Lambda does (once per process)."""
    from localstack.services.lambda_.event_source_mapping.pollers.dynamodb_poller import (
        DynamoDBPoller,
    )

    original = DynamoDBPoller.transform_into_events
    if getattr(original, "_order_kit_identity", False):
        return

    def transform_into_events(self: Any, records: list[dict], shard_id: Any) -> list[dict]:
        events = original(self, records, shard_id)
        # One event per record, in order (the poller's own contract).
        for record, event in zip(records, events, strict=True):
            if record.get("userIdentity"):
                event["userIdentity"] = lambda_user_identity(record["userIdentity"])
        return events

    transform_into_events._order_kit_identity = True  # type: ignore[attr-defined]
    DynamoDBPoller.transform_into_events = transform_into_events  # type: ignore[method-assign]
