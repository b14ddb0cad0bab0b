"""The ``dynamodb:moto`` / ``dynamodbstreams:moto`` providers, through boto3 against LocalStack.

Without these plugins LocalStack serves DynamoDB from DynamoDB Local, which it cannot download
here, and every call below fails.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def table(aws_client: Callable[[str], Any]) -> dict[str, Any]:
    kms = aws_client("kms")
    key_arn = kms.create_key(Description="table key")["KeyMetadata"]["Arn"]
    dynamodb = aws_client("dynamodb")
    name = f"orders-{uuid.uuid4().hex[:8]}"
    description = dynamodb.create_table(
        TableName=name,
        AttributeDefinitions=[
            {"AttributeName": "orderId", "AttributeType": "S"},
            {"AttributeName": "customerId", "AttributeType": "S"},
            {"AttributeName": "createdAt", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "orderId", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "byCustomer",
                "KeySchema": [
                    {"AttributeName": "customerId", "KeyType": "HASH"},
                    {"AttributeName": "createdAt", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key_arn},
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]
    return {"name": name, "key_arn": key_arn, "description": description}


def test_create_table_with_gsi_kms_and_stream(
    aws_client: Callable[[str], Any], table: dict[str, Any]
) -> None:
    described = aws_client("dynamodb").describe_table(TableName=table["name"])["Table"]

    assert described["TableStatus"] == "ACTIVE"
    assert [index["IndexName"] for index in described["GlobalSecondaryIndexes"]] == ["byCustomer"]
    assert described["SSEDescription"]["SSEType"] == "KMS"
    assert described["SSEDescription"]["KMSMasterKeyArn"] == table["key_arn"]
    assert described["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    assert described["LatestStreamArn"].startswith(described["TableArn"] + "/stream/")


def test_time_to_live(aws_client: Callable[[str], Any], table: dict[str, Any]) -> None:
    dynamodb = aws_client("dynamodb")
    dynamodb.update_time_to_live(
        TableName=table["name"],
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiresAt"},
    )

    ttl = dynamodb.describe_time_to_live(TableName=table["name"])["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiresAt"}


def test_put_item_and_query_the_gsi(
    aws_client: Callable[[str], Any], table: dict[str, Any]
) -> None:
    dynamodb = aws_client("dynamodb")
    customer = f"cust-{uuid.uuid4().hex[:6]}"
    for number in range(3):
        dynamodb.put_item(
            TableName=table["name"],
            Item={
                "orderId": {"S": f"{customer}-o{number}"},
                "customerId": {"S": customer},
                "createdAt": {"S": f"2026-11-25T10:0{number}:00Z"},
            },
        )

    page = dynamodb.query(
        TableName=table["name"],
        IndexName="byCustomer",
        KeyConditionExpression="customerId = :c",
        ExpressionAttributeValues={":c": {"S": customer}},
        ScanIndexForward=False,
        Limit=2,
    )

    assert [item["orderId"]["S"] for item in page["Items"]] == [f"{customer}-o2", f"{customer}-o1"]
    assert "LastEvaluatedKey" in page


def test_stream_records_carry_new_and_old_images(
    aws_client: Callable[[str], Any], table: dict[str, Any]
) -> None:
    dynamodb, streams = aws_client("dynamodb"), aws_client("dynamodbstreams")
    order_id = f"stream-{uuid.uuid4().hex[:6]}"
    key = {"orderId": {"S": order_id}}
    item = {**key, "customerId": {"S": "c"}, "createdAt": {"S": "t"}, "status": {"S": "PENDING"}}
    dynamodb.put_item(TableName=table["name"], Item=item)
    dynamodb.update_item(
        TableName=table["name"],
        Key=key,
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": "CONFIRMED"}},
    )

    stream_arn = table["description"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records: list[dict[str, Any]] = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(records) < 2:
        response = streams.get_records(ShardIterator=iterator)
        iterator = response["NextShardIterator"]
        records += [r for r in response["Records"] if r["dynamodb"]["Keys"] == key]

    assert [record["eventName"] for record in records] == ["INSERT", "MODIFY"]
    modify = records[1]["dynamodb"]
    assert modify["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert modify["OldImage"]["status"] == {"S": "PENDING"}
    assert modify["NewImage"]["status"] == {"S": "CONFIRMED"}


def _records_of(streams: Any, stream_arn: str, key: dict[str, Any]) -> list[dict[str, Any]]:
    shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records: list[dict[str, Any]] = []
    while iterator:
        response = streams.get_records(ShardIterator=iterator)
        records += [r for r in response["Records"] if r["dynamodb"]["Keys"] == key]
        if not response["Records"]:
            break
        iterator = response.get("NextShardIterator")
    return records


def test_ttl_deletes_expired_items_with_a_service_remove_record(
    aws_client: Callable[[str], Any], table: dict[str, Any]
) -> None:
    """What the "DynamoDB Streams and Time to Live" page of the DynamoDB developer guide says
    TTL does: expired items (a Number below now) are deleted, and the stream's REMOVE record
    carries userIdentity Type Service, PrincipalId dynamodb.amazonaws.com; other items stay."""
    dynamodb, streams = aws_client("dynamodb"), aws_client("dynamodbstreams")
    dynamodb.update_time_to_live(
        TableName=table["name"],
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiresAt"},
    )
    run = uuid.uuid4().hex[:6]
    now = int(time.time())
    items = {
        "expired": {"N": str(now - 60)},
        "future": {"N": str(now + 3600)},
        "not-a-number": {"S": str(now - 60)},
    }
    for name, expires_at in items.items():
        dynamodb.put_item(
            TableName=table["name"],
            Item={"orderId": {"S": f"ttl-{run}-{name}"}, "expiresAt": expires_at},
        )
    expired_key = {"orderId": {"S": f"ttl-{run}-expired"}}

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if "Item" not in dynamodb.get_item(TableName=table["name"], Key=expired_key):
            break
        time.sleep(0.5)

    assert "Item" not in dynamodb.get_item(TableName=table["name"], Key=expired_key)
    for name in ("future", "not-a-number"):
        key = {"orderId": {"S": f"ttl-{run}-{name}"}}
        assert "Item" in dynamodb.get_item(TableName=table["name"], Key=key), name
    remove = _records_of(streams, table["description"]["LatestStreamArn"], expired_key)[-1]
    assert remove["eventName"] == "REMOVE"
    # The Streams API's Identity shape (Lambda's event spells it type / principalId).
    assert remove["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}
    assert remove["dynamodb"]["OldImage"]["expiresAt"] == items["expired"]


def test_a_delete_item_call_has_no_user_identity(
    aws_client: Callable[[str], Any], table: dict[str, Any]
) -> None:
    dynamodb, streams = aws_client("dynamodb"), aws_client("dynamodbstreams")
    key = {"orderId": {"S": f"delete-{uuid.uuid4().hex[:6]}"}}
    dynamodb.put_item(TableName=table["name"], Item=key)
    dynamodb.delete_item(TableName=table["name"], Key=key)

    remove = _records_of(streams, table["description"]["LatestStreamArn"], key)[-1]
    assert remove["eventName"] == "REMOVE" and "userIdentity" not in remove
