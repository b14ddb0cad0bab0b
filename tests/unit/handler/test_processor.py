"""The stream processor against moto: confirmation, replays, poison records, partial batches."""

from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from handler_harness import (
    ApiResponse,
    AwsAccount,
    FakeLambdaContext,
    json_lines,
    stream_records,
)
from orders import processor
from orders.processor import BatchFailedError

PostOrder = Callable[..., ApiResponse]


def order_body(currency: str = "EUR", price: str = "10.25", quantity: int = 2) -> str:
    return json.dumps(
        {
            "customerId": "cust-stream",
            "currency": currency,
            "items": [{"sku": "S-1", "name": "Scarf", "quantity": quantity, "unitPrice": price}],
            "shippingAddress": {"fullName": "N", "line1": "L", "city": "C", "country": "DE"},
        }
    ).replace(f'"{price}"', price)


def status_of(aws: AwsAccount, order_id: str) -> str | None:
    item = aws.dynamodb.get_item(TableName=aws.table_name, Key={"orderId": {"S": order_id}})
    return None if "Item" not in item else item["Item"]["status"]["S"]


def process(records: list[dict[str, Any]]) -> dict[str, Any]:
    return processor.lambda_handler({"Records": records}, FakeLambdaContext("orders-processor"))


def inserts(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if r["eventName"] == "INSERT"]


def emitted_metrics(stdout: str) -> list[tuple[str, Any, dict[str, str]]]:
    """(name, values, dimensions) of every EMF metric in ``stdout``."""
    found = []
    for blob in json_lines(stdout):
        if "_aws" not in blob:
            continue
        directive = blob["_aws"]["CloudWatchMetrics"][0]
        dimensions = {name: blob[name] for name in directive["Dimensions"][0]}
        for metric in directive["Metrics"]:
            found.append((metric["Name"], blob[metric["Name"]], dimensions))
    return found


def test_new_pending_orders_are_confirmed_and_counted_per_currency(
    aws: AwsAccount, post_order: PostOrder, capsys: pytest.CaptureFixture[str]
) -> None:
    euro = post_order(order_body("EUR", "10.25", 2)).body["orderId"]
    pound = post_order(order_body("GBP", "3.10", 1)).body["orderId"]
    records = inserts(stream_records(aws))
    assert len(records) == 2
    capsys.readouterr()

    response = process(records)

    assert response == {"batchItemFailures": []}
    assert status_of(aws, euro) == "CONFIRMED"
    assert status_of(aws, pound) == "CONFIRMED"
    item = aws.dynamodb.get_item(TableName=aws.table_name, Key={"orderId": {"S": euro}})["Item"]
    assert item["confirmedAt"]["S"].endswith("Z")
    metrics = emitted_metrics(capsys.readouterr().out)
    values = {d["currency"]: v for n, v, d in metrics if n == "orderValue"}
    assert values == {"EUR": [20.5], "GBP": [3.1]}
    assert [v for n, v, _ in metrics if n == "ordersProcessed"] == [[1.0, 1.0]]


def test_replayed_records_are_successful_no_ops_and_not_counted_twice(
    aws: AwsAccount, post_order: PostOrder, capsys: pytest.CaptureFixture[str]
) -> None:
    order_id = post_order(order_body()).body["orderId"]
    records = inserts(stream_records(aws))
    assert process(records) == {"batchItemFailures": []}
    capsys.readouterr()

    assert process(records) == {"batchItemFailures": []}  # the same batch delivered again

    assert status_of(aws, order_id) == "CONFIRMED"
    names = [n for n, _, _ in emitted_metrics(capsys.readouterr().out)]
    assert "ordersProcessed" not in names and "orderValue" not in names


def test_confirmation_writes_a_modify_record_that_is_ignored(
    aws: AwsAccount, post_order: PostOrder
) -> None:
    post_order(order_body())
    process(inserts(stream_records(aws)))
    modifies = [r for r in stream_records(aws) if r["eventName"] == "MODIFY"]
    assert len(modifies) == 1
    assert modifies[0]["dynamodb"]["NewImage"]["status"] == {"S": "CONFIRMED"}
    assert process(modifies) == {"batchItemFailures": []}


def poison(record: dict[str, Any], sequence_number: str) -> dict[str, Any]:
    broken = copy.deepcopy(record)
    broken["dynamodb"]["NewImage"]["total"] = {"S": "not a number"}
    broken["dynamodb"]["SequenceNumber"] = sequence_number
    return broken


def test_a_poison_record_is_reported_alone_and_the_others_are_processed(
    aws: AwsAccount, post_order: PostOrder, log_output: io.StringIO
) -> None:
    first = post_order(order_body()).body["orderId"]
    second = post_order(order_body("USD")).body["orderId"]
    good = inserts(stream_records(aws))
    batch = [good[0], poison(good[0], "999"), good[1]]

    response = process(batch)

    assert response == {"batchItemFailures": [{"itemIdentifier": "999"}]}
    assert status_of(aws, first) == "CONFIRMED"
    assert status_of(aws, second) == "CONFIRMED"
    failures = [line for line in json_lines(log_output.getvalue()) if line["level"] == "ERROR"]
    assert len(failures) == 1
    assert "InvalidOrderRecordError" in failures[0]["exception_name"]


