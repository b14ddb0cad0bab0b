"""The API function against moto: every route, every status code, headers, logs and metrics."""

from __future__ import annotations

import base64
import io
import json
import re
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from handler_harness import (
    ALLOWED_ORIGINS,
    JSON_HEADERS,
    ApiResponse,
    AwsAccount,
    api_event,
    call_api,
    json_lines,
)
from orders import api
from orders.json_body import MAX_BODY_BYTES

PostOrder = Callable[..., ApiResponse]
ADDRESS = {
    "fullName": "Grace Hopper",
    "line1": "42 Harbour Road",
    "city": "Arlington",
    "region": "VA",
    "postalCode": "22201",
    "country": "US",
}


def order_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customerId": "cust-42",
        "currency": "USD",
        "items": [
            {"sku": "MUG-1", "name": "Mug", "quantity": 2, "unitPrice": Decimal("12.50")},
            {"sku": "TEA-7", "name": "Tea", "quantity": 3, "unitPrice": Decimal("0.99")},
        ],
        "shippingAddress": ADDRESS,
    }
    body.update(overrides)
    return body


def dumps(body: Any) -> str:
    return json.dumps(body, default=lambda d: float(d) if isinstance(d, Decimal) else str(d))


def get_order(order_id: str, headers: dict[str, str] | None = None) -> ApiResponse:
    return call_api(
        api_event(
            "GET", "/orders/{orderId}", path_parameters={"orderId": order_id}, headers=headers
        )
    )


def list_orders(customer_id: str, query: dict[str, str] | None = None) -> ApiResponse:
    return call_api(
        api_event(
            "GET",
            "/customers/{customerId}/orders",
            path_parameters={"customerId": customer_id},
            query=query,
        )
    )


def stored_item(aws: AwsAccount, order_id: str) -> dict[str, Any] | None:
    from orders.dynamodb_codec import deserialize_item

    item = aws.dynamodb.get_item(TableName=aws.table_name, Key={"orderId": {"S": order_id}})
    return None if "Item" not in item else deserialize_item(item["Item"])


def fail_with(code: str, operation: str) -> Callable[..., Any]:
    def fail(**_: Any) -> Any:
        raise ClientError({"Error": {"Code": code, "Message": "injected"}}, operation)

    return fail


# --- POST /orders -------------------------------------------------------------------------


