"""API Gateway proxy responses: JSON bodies with exact money, CORS and correlation headers.

Every response, success or error, goes through `build_response`, so every response carries the
CORS headers and the correlation id.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from orders.errors import DependencyUnavailableError, Problem, RequestError

CORRELATION_ID_HEADER = "x-correlation-id"
#: At most this many problems are listed in an error body (and logged); one more entry says
#: how many were left out, so a hostile body cannot make a response or a log line large.
MAX_REPORTED_PROBLEMS = 50
#: Response headers a browser script may read across origins.
_EXPOSED_HEADERS = "x-correlation-id, Idempotent-Replay, Location, Retry-After"


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Amounts have at most 14 significant digits (100 lines x 1000 x 1,000,000.00), and
        # a float's repr is the shortest text that reads back as the same float, so for up to
        # 15 digits the JSON number is exactly the decimal. Guard it anyway.
        as_float = float(value)
        if Decimal(repr(as_float)) != value:
            raise ValueError(f"{value} cannot be written as an exact JSON number")
        return as_float
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def to_json(document: Any) -> str:
    """Serialize ``document`` as compact JSON, writing `Decimal` amounts as exact JSON numbers.

    Examples
    --------
    >>> to_json({"total": Decimal("39.90"), "n": 2})
    '{"total":39.9,"n":2}'
    """
    return json.dumps(document, default=_json_default, separators=(",", ":"), ensure_ascii=False)


def cors_headers(origin: str | None, allowed_origins: Sequence[str]) -> dict[str, str]:
    """Return the CORS headers: the request's Origin if allow-listed, else the first allowed.

    Never ``*``: the API is authenticated, and a wildcard would let any site read responses.

    Examples
    --------
    >>> cors_headers("https://b.example", ["https://a.example", "https://b.example"])
    {'Access-Control-Allow-Origin': 'https://b.example', 'Vary': 'Origin', \
'Access-Control-Expose-Headers': 'x-correlation-id, Idempotent-Replay, Location, Retry-After'}
    >>> cors_headers("https://evil.example", ["https://a.example"])["Access-Control-Allow-Origin"]
    'https://a.example'
    """
    if not allowed_origins:
        return {}
    allowed = origin if origin is not None and origin in allowed_origins else allowed_origins[0]
    return {
        "Access-Control-Allow-Origin": allowed,
        # The header depends on the request's Origin, so caches must key on it.
        "Vary": "Origin",
        "Access-Control-Expose-Headers": _EXPOSED_HEADERS,
    }


def build_response(
    status: int,
    body: Any,
    *,
    correlation_id: str,
    origin: str | None,
    allowed_origins: Sequence[str],
    extra_headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Return an API Gateway REST proxy response with a JSON body and the standard headers.

    Parameters
    ----------
    status : int
        HTTP status code.
    body : Any
        The JSON-serializable body (Decimal allowed).
    correlation_id : str
        Echoed in the ``x-correlation-id`` header.
    origin : str or None
        The request's ``Origin`` header.
    allowed_origins : sequence of str
        The CORS allow-list.
    extra_headers : mapping, optional
        Further headers, e.g. ``Location`` or ``Retry-After``.
    """
    headers = {
        "Content-Type": "application/json",
        CORRELATION_ID_HEADER: correlation_id,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        **cors_headers(origin, allowed_origins),
    }
    if extra_headers:
        headers.update(extra_headers)
    return {
        "statusCode": status,
        "headers": headers,
        "body": to_json(body),
        "isBase64Encoded": False,
    }


def error_body(
    code: str, message: str, correlation_id: str, errors: list[dict[str, str]]
) -> dict[str, Any]:
    """Return the error body shared by every 4xx/5xx response.

    Examples
    --------
    >>> error_body("ORDER_NOT_FOUND", "no order 1", "c-1", [])
    {'code': 'ORDER_NOT_FOUND', 'message': 'no order 1', 'correlationId': 'c-1', 'errors': []}
    """
    return {"code": code, "message": message, "correlationId": correlation_id, "errors": errors}


def reported_problems(problems: Sequence[Problem]) -> list[Problem]:
    """Return the first `MAX_REPORTED_PROBLEMS` problems, plus one saying how many more.

    Examples
    --------
    >>> shown = reported_problems([Problem(f"items[{i}]", "must be an object") for i in range(60)])
    >>> len(shown), shown[-1].message
    (51, '10 more problems are not listed')
    """
    if len(problems) <= MAX_REPORTED_PROBLEMS:
        return list(problems)
    more = len(problems) - MAX_REPORTED_PROBLEMS
    noun = "problem is" if more == 1 else "problems are"
    return [*problems[:MAX_REPORTED_PROBLEMS], Problem("$", f"{more} more {noun} not listed")]


def request_error_response(
    error: RequestError, *, correlation_id: str, origin: str | None, allowed_origins: Sequence[str]
) -> dict[str, Any]:
    """Return the 4xx response for a `RequestError`, listing its problems (at most
    `MAX_REPORTED_PROBLEMS`, then how many more)."""
    body = error_body(
        error.code,
        error.message,
        correlation_id,
        [p.to_dict() for p in reported_problems(error.problems)],
    )
    return build_response(
        error.status,
        body,
        correlation_id=correlation_id,
        origin=origin,
        allowed_origins=allowed_origins,
    )


def unavailable_response(
    error: DependencyUnavailableError,
    *,
    correlation_id: str,
    origin: str | None,
    allowed_origins: Sequence[str],
) -> dict[str, Any]:
    """Return the 503 response, with ``Retry-After`` in seconds."""
    body = error_body(
        error.code,
        "the service is busy or temporarily unavailable; retry after the Retry-After delay",
        correlation_id,
        [],
    )
    return build_response(
        error.status,
        body,
        correlation_id=correlation_id,
        origin=origin,
        allowed_origins=allowed_origins,
        extra_headers={"Retry-After": str(error.retry_after_seconds)},
    )


def internal_error_response(
    *, correlation_id: str, origin: str | None, allowed_origins: Sequence[str]
) -> dict[str, Any]:
    """Return the 500 response for a failure that is not the client's (no internals leak)."""
    body = error_body(
        "INTERNAL_ERROR",
        "the request could not be completed; quote the correlation id when reporting this",
        correlation_id,
        [],
    )
    return build_response(
        500,
        body,
        correlation_id=correlation_id,
        origin=origin,
        allowed_origins=allowed_origins,
    )
