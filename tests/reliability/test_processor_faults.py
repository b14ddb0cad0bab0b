"""A stream processor that keeps failing, on the local cloud: the event source mapping retries
the record, then sends it to the dead-letter queue, and the DLQ alarm goes to ALARM.

The failure is injected with fault_endpoint.py: the deployed processor's DynamoDB endpoint
throttles every ``UpdateItem`` (its confirmation write), so each invocation raises and reports
the record as a batch item failure. Everything else (table, stream, mapping, queue, CloudWatch
metrics of the queue, alarm evaluation) is the emulator's.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from orders.aws_clients import CLIENT_CONFIG

from tests.e2e.orders import new_customer_id, order_request, wait_for_status
from tests.e2e.signed_http import SignedApiClient
from tests.e2e.test_order_processing import stream_sequence_number
from tests.reliability.fault_endpoint import (
    ENDPOINT_VARIABLES,
    AwsError,
    Fault,
    FaultyAwsEndpoint,
    function_environment,
)

pytestmark = pytest.mark.e2e

SDK_ATTEMPTS = 1 + CLIENT_CONFIG.retries["max_attempts"]


def dead_letter_alarm(cloudwatch: Any, queue_name: str) -> dict[str, Any]:
    """The alarm on the dead-letter queue's visible messages."""
    (alarm,) = [
        alarm
        for alarm in cloudwatch.describe_alarms()["MetricAlarms"]
        if alarm.get("MetricName") == "ApproximateNumberOfMessagesVisible"
        and {"Name": "QueueName", "Value": queue_name} in alarm["Dimensions"]
    ]
    return dict(alarm)


def wait_for_failure_record(sqs: Any, queue_url: str, sequence_number: int) -> dict[str, Any]:
    """The on-failure record whose batch holds ``sequence_number`` (polled for 240 s); the
    message is left on the queue for the alarm."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        for message in sqs.receive_message(
            QueueUrl=queue_url, WaitTimeSeconds=2, MaxNumberOfMessages=10, VisibilityTimeout=0
        ).get("Messages", []):
            record = json.loads(message["Body"])
            batch = record.get("DDBStreamBatchInfo", {})
            start, end = int(batch["startSequenceNumber"]), int(batch["endSequenceNumber"])
            if start <= sequence_number <= end:
                return dict(record)
    raise AssertionError(f"no dead-letter record for sequence number {sequence_number}")


def test_failing_processor_retries_then_dead_letters_the_record_and_the_alarm_fires(
    api: SignedApiClient,
    aws_client: Callable[[str], Any],
    output: Callable[[str], str],
    local_endpoint: str,
    template: dict[str, Any],
) -> None:
    sqs, cloudwatch = aws_client("sqs"), aws_client("cloudwatch")
    queue_url = output("DeadLetterQueueUrl")
    alarm = dead_letter_alarm(cloudwatch, queue_url.rsplit("/", 1)[-1])
    (mapping,) = [
        resource["Properties"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Lambda::EventSourceMapping"
    ]
    throttled = Fault(frozenset({"UpdateItem"}), AwsError("ThrottlingException", 400))
    # Given a processor that has caught up with the stream (earlier tests create many orders;
    # a shard is processed in order, so once this order is confirmed, so are all before it)
    sentinel = api.post("/orders", order_request(new_customer_id())).body["orderId"]
    wait_for_status(api, sentinel, "CONFIRMED", seconds=240)
    # and an empty dead-letter queue and its alarm at OK
    sqs.purge_queue(QueueUrl=queue_url)
    cloudwatch.set_alarm_state(
        AlarmName=alarm["AlarmName"], StateValue="OK", StateReason="reset by the reliability test"
    )

    # When the processor cannot confirm a new order
    with (
        FaultyAwsEndpoint(local_endpoint, throttled) as dynamodb,
        function_environment(
            aws_client("lambda"),
            output("ProcessorFunctionName"),
            {ENDPOINT_VARIABLES["dynamodb"]: dynamodb.url},
        ),
    ):
        created = api.post("/orders", order_request(new_customer_id()))
        assert created.status == 201, created.body
        order_id = created.body["orderId"]
        sequence_number = stream_sequence_number(aws_client, output("TableName"), order_id)
        failure = wait_for_failure_record(sqs, queue_url, sequence_number)
        attempts_on_order = sum(
            1 for body in dynamodb.bodies if body.get("Key") == {"orderId": {"S": order_id}}
        )

    # Then the mapping retried it, as configured, before giving up
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    invocations = attempts_on_order // SDK_ATTEMPTS
    assert attempts_on_order % SDK_ATTEMPTS == 0
    assert 2 <= invocations <= 1 + mapping["MaximumRetryAttempts"], invocations
    print(f"processor invocations for the record: {invocations}")
    # And nothing was half-done: the order is stored, still PENDING, for a replay from the DLQ
    assert api.get(f"/orders/{order_id}").body["status"] == "PENDING"
    # And the DLQ alarm goes to ALARM (queue metrics every 60 s, 60 s alarm period)
    deadline = time.monotonic() + 240
    state = "OK"
    while state != "ALARM" and time.monotonic() < deadline:
        time.sleep(5)
        state = cloudwatch.describe_alarms(AlarmNames=[alarm["AlarmName"]])["MetricAlarms"][0][
            "StateValue"
        ]
    assert state == "ALARM"
    assert alarm["AlarmActions"] == [output("AlarmTopicArn")]
