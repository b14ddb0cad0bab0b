"""Faults of the API function's dependencies, injected on the local cloud (fault_endpoint.py):
the deployed function, its SDK retries and error handling, API Gateway and the table are real;
only DynamoDB's or KMS's answer is replaced.

What each test proves (all at the emulator level, through the signed execute-api URL):

* DynamoDB throttling: the SDK retries, then the client gets 503 + Retry-After + the documented
  JSON error; the function logs a warning and emits the ``dependencyUnavailable`` and
  ``serverErrors`` metrics; nothing is stored.
* DynamoDB unreachable (connection refused): the same 503 contract on a read.
* A write whose response is lost (DynamoDB stored the order, then answered 500): the SDK's retry
  of the conditional put finds the order; exactly one item, and the client gets it with 201.
* KMS access denied (page tokens): a 500 with the documented error and the correlation id, an
  ERROR log line naming AccessDeniedException, the ``serverErrors`` metric; the API's 5XXError
  alarm (threshold 1) is what pages on AWS (LocalStack publishes no API Gateway metrics, so the
  alarm's configuration is asserted on the template).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft4Validator
from orders.aws_clients import CLIENT_CONFIG

from kit.openapi import DOCUMENT_PATH
from tests.e2e.orders import new_customer_id, order_request
from tests.e2e.signed_http import ApiResponse, SignedApiClient
from tests.reliability.fault_endpoint import (
    ENDPOINT_VARIABLES,
    AwsError,
    Fault,
    FaultyAwsEndpoint,
    closed_port_url,
    function_environment,
)
from tests.reliability.function_logs import emf_metric_values, json_log_lines, now_ms

pytestmark = pytest.mark.e2e

ERROR_SCHEMA = json.loads(DOCUMENT_PATH.read_text())["components"]["schemas"]["Error"]
#: botocore's ``max_attempts`` in a Config counts retries: one call plus that many retries.
SDK_ATTEMPTS = 1 + CLIENT_CONFIG.retries["max_attempts"]


def customer_items(aws_client: Callable[[str], Any], table: str, customer: str) -> list[dict]:
    """Items of ``customer`` in the table (strongly consistent scan)."""
    return list(
        aws_client("dynamodb").scan(
            TableName=table,
            FilterExpression="customerId = :c",
            ExpressionAttributeValues={":c": {"S": customer}},
            ConsistentRead=True,
        )["Items"]
    )


def assert_documented_error(response: ApiResponse, status: int, code: str) -> None:
    """``response`` is ``status`` with the document's Error body and the correlation id."""
    assert response.status == status, response.body
    assert response.headers["content-type"] == "application/json"
    Draft4Validator(ERROR_SCHEMA).validate(response.body)
    assert response.body["code"] == code
    assert response.body["correlationId"] == response.headers["x-correlation-id"]


@pytest.fixture
def api_function(output: Callable[[str], str]) -> str:
    """Name of the deployed API function."""
    return output("ApiFunctionName")


def test_dynamodb_throttling_is_503_with_retry_after_a_metric_and_nothing_stored(
    api: SignedApiClient,
    aws_client: Callable[[str], Any],
    output: Callable[[str], str],
    local_endpoint: str,
    api_function: str,
) -> None:
    customer, correlation_id = new_customer_id(), f"fault-{uuid.uuid4().hex}"
    throttling = Fault(
        frozenset({"PutItem"}), AwsError("ProvisionedThroughputExceededException", 400)
    )
    since = now_ms()
    with (
        FaultyAwsEndpoint(local_endpoint, throttling) as dynamodb,
        function_environment(
            aws_client("lambda"), api_function, {ENDPOINT_VARIABLES["dynamodb"]: dynamodb.url}
        ),
    ):
        response = api.post(
            "/orders", order_request(customer), {"x-correlation-id": correlation_id}
        )

    assert_documented_error(response, 503, "SERVICE_UNAVAILABLE")
    assert int(response.headers["retry-after"]) >= 1
    # the SDK retried the throttled write before giving up
    assert dynamodb.calls == ["PutItem"] * SDK_ATTEMPTS
    assert customer_items(aws_client, output("TableName"), customer) == []
    lines = json_log_lines(
        aws_client("logs"),
        api_function,
        since,
        lambda found: (
            any(line.get("clientCorrelationId") == correlation_id for line in found)
            and bool(emf_metric_values(found, "dependencyUnavailable"))
            and bool(emf_metric_values(found, "serverErrors"))
        ),
    )
    warnings = [line for line in lines if line.get("clientCorrelationId") == correlation_id]
    assert any(
        line["message"] == "dependency unavailable" and line["dependency"] == "dynamodb"
        for line in warnings
    ), warnings
    assert emf_metric_values(lines, "dependencyUnavailable") == [1.0]
    assert emf_metric_values(lines, "serverErrors") == [1.0]


