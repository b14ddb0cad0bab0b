"""pytest fixtures for tests that need the local cloud; conftest files import them.

``local_endpoint`` (session) returns the endpoint URL: the configured one
(``LOCALSTACK_ENDPOINT`` / ``AWS_ENDPOINT_URL``) or the embedded LocalStack, started on first
use and stopped after the session (see :mod:`localcloud.fixtures`). If the local cloud cannot
be provided, the test FAILS with the reason: an e2e test that silently skips proves nothing.
``aws_client`` (session) is a factory of boto3 clients created through localstack-client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from localcloud.clients import local_client
from localcloud.errors import LocalCloudError
from localcloud.fixtures import acquire_endpoint, release_endpoint


@pytest.fixture(scope="session")
def local_endpoint() -> Iterator[str]:
    """The local cloud's endpoint URL, e.g. ``http://127.0.0.1:41231``."""
    try:
        endpoint = acquire_endpoint()
    except LocalCloudError as error:
        pytest.fail(f"the local cloud is not available: {error}", pytrace=False)
    yield endpoint
    release_endpoint()


@pytest.fixture(scope="session")
def aws_client(local_endpoint: str) -> Callable[[str], Any]:
    """``aws_client("dynamodb")``: a boto3 client bound to the local cloud (cached per service)."""
    cache: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in cache:
            cache[service] = local_client(local_endpoint, service)
        return cache[service]

    return client
