"""Idempotent order creation with the Idempotency-Key header: scoped to the caller, remembered
for a window, exactly one order under concurrency, and pre-upgrade (key-derived) orders still
replayed."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import pytest
from handler_harness import JSON_HEADERS, ApiResponse, AwsAccount, api_event, call_api
from moto.dynamodb.models import DynamoDBBackend
from orders.dynamodb_codec import serialize_item
from orders.idempotency import (
    LEGACY_IDEMPOTENCY_NAMESPACE,
    IdempotencyRecord,
    record_key,
    replayed_order,
)
from orders.models import Order
from orders.validation import OrderValidator

PostOrder = Callable[..., ApiResponse]
BODY: dict[str, Any] = {
    "customerId": "cust-7",
    "currency": "EUR",
    "items": [{"sku": "BOOK-1", "name": "Book", "quantity": 1, "unitPrice": 30}],
    "shippingAddress": {"fullName": "A B", "line1": "1 Road", "city": "Town", "country": "FR"},
}


def items(aws: AwsAccount) -> list[dict[str, Any]]:
    return list(aws.dynamodb.scan(TableName=aws.table_name, ConsistentRead=True)["Items"])


def item_count(aws: AwsAccount) -> int:
    """The number of orders (idempotency records are counted by `record_count`)."""
    return sum("recordType" not in item for item in items(aws))


def record_count(aws: AwsAccount) -> int:
    return sum(item.get("recordType") == {"S": "idempotency"} for item in items(aws))


def post_as(caller_arn: str, body: dict[str, Any], key: str) -> ApiResponse:
    headers = {**JSON_HEADERS, "Idempotency-Key": key}
    return call_api(
        api_event("POST", "/orders", headers=headers, body=json.dumps(body), user_arn=caller_arn)
    )


OTHER_CALLER = "arn:aws:sts::123456789012:assumed-role/returns-service/session-9"


def test_same_key_and_body_returns_the_original_order_without_a_second_item(
    aws: AwsAccount, post_order: PostOrder
) -> None:
    first = post_order(json.dumps(BODY), {"Idempotency-Key": "order-attempt-1"})
    again = post_order(json.dumps(BODY), {"Idempotency-Key": "order-attempt-1"})

    assert first.status == 201 and again.status == 201
    assert "Idempotent-Replay" not in first.headers
    assert again.headers["Idempotent-Replay"] == "true"
    assert again.body == first.body
    assert again.headers["Location"] == first.headers["Location"]
    # A random id: nobody can compute it from the key.
    assert uuid.UUID(first.body["orderId"]).version == 4
    assert first.body["orderId"] != str(uuid.uuid5(LEGACY_IDEMPOTENCY_NAMESPACE, "order-attempt-1"))
    assert item_count(aws) == 1
    assert record_count(aws) == 1


def test_the_same_order_written_differently_is_a_replay(
    aws: AwsAccount, post_order: PostOrder
) -> None:
    first = post_order(json.dumps(BODY), {"Idempotency-Key": "k-2"})
    # Same order: other key order, price as 30.00, the (correct) total added, other whitespace.
    same = dict(reversed(list(BODY.items())))
    same["items"] = [{**BODY["items"][0], "unitPrice": Decimal("30.00")}]
    same["total"] = 30
    text = json.dumps(same, indent=2, default=str).replace('"30.00"', "30.00")
    again = post_order(text, {"idempotency-key": "k-2"})
    assert again.status == 201
    assert again.headers["Idempotent-Replay"] == "true"
    assert again.body["orderId"] == first.body["orderId"]


def test_same_key_with_a_different_body_is_409_and_changes_nothing(
    aws: AwsAccount, post_order: PostOrder
) -> None:
    first = post_order(json.dumps(BODY), {"Idempotency-Key": "k-3"})
    other = {**BODY, "items": [{**BODY["items"][0], "quantity": 2}]}
    conflict = post_order(json.dumps(other), {"Idempotency-Key": "k-3"})

    assert conflict.status == 409
    assert conflict.body["code"] == "IDEMPOTENCY_CONFLICT"
    assert conflict.body["errors"][0]["field"] == "header:Idempotency-Key"
    assert item_count(aws) == 1
    stored = aws.dynamodb.get_item(
        TableName=aws.table_name, Key={"orderId": {"S": first.body["orderId"]}}
    )["Item"]
    assert stored["items"]["L"][0]["M"]["quantity"] == {"N": "1"}


def test_without_a_key_every_post_creates_an_order(aws: AwsAccount, post_order: PostOrder) -> None:
    ids = {post_order(json.dumps(BODY)).body["orderId"] for _ in range(3)}
    assert len(ids) == 3
    assert item_count(aws) == 3


@pytest.mark.parametrize("key", ["", "has space", "k" * 129, "ключ", "tab\tkey"])
def test_malformed_idempotency_key_is_400(aws: AwsAccount, post_order: PostOrder, key: str) -> None:
    response = post_order(json.dumps(BODY), {"Idempotency-Key": key})
    assert response.status == 400
    assert response.body["errors"][0]["field"] == "header:Idempotency-Key"
    assert item_count(aws) == 0


def race(post: Callable[[int], ApiResponse], threads: int) -> list[ApiResponse]:
    """Run ``post(i)`` in ``threads`` threads released at the same moment."""
    barrier = threading.Barrier(threads)
    results: list[ApiResponse | None] = [None] * threads
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = post(index)
        except BaseException as error:
            errors.append(error)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if errors:
        raise errors[0]
    return [r for r in results if r is not None]


@pytest.fixture
def atomic_conditional_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make moto's conditional writes atomic, as DynamoDB's single-item writes are, and its
    reads safe beside them.

    moto evaluates a put's condition and stores the item in two steps without a lock, so two
    threads can both pass ``attribute_not_exists``; real DynamoDB never lets that happen (single
    writes are atomic, transactions serializable: "Amazon DynamoDB Transactions: How it works",
    isolation levels). The race tests check this handler's logic on top of that guarantee.
    """
    lock = threading.RLock()
    # Every operation of the backend, reads too: moto's reads walk the items a concurrent put
    # is changing, and an exception there is answered as a 500 the handler retries into a 503.
    operations = [
        name
        for name, value in vars(DynamoDBBackend).items()
        if callable(value) and not name.startswith("_")
    ]
    for name in operations:
        original = getattr(DynamoDBBackend, name)

        def atomic(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with lock:
                return _original(*args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, atomic)


@pytest.mark.usefixtures("atomic_conditional_writes")
def test_threads_racing_the_same_key_create_exactly_one_order(
    aws: AwsAccount, post_order: PostOrder
) -> None:
    responses = race(lambda _: post_order(json.dumps(BODY), {"Idempotency-Key": "race"}), 8)

    assert [r.status for r in responses] == [201] * 8
    assert len({r.body["orderId"] for r in responses}) == 1
    assert sum("Idempotent-Replay" not in r.headers for r in responses) == 1
    assert item_count(aws) == 1


@pytest.mark.usefixtures("atomic_conditional_writes")
def test_threads_racing_the_same_key_with_different_bodies_get_one_201_and_409s(
    aws: AwsAccount, post_order: PostOrder
) -> None:
    def post(index: int) -> ApiResponse:
        body = {**BODY, "items": [{**BODY["items"][0], "quantity": index + 1}]}
        return post_order(json.dumps(body), {"Idempotency-Key": "race-2"})

    responses = race(post, 6)
    assert sorted(r.status for r in responses) == [201] + [409] * 5
    assert item_count(aws) == 1


def test_a_bad_key_and_a_bad_body_are_reported_together(
    aws: AwsAccount, post_order: PostOrder
) -> None:
    response = post_order(json.dumps({**BODY, "currency": "XXX"}), {"Idempotency-Key": "a b"})
    assert response.status == 400
    assert [e["field"] for e in response.body["errors"]] == ["header:Idempotency-Key", "currency"]


@pytest.mark.usefixtures("atomic_conditional_writes")
def test_two_callers_racing_with_the_same_key_each_get_their_own_order(aws: AwsAccount) -> None:
    callers = [OTHER_CALLER if i % 2 else "arn:aws:iam::123456789012:role/shop" for i in range(8)]
    responses = race(lambda i: post_as(callers[i], BODY, "shared-key"), 8)

    assert [r.status for r in responses] == [201] * 8
    assert len({r.body["orderId"] for r in responses}) == 2
    assert item_count(aws) == 2 and record_count(aws) == 2


def test_the_same_key_from_two_callers_makes_two_independent_orders(aws: AwsAccount) -> None:
    mine = post_as("arn:aws:iam::123456789012:role/shop", BODY, "checkout-1")
    theirs = post_as(OTHER_CALLER, {**BODY, "currency": "USD"}, "checkout-1")

    assert mine.status == 201 and theirs.status == 201  # no 409, no replay of the other's
    assert "Idempotent-Replay" not in theirs.headers
    assert mine.body["orderId"] != theirs.body["orderId"]
    assert theirs.body["currency"] == "USD"
    assert item_count(aws) == 2
    again = post_as(OTHER_CALLER, {**BODY, "currency": "USD"}, "checkout-1")
    assert again.headers["Idempotent-Replay"] == "true"
    assert again.body["orderId"] == theirs.body["orderId"]


def stored_record(aws: AwsAccount, caller: str, key: str) -> dict[str, Any]:
    item = aws.dynamodb.get_item(
        TableName=aws.table_name, Key={"orderId": {"S": record_key(caller, key)}}
    )["Item"]
    return dict(item)


def test_the_record_expires_after_the_window_and_the_order_stays(
    aws: AwsAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orders import api

    monkeypatch.setenv("IDEMPOTENCY_WINDOW_HOURS", "2")
    api.build_api.cache_clear()
    caller = OTHER_CALLER
    first = post_as(caller, BODY, "window-key")
    record = stored_record(aws, caller, "window-key")
    order = aws.dynamodb.get_item(
        TableName=aws.table_name, Key={"orderId": {"S": first.body["orderId"]}}
    )["Item"]
    created = int(time.time())
    assert abs(int(record["ttl"]["N"]) - (created + 2 * 3600)) < 60
    assert int(order["ttl"]["N"]) - int(record["ttl"]["N"]) > 80 * 24 * 3600  # order stays

    # Past the window (DynamoDB deletes expired items lazily, so the record may still be there).
    aws.dynamodb.update_item(
        TableName=aws.table_name,
        Key={"orderId": {"S": record_key(caller, "window-key")}},
        UpdateExpression="SET #ttl = :past",
        ExpressionAttributeNames={"#ttl": "ttl"},
        ExpressionAttributeValues={":past": {"N": str(created - 1)}},
    )
    later = post_as(caller, BODY, "window-key")
    assert later.status == 201 and "Idempotent-Replay" not in later.headers
    assert later.body["orderId"] != first.body["orderId"]
    assert item_count(aws) == 2 and record_count(aws) == 1
    assert stored_record(aws, caller, "window-key")["idempotentOrderId"] == {
        "S": later.body["orderId"]
    }


def put_legacy_order(aws: AwsAccount, body: dict[str, Any], key: str) -> str:
    """Store an order the way the kit did before idempotency records: id uuid5(namespace, key),
    no ``createdBy``, no record."""
    request = OrderValidator().validate(json.loads(json.dumps(body), parse_float=Decimal))
    order_id = str(uuid.uuid5(LEGACY_IDEMPOTENCY_NAMESPACE, key))
    order = Order.create(request, order_id, datetime.now(timezone.utc), 90)
    aws.dynamodb.put_item(TableName=aws.table_name, Item=serialize_item(order.to_item()))
    return order_id


def test_a_replay_of_a_pre_upgrade_order_returns_it_without_a_new_order(aws: AwsAccount) -> None:
    legacy_id = put_legacy_order(aws, BODY, "old-key")

    replay = post_as(OTHER_CALLER, BODY, "old-key")

    assert replay.status == 201
    assert replay.headers["Idempotent-Replay"] == "true"
    assert replay.body["orderId"] == legacy_id
    assert item_count(aws) == 1 and record_count(aws) == 0


def test_a_pre_upgrade_key_with_another_body_from_an_iam_caller_makes_a_new_order(
    aws: AwsAccount,
) -> None:
    legacy_id = put_legacy_order(aws, BODY, "old-key-2")
    other = post_as(OTHER_CALLER, {**BODY, "currency": "USD"}, "old-key-2")

    # The old scheme did not record who used the key, so it cannot bind this caller.
    assert other.status == 201 and "Idempotent-Replay" not in other.headers
    assert other.body["orderId"] != legacy_id
    assert (
        post_as(OTHER_CALLER, {**BODY, "currency": "USD"}, "old-key-2").body["orderId"]
        == (other.body["orderId"])
    )


def test_a_claimed_key_whose_order_was_never_written_gets_that_order_on_retry(
    aws: AwsAccount,
) -> None:
    # The first request claimed the key, then failed before writing its order.
    request = OrderValidator().validate(json.loads(json.dumps(BODY), parse_float=Decimal))
    claimed_id = str(uuid.uuid4())
    record = {
        "orderId": {"S": record_key(OTHER_CALLER, "half-done")},
        "recordType": {"S": "idempotency"},
        "idempotentOrderId": {"S": claimed_id},
        "requestHash": {"S": request.request_hash()},
        "createdAt": {"S": "2026-01-01T00:00:00.000Z"},
        "ttl": {"N": str(int(time.time()) + 3600)},
    }
    aws.dynamodb.put_item(TableName=aws.table_name, Item=record)

    retry = post_as(OTHER_CALLER, BODY, "half-done")
    again = post_as(OTHER_CALLER, BODY, "half-done")

    assert retry.status == 201 and retry.body["orderId"] == claimed_id
    assert "Idempotent-Replay" not in retry.headers
    assert again.headers["Idempotent-Replay"] == "true" and again.body["orderId"] == claimed_id
    assert item_count(aws) == 1


def test_a_concurrent_request_that_writes_the_claimed_order_first_makes_this_one_a_replay(
    aws: AwsAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The interleaving the racing tests hit now and then, made deterministic: request A claims
    # the key; request B (same caller, key and body) finds A's record before A's order exists
    # and writes the order under the claimed id; then A's own order put finds the id taken.
    # A must answer with that order as a replay (not a 503), and there is still one order.
    from orders.repository import OrderRepository

    original_create = OrderRepository.create
    interleaved: list[str] = []

    def create(self: OrderRepository, order: Order) -> Any:
        if not interleaved:
            interleaved.append(order.order_id)
            # B's write: B's own order (its own clock) under A's claimed id
            original_create(self, replace(order, created_at="2026-01-01T00:00:00.000Z"))
        return original_create(self, order)

    monkeypatch.setattr(OrderRepository, "create", create)

    response = post_as(OTHER_CALLER, BODY, "interleaved-key")

    assert response.status == 201, response.body
    assert response.headers.get("Idempotent-Replay") == "true"
    assert [response.body["orderId"]] == interleaved
    assert item_count(aws) == 1 and record_count(aws) == 1


def test_a_concurrent_write_in_the_same_millisecond_is_not_taken_for_this_requests_own(
    aws: AwsAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As above, with B's clock in the same millisecond as A's: B's order equals A's in id,
    # author, request and time. A's put was not retried, so what it finds is B's write: A is
    # a replay (the racing test failed now and then when A took it for its own first attempt).
    from orders.repository import OrderRepository

    original_create = OrderRepository.create
    interleaved: list[str] = []

    def create(self: OrderRepository, order: Order) -> Any:
        if not interleaved:
            interleaved.append(order.order_id)
            original_create(self, order)  # B's write, identical to A's
        return original_create(self, order)

    monkeypatch.setattr(OrderRepository, "create", create)

    response = post_as(OTHER_CALLER, BODY, "same-millisecond")

    assert response.status == 201, response.body
    assert response.headers.get("Idempotent-Replay") == "true"
    assert item_count(aws) == 1 and record_count(aws) == 1


def stored_order(order_id: str, request_hash: str) -> Order:
    request = OrderValidator().validate(json.loads(json.dumps(BODY), parse_float=Decimal))
    order = Order.create(request, order_id, datetime.now(timezone.utc), 90)
    return replace(order, request_hash=request_hash)


class OrderReads:
    """``get_order`` over a dict of stored orders, remembering which ids it read."""

    def __init__(self, *orders: Order) -> None:
        self.orders = {order.order_id: order for order in orders}
        self.read: list[str] = []

    def get(self, order_id: str) -> Order | None:
        self.read.append(order_id)
        return self.orders.get(order_id)


def live_record(order_id: str, request_hash: str) -> IdempotencyRecord:
    return IdempotencyRecord.create(
        record_key(OTHER_CALLER, "k"), order_id, request_hash, datetime.now(timezone.utc), 24
    )


def test_a_record_of_the_same_request_replays_the_order_it_names() -> None:
    claimed = stored_order("claimed", "h1")
    reads = OrderReads(claimed, stored_order("other", "h1"))
    assert replayed_order("h1", live_record("claimed", "h1"), None, reads.get) is claimed
    assert reads.read == ["claimed"]


def test_a_record_whose_order_is_not_written_yet_replays_nothing() -> None:
    assert replayed_order("h1", live_record("claimed", "h1"), None, OrderReads().get) is None


def test_a_record_of_another_request_replays_nothing_and_reads_nothing() -> None:
    reads = OrderReads(stored_order("claimed", "h2"))
    assert replayed_order("h1", live_record("claimed", "h2"), None, reads.get) is None
    assert reads.read == []


def test_a_record_decides_before_a_legacy_order() -> None:
    legacy = stored_order("legacy", "h1")
    reads = OrderReads(stored_order("claimed", "h2"))
    assert replayed_order("h1", live_record("claimed", "h2"), legacy, reads.get) is None


def test_without_a_record_a_legacy_order_of_the_same_request_is_replayed() -> None:
    legacy = stored_order("legacy", "h1")
    reads = OrderReads()
    assert replayed_order("h1", None, legacy, reads.get) is legacy
    assert replayed_order("h2", None, legacy, reads.get) is None
    assert replayed_order("h1", None, None, reads.get) is None
    assert reads.read == []