def test_dynamodb_unreachable_is_503_with_retry_after(
    api: SignedApiClient, aws_client: Callable[[str], Any], api_function: str
) -> None:
    with function_environment(
        aws_client("lambda"), api_function, {ENDPOINT_VARIABLES["dynamodb"]: closed_port_url()}
    ):
        response = api.get(f"/orders/{uuid.uuid4()}")

    assert_documented_error(response, 503, "SERVICE_UNAVAILABLE")
    assert int(response.headers["retry-after"]) >= 1


def test_lost_write_response_is_retried_into_exactly_one_order(
    api: SignedApiClient,
    aws_client: Callable[[str], Any],
    output: Callable[[str], str],
    local_endpoint: str,
    api_function: str,
) -> None:
    # DynamoDB stores the order, then its answer is a 500 (retryable): the retried conditional
    # put finds the order the first attempt wrote.
    customer = new_customer_id()
    lost = Fault(
        frozenset({"PutItem"}), AwsError("InternalServerError", 500), forward_first=True, times=1
    )
    with (
        FaultyAwsEndpoint(local_endpoint, lost) as dynamodb,
        function_environment(
            aws_client("lambda"), api_function, {ENDPOINT_VARIABLES["dynamodb"]: dynamodb.url}
        ),
    ):
        response = api.post("/orders", order_request(customer))

    assert response.status == 201, response.body
    assert dynamodb.calls == ["PutItem", "PutItem"]
    items = customer_items(aws_client, output("TableName"), customer)
    assert [item["orderId"]["S"] for item in items] == [response.body["orderId"]]


def test_kms_access_denied_is_an_alarmable_500_with_an_error_log_and_metric(
    api: SignedApiClient,
    aws_client: Callable[[str], Any],
    local_endpoint: str,
    api_function: str,
    template: dict[str, Any],
) -> None:
    # Given a customer with two orders, so a page of one needs a page token (KMS Encrypt)
    customer, correlation_id = new_customer_id(), f"fault-{uuid.uuid4().hex}"
    for quantity in (1, 2):
        assert api.post("/orders", order_request(customer, quantity=quantity)).status == 201
    denied = Fault(frozenset({"Encrypt", "Decrypt"}), AwsError("AccessDeniedException", 400))
    since = now_ms()
    with (
        FaultyAwsEndpoint(local_endpoint, denied) as kms,
        function_environment(
            aws_client("lambda"), api_function, {ENDPOINT_VARIABLES["kms"]: kms.url}
        ),
    ):
        response = api.get(
            f"/customers/{customer}/orders?limit=1", {"x-correlation-id": correlation_id}
        )

    # Then: not the client's fault and not transient, so no retry and no Retry-After
    assert_documented_error(response, 500, "INTERNAL_ERROR")
    assert "retry-after" not in response.headers
    assert "AccessDenied" not in json.dumps(response.body)  # no internals for the client
    assert kms.calls == ["Encrypt"]
    lines = json_log_lines(
        aws_client("logs"),
        api_function,
        since,
        lambda found: (
            any(line.get("clientCorrelationId") == correlation_id for line in found)
            and bool(emf_metric_values(found, "serverErrors"))
        ),
    )
    errors = [
        line
        for line in lines
        if line.get("clientCorrelationId") == correlation_id and line.get("level") == "ERROR"
    ]
    assert errors, f"no ERROR log line with correlation id {correlation_id}"
    assert "AccessDeniedException" in errors[0]["exception"]
    assert emf_metric_values(lines, "serverErrors") == [1.0]
    # And a 5xx pages: the API's 5XXError alarm fires on a single one (template, see docstring)
    (alarm,) = [
        resource["Properties"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::CloudWatch::Alarm"
        and resource["Properties"].get("MetricName") == "5XXError"
    ]
    assert (alarm["Namespace"], alarm["Statistic"], alarm["Threshold"]) == (
        "AWS/ApiGateway",
        "Sum",
        1,
    )
    assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert alarm["AlarmActions"]