@pytest.mark.parametrize(
    "breakage",
    [
        {"currency": {"S": "euro"}},
        {"items": {"S": "three scarves"}},
        {"total": {"N": "NaN"}},
        {"items": {"L": [{"M": {"sku": {"S": "S-1"}}}]}},
    ],
)
def test_malformed_order_images_are_batch_item_failures(
    aws: AwsAccount, post_order: PostOrder, breakage: dict[str, Any]
) -> None:
    post_order(order_body())
    record = copy.deepcopy(inserts(stream_records(aws))[0])
    record["dynamodb"]["NewImage"].update(breakage)
    good_record = copy.deepcopy(record)
    good_record["dynamodb"]["NewImage"] = inserts(stream_records(aws))[0]["dynamodb"]["NewImage"]
    good_record["dynamodb"]["SequenceNumber"] = "1"
    record["dynamodb"]["SequenceNumber"] = "2"
    assert process([good_record, record]) == {"batchItemFailures": [{"itemIdentifier": "2"}]}


def test_records_that_are_not_new_pending_orders_are_ignored(
    aws: AwsAccount, post_order: PostOrder
) -> None:
    post_order(order_body())
    insert = inserts(stream_records(aws))[0]
    removal = copy.deepcopy(insert)
    removal["eventName"] = "REMOVE"
    removal["dynamodb"]["OldImage"] = removal["dynamodb"].pop("NewImage")
    removal["userIdentity"] = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    other_item = copy.deepcopy(insert)
    other_item["dynamodb"]["NewImage"] = {"orderId": {"S": "lock#1"}, "holder": {"S": "x"}}
    already_confirmed = copy.deepcopy(insert)
    already_confirmed["dynamodb"]["NewImage"]["status"] = {"S": "CONFIRMED"}
    for sequence, record in enumerate([removal, other_item, already_confirmed]):
        record["dynamodb"]["SequenceNumber"] = str(sequence)

    assert process([removal, other_item, already_confirmed]) == {"batchItemFailures": []}
    # None of them touched the PENDING order.
    order_id = insert["dynamodb"]["NewImage"]["orderId"]["S"]
    assert status_of(aws, order_id) == "PENDING"


def test_an_order_deleted_before_processing_is_not_recreated(
    aws: AwsAccount, post_order: PostOrder
) -> None:
    order_id = post_order(order_body()).body["orderId"]
    aws.dynamodb.delete_item(TableName=aws.table_name, Key={"orderId": {"S": order_id}})
    assert process(inserts(stream_records(aws))) == {"batchItemFailures": []}
    assert status_of(aws, order_id) is None


def test_throttled_update_fails_only_that_record(
    aws: AwsAccount, post_order: PostOrder, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = post_order(order_body()).body["orderId"]
    post_order(order_body())
    records = inserts(stream_records(aws))
    client = processor.build_repository()._client  # type: ignore[attr-defined]
    real_update = client.update_item

    def throttle_second(**kwargs: Any) -> Any:
        if kwargs["Key"]["orderId"]["S"] != first:
            raise ClientError(
                {"Error": {"Code": "ProvisionedThroughputExceededException"}}, "UpdateItem"
            )
        return real_update(**kwargs)

    monkeypatch.setattr(client, "update_item", throttle_second)
    response = process(records)
    assert response == {
        "batchItemFailures": [{"itemIdentifier": records[1]["dynamodb"]["SequenceNumber"]}]
    }
    assert status_of(aws, first) == "CONFIRMED"


def test_a_batch_where_every_record_fails_is_raised_for_a_retry(
    aws: AwsAccount, post_order: PostOrder
) -> None:
    post_order(order_body())
    record = inserts(stream_records(aws))[0]
    with pytest.raises(BatchFailedError):
        process([poison(record, "1"), poison(record, "2")])


def test_processor_log_lines_carry_the_record_event_id(
    aws: AwsAccount, post_order: PostOrder, log_output: io.StringIO
) -> None:
    post_order(order_body())
    record = inserts(stream_records(aws))[0]
    log_output.seek(0)
    log_output.truncate()
    process([record])
    lines = json_lines(log_output.getvalue())
    confirmed = [line for line in lines if line["message"] == "order confirmed"]
    assert len(confirmed) == 1
    assert confirmed[0]["correlation_id"] == record["eventID"]
    assert "Scarf" not in log_output.getvalue()


def test_an_empty_batch_succeeds(aws: AwsAccount) -> None:
    assert process([]) == {"batchItemFailures": []}


def test_an_unreadable_image_fails_only_its_record(aws: AwsAccount, post_order: PostOrder) -> None:
    post_order(order_body())
    good = inserts(stream_records(aws))[0]
    unreadable = copy.deepcopy(good)
    unreadable["dynamodb"]["NewImage"]["items"] = {"SS": ["a", "b"]}
    unreadable["dynamodb"]["SequenceNumber"] = "77"
    assert process([unreadable, good]) == {"batchItemFailures": [{"itemIdentifier": "77"}]}


def test_a_failed_record_without_sequence_number_fails_the_batch(
    aws: AwsAccount, post_order: PostOrder
) -> None:
    post_order(order_body())
    good = inserts(stream_records(aws))[0]
    anonymous = poison(good, "")
    with pytest.raises(BatchFailedError, match="no sequence number"):
        process([good, anonymous])
