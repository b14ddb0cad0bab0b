"""Idempotent order creation with the Idempotency-Key header, including concurrent duplicates."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from handler_harness import ApiResponse, AwsAccount
from moto.dynamodb.models import DynamoDBBackend
from orders.request_parameters import IDEMPOTENCY_NAMESPACE

PostOrder = Callable[..., ApiResponse]
BODY: dict[str, Any] = {
    "customerId": "cust-7",
    "currency": "EUR",
    "items": [{"sku": "BOOK-1", "name": "Book", "quantity": 1, "unitPrice": 30}],
    "shippingAddress": {"fullName": "A B", "line1": "1 Road", "city": "Town", "country": "FR"},
}


def item_count(aws: AwsAccount) -> int:
    return int(aws.dynamodb.scan(TableName=aws.table_name)["Count"])


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
    assert first.body["orderId"] == str(uuid.uuid5(IDEMPOTENCY_NAMESPACE, "order-attempt-1"))
    assert item_count(aws) == 1


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
    """Make moto's conditional writes atomic, as DynamoDB's single-item writes are.

    moto evaluates a put's condition and stores the item in two steps without a lock, so two
    threads can both pass ``attribute_not_exists``; real DynamoDB never lets that happen. The
    race tests check this handler's logic on top of the guarantee DynamoDB gives.
    """
    lock = threading.Lock()
    for name in ("put_item", "update_item"):
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