def test_valid_order_is_created_stored_and_returned(aws: AwsAccount, post_order: PostOrder) -> None:
    before = int(time.time())
    response = post_order(dumps(order_body(total=Decimal("27.97"))))

    assert response.status == 201
    order = response.body
    assert uuid.UUID(order["orderId"]).version == 4
    assert response.headers["Location"] == f"/orders/{order['orderId']}"
    assert "Idempotent-Replay" not in response.headers
    assert order["status"] == "PENDING"
    assert order["total"] == Decimal("27.97")
    assert order["items"][1] == {
        "sku": "TEA-7",
        "name": "Tea",
        "quantity": 3,
        "unitPrice": Decimal("0.99"),
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", order["createdAt"])
    assert "requestHash" not in order and "ttl" not in order

    item = stored_item(aws, order["orderId"])
    assert item is not None
    assert item["total"] == Decimal("27.97")
    assert item["items"][0]["unitPrice"] == Decimal("12.5")
    assert item["status"] == "PENDING"
    assert item["shippingAddress"] == ADDRESS
    assert "billingAddress" not in item
    assert re.fullmatch(r"[0-9a-f]{64}", item["requestHash"])
    ninety_days = 90 * 86400
    assert before + ninety_days <= item["ttl"] <= int(time.time()) + ninety_days


def test_order_ttl_days_comes_from_the_environment(
    aws: AwsAccount, post_order: PostOrder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORDER_TTL_DAYS", "7")
    api.build_api.cache_clear()
    response = post_order(dumps(order_body(billingAddress=ADDRESS)))
    item = stored_item(aws, response.body["orderId"])
    assert item is not None
    assert abs(int(item["ttl"]) - (time.time() + 7 * 86400)) < 60
    assert item["billingAddress"] == ADDRESS


def test_invalid_order_is_400_listing_every_problem(aws: AwsAccount, post_order: PostOrder) -> None:
    body = order_body(
        currency="JPY",
        coupon="FREE",
        items=[{"sku": "MUG-1", "name": "Mug", "quantity": 0, "unitPrice": Decimal("1.001")}],
    )
    del body["shippingAddress"]

    response = post_order(dumps(body))

    assert response.status == 400
    assert response.body["code"] == "VALIDATION_FAILED"
    assert response.body["correlationId"] == "apigw-request-1"
    fields = {e["field"] for e in response.body["errors"]}
    assert fields == {
        "currency",
        "coupon",
        "items[0].quantity",
        "items[0].unitPrice",
        "shippingAddress",
    }
    assert all(e["message"] for e in response.body["errors"])
    assert aws.dynamodb.scan(TableName=aws.table_name)["Count"] == 0


def test_client_total_that_disagrees_is_rejected(aws: AwsAccount, post_order: PostOrder) -> None:
    response = post_order(dumps(order_body(total=Decimal("27.96"))))
    assert response.status == 400
    assert response.body["errors"] == [
        {"field": "total", "message": "does not match the total computed from the items (27.97)"}
    ]


@pytest.mark.parametrize(
    ("body", "message_part"),
    [
        ('{"customerId": "cust-1",', "not valid JSON"),
        ('{"a": NaN}', "NaN"),
        ('{"a": Infinity}', "Infinity"),
        ('{"a": 1, "a": 2}', "same key"),
        ('{"a": 1} {"b": 2}', "extra data"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("", "empty"),
    ],
)
def test_malformed_json_is_400(
    aws: AwsAccount, post_order: PostOrder, body: str, message_part: str
) -> None:
    response = post_order(body)
    assert response.status == 400
    assert response.body["code"] == "MALFORMED_BODY"
    assert message_part in response.body["message"]
    assert response.body["errors"][0]["field"] == "$"


def test_non_utf8_body_is_400(aws: AwsAccount) -> None:
    raw = base64.b64encode(b'{"customerId": "\xff\xfe"}').decode()
    event = api_event("POST", "/orders", headers=JSON_HEADERS, body=raw, is_base64_encoded=True)
    response = call_api(event)
    assert response.status == 400
    assert "UTF-8" in response.body["message"]


def test_base64_encoded_body_is_accepted(aws: AwsAccount) -> None:
    raw = base64.b64encode(dumps(order_body()).encode()).decode()
    event = api_event("POST", "/orders", headers=JSON_HEADERS, body=raw, is_base64_encoded=True)
    assert call_api(event).status == 201


def test_invalid_base64_body_is_400(aws: AwsAccount) -> None:
    event = api_event("POST", "/orders", headers=JSON_HEADERS, body="%%%", is_base64_encoded=True)
    assert call_api(event).status == 400


def test_body_over_the_limit_is_413(aws: AwsAccount, post_order: PostOrder) -> None:
    padding = " " * (MAX_BODY_BYTES - len(dumps(order_body())))
    at_limit = dumps(order_body()) + padding
    assert len(at_limit.encode()) == MAX_BODY_BYTES
    assert post_order(at_limit).status == 201

    response = post_order(at_limit + " ")
    assert response.status == 413
    assert response.body["code"] == "PAYLOAD_TOO_LARGE"

    raw = base64.b64encode((at_limit + " ").encode()).decode()
    event = api_event("POST", "/orders", headers=JSON_HEADERS, body=raw, is_base64_encoded=True)
    assert call_api(event).status == 413


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"],
)
def test_non_json_content_type_is_415(aws: AwsAccount, content_type: str | None) -> None:
    headers = {"Origin": ALLOWED_ORIGINS[0]}
    if content_type is not None:
        headers["Content-Type"] = content_type
    response = call_api(api_event("POST", "/orders", headers=headers, body=dumps(order_body())))
    assert response.status == 415
    assert response.body["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert aws.dynamodb.scan(TableName=aws.table_name)["Count"] == 0


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "Application/JSON; charset=UTF-8", "application/json;charset=utf8"],
)
def test_json_content_types_are_accepted(aws: AwsAccount, content_type: str) -> None:
    headers = {"content-type": content_type}
    response = call_api(api_event("POST", "/orders", headers=headers, body=dumps(order_body())))
    assert response.status == 201


# --- GET /orders/{orderId} ------------------------------------------------------------------


def test_get_order_returns_the_stored_order(aws: AwsAccount, post_order: PostOrder) -> None:
    created = post_order(dumps(order_body())).body
    response = get_order(created["orderId"])
    assert response.status == 200
    assert response.body == created


def test_get_unknown_order_is_404(aws: AwsAccount) -> None:
    response = get_order(str(uuid.uuid4()))
    assert response.status == 404
    assert response.body["code"] == "ORDER_NOT_FOUND"


@pytest.mark.parametrize("order_id", ["not-a-uuid", "", "2AAED9A9-D64E-48E1-BD82-D37B5261344C"])
def test_get_order_with_malformed_id_is_400(aws: AwsAccount, order_id: str) -> None:
    response = get_order(order_id)
    assert response.status == 400
    assert response.body["errors"][0]["field"] == "path:orderId"


# --- GET /customers/{customerId}/orders -------------------------------------------------------


def create_orders(post_order: PostOrder, customer_id: str, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        ids.append(post_order(dumps(order_body(customerId=customer_id))).body["orderId"])
        time.sleep(0.002)  # distinct createdAt milliseconds, so newest-first is well defined
    return ids


def test_customer_orders_are_listed_newest_first_across_pages(
    aws: AwsAccount, post_order: PostOrder
) -> None:
    created = create_orders(post_order, "cust-pages", 5)
    create_orders(post_order, "cust-other", 2)

    seen: list[str] = []
    query: dict[str, str] = {"limit": "2"}
    pages = 0
    while True:
        response = list_orders("cust-pages", query)
        assert response.status == 200
        assert len(response.body["orders"]) <= 2
        assert all(o["customerId"] == "cust-pages" for o in response.body["orders"])
        seen += [o["orderId"] for o in response.body["orders"]]
        pages += 1
        token = response.body["nextToken"]
        if token is None:
            break
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
        query = {"limit": "2", "nextToken": token}
    assert seen == list(reversed(created))
    assert pages >= 3


def test_default_page_size_is_20(aws: AwsAccount, post_order: PostOrder) -> None:
    create_orders(post_order, "cust-many", 21)
    first = list_orders("cust-many")
    assert len(first.body["orders"]) == 20
    assert first.body["nextToken"] is not None
    second = list_orders("cust-many", {"nextToken": first.body["nextToken"]})
    assert len(second.body["orders"]) == 1
    assert second.body["nextToken"] is None


def test_customer_without_orders_gets_an_empty_page(aws: AwsAccount) -> None:
    response = list_orders("nobody")
    assert response.status == 200
    assert response.body == {"orders": [], "nextToken": None}


@pytest.mark.parametrize("limit", ["0", "101", "-1", "1.5", "abc", "", "\uff11\uff10", "0100"])
def test_invalid_page_size_is_400(aws: AwsAccount, limit: str) -> None:
    response = list_orders("cust-42", {"limit": limit})
    assert response.status == 400
    assert response.body["errors"][0]["field"] == "query:limit"


def test_page_size_100_is_accepted(aws: AwsAccount) -> None:
    assert list_orders("cust-42", {"limit": "100"}).status == 200


@pytest.mark.parametrize("customer_id", ["ab", "bad id", "x" * 65, "-dash", "cust\n"])
def test_malformed_customer_id_is_400(aws: AwsAccount, customer_id: str) -> None:
    response = list_orders(customer_id)
    assert response.status == 400
    assert response.body["errors"][0]["field"] == "path:customerId"


def test_page_token_of_another_customer_is_400(aws: AwsAccount, post_order: PostOrder) -> None:
    create_orders(post_order, "cust-alice", 2)
    token = list_orders("cust-alice", {"limit": "1"}).body["nextToken"]
    response = list_orders("cust-mallory", {"limit": "1", "nextToken": token})
    assert response.status == 400
    assert response.body["code"] == "INVALID_PAGE_TOKEN"
    assert response.body["errors"][0]["field"] == "query:nextToken"


def test_tampered_or_made_up_page_tokens_are_400(aws: AwsAccount, post_order: PostOrder) -> None:
    create_orders(post_order, "cust-alice", 2)
    token = list_orders("cust-alice", {"limit": "1"}).body["nextToken"]
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    plain = base64.urlsafe_b64encode(
        json.dumps({"orderId": {"S": "x"}, "customerId": {"S": "cust-alice"}}).encode()
    ).decode()
    for bad in [flipped, plain, "!!!", "a" * 3000, "é"]:
        response = list_orders("cust-alice", {"nextToken": bad})
        assert response.status == 400, bad
        assert response.body["code"] == "INVALID_PAGE_TOKEN"


# --- any route -------------------------------------------------------------------------------


def test_unknown_route_is_404(aws: AwsAccount) -> None:
    response = call_api(api_event("DELETE", "/orders/{orderId}", path_parameters={"orderId": "x"}))
    assert response.status == 404
    assert response.body["code"] == "ROUTE_NOT_FOUND"


def every_kind_of_response(post_order: PostOrder) -> list[ApiResponse]:
    return [
        post_order(dumps(order_body())),  # 201
        post_order("{"),  # 400
        post_order(" " * (MAX_BODY_BYTES + 1)),  # 413
        call_api(api_event("POST", "/orders", headers={"Origin": ALLOWED_ORIGINS[0]}, body="{}")),
        get_order(str(uuid.uuid4()), headers={"Origin": ALLOWED_ORIGINS[0]}),  # 404
        call_api(api_event("GET", "/nothing", headers={"Origin": ALLOWED_ORIGINS[0]})),  # 404
    ]


def test_every_response_has_cors_and_correlation_headers(
    aws: AwsAccount, post_order: PostOrder
) -> None:
    responses = every_kind_of_response(post_order)
    assert {r.status for r in responses} == {201, 400, 404, 413, 415}
    for response in responses:
        assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGINS[0]
        assert response.headers["Vary"] == "Origin"
        assert response.headers["x-correlation-id"] == "apigw-request-1"
        assert response.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        (ALLOWED_ORIGINS[1], ALLOWED_ORIGINS[1]),
        ("https://evil.example.com", ALLOWED_ORIGINS[0]),
        (None, ALLOWED_ORIGINS[0]),
    ],
)
def test_cors_reflects_only_allow_listed_origins(
    aws: AwsAccount, origin: str | None, expected: str
) -> None:
    headers = {} if origin is None else {"origin": origin}
    response = get_order(str(uuid.uuid4()), headers=headers)
    assert response.headers["Access-Control-Allow-Origin"] == expected


