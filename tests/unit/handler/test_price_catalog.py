"""Prices end users cannot set: with a price catalog (``PRICE_CATALOG_TABLE``) the API prices
every line from it, in-process against a moto table shaped as the construct creates it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from handler_harness import (
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
