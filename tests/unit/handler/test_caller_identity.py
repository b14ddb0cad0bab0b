"""Who may do what: the caller of every request, ownership in COGNITO mode, accountability in
logs and on orders, and bounded error output. In-process events carry the request context API
Gateway builds (``requestContext.identity.userArn`` for IAM, ``requestContext.authorizer.claims``
for a Cognito user pool authorizer: "Amazon API Gateway $context variables", developer guide)."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from handler_harness import (
    CALLER_ARN,
    JSON_HEADERS,
    ApiResponse,
    AwsAccount,
    api_event,
    call_api,
    create_price_catalog,
    json_lines,
)
from orders import api
from orders.responses import MAX_REPORTED_PROBLEMS

ALICE = {"sub": "alice-0001", "email": "alice@example.com"}
BOB = {"sub": "bob-0002"}
ADDRESS = {"fullName": "A B", "line1": "1 Road", "city": "Town", "country": "FR"}


def body_for(customer_id: str) -> str:
    return json.dumps(
        {
            "customerId": customer_id,
            "currency": "EUR",
            "items": [{"sku": "BOOK-1", "name": "Book", "quantity": 1, "unitPrice": 30}],
            "shippingAddress": ADDRESS,
        }
    )


def post(body: str, claims: dict[str, str] | None = None, **kwargs: Any) -> ApiResponse:
    return call_api(
        api_event("POST", "/orders", headers=JSON_HEADERS, body=body, claims=claims, **kwargs)
    )


def get(order_id: str, claims: dict[str, str] | None = None) -> ApiResponse:
    return call_api(
        api_event("GET", "/orders/{orderId}", path_parameters={"orderId": order_id}, claims=claims)
    )


def list_of(customer_id: str, claims: dict[str, str] | None = None) -> ApiResponse:
    return call_api(
        api_event(
            "GET",
            "/customers/{customerId}/orders",
            path_parameters={"customerId": customer_id},
            claims=claims,
        )
    )


@pytest.fixture
def cognito(aws: AwsAccount, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsAccount]:
    """The api function as the construct configures it with AuthorizationMode.COGNITO (which
    needs a price catalog)."""
    monkeypatch.setenv("AUTHORIZATION_MODE", "cognito")
    table = create_price_catalog(aws.dynamodb, {"BOOK-1": {"EUR": "30"}})
    monkeypatch.setenv("PRICE_CATALOG_TABLE", table)
    api.build_api.cache_clear()
    yield aws
    api.build_api.cache_clear()


def test_cognito_user_creates_reads_and_lists_their_own_orders(cognito: AwsAccount) -> None:
    created = post(body_for("alice-0001"), ALICE, user_arn=None)
    assert created.status == 201
    assert get(created.body["orderId"], ALICE).status == 200
    listed = list_of("alice-0001", ALICE)
    assert [o["orderId"] for o in listed.body["orders"]] == [created.body["orderId"]]


def test_cognito_user_cannot_create_an_order_for_another_customer(cognito: AwsAccount) -> None:
    response = post(body_for("bob-0002"), ALICE)
    assert response.status == 403
    assert response.body["code"] == "FORBIDDEN"
    assert cognito.dynamodb.scan(TableName=cognito.table_name)["Count"] == 0


def test_another_customers_order_is_404_exactly_like_an_unknown_id(cognito: AwsAccount) -> None:
    bobs = post(body_for("bob-0002"), BOB).body["orderId"]
    stolen = get(bobs, ALICE)
    unknown = get(str(uuid.uuid4()), ALICE)

    assert stolen.status == unknown.status == 404
    assert stolen.body["code"] == unknown.body["code"] == "ORDER_NOT_FOUND"
    # Same message shape: only the id the caller sent differs.
    assert stolen.body["message"].replace(bobs, "ID") == unknown.body["message"].replace(
        unknown.body["message"].split()[-1], "ID"
    )
    assert "shippingAddress" not in json.dumps(stolen.body)


def test_listing_another_customers_orders_is_403(cognito: AwsAccount) -> None:
    post(body_for("bob-0002"), BOB)
    response = list_of("bob-0002", ALICE)
    assert response.status == 403
    assert response.body["code"] == "FORBIDDEN"


def test_the_customer_id_claim_is_configurable(
    cognito: AwsAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUSTOMER_ID_CLAIM", "custom:customer_id")
    api.build_api.cache_clear()
    claims = {"sub": "f81d4fae", "custom:customer_id": "cust-77"}
    assert post(body_for("cust-77"), claims).status == 201
    assert post(body_for("f81d4fae"), claims).status == 403


def test_a_cognito_request_without_the_claim_is_401_whatever_the_body_says(
    cognito: AwsAccount,
) -> None:
    response = post(body_for("alice-0001"), {"email": "alice@example.com"})
    assert response.status == 401
    assert response.body["code"] == "UNAUTHENTICATED"
    assert post(body_for("alice-0001"), None).status == 401


def test_iam_callers_are_trusted_services_acting_for_any_customer(aws: AwsAccount) -> None:
    first = post(body_for("alice-0001"))
    second = post(body_for("bob-0002"), user_arn="arn:aws:iam::123456789012:role/other")
    assert first.status == second.status == 201
    assert get(first.body["orderId"]).status == 200
    assert list_of("bob-0002").status == 200


def test_every_order_records_its_creator_and_never_returns_it(aws: AwsAccount) -> None:
    created = post(body_for("alice-0001"))
    item = aws.dynamodb.get_item(
        TableName=aws.table_name, Key={"orderId": {"S": created.body["orderId"]}}
    )["Item"]
    assert item["createdBy"] == {"S": CALLER_ARN}
    assert "createdBy" not in created.body
    assert "createdBy" not in get(created.body["orderId"]).body
    assert all("createdBy" not in o for o in list_of("alice-0001").body["orders"])


def test_cognito_orders_record_the_customer_as_creator(cognito: AwsAccount) -> None:
    created = post(body_for("alice-0001"), ALICE)
    item = cognito.dynamodb.get_item(
        TableName=cognito.table_name, Key={"orderId": {"S": created.body["orderId"]}}
    )["Item"]
    assert item["createdBy"] == {"S": "cognito:alice-0001"}


def test_every_request_log_line_names_caller_route_order_and_request_id(
    aws: AwsAccount, log_output: io.StringIO
) -> None:
    created = post(body_for("alice-0001"))
    order_id = created.body["orderId"]
    call_api(
        api_event(
            "GET",
            "/orders/{orderId}",
            path_parameters={"orderId": order_id},
            headers={"x-correlation-id": "client-trace-9"},
        )
    )
    missing = str(uuid.uuid4())
    get(missing)

    completed = [
        line for line in json_lines(log_output.getvalue()) if line["message"] == "request completed"
    ]
    assert len(completed) == 3
    for line in completed:
        assert line["caller"] == CALLER_ARN
        assert line["correlation_id"] == line["requestId"] == "apigw-request-1"
    assert [line["route"] for line in completed] == [
        "POST /orders",
        "GET /orders/{orderId}",
        "GET /orders/{orderId}",
    ]
    assert completed[0]["orderIds"] == [order_id]
    # The client's correlation id has its own field and never replaces the request id.
    assert completed[1]["orderIds"] == [order_id]
    assert completed[1]["clientCorrelationId"] == "client-trace-9"
    assert completed[2]["orderIds"] == [missing] and completed[2]["status"] == 404


def test_a_256_kib_array_body_gets_a_small_400_and_a_small_log_line(
    aws: AwsAccount, log_output: io.StringIO
) -> None:
    zeros = ",".join(["0"] * 131_000)
    body = '{"items":[' + zeros + "]}"
    assert 250_000 < len(body) <= 256 * 1024

    raw = api.lambda_handler(
        api_event("POST", "/orders", headers=JSON_HEADERS, body=body),
        __import__("handler_harness").FakeLambdaContext(),
    )

    assert raw["statusCode"] == 400
    assert len(raw["body"]) < 4_000
    errors = json.loads(raw["body"])["errors"]
    assert {"field": "items", "message": "must have at most 100 items"} in errors
    assert max(len(line) for line in log_output.getvalue().splitlines()) < 4_000


def test_error_bodies_list_at_most_the_cap_and_say_how_many_more(aws: AwsAccount) -> None:
    # 100 items (the maximum), each wrong in three ways: 300 problems.
    items = [{"sku": "", "name": "", "quantity": 0, "unitPrice": 1} for _ in range(100)]
    body = json.dumps({"customerId": "c", "currency": "EUR", "items": items})
    response = post(body)
    assert response.status == 400
    errors = response.body["errors"]
    assert len(errors) == MAX_REPORTED_PROBLEMS + 1
    assert errors[-1]["field"] == "$"
    assert errors[-1]["message"].endswith("more problems are not listed")
    total = int(response.body["message"].split("(")[1].split()[0])
    assert int(errors[-1]["message"].split()[0]) == total - MAX_REPORTED_PROBLEMS


def test_unit_prices_of_a_refused_array_are_not_checked(aws: AwsAccount) -> None:
    item = {"sku": "A", "name": "A", "quantity": 1, "unitPrice": Decimal("0.001")}
    body = json.dumps(
        {
            "customerId": "cust-1",
            "currency": "EUR",
            "items": [item] * 500,
            "shippingAddress": ADDRESS,
        },
        default=str,
    ).replace('"0.001"', "0.001")
    response = post(body)
    assert response.status == 400
    assert [e["field"] for e in response.body["errors"]] == ["items"]