def test_without_allowed_origins_no_cors_headers_are_sent(
    aws: AwsAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALLOWED_ORIGINS", "")
    api.build_api.cache_clear()
    response = get_order(str(uuid.uuid4()), headers={"Origin": "https://shop.example.com"})
    assert response.status == 404
    assert not any(h.startswith("Access-Control-") for h in response.headers)
    assert response.headers["x-correlation-id"] == "apigw-request-1"


@pytest.mark.parametrize("missing", ["CUSTOMER_INDEX_NAME", "PAGE_TOKEN_KEY_ID"])
def test_customer_listing_is_501_before_the_deployment_has_index_and_key(
    aws: AwsAccount, post_order: PostOrder, monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    monkeypatch.delenv(missing)
    api.build_api.cache_clear()
    response = list_orders("cust-42")
    assert response.status == 501
    assert response.body["code"] == "NOT_ENABLED"
    assert missing in response.body["message"]
    # The other routes still work.
    created = post_order(dumps(order_body()))
    assert created.status == 201
    assert get_order(created.body["orderId"]).status == 200


def test_client_correlation_id_is_used_when_well_formed(aws: AwsAccount) -> None:
    ok = get_order(str(uuid.uuid4()), headers={"X-Correlation-Id": "trace-123"})
    assert ok.headers["x-correlation-id"] == "trace-123"
    assert ok.body["correlationId"] == "trace-123"
    unsafe = get_order(str(uuid.uuid4()), headers={"x-correlation-id": "a\nb"})
    assert unsafe.headers["x-correlation-id"] == "apigw-request-1"


# --- dependencies failing --------------------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
    ],
)
def test_dynamodb_throttling_on_create_is_503_with_retry_after(
    aws: AwsAccount, post_order: PostOrder, monkeypatch: pytest.MonkeyPatch, code: str
) -> None:
    client = api.build_api().service._repository._client  # type: ignore[attr-defined]
    monkeypatch.setattr(client, "put_item", fail_with(code, "PutItem"))
    response = post_order(dumps(order_body()))
    assert response.status == 503
    assert response.headers["Retry-After"] == "1"
    assert response.headers["Access-Control-Allow-Origin"] == ALLOWED_ORIGINS[0]
    assert response.body["code"] == "SERVICE_UNAVAILABLE"


