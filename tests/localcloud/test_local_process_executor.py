"""The ``local-process`` Lambda executor, through boto3 against LocalStack.

Without the plugin LocalStack runs functions in Docker, which is not available here, and no
invocation below succeeds.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
import uuid
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from localcloud import LAMBDA_RUNTIME

pytestmark = pytest.mark.e2e

FUNCTION_SOURCE = """
import json
import os
import time

import boto3


def echo(event, context):
    print("echo handler got", json.dumps(event))
    return {"event": event, "requestId": context.aws_request_id, "pid": os.getpid()}


def fail(event, context):
    raise ValueError("order rejected: " + str(event.get("reason")))


def slow(event, context):
    time.sleep(event["seconds"])
    return "done"


RELEASE_FILE = os.path.join(os.path.dirname(__file__), "release.txt")
RELEASE = open(RELEASE_FILE).read() if os.path.exists(RELEASE_FILE) else "1"


def configured(event, context):
    time.sleep(event["seconds"])
    return {"phase": os.environ.get("PHASE"), "release": RELEASE}


def forward_stream_records(event, context):
    # Runs with the function role's credentials and AWS_ENDPOINT_URL set by the executor.
    queue_url = os.environ["TARGET_QUEUE_URL"]
    sqs = boto3.client("sqs")
    for record in event["Records"]:
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(record["dynamodb"]["Keys"]))
    return {"forwarded": len(event["Records"])}
