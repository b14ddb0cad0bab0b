"""Telling transient AWS failures (throttling, unreachable) from the rest.

A transient failure becomes `DependencyUnavailableError` (HTTP 503 with Retry-After in the API; a
retried batch item in the processor). Everything else (access denied, missing table, a bug)
propagates unchanged: it needs an operator, not a client retry.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeGuard

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

from orders.errors import DependencyUnavailableError

#: Error codes AWS returns when a call should be retried later.
TRANSIENT_ERROR_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "ThrottlingException",
        "Throttling",
        "InternalServerError",
        "ServiceUnavailable",
        "LimitExceededException",
        "KMSInternalException",
        "DependencyTimeoutException",
    }
)
_NETWORK_ERRORS = (
    EndpointConnectionError,
    ConnectTimeoutError,
    ReadTimeoutError,
    ConnectionClosedError,
)


#: Error codes of a permission problem (an IAM or key policy), which needs an operator.
ACCESS_DENIED_ERROR_CODES = frozenset(
    {
        "AccessDeniedException",
        "AccessDenied",
        "KMSAccessDeniedException",
        "UnrecognizedClientException",
        "DisabledException",
        "KMSInvalidStateException",
    }
)


def error_code(error: ClientError) -> str:
    """Return the AWS error code of ``error`` (empty string if absent)."""
    return str(error.response.get("Error", {}).get("Code", ""))


def is_access_denied(error: BaseException) -> TypeGuard[ClientError]:
    """True for an AWS refusal to let the function use a table or key (permissions, a
    disabled key): an alarmable configuration problem, never the caller's fault.

    Examples
    --------
    >>> is_access_denied(ClientError({"Error": {"Code": "AccessDeniedException"}}, "Decrypt"))
    True
    >>> is_access_denied(ValueError("boom"))
    False
    """
    return isinstance(error, ClientError) and error_code(error) in ACCESS_DENIED_ERROR_CODES


@contextmanager
def transient_errors_as_unavailable(dependency: str) -> Iterator[None]:
    """Turn throttling and connection failures of ``dependency`` into DependencyUnavailableError.

    Examples
    --------
    >>> with transient_errors_as_unavailable("dynamodb"):
    ...     raise ClientError({"Error": {"Code": "ThrottlingException"}}, "PutItem")
    Traceback (most recent call last):
    ...
    orders.errors.DependencyUnavailableError: dynamodb is throttling or unavailable
    """
    try:
        yield
    except ClientError as error:
        if error_code(error) in TRANSIENT_ERROR_CODES:
            raise DependencyUnavailableError(dependency) from error
        raise
    except _NETWORK_ERRORS as error:
        raise DependencyUnavailableError(dependency) from error
