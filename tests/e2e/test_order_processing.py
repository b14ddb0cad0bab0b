"""The stream processor end to end: new orders get confirmed, poison records reach the DLQ."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.orders import (
    new_customer_id,
    order_request,
    wait_for_status,
    without_processor_fields,
)
from tests.e2e.signed_http import SignedApiClient

pytestmark = pytest.mark.e2e


def test_stream_processor_confirms_a_new_order(api: SignedApiClient) -> None:
    created = api.post("/orders", order_request(new_customer_id())).body

    order = wait_for_status(api, created["orderId"], "CONFIRMED", seconds=120)

    assert order["confirmedAt"] >= order["createdAt"]
    assert without_processor_fields(order) == without_processor_fields(created)


def test_poison_record_ends_in_the_dead_letter_queue(
    aws_client: Callable[[str], Any], output: Callable[[str], str]
) -> None:
    # Given an item that looks like a PENDING order but cannot be read as one
    poison_id = f"poison-{uuid.uuid4().hex[:8]}"
    aws_client("dynamodb").put_item(
        TableName=output("TableName"),
        Item={"orderId": {"S": poison_id}, "status": {"S": "PENDING"}, "total": {"S": "NaN"}},
    )
    sequence_number = stream_sequence_number(aws_client, output("TableName"), poison_id)

    # Then, after the mapping's retries, a failure record naming its batch reaches the DLQ
    # (a stream on-failure record carries the batch's position, not the item).
    sqs = aws_client("sqs")
    deadline = time.monotonic() + 180
    found = None
    while found is None and time.monotonic() < deadline:
        for message in sqs.receive_message(
            QueueUrl=output("DeadLetterQueueUrl"), WaitTimeSeconds=2, MaxNumberOfMessages=10
        ).get("Messages", []):
            batch = json.loads(message["Body"]).get("DDBStreamBatchInfo", {})
            start, end = int(batch["startSequenceNumber"]), int(batch["endSequenceNumber"])
            if start <= sequence_number <= end:
                found = json.loads(message["Body"])
    assert found is not None, f"no DLQ record for the stream record of {poison_id}"
    assert found["requestContext"]["condition"] == "RetryAttemptsExhausted"
    # Bisecting the batch isolated the poison record.
    assert found["DDBStreamBatchInfo"]["batchSize"] == 1


def stream_sequence_number(
    aws_client: Callable[[str], Any], table: str, order_id: str, seconds: float = 30
) -> int:
    """Sequence number of the INSERT stream record of ``order_id``, read from every shard until
    it appears (fails after ``seconds``)."""
    streams = aws_client("dynamodbstreams")
    stream_arn = aws_client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    deadline = time.monotonic() + seconds
    while True:
        for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
            iterator = streams.get_shard_iterator(
                StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            while iterator:
                response = streams.get_records(ShardIterator=iterator, Limit=1000)
                for record in response["Records"]:
                    if record["eventName"] == "INSERT" and record["dynamodb"]["Keys"] == {
                        "orderId": {"S": order_id}
                    }:
                        return int(record["dynamodb"]["SequenceNumber"])
                if not response["Records"]:
                    break
                iterator = response.get("NextShardIterator")
        assert time.monotonic() < deadline, f"no stream record for {order_id} in {seconds} s"
        time.sleep(0.5)
