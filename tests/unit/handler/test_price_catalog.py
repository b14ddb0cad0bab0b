"""Prices end users cannot set: with a price catalog (``PRICE_CATALOG_TABLE``) the API prices
every line from it, in-process against a moto table shaped as the construct creates it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from handler_harness import (
    CATALOG_TABLE_NAME,
    JSON_HEADERS,
    ApiResponse,
    AwsAccount,
    api_event,
    call_api,
    create_price_catalog,
)
from orders import api
from orders.config import Settings

ALICE = {"sub": "alice-0001"}
ADDRESS = {"fullName": "A B", "line1": "1 Road", "city": "Town", "country": "FR"}
PRICES = {"BOOK-1": {"EUR": "30", "USD": "32.50"}, "MUG-2": {"EUR": "9.90"}}


def order(*items: tuple[str, int, Any], currency: str = "EUR") -> str:
    return json.dumps(
        {
            "customerId": "alice-0001",
            "currency": currency,
            "items": [
                {"sku": sku, "name": sku, "quantity": quantity, "unitPrice": price}
                for sku, quantity, price in items
            ],
            "shippingAddress": ADDRESS,
        }
    )


def post(body: str, claims: dict[str, str] | None = ALICE) -> ApiResponse:
    return call_api(api_event("POST", "/orders", headers=JSON_HEADERS, body=body, claims=claims))


@pytest.fixture(params=["cognito", "iam"])
def priced(
    request: pytest.FixtureRequest, aws: AwsAccount, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The api function with a price catalog, in each authorization mode."""
    monkeypatch.setenv("AUTHORIZATION_MODE", request.param)
    monkeypatch.setenv("PRICE_CATALOG_TABLE", create_price_catalog(aws.dynamodb, PRICES))
    api.build_api.cache_clear()
    yield request.param
    api.build_api.cache_clear()


def claims_for(mode: str) -> dict[str, str] | None:
    return ALICE if mode == "cognito" else None


def test_lines_at_the_catalog_price_are_accepted(priced: str, aws: AwsAccount) -> None:
    created = post(order(("BOOK-1", 2, 30.0), ("MUG-2", 1, 9.9)), claims_for(priced))
    assert created.status == 201, created.body
    assert created.body["total"] == Decimal("69.90")


def test_a_price_in_another_currency_comes_from_that_currency(priced: str) -> None:
    assert post(order(("BOOK-1", 1, 32.5), currency="USD"), claims_for(priced)).status == 201
    refused = post(order(("BOOK-1", 1, 30), currency="USD"), claims_for(priced))
    assert refused.status == 409
    assert refused.body["errors"] == [
        {
            "field": "items[0].unitPrice",
            "message": "the current unit price of sku BOOK-1 is 32.50 USD",
        }
    ]


def test_a_client_price_below_the_catalog_is_409_with_the_current_prices(
    priced: str, aws: AwsAccount
) -> None:
    refused = post(
        order(("BOOK-1", 1, 0.01), ("MUG-2", 1, 9.90), ("MUG-2", 2, 99)), claims_for(priced)
    )
    assert refused.status == 409
    assert refused.body["code"] == "PRICE_CHANGED"
    assert refused.body["errors"] == [
        {
            "field": "items[0].unitPrice",
            "message": "the current unit price of sku BOOK-1 is 30.00 EUR",
        },
        {
            "field": "items[2].unitPrice",
            "message": "the current unit price of sku MUG-2 is 9.90 EUR",
        },
    ]
    assert aws.dynamodb.scan(TableName=aws.table_name)["Count"] == 0


def test_an_unknown_sku_or_a_currency_without_a_price_is_400(priced: str, aws: AwsAccount) -> None:
    refused = post(order(("BOOK-1", 1, 0.01), ("NOPE-9", 1, 5)), claims_for(priced))
    assert refused.status == 400
    assert refused.body["errors"] == [
        {"field": "items[1].sku", "message": "sku NOPE-9 is not for sale in EUR"}
    ]
    no_usd = post(order(("MUG-2", 1, 9.9), currency="USD"), claims_for(priced))
    assert no_usd.status == 400
    assert no_usd.body["errors"][0]["field"] == "items[0].sku"
    assert aws.dynamodb.scan(TableName=aws.table_name)["Count"] == 0


def test_without_a_catalog_iam_callers_prices_are_trusted(aws: AwsAccount) -> None:
    assert post(order(("ANY-1", 1, 0.01)), claims=None).status == 201


def test_the_catalog_table_comes_from_the_environment() -> None:
    assert Settings.from_env({"TABLE_NAME": "t"}).price_catalog_table is None
    settings = Settings.from_env({"TABLE_NAME": "t", "PRICE_CATALOG_TABLE": " prices "})
    assert settings.price_catalog_table == "prices"


def change_price(aws: AwsAccount, sku: str, currency: str, price: str) -> None:
    """What an operator's ``order-kit catalog load`` of a new price does to the sku's item."""
    aws.dynamodb.update_item(
        TableName=CATALOG_TABLE_NAME,
        Key={"sku": {"S": sku}},
        UpdateExpression="SET prices.#c = :p",
        ExpressionAttributeNames={"#c": currency},
        ExpressionAttributeValues={":p": {"N": price}},
    )


def keyed_post(body: str, key: str, claims: dict[str, str] | None) -> ApiResponse:
    headers = {**JSON_HEADERS, "Idempotency-Key": key}
    return call_api(api_event("POST", "/orders", headers=headers, body=body, claims=claims))


def test_a_retry_after_a_price_change_replays_the_order_it_created(
    priced: str, aws: AwsAccount
) -> None:
    body = order(("BOOK-1", 1, 30))
    created = keyed_post(body, "checkout-7", claims_for(priced))
    assert created.status == 201 and "Idempotent-Replay" not in created.headers
    change_price(aws, "BOOK-1", "EUR", "35")
    # The client's retry (its first response was lost) gets its order, priced when created.
    replayed = keyed_post(body, "checkout-7", claims_for(priced))
    assert replayed.status == 201, replayed.body
    assert replayed.headers["Idempotent-Replay"] == "true"
    assert replayed.body == created.body
    # A new request at the old price is refused with the current one.
    stale = keyed_post(body, "checkout-8", claims_for(priced))
    assert stale.status == 409
    assert stale.body["errors"][0]["message"].endswith("is 35.00 EUR")


def test_after_a_price_change_another_callers_same_key_gets_the_current_prices(
    aws: AwsAccount, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTHORIZATION_MODE", "cognito")
    monkeypatch.setenv("PRICE_CATALOG_TABLE", create_price_catalog(aws.dynamodb, PRICES))
    api.build_api.cache_clear()
    try:
        assert keyed_post(order(("BOOK-1", 1, 30)), "k-1", ALICE).status == 201
        change_price(aws, "BOOK-1", "EUR", "35")
        bob = {"sub": "bob-0002"}
        bobs = order(("BOOK-1", 1, 30)).replace("alice-0001", "bob-0002")
        refused = keyed_post(bobs, "k-1", bob)
        assert refused.status == 409 and refused.body["code"] == "PRICE_CHANGED"
        # Alice's retry with another body is not a replay either.
        changed = keyed_post(order(("BOOK-1", 2, 30)), "k-1", ALICE)
        assert changed.status == 409 and changed.body["code"] == "PRICE_CHANGED"
    finally:
        api.build_api.cache_clear()
