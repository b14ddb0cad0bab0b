"""The pending-order sweep against moto: confirms old PENDING orders only, once, oldest first,
skips idempotency records, and publishes the oldest PENDING order's age."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import redirect_stdout
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from handler_harness import FakeLambdaContext, json_lines
from orders import pending_sweep
from orders.errors import ConfigurationError
from orders.models import format_timestamp
from orders.pending_sweep import PENDING_INDEX_NAME, SweepSettings, sweep

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
TABLE = "sweep-orders"
SETTINGS = SweepSettings(TABLE, PENDING_INDEX_NAME, timedelta(minutes=15))


@pytest.fixture
def client(aws: Any) -> Any:
    """A table with the pending-orders index as the construct defines it."""
    dynamodb = aws.dynamodb
    dynamodb.create_table(
        TableName=TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "orderId", "AttributeType": "S"},
            {"AttributeName": "status", "AttributeType": "S"},
            {"AttributeName": "createdAt", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "orderId", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": PENDING_INDEX_NAME,
                "KeySchema": [
                    {"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "createdAt", "KeyType": "RANGE"},
                ],
                "Projection": {
                    "ProjectionType": "INCLUDE",
                    "NonKeyAttributes": ["total", "currency"],
                },
            }
        ],
    )
    return dynamodb


@pytest.fixture
def sweep_environment(client: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The sweep function's environment (15-minute age) on the ``client`` table, set over the
    mocked account's own environment, with the handler's cached settings cleared before and
    after the test."""
    monkeypatch.setenv("TABLE_NAME", TABLE)
    monkeypatch.setenv("PENDING_INDEX_NAME", PENDING_INDEX_NAME)
    monkeypatch.setenv("PENDING_MIN_AGE_MINUTES", "15")
    pending_sweep.build_settings.cache_clear()
    yield
    pending_sweep.build_settings.cache_clear()


def put_order(
    client: Any, order_id: str, age: timedelta, status: str = "PENDING", now: datetime = NOW
) -> None:
    client.put_item(
        TableName=TABLE,
        Item={
            "orderId": {"S": order_id},
            "status": {"S": status},
            "createdAt": {"S": format_timestamp(now - age)},
            "total": {"N": "20.50"},
            "currency": {"S": "EUR"},
        },
    )


def status_of(client: Any, order_id: str) -> str:
    item = client.get_item(TableName=TABLE, Key={"orderId": {"S": order_id}})["Item"]
    return str(item["status"]["S"])


def test_confirms_only_orders_older_than_the_age(client: Any) -> None:
    put_order(client, "old", timedelta(hours=30))
    put_order(client, "recent", timedelta(minutes=5))
    put_order(client, "done", timedelta(hours=40), status="CONFIRMED")
    client.put_item(
        TableName=TABLE,
        Item={"orderId": {"S": "idempotency#abc"}, "createdAt": {"S": "2020-01-01"}},
    )
    result = sweep(client, SETTINGS, NOW)
    assert (result.confirmed, result.already_handled) == (1, 0)
    assert status_of(client, "old") == "CONFIRMED"
    assert status_of(client, "recent") == "PENDING"
    # The recent order is now the oldest still PENDING.
    assert result.oldest_pending_age_seconds == pytest.approx(300.0)
    item = client.get_item(TableName=TABLE, Key={"orderId": {"S": "idempotency#abc"}})["Item"]
    assert "status" not in item


def test_second_run_confirms_nothing_and_reports_zero_age(client: Any) -> None:
    put_order(client, "a", timedelta(hours=2))
    assert sweep(client, SETTINGS, NOW).confirmed == 1
    again = sweep(client, SETTINGS, NOW)
    assert (again.confirmed, again.already_handled, again.oldest_pending_age_seconds) == (
        0,
        0,
        0.0,
    )


def test_limit_takes_the_oldest_first_and_reports_the_rest(client: Any) -> None:
    for minutes in (20, 40, 60, 80):
        put_order(client, f"o{minutes}", timedelta(minutes=minutes))
    confirmed: list[str] = []
    result = sweep(
        client, SETTINGS, NOW, limit=2, on_confirmed=lambda i: confirmed.append(i["orderId"])
    )
    assert confirmed == ["o80", "o60"]
    assert result.oldest_pending_age_seconds == pytest.approx(40 * 60)


