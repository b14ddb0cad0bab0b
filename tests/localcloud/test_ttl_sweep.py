"""The plugin's DynamoDB TTL sweep against moto's backend in this process (no LocalStack): what
the DynamoDB documentation says TTL deletes, and the stream records it writes ("Time to Live",
"DynamoDB Streams and Time to Live"; API reference, UpdateTimeToLive and Streams Identity)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from order_kit_localstack.ttl_sweep import (
    TTL_USER_IDENTITY,
    lambda_user_identity,
    start_sweeping,
    sweep,
)

REGION = "eu-west-1"
NOW = 1_800_000_000


@pytest.fixture
def dynamodb(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(
            TableName="t",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        yield client


def _backends() -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends


def _records() -> list[dict[str, Any]]:
    (account,) = [a for a in _backends().values() if REGION in a]
    table = account[REGION].tables["t"]
    return [record.to_json() for record in table.stream_shard.items]


def _put(client: Any, item_id: str, expires: dict[str, str] | None) -> None:
    item = {"id": {"S": item_id}, **({"ttl": expires} if expires else {})}
    client.put_item(TableName="t", Item=item)


def _ids(client: Any) -> set[str]:
    return {item["id"]["S"] for item in client.scan(TableName="t")["Items"]}


def test_only_expired_number_ttls_are_deleted_with_a_service_remove_record(dynamodb: Any) -> None:
    dynamodb.update_time_to_live(
        TableName="t", TimeToLiveSpecification={"Enabled": True, "AttributeName": "ttl"}
    )
    _put(dynamodb, "expired", {"N": str(NOW - 1)})
    _put(dynamodb, "at-now", {"N": str(NOW)})  # "less than the current time" only
    _put(dynamodb, "future", {"N": str(NOW + 60)})
    _put(dynamodb, "string", {"S": str(NOW - 60)})
    _put(dynamodb, "no-ttl", None)

    assert sweep(_backends(), threading.RLock(), now=NOW) == 1

    assert _ids(dynamodb) == {"at-now", "future", "string", "no-ttl"}
    remove = _records()[-1]
    assert remove["eventName"] == "REMOVE"
    assert remove["userIdentity"] == TTL_USER_IDENTITY
    assert remove["dynamodb"]["Keys"] == {"id": {"S": "expired"}}
    assert remove["dynamodb"]["OldImage"]["ttl"] == {"N": str(NOW - 1)}
    # A second sweep finds nothing more.
    assert sweep(_backends(), threading.RLock(), now=NOW) == 0


def test_nothing_is_deleted_while_ttl_is_disabled(dynamodb: Any) -> None:
    _put(dynamodb, "expired", {"N": str(NOW - 1)})

    assert sweep(_backends(), threading.RLock(), now=NOW) == 0
    assert _ids(dynamodb) == {"expired"}


def test_a_delete_item_call_records_no_identity(dynamodb: Any) -> None:
    _put(dynamodb, "gone", None)
    dynamodb.delete_item(TableName="t", Key={"id": {"S": "gone"}})

    assert "userIdentity" not in _records()[-1]


def test_lambda_events_spell_the_identity_as_lambda_does() -> None:
    assert lambda_user_identity(TTL_USER_IDENTITY) == {
        "type": "Service",
        "principalId": "dynamodb.amazonaws.com",
    }


def test_no_interval_no_sweeping_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ORDER_KIT_TTL_SWEEP_SECONDS", raising=False)
    before = {t.name for t in threading.enumerate()}
    start_sweeping(threading.RLock())
    time.sleep(0.05)
    assert "order-kit-ttl-sweep" not in {t.name for t in threading.enumerate()} - before
