"""Logs and alarms end to end: JSON logs with the correlation id, the errors alarm firing."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.orders import new_customer_id, order_request
from tests.e2e.signed_http import SignedApiClient

pytestmark = pytest.mark.e2e


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, Any]:
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def test_api_function_logs_are_json_with_the_correlation_id(
    api: SignedApiClient,
    aws_client: Callable[[str], Any],
    output: Callable[[str], str],
    template: dict[str, Any],
) -> None:
    correlation_id = f"e2e-{uuid.uuid4().hex}"
    response = api.post(
        "/orders", order_request(new_customer_id()), {"x-correlation-id": correlation_id}
    )
    assert response.headers["x-correlation-id"] == correlation_id

    # LocalStack writes function logs to /aws/lambda/<name>: it accepts a function's
    # LoggingConfig.LogGroup but does not honour it (checked on the template below).
    group = f"/aws/lambda/{output('ApiFunctionName')}"
    logs = aws_client("logs")
    # Wait for every line the test asserts on, not the first one: lines of an invocation may
    # reach the log group in more than one batch.
    expected_messages = {"order accepted", "request completed"}
    deadline = time.monotonic() + 60
    entries: list[dict[str, Any]] = []
    while (
        not expected_messages <= {entry.get("message") for entry in entries}
        and time.monotonic() < deadline
    ):
        time.sleep(0.5)
        try:
            events = logs.filter_log_events(logGroupName=group)["events"]
        except logs.exceptions.ResourceNotFoundException:
            continue
        entries = [
            json.loads(event["message"])
            for event in events
            if correlation_id in event["message"] and event["message"].lstrip().startswith("{")
        ]

    assert entries, f"no JSON log line with correlation id {correlation_id} in {group}"
    # The client's id has its own field; the logger's correlation id is API Gateway's request
    # id, the key shared with the access log. IAM is not enforced on the local cloud, so the
    # caller may be "unauthenticated" there; it is always named.
    assert all(entry["clientCorrelationId"] == correlation_id for entry in entries)
    assert all(entry["correlation_id"] == entry["requestId"] != correlation_id for entry in entries)
    assert all(entry["caller"] for entry in entries)
    completed = next(e for e in entries if e["message"] == "request completed")
    assert completed["orderIds"] == [response.body["orderId"]]
    assert {entry["message"] for entry in entries} >= expected_messages
    assert all(entry["service"] == "orders" and entry["level"] for entry in entries)
    functions = resources_of_type(template, "AWS::Lambda::Function").values()
    log_groups = resources_of_type(template, "AWS::Logs::LogGroup")
    for function in functions:
        logging_config = function["Properties"]["LoggingConfig"]
        assert logging_config["LogFormat"] == "JSON"
        assert logging_config["LogGroup"]["Ref"] in log_groups


def test_error_burst_drives_the_errors_alarm_to_alarm_and_sns_delivers(
    aws_client: Callable[[str], Any], output: Callable[[str], str]
) -> None:
    # Given a test queue subscribed to the alarm topic
    sqs, cloudwatch = aws_client("sqs"), aws_client("cloudwatch")
    queue_url = sqs.create_queue(QueueName=f"alarm-subscriber-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    aws_client("sns").subscribe(
        TopicArn=output("AlarmTopicArn"), Protocol="sqs", Endpoint=queue_arn
    )
    function_name = output("ApiFunctionName")
    (alarm,) = [
        alarm
        for alarm in cloudwatch.describe_alarms()["MetricAlarms"]
        if alarm.get("MetricName") == "Errors"
        and {"Name": "FunctionName", "Value": function_name} in alarm["Dimensions"]
    ]
    assert alarm["AlarmActions"] == [output("AlarmTopicArn")]

    # When the api function fails several times (events it cannot even parse)
    for _ in range(3):
        failed = aws_client("lambda").invoke(FunctionName=function_name, Payload=b"[]")
        assert failed["FunctionError"] == "Unhandled"

    # Then the alarm (1-minute period) goes to ALARM and its notification reaches the queue
    deadline = time.monotonic() + 180
    notification = None
    while notification is None and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=2).get(
            "Messages", []
        ):
            body = json.loads(json.loads(message["Body"])["Message"])
            if body.get("AlarmName") == alarm["AlarmName"]:
                notification = body
    assert notification is not None, f"no notification of {alarm['AlarmName']} within 180 s"
    # The notification is the transition to ALARM. The alarm's current state is not asserted:
    # once the failing minute has passed, a later evaluation may rightly return it to OK.
    assert notification["NewStateValue"] == "ALARM"
    assert notification["Trigger"]["MetricName"] == "Errors"


def test_properties_the_emulator_ignores_are_set_on_the_template(
    template: dict[str, Any],
) -> None:
    # LocalStack's CloudFormation providers accept but silently drop these properties (table
    # PointInTimeRecoverySpecification, stage MethodSettings throttling, log group KmsKeyId and
    # RetentionInDays), so they are asserted on the deployed template rather than read back.
    (table,) = resources_of_type(template, "AWS::DynamoDB::Table").values()
    assert table["Properties"]["PointInTimeRecoverySpecification"] == {
        "PointInTimeRecoveryEnabled": True
    }
    (stage,) = resources_of_type(template, "AWS::ApiGateway::Stage").values()
    (settings,) = stage["Properties"]["MethodSettings"]
    assert (settings["HttpMethod"], settings["ResourcePath"]) == ("*", "/*")
    assert (settings["ThrottlingRateLimit"], settings["ThrottlingBurstLimit"]) == (500, 1000)
    (key_id,) = resources_of_type(template, "AWS::KMS::Key")
    log_groups = resources_of_type(template, "AWS::Logs::LogGroup").values()
    assert log_groups
    for log_group in log_groups:
        assert log_group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": [key_id, "Arn"]}
        assert log_group["Properties"]["RetentionInDays"] > 0
