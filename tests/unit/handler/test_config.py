"""Reading the functions' settings from the environment."""

from __future__ import annotations

import pytest
from orders.config import Settings, table_name_from_env
from orders.errors import ConfigurationError

FULL = {
    "TABLE_NAME": "orders",
    "CUSTOMER_INDEX_NAME": "byCustomer",
    "ALLOWED_ORIGINS": " https://a.example.com , https://b.example.com ,",
    "PAGE_TOKEN_KEY_ID": "arn:aws:kms:eu-west-1:123456789012:key/abc",
    "ORDER_TTL_DAYS": "30",
}


def test_all_settings_are_read() -> None:
    settings = Settings.from_env(FULL)
    assert settings == Settings(
        table_name="orders",
        customer_index_name="byCustomer",
        order_ttl_days=30,
        allowed_origins=("https://a.example.com", "https://b.example.com"),
        page_token_key_id=FULL["PAGE_TOKEN_KEY_ID"],
    )
    assert settings.customer_listing_enabled


def test_optional_settings_have_safe_defaults() -> None:
    settings = Settings.from_env({"TABLE_NAME": "orders"})
    assert settings.order_ttl_days == 90
    assert settings.allowed_origins == ()
    assert settings.customer_index_name is None and settings.page_token_key_id is None
    assert not settings.customer_listing_enabled


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"TABLE_NAME": " "}, "TABLE_NAME is not set"),
        ({"ORDER_TTL_DAYS": "ninety"}, "ORDER_TTL_DAYS must be an integer"),
        ({"ORDER_TTL_DAYS": "0"}, "between 1 and 36500"),
        ({"ALLOWED_ORIGINS": "https://a.example.com,*"}, "must not contain '*'"),
    ],
)
def test_invalid_settings_are_refused_with_the_variable_named(
    overrides: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_env({**FULL, **overrides})


def test_every_problem_is_named_at_once() -> None:
    with pytest.raises(ConfigurationError) as raised:
        Settings.from_env({"ORDER_TTL_DAYS": "x", "ALLOWED_ORIGINS": "*"})
    assert str(raised.value).count(";") == 2


def test_processor_needs_only_the_table_name() -> None:
    assert table_name_from_env({"TABLE_NAME": "orders"}) == "orders"
    with pytest.raises(ConfigurationError):
        table_name_from_env({})
