"""Expired orders: archived to S3 from the stream's TTL deletions, never served by the API.

The TTL REMOVE records are shaped as the AWS DynamoDB developer guide, "DynamoDB Streams and
Time to Live", shows them: ``eventName`` REMOVE with ``userIdentity`` ``{"type": "Service",
"principalId": "dynamodb.amazonaws.com"}``; a DeleteItem call's REMOVE has no ``userIdentity``.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from handler_harness import (
    CALLER_ARN,
    REGION,
    ApiResponse,
    AwsAccount,
    FakeLambdaContext,
    api_event,
    call_api,
    stream_records,
)
from orders import processor
from orders.archive import (
    TTL_USER_IDENTITY,
    archive_document,
    archive_key,
    archived_order_bytes,
    is_ttl_removal,
)
from orders.dynamodb_codec import deserialize_item
from orders.models import Order
from orders.processor import BatchFailedError

BUCKET = "orders-archive-test"


@pytest.fixture
def s3(aws: AwsAccount, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The archive bucket, versioned like the construct's, named in ``ARCHIVE_BUCKET``."""
    client = boto3.client("s3", region_name=REGION)
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    client.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    monkeypatch.setenv("ARCHIVE_BUCKET", BUCKET)
    processor.build_archive.cache_clear()
    yield client
    processor.build_archive.cache_clear()


def order_body(customer: str = "cust-archive") -> str:
    return json.dumps(
        {
            "customerId": customer,
            "currency": "EUR",
            "items": [{"sku": "S-1", "name": "Scarf", "quantity": 2, "unitPrice": 10.25}],
            "shippingAddress": {"fullName": "N", "line1": "L", "city": "C", "country": "DE"},
        }
    )


def create_order(post_order: Callable[..., ApiResponse], customer: str = "cust-archive") -> str:
    response = post_order(order_body(customer))
    assert response.status == 201, response.body
    return str(response.body["orderId"])


def expire(aws: AwsAccount, order_id: str, seconds_ago: int = 60) -> None:
    """Set the order's ``ttl`` in the past (as if its retention had run out)."""
    aws.dynamodb.update_item(
        TableName=aws.table_name,
        Key={"orderId": {"S": order_id}},
        UpdateExpression="SET #ttl = :ttl",
        ExpressionAttributeNames={"#ttl": "ttl"},
        ExpressionAttributeValues={":ttl": {"N": str(int(time.time()) - seconds_ago)}},
    )


def delete_record(aws: AwsAccount, order_id: str, *, by_ttl: bool) -> dict[str, Any]:
    """Delete the order; return the stream's REMOVE record, as TTL or DeleteItem writes it."""
    aws.dynamodb.delete_item(TableName=aws.table_name, Key={"orderId": {"S": order_id}})
    (record,) = [
        r
        for r in stream_records(aws)
        if r["eventName"] == "REMOVE" and r["dynamodb"]["Keys"]["orderId"]["S"] == order_id
    ]
    assert "OldImage" in record["dynamodb"]  # NEW_AND_OLD_IMAGES, as the construct sets it
    record.pop("userIdentity", None)
    if by_ttl:
        record["userIdentity"] = dict(TTL_USER_IDENTITY)
    return record


def process(records: list[dict[str, Any]]) -> dict[str, Any]:
    return processor.lambda_handler({"Records": records}, FakeLambdaContext("orders-processor"))


def archived(s3: Any) -> dict[str, list[dict[str, Any]]]:
    """Key -> versions of every archived object."""
    versions = s3.list_object_versions(Bucket=BUCKET).get("Versions", [])
    found: dict[str, list[dict[str, Any]]] = {}
    for version in versions:
        found.setdefault(version["Key"], []).append(version)
    return found


def get_order(order_id: str) -> ApiResponse:
    return call_api(api_event("GET", "/orders/{orderId}", path_parameters={"orderId": order_id}))


def list_orders(customer: str) -> ApiResponse:
    return call_api(
        api_event("GET", "/customers/{customerId}/orders", path_parameters={"customerId": customer})
    )


# --- which records are TTL deletions ---------------------------------------------------------
@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"eventName": "REMOVE", "userIdentity": dict(TTL_USER_IDENTITY)}, True),
        ({"eventName": "REMOVE"}, False),
        ({"eventName": "REMOVE", "userIdentity": None}, False),
        ({"eventName": "REMOVE", "userIdentity": {"type": "Service"}}, False),
        (
            {
                "eventName": "REMOVE",
                "userIdentity": {"type": "Service", "principalId": "lambda.amazonaws.com"},
            },
            False,
        ),
        (
            {
                "eventName": "REMOVE",
                "userIdentity": {"type": "User", "principalId": "dynamodb.amazonaws.com"},
            },
            False,
        ),
        ({"eventName": "MODIFY", "userIdentity": dict(TTL_USER_IDENTITY)}, False),
    ],
)
def test_only_dynamodb_service_removals_are_ttl_deletions(
    record: dict[str, Any], expected: bool
) -> None:
    assert is_ttl_removal(record) is expected