"""


def code_zip(release: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("functions.py", FUNCTION_SOURCE)
        if release is not None:
            archive.writestr("release.txt", release)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def role_arn(aws_client: Callable[[str], Any]) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    return str(
        aws_client("iam").create_role(
            RoleName=f"fn-role-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument=json.dumps(trust)
        )["Role"]["Arn"]
    )


@pytest.fixture(scope="module")
def create_function(aws_client: Callable[[str], Any], role_arn: str) -> Callable[..., str]:
    lambda_client = aws_client("lambda")

    def create(handler: str, timeout: int = 5, runtime: str = LAMBDA_RUNTIME, **extra: Any) -> str:
        name = f"fn-{handler.split('.')[-1].replace('_', '-')}-{uuid.uuid4().hex[:6]}"
        lambda_client.create_function(
            FunctionName=name,
            Runtime=runtime,
            Role=role_arn,
            Handler=handler,
            Code={"ZipFile": code_zip()},
            Timeout=timeout,
            **extra,
        )
        if runtime == LAMBDA_RUNTIME:
            lambda_client.get_waiter("function_active_v2").wait(FunctionName=name)
        return name

    return create


def invoke(aws_client: Callable[[str], Any], name: str, event: dict[str, Any]) -> dict[str, Any]:
    response = aws_client("lambda").invoke(
        FunctionName=name, Payload=json.dumps(event).encode(), LogType="Tail"
    )
    response["Body"] = json.loads(response["Payload"].read())
    response["Log"] = base64.b64decode(response.get("LogResult", "")).decode()
    return response


def test_sync_invoke_returns_the_result_and_logs(
    aws_client: Callable[[str], Any], create_function: Callable[..., str]
) -> None:
    name = create_function("functions.echo")

    first = invoke(aws_client, name, {"orderId": "o-1"})
    second = invoke(aws_client, name, {"orderId": "o-2"})

    assert "FunctionError" not in first
    assert first["Body"]["event"] == {"orderId": "o-1"}
    request_id = first["Body"]["requestId"]
    assert f"START RequestId: {request_id} Version: $LATEST" in first["Log"]
    assert 'echo handler got {"orderId": "o-1"}' in first["Log"]
    assert f"END RequestId: {request_id}" in first["Log"]
    assert f"REPORT RequestId: {request_id}" in first["Log"]
    # A warm environment: the same runtime process serves the second invocation.
    assert second["Body"]["pid"] == first["Body"]["pid"]


def test_handler_error_is_an_unhandled_function_error(
    aws_client: Callable[[str], Any], create_function: Callable[..., str]
) -> None:
    name = create_function("functions.fail")

    response = invoke(aws_client, name, {"reason": "no stock"})

    assert response["FunctionError"] == "Unhandled"
    assert response["Body"]["errorType"] == "ValueError"
    assert response["Body"]["errorMessage"] == "order rejected: no stock"


def test_timeout_is_reported_and_the_next_invocation_runs(
    aws_client: Callable[[str], Any], create_function: Callable[..., str]
) -> None:
    name = create_function("functions.slow", timeout=1)

    started = time.monotonic()
    timed_out = invoke(aws_client, name, {"seconds": 30})
    elapsed = time.monotonic() - started
    quick = invoke(aws_client, name, {"seconds": 0})

    assert timed_out["FunctionError"] == "Unhandled"
    assert timed_out["Body"]["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in timed_out["Body"]["errorMessage"]
    assert elapsed < 10
    assert "FunctionError" not in quick and quick["Body"] == "done"


def test_import_error_is_reported_as_function_error(
    aws_client: Callable[[str], Any], create_function: Callable[..., str]
) -> None:
    name = create_function("missing_module.handler")

    response = invoke(aws_client, name, {})

    assert response["FunctionError"] == "Unhandled"
    assert response["Body"]["errorType"] == "Runtime.ImportModuleError"


def test_unconfigured_runtime_fails_the_function_with_a_reason(
    aws_client: Callable[[str], Any], create_function: Callable[..., str]
) -> None:
    name = create_function("functions.echo", runtime="python3.11")
    lambda_client = aws_client("lambda")

    deadline = time.monotonic() + 20
    configuration = lambda_client.get_function_configuration(FunctionName=name)
    while configuration["State"] == "Pending" and time.monotonic() < deadline:
        time.sleep(0.2)
        configuration = lambda_client.get_function_configuration(FunctionName=name)

    assert configuration["State"] == "Failed"
    assert "not available to the local-process executor" in configuration["StateReason"]


def test_failed_async_invoke_reaches_the_dead_letter_queue(
    aws_client: Callable[[str], Any], create_function: Callable[..., str]
) -> None:
    sqs = aws_client("sqs")
    queue_url = sqs.create_queue(QueueName=f"dlq-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    name = create_function("functions.fail", DeadLetterConfig={"TargetArn": queue_arn})
    aws_client("lambda").put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)

    aws_client("lambda").invoke(
        FunctionName=name, InvocationType="Event", Payload=json.dumps({"reason": "async"})
    )

    messages = receive(sqs, queue_url, timeout=30)
    assert len(messages) == 1
    assert json.loads(messages[0]["Body"]) == {"reason": "async"}
    attributes = messages[0]["MessageAttributes"]
    assert attributes["ErrorMessage"]["StringValue"] == "order rejected: async"


def test_dynamodb_stream_mapping_delivers_records_to_the_function(
    aws_client: Callable[[str], Any], create_function: Callable[..., str]
) -> None:
    sqs, dynamodb = aws_client("sqs"), aws_client("dynamodb")
    queue_url = sqs.create_queue(QueueName=f"stream-out-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    table = f"esm-{uuid.uuid4().hex[:8]}"
    stream_arn = dynamodb.create_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "orderId", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "orderId", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]["LatestStreamArn"]
    name = create_function(
        "functions.forward_stream_records",
        timeout=10,
        Environment={"Variables": {"TARGET_QUEUE_URL": queue_url}},
    )
    lambda_client = aws_client("lambda")
    # TRIM_HORIZON: the table is new, and LATEST would race with the poller's first iterator.
    mapping = lambda_client.create_event_source_mapping(
        FunctionName=name, EventSourceArn=stream_arn, StartingPosition="TRIM_HORIZON", BatchSize=10
    )
    wait_for_mapping(lambda_client, mapping["UUID"])

    dynamodb.put_item(TableName=table, Item={"orderId": {"S": "o-stream-1"}})

    messages = receive(sqs, queue_url, timeout=60)
    assert [json.loads(m["Body"]) for m in messages] == [{"orderId": {"S": "o-stream-1"}}]


def test_function_logs_reach_cloudwatch_logs(
    aws_client: Callable[[str], Any], create_function: Callable[..., str]
) -> None:
    name = create_function("functions.echo")
    request_id = invoke(aws_client, name, {"log": "me"})["Body"]["requestId"]
    logs = aws_client("logs")

    deadline = time.monotonic() + 20
    messages: list[str] = []
    while time.monotonic() < deadline and not any("REPORT RequestId" in m for m in messages):
        time.sleep(0.5)
        try:
            events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
        except logs.exceptions.ResourceNotFoundException:
            continue
        messages = [event["message"] for event in events]

    assert f"START RequestId: {request_id} Version: $LATEST\n" in messages
    assert any('echo handler got {"log": "me"}' in message for message in messages)


def test_invocations_during_updates_finish_on_the_old_or_the_new_version(
    aws_client: Callable[[str], Any], create_function: Callable[..., str]
) -> None:
    # AWS: while an update is in progress the function can still be invoked, and the update
    # is complete when "the function is processing events with the new configuration"
    # (UpdateFunctionConfiguration, Lambda API Reference; "Lambda function states", Lambda
    # Developer Guide). An invocation running when the new version takes over finishes on
    # the previous one. LocalStack stops the previous environments at that moment, also one
    # that is invoking: without draining it, the invocation failed with Runtime.ExitError
    # (an API Gateway proxy turns that into 502 "Internal server error").
    lambda_client = aws_client("lambda")
    name = create_function(
        "functions.configured", timeout=10, Environment={"Variables": {"PHASE": "0"}}
    )
    versions = [("0", "1"), ("1", "1"), ("2", "1"), ("2", "2"), ("3", "2"), ("4", "2")]
    updates: list[Callable[[], object]] = [
        lambda: lambda_client.update_function_configuration(
            FunctionName=name, Environment={"Variables": {"PHASE": "1"}}
        ),
        lambda: lambda_client.update_function_configuration(
            FunctionName=name, Environment={"Variables": {"PHASE": "2"}}
        ),
        lambda: lambda_client.update_function_code(FunctionName=name, ZipFile=code_zip("2")),
        lambda: lambda_client.update_function_configuration(
            FunctionName=name, Environment={"Variables": {"PHASE": "3"}}
        ),
        lambda: lambda_client.update_function_configuration(
            FunctionName=name, Environment={"Variables": {"PHASE": "4"}}
        ),
    ]
    served: list[tuple[str, str]] = []
    failures: list[str] = []
    done = threading.Event()

    def invoke_continuously() -> None:
        while not done.is_set():
            # Long enough that an invocation is usually in flight when an update takes over.
            try:
                response = invoke(aws_client, name, {"seconds": 0.3})
            except Exception as error:  # an API error is a failure to count too
                failures.append(repr(error))
                continue
            if "FunctionError" in response:
                failures.append(json.dumps(response["Body"]))
            else:
                served.append((response["Body"]["phase"], response["Body"]["release"]))

    client = threading.Thread(target=invoke_continuously)
    client.start()
    try:
        for update in updates:
            time.sleep(0.5)
            update()
            lambda_client.get_waiter("function_updated_v2").wait(
                FunctionName=name, WaiterConfig={"Delay": 1}
            )
        time.sleep(1)
    finally:
        done.set()
        client.join(timeout=30)

    assert failures == []
    assert set(served) <= set(versions), served
    order = [versions.index(version) for version in served]
    # One client, one invocation at a time: once the new version answers, the old one never does.
    assert order == sorted(order), served
    assert order[-1] == len(versions) - 1


def receive(sqs: Any, queue_url: str, timeout: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = sqs.receive_message(
            QueueUrl=queue_url, WaitTimeSeconds=1, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if messages:
            return list(messages)
    return []


def wait_for_mapping(lambda_client: Any, mapping_uuid: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if lambda_client.get_event_source_mapping(UUID=mapping_uuid)["State"] == "Enabled":
            return
        time.sleep(0.2)
    raise AssertionError(f"event source mapping {mapping_uuid} never became Enabled")
