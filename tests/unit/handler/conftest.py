"""Fixtures of the handler tests: a moto-mocked AWS account with the orders table and a KMS key,
and the functions' log output. Helpers are in handler_harness.py.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator

import pytest
from handler_harness import (
    ALLOWED_ORIGINS,
    INDEX_NAME,
    JSON_HEADERS,
    REGION,
    TABLE_NAME,
    ApiResponse,
    AwsAccount,
    api_event,
    call_api,
    create_orders_table,
    shared_clients,
)
from moto import mock_aws
from orders import api, processor, telemetry


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Environment of the functions as the construct sets it, with fake credentials."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("TABLE_NAME", TABLE_NAME)
    monkeypatch.setenv("CUSTOMER_INDEX_NAME", INDEX_NAME)
    monkeypatch.setenv("ALLOWED_ORIGINS", ",".join(ALLOWED_ORIGINS))
    monkeypatch.delenv("ORDER_TTL_DAYS", raising=False)


@pytest.fixture
def aws(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsAccount]:
    """A mocked account with the orders table (GSI, stream) and the page-token KMS key."""
    with mock_aws():
        dynamodb, kms, streams = shared_clients()
        stream_arn = create_orders_table(dynamodb)
        key_id = kms.create_key(Description="page tokens")["KeyMetadata"]["KeyId"]
        monkeypatch.setenv("PAGE_TOKEN_KEY_ID", key_id)
        api.build_api.cache_clear()
        processor.build_repository.cache_clear()
        yield AwsAccount(
            dynamodb=dynamodb,
            kms=kms,
            streams=streams,
            table_name=TABLE_NAME,
            key_id=key_id,
            stream_arn=stream_arn,
        )
        api.build_api.cache_clear()
        processor.build_repository.cache_clear()


@pytest.fixture
def post_order(aws: AwsAccount) -> Callable[..., ApiResponse]:
    """POST /orders with a JSON body text and optional extra headers."""

    def post(body: str, headers: dict[str, str] | None = None) -> ApiResponse:
        return call_api(
            api_event("POST", "/orders", headers={**JSON_HEADERS, **(headers or {})}, body=body)
        )

    return post


@pytest.fixture
def log_output() -> Iterator[io.StringIO]:
    """The JSON log lines the functions write (Powertools' handler pointed at a buffer)."""
    buffer = io.StringIO()
    handler = telemetry.logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)
