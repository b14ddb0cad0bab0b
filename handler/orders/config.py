"""The function's settings, read from the environment the construct sets."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from orders.caller import AuthorizationMode
from orders.errors import ConfigurationError

DEFAULT_ORDER_TTL_DAYS = 90
#: How long an idempotency key is remembered for its caller (the order itself stays).
DEFAULT_IDEMPOTENCY_WINDOW_HOURS = 24
DEFAULT_CUSTOMER_ID_CLAIM = "sub"


@dataclass(frozen=True)
class Settings:
    """Settings of the order functions.

    Parameters
    ----------
    table_name : str
        The orders table (``TABLE_NAME``).
    customer_index_name : str or None
        The GSI keyed by ``customerId``/``createdAt`` (``CUSTOMER_INDEX_NAME``); None when the
        deployment has no customer index yet (migration phases before 3).
    order_ttl_days : int
        Days until an order expires through DynamoDB TTL (``ORDER_TTL_DAYS``, default 90).
    allowed_origins : tuple of str
        The CORS allow-list (``ALLOWED_ORIGINS``, comma-separated); empty when the API is not
        meant for browsers, and then no CORS headers are sent.
    page_token_key_id : str or None
        The KMS key that encrypts pagination tokens (``PAGE_TOKEN_KEY_ID``); None before the
        deployment has a customer-managed key.
    authorization_mode : AuthorizationMode
        How API Gateway authorizes callers (``AUTHORIZATION_MODE``: ``iam``, ``cognito`` or
        ``none``; default ``iam``); decides who the caller is and what they may touch.
    customer_id_claim : str
        In ``cognito`` mode, the claim whose value is the caller's customer id
        (``CUSTOMER_ID_CLAIM``, default ``sub``).
    idempotency_window_hours : int
        How long an idempotency key is remembered (``IDEMPOTENCY_WINDOW_HOURS``, default 24).
    price_catalog_table : str or None
        The price catalog table (``PRICE_CATALOG_TABLE``) every line is priced from; None
        when clients' prices are trusted.
    """

    table_name: str
    customer_index_name: str | None
    order_ttl_days: int
    allowed_origins: tuple[str, ...]
    page_token_key_id: str | None
    authorization_mode: AuthorizationMode = AuthorizationMode.IAM
    customer_id_claim: str = DEFAULT_CUSTOMER_ID_CLAIM
    idempotency_window_hours: int = DEFAULT_IDEMPOTENCY_WINDOW_HOURS
    price_catalog_table: str | None = None

    @property
    def customer_listing_enabled(self) -> bool:
        """Tell whether GET /customers/{customerId}/orders can be served (index and key set)."""
        return bool(self.customer_index_name and self.page_token_key_id)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``environ`` (default: ``os.environ``).

        Raises
        ------
        ConfigurationError
            Naming every missing or invalid variable.

        Examples
        --------
        >>> settings = Settings.from_env({"TABLE_NAME": "orders", "CUSTOMER_INDEX_NAME": "byCust",
        ...     "ALLOWED_ORIGINS": "https://shop.example.com", "PAGE_TOKEN_KEY_ID": "alias/orders"})
        >>> settings.order_ttl_days, settings.allowed_origins, settings.customer_listing_enabled
        (90, ('https://shop.example.com',), True)
        """
        env = os.environ if environ is None else environ
        errors: list[str] = []

        def required(name: str) -> str:
            value = env.get(name, "").strip()
            if not value:
                errors.append(f"{name} is not set")
            return value

        table_name = required("TABLE_NAME")
        index_name = env.get("CUSTOMER_INDEX_NAME", "").strip() or None
        key_id = env.get("PAGE_TOKEN_KEY_ID", "").strip() or None
        origins = tuple(o.strip() for o in env.get("ALLOWED_ORIGINS", "").split(",") if o.strip())
        if "*" in origins:
            errors.append("ALLOWED_ORIGINS must not contain '*': list the allowed origins")

        def integer(name: str, default: int, low: int, high: int) -> int:
            text = env.get(name, "").strip()
            if not text:
                return default
            try:
                value = int(text)
            except ValueError:
                errors.append(f"{name} must be an integer, got {text!r}")
                return default
            if not low <= value <= high:
                errors.append(f"{name} must be between {low} and {high}")
            return value

        ttl_days = integer("ORDER_TTL_DAYS", DEFAULT_ORDER_TTL_DAYS, 1, 36500)
        window_hours = integer(
            "IDEMPOTENCY_WINDOW_HOURS", DEFAULT_IDEMPOTENCY_WINDOW_HOURS, 1, 24 * 366
        )
        mode_text = env.get("AUTHORIZATION_MODE", "").strip().lower() or AuthorizationMode.IAM.value
        try:
            mode = AuthorizationMode(mode_text)
        except ValueError:
            errors.append(f"AUTHORIZATION_MODE must be iam, cognito or none, got {mode_text!r}")
            mode = AuthorizationMode.IAM
        claim = env.get("CUSTOMER_ID_CLAIM", "").strip() or DEFAULT_CUSTOMER_ID_CLAIM
        catalog_table = env.get("PRICE_CATALOG_TABLE", "").strip() or None
        if mode is AuthorizationMode.COGNITO and catalog_table is None:
            errors.append(
                "PRICE_CATALOG_TABLE is required in cognito mode (end users set no prices)"
            )
        if errors:
            raise ConfigurationError("invalid function configuration: " + "; ".join(errors))
        return cls(
            table_name=table_name,
            customer_index_name=index_name,
            order_ttl_days=ttl_days,
            allowed_origins=origins,
            page_token_key_id=key_id,
            authorization_mode=mode,
            customer_id_claim=claim,
            idempotency_window_hours=window_hours,
            price_catalog_table=catalog_table,
        )


def archive_bucket_from_env(environ: Mapping[str, str] | None = None) -> str | None:
    """Return ``ARCHIVE_BUCKET``, the bucket expired orders are archived to, or None when the
    deployment archives nothing (the variable is absent or empty)."""
    env = os.environ if environ is None else environ
    return env.get("ARCHIVE_BUCKET", "").strip() or None


def table_name_from_env(environ: Mapping[str, str] | None = None) -> str:
    """Return ``TABLE_NAME`` (what the stream processor needs besides ``ARCHIVE_BUCKET``).

    Raises
    ------
    ConfigurationError
        If it is not set.
    """
    env = os.environ if environ is None else environ
    table_name = env.get("TABLE_NAME", "").strip()
    if not table_name:
        raise ConfigurationError("invalid function configuration: TABLE_NAME is not set")
    return table_name