# --- archiving ----------------------------------------------------------------------------------
def test_a_ttl_deletion_archives_the_order_under_its_creation_day(
    aws: AwsAccount, s3: Any, post_order: Callable[..., ApiResponse]
) -> None:
    order_id = create_order(post_order)
    stored = aws.dynamodb.get_item(TableName=aws.table_name, Key={"orderId": {"S": order_id}})
    order = Order.from_item(deserialize_item(stored["Item"]))

    assert process([delete_record(aws, order_id, by_ttl=True)]) == {"batchItemFailures": []}

    day = order.created_at[:10].replace("-", "/")
    key = f"orders/{day}/{order_id}.json"
    assert list(archived(s3)) == [key] == [archive_key(order)]
    body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    document = json.loads(body)
    assert document["orderId"] == order_id
    assert document["total"] == "20.50"  # decimal text, exact
    assert document["createdBy"] == CALLER_ARN  # the operators' audit trail is kept
    assert document["ttl"] == order.ttl and document["requestHash"] == order.request_hash
    assert body == archive_document(order) and len(body) == archived_order_bytes(order)


def test_a_replayed_ttl_record_writes_no_second_version(
    aws: AwsAccount, s3: Any, post_order: Callable[..., ApiResponse]
) -> None:
    order_id = create_order(post_order)
    record = delete_record(aws, order_id, by_ttl=True)

    process([record])
    # The batch is retried (or the record comes again after a failed one).
    assert process([copy.deepcopy(record)]) == {"batchItemFailures": []}

    ((key, versions),) = archived(s3).items()
    assert key.endswith(f"/{order_id}.json") and len(versions) == 1


def test_a_manual_delete_is_not_archived(
    aws: AwsAccount, s3: Any, post_order: Callable[..., ApiResponse]
) -> None:
    order_id = create_order(post_order)

    assert process([delete_record(aws, order_id, by_ttl=False)]) == {"batchItemFailures": []}

    assert archived(s3) == {}


def test_expired_idempotency_records_are_not_archived(
    aws: AwsAccount, s3: Any, post_order: Callable[..., ApiResponse]
) -> None:
    response = post_order(order_body(), {"Idempotency-Key": "archive-key-0001"})
    assert response.status == 201
    (record_key,) = [
        r["dynamodb"]["Keys"]["orderId"]["S"]
        for r in stream_records(aws)
        if r["eventName"] == "INSERT"
        and r["dynamodb"]["Keys"]["orderId"]["S"].startswith("idempotency#")
    ]

    assert process([delete_record(aws, record_key, by_ttl=True)]) == {"batchItemFailures": []}

    assert archived(s3) == {}


def test_without_an_archive_bucket_ttl_deletions_are_ignored(
    aws: AwsAccount, post_order: Callable[..., ApiResponse], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARCHIVE_BUCKET", raising=False)
    processor.build_archive.cache_clear()
    order_id = create_order(post_order)

    assert process([delete_record(aws, order_id, by_ttl=True)]) == {"batchItemFailures": []}


def test_an_unreadable_expired_order_is_a_batch_item_failure(
    aws: AwsAccount, s3: Any, post_order: Callable[..., ApiResponse]
) -> None:
    good, bad = create_order(post_order), create_order(post_order)
    good_record = delete_record(aws, good, by_ttl=True)
    bad_record = delete_record(aws, bad, by_ttl=True)
    bad_record["dynamodb"]["OldImage"]["createdAt"] = {"S": "not a time"}

    response = process([bad_record, good_record])

    assert response == {
        "batchItemFailures": [{"itemIdentifier": bad_record["dynamodb"]["SequenceNumber"]}]
    }
    assert [key.rsplit("/", 1)[-1] for key in archived(s3)] == [f"{good}.json"]


def test_an_s3_failure_is_a_batch_item_failure_and_the_retry_archives(
    aws: AwsAccount, s3: Any, post_order: Callable[..., ApiResponse]
) -> None:
    first, second = create_order(post_order), create_order(post_order)
    records = [delete_record(aws, first, by_ttl=True), delete_record(aws, second, by_ttl=True)]
    s3.delete_bucket(Bucket=BUCKET)

    with pytest.raises(BatchFailedError):  # every record failed: the batch is retried whole
        process(records)

    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    assert process(records) == {"batchItemFailures": []}
    assert len(archived(s3)) == 2


# --- the API never serves an expired order --------------------------------------------------
def test_get_answers_404_for_an_order_past_its_ttl_not_yet_deleted(
    aws: AwsAccount, post_order: Callable[..., ApiResponse]
) -> None:
    order_id = create_order(post_order)
    assert get_order(order_id).status == 200

    expire(aws, order_id)

    response = get_order(order_id)
    assert response.status == 404, response.body
    # still in the table: DynamoDB deletes expired items within days, not on the second
    assert "Item" in aws.dynamodb.get_item(
        TableName=aws.table_name, Key={"orderId": {"S": order_id}}
    )


def test_get_still_serves_an_order_whose_ttl_is_ahead(
    aws: AwsAccount, post_order: Callable[..., ApiResponse]
) -> None:
    order_id = create_order(post_order)
    expire(aws, order_id, seconds_ago=-120)  # expires in two minutes

    assert get_order(order_id).status == 200


def test_list_leaves_out_expired_orders(
    aws: AwsAccount, post_order: Callable[..., ApiResponse]
) -> None:
    kept, expired = create_order(post_order, "cust-list"), create_order(post_order, "cust-list")
    expire(aws, expired)

    response = list_orders("cust-list")

    assert response.status == 200, response.body
    assert [order["orderId"] for order in response.body["orders"]] == [kept]
