"""Expired orders end to end: DynamoDB TTL deletes the order, the stream processor archives it
to the S3 bucket, the API stops serving it at once.

The local cloud's DynamoDB is moto, which never expires items; the project's LocalStack plugin
sweeps expired items every 2 s the way DynamoDB's TTL process does (a REMOVE stream record by
``dynamodb.amazonaws.com``: localcloud/plugins/order_kit_localstack/ttl_sweep.py). The test
gives an order a ``ttl`` in the past, as if its retention had run out.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from tests.e2e.orders import new_customer_id, order_request, wait_for_status
from tests.e2e.signed_http import SignedApiClient

pytestmark = pytest.mark.e2e


def expire(dynamodb: Any, table: str, order_id: str) -> None:
    dynamodb.update_item(
        TableName=table,
        Key={"orderId": {"S": order_id}},
        UpdateExpression="SET #ttl = :ttl",
        ExpressionAttributeNames={"#ttl": "ttl"},
        ExpressionAttributeValues={":ttl": {"N": str(int(time.time()) - 60)}},
    )


def archive_key(order: dict[str, Any]) -> str:
    day = order["createdAt"][:10].replace("-", "/")
    return f"orders/{day}/{order['orderId']}.json"


def wait_for_object(s3: Any, bucket: str, key: str, seconds: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        try:
            return dict(s3.get_object(Bucket=bucket, Key=key))
        except s3.exceptions.NoSuchKey:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def test_an_expired_order_is_archived_and_no_longer_served(
    api: SignedApiClient, aws_client: Callable[[str], Any], output: Callable[[str], str]
) -> None:
    dynamodb, s3 = aws_client("dynamodb"), aws_client("s3")
    table, bucket = output("TableName"), output("ArchiveBucketName")
    customer = new_customer_id()
    manual = api.post("/orders", order_request(customer)).body
    order = wait_for_status(
        api, api.post("/orders", order_request(customer)).body["orderId"], "CONFIRMED", seconds=120
    )
    wait_for_status(api, manual["orderId"], "CONFIRMED", seconds=120)
    # A deliberate delete first: its REMOVE record precedes the TTL deletion on the stream.
    dynamodb.delete_item(TableName=table, Key={"orderId": {"S": manual["orderId"]}})

    expire(dynamodb, table, order["orderId"])

    # Gone for the API at once, whether or not the sweep has deleted it yet.
    assert api.get(f"/orders/{order['orderId']}").status == 404
    listed = api.get(f"/customers/{customer}/orders").body["orders"]
    assert order["orderId"] not in [o["orderId"] for o in listed]
    archived = wait_for_object(s3, bucket, archive_key(order))
    document = json.loads(archived["Body"].read())
    assert document["orderId"] == order["orderId"]
    assert document["status"] == "CONFIRMED"
    assert Decimal(document["total"]) == Decimal(str(order["total"]))
    # (LocalStack's CloudFormation ignores a bucket's BucketEncryption, lifecycle and logging
    # (localcloud/README.md); tests/unit/kit/test_archive.py checks them in the template.)
    assert "Item" not in dynamodb.get_item(
        TableName=table, Key={"orderId": {"S": order["orderId"]}}
    )
    # The manual delete was handled before the expiry (one shard, in order): not archived.
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=bucket, Key=archive_key(manual))