def test_order_confirmed_meanwhile_is_counted_as_already_handled(client: Any) -> None:
    put_order(client, "raced", timedelta(hours=1))
    real_query = client.query

    def query_then_processor_confirms(**request: Any) -> Any:
        response = real_query(**request)
        if ":cutoff" in request["ExpressionAttributeValues"]:
            put_order(client, "raced", timedelta(hours=1), status="CONFIRMED")
        return response

    client.query = query_then_processor_confirms
    try:
        result = sweep(client, SETTINGS, NOW)
    finally:
        del client.query
    assert (result.confirmed, result.already_handled) == (0, 1)


@pytest.mark.usefixtures("sweep_environment")
def test_handler_publishes_the_age_metric_and_business_metrics(client: Any) -> None:
    real_now = datetime.now(timezone.utc)
    put_order(client, "stuck", timedelta(days=3), now=real_now)
    put_order(client, "fresh", timedelta(seconds=1), now=real_now)
    out = io.StringIO()
    with redirect_stdout(out):
        result = pending_sweep.lambda_handler({}, FakeLambdaContext("orders-sweep"))
    assert result["confirmed"] == 1
    metrics: dict[str, Any] = {}
    for blob in json_lines(out.getvalue()):
        if "_aws" in blob:
            for metric in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]:
                value = blob[metric["Name"]]
                metrics[metric["Name"]] = value[0] if isinstance(value, list) else value
    assert metrics["ordersReconciled"] == 1.0
    assert metrics["ordersProcessed"] == 1.0
    assert metrics["orderValue"] == 20.5
    assert 0 < metrics["oldestPendingOrderAgeSeconds"] < 3600


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TABLE_NAME": "t", "PENDING_MIN_AGE_MINUTES": "5"}, "PENDING_INDEX_NAME"),
        (
            {"TABLE_NAME": "t", "PENDING_INDEX_NAME": "i", "PENDING_MIN_AGE_MINUTES": "0"},
            "1 to 1440",
        ),
        (
            {"TABLE_NAME": "t", "PENDING_INDEX_NAME": "i", "PENDING_MIN_AGE_MINUTES": "x"},
            "1 to 1440",
        ),
        ({"PENDING_INDEX_NAME": "i", "PENDING_MIN_AGE_MINUTES": "5"}, "TABLE_NAME"),
    ],
)
def test_bad_configuration_is_a_clear_error(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        SweepSettings.from_env(env)


@pytest.mark.usefixtures("sweep_environment")
def test_direct_invocation_with_min_age_zero_confirms_young_orders(client: Any) -> None:
    # The one-off backfill (order-kit confirm-pending): orders written before the processor
    # existed, minutes old, are confirmed now instead of after the schedule's 15 minutes.
    real_now = datetime.now(timezone.utc)
    put_order(client, "young", timedelta(minutes=2), now=real_now)
    with redirect_stdout(io.StringIO()):
        scheduled = pending_sweep.lambda_handler({}, FakeLambdaContext("orders-sweep"))
        backfill = pending_sweep.lambda_handler(
            {"minAgeMinutes": 0}, FakeLambdaContext("orders-sweep")
        )
    assert scheduled["confirmed"] == 0
    assert backfill["confirmed"] == 1
    assert status_of(client, "young") == "CONFIRMED"


@pytest.mark.parametrize("minutes", [-1, 1441, "5", 2.5, True, None])
def test_min_age_override_must_be_whole_minutes_in_range(minutes: Any) -> None:
    with pytest.raises(ValueError, match="minAgeMinutes must be a whole number of minutes"):
        pending_sweep.settings_for_event(SETTINGS, {"minAgeMinutes": minutes})


def test_schedule_event_keeps_the_configured_age() -> None:
    event = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}}
    assert pending_sweep.settings_for_event(SETTINGS, event) == SETTINGS
    assert pending_sweep.settings_for_event(SETTINGS, {"minAgeMinutes": 0}).min_age == timedelta(0)