def test_dynamodb_unreachable_on_read_and_query_is_503(
    aws: AwsAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = api.build_api().service._repository._client  # type: ignore[attr-defined]

    def unreachable(**_: Any) -> Any:
        raise EndpointConnectionError(endpoint_url="https://dynamodb.eu-west-1.amazonaws.com")

    monkeypatch.setattr(client, "get_item", unreachable)
    monkeypatch.setattr(
        client, "query", fail_with("ProvisionedThroughputExceededException", "Query")
    )
    assert get_order(str(uuid.uuid4())).status == 503
    assert list_orders("cust-42").status == 503


def test_kms_throttling_on_page_token_is_503(
    aws: AwsAccount, post_order: PostOrder, monkeypatch: pytest.MonkeyPatch
) -> None:
    create_orders(post_order, "cust-kms", 2)
    kms = api.build_api().service._page_tokens._kms  # type: ignore[attr-defined]
    monkeypatch.setattr(kms, "encrypt", fail_with("ThrottlingException", "Encrypt"))
    assert list_orders("cust-kms", {"limit": "1"}).status == 503


def test_unexpected_aws_error_is_500_without_internals(
    aws: AwsAccount, post_order: PostOrder, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = api.build_api().service._repository._client  # type: ignore[attr-defined]
    monkeypatch.setattr(client, "put_item", fail_with("AccessDeniedException", "PutItem"))
    response = post_order(dumps(order_body()))
    assert response.status == 500
    assert response.body["code"] == "INTERNAL_ERROR"
    assert "AccessDenied" not in json.dumps(response.body)
    assert response.headers["x-correlation-id"] == "apigw-request-1"


def test_kms_access_denied_is_a_500_with_its_own_metric_and_log(
    aws: AwsAccount,
    post_order: PostOrder,
    monkeypatch: pytest.MonkeyPatch,
    log_output: io.StringIO,
    capsys: pytest.CaptureFixture[str],
) -> None:
    create_orders(post_order, "cust-denied", 2)
    kms = api.build_api().service._page_tokens._kms  # type: ignore[attr-defined]
    monkeypatch.setattr(kms, "encrypt", fail_with("AccessDeniedException", "Encrypt"))
    capsys.readouterr()
    response = list_orders("cust-denied", {"limit": "1"})
    assert response.status == 500
    assert response.body["code"] == "INTERNAL_ERROR"
    assert "Retry-After" not in response.headers
    assert metric_names(capsys.readouterr().out) == ["serverErrors", "dependencyAccessDenied"]
    denied = [
        line
        for line in json_lines(log_output.getvalue())
        if line["message"] == "dependency access denied"
    ]
    assert denied and denied[-1]["errorCode"] == "AccessDeniedException"
    assert denied[-1]["level"] == "ERROR"


def test_missing_configuration_is_500(aws: AwsAccount, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TABLE_NAME")
    api.build_api.cache_clear()
    response = get_order(str(uuid.uuid4()))
    assert response.status == 500
    assert response.headers["x-correlation-id"] == "apigw-request-1"


# --- logs and metrics ------------------------------------------------------------------------


def metric_names(stdout: str) -> list[str]:
    return [
        metric["Name"]
        for blob in json_lines(stdout)
        if "_aws" in blob
        for metric in blob["_aws"]["CloudWatchMetrics"][0]["Metrics"]
    ]


def test_logs_carry_the_correlation_id_and_no_personal_data(
    aws: AwsAccount,
    post_order: PostOrder,
    log_output: io.StringIO,
    capsys: pytest.CaptureFixture[str],
) -> None:
    every_kind_of_response(post_order)
    bad_address = {**ADDRESS, "line1": "7 Secret Lane\x00"}
    post_order(dumps(order_body(shippingAddress=bad_address)))

    logs = json_lines(log_output.getvalue())
    assert len(logs) >= 7
    assert all(line["correlation_id"] == "apigw-request-1" for line in logs)
    everything = log_output.getvalue() + capsys.readouterr().out
    for personal in ["Grace Hopper", "Harbour Road", "Arlington", "22201", "Secret Lane"]:
        assert personal not in everything
    refused = [line for line in logs if line["message"] == "request refused"]
    assert {"status": 400, "fields": ["shippingAddress.line1"]}.items() <= refused[-1].items()


def test_order_created_and_client_error_metrics_are_emitted(
    aws: AwsAccount, post_order: PostOrder, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    post_order(dumps(order_body()))
    post_order("{")
    stdout = capsys.readouterr().out
    assert metric_names(stdout) == ["ordersCreated", "clientErrors"]
    namespaces = {
        b["_aws"]["CloudWatchMetrics"][0]["Namespace"] for b in json_lines(stdout) if "_aws" in b
    }
    assert namespaces == {"ProductionOrderKit"}


def test_no_metrics_are_written_when_the_deployment_disables_them(
    aws: AwsAccount,
    post_order: PostOrder,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")  # early migration phases
    capsys.readouterr()
    assert post_order(dumps(order_body())).status == 201
    assert post_order("{").status == 400
    assert metric_names(capsys.readouterr().out) == []
