"""Errors the order API maps to HTTP responses, and the `Problem` they carry.

Every error a client can cause is a `RequestError` with its HTTP status, a stable machine-readable
``code`` and a list of `Problem` (field path + message). Messages never echo the submitted values,
so neither responses nor logs can carry personal data such as addresses.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a request.

    Parameters
    ----------
    path : str
        Where the problem is: ``"items[2].quantity"`` for a body field, ``"$"`` for the body as
        a whole, ``"header:Idempotency-Key"``/``"query:limit"``/``"path:orderId"`` for the other
        parts of the request.
    message : str
        What is wrong, in words meant for the API's user.
    """

    path: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """Return the JSON form used in error bodies: ``{"field": ..., "message": ...}``."""
        return {"field": self.path, "message": self.message}


class RequestError(Exception):
    """A request the API refuses; ``status`` is the HTTP status code of the response.

    Parameters
    ----------
    message : str
        A one-line summary.
    problems : list of Problem, optional
        The individual problems; empty for errors that are about the request as a whole.
    """

    status = 400
    code = "BAD_REQUEST"

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.problems: list[Problem] = list(problems or [])


class OrderValidationError(RequestError):
    """The order body (or a parameter) breaks the schema or a business rule (HTTP 400)."""

    status = 400
    code = "VALIDATION_FAILED"


class MalformedBodyError(RequestError):
    """The body is not strict JSON: bad syntax, NaN/Infinity, duplicate keys, bad UTF-8 (400)."""

    status = 400
    code = "MALFORMED_BODY"

    def __init__(self, message: str) -> None:
        super().__init__(message, [Problem("$", message)])


class InvalidPageTokenError(RequestError):
    """The ``nextToken`` cannot be decrypted or belongs to another customer (HTTP 400)."""

    status = 400
    code = "INVALID_PAGE_TOKEN"


class PayloadTooLargeError(RequestError):
    """The body is larger than the API accepts (HTTP 413)."""

    status = 413
    code = "PAYLOAD_TOO_LARGE"

    def __init__(self, message: str) -> None:
        super().__init__(message, [Problem("$", message)])


class UnsupportedMediaTypeError(RequestError):
    """The request body is not declared as ``application/json`` (HTTP 415)."""

    status = 415
    code = "UNSUPPORTED_MEDIA_TYPE"

    def __init__(self, message: str) -> None:
        super().__init__(message, [Problem("header:Content-Type", message)])


class OrderNotFoundError(RequestError):
    """No order has the requested id (HTTP 404)."""

    status = 404
    code = "ORDER_NOT_FOUND"


class UnauthenticatedError(RequestError):
    """The request context does not identify the caller the way the mode requires (HTTP 401)."""

    status = 401
    code = "UNAUTHENTICATED"


class ForbiddenError(RequestError):
    """The caller may not act on this customer's orders (HTTP 403)."""

    status = 403
    code = "FORBIDDEN"


class RouteNotFoundError(RequestError):
    """The method and resource are not an API operation (HTTP 404)."""

    status = 404
    code = "ROUTE_NOT_FOUND"


class IdempotencyConflictError(RequestError):
    """The ``Idempotency-Key`` was already used with a different request body (HTTP 409)."""

    status = 409
    code = "IDEMPOTENCY_CONFLICT"


class OperationNotEnabledError(RequestError):
    """The deployment does not provide this operation yet (HTTP 501), e.g. customer listing
    before the migration phase that adds the customer index."""

    status = 501
    code = "NOT_ENABLED"


class DependencyUnavailableError(Exception):
    """DynamoDB or KMS throttled the call or could not be reached (HTTP 503 with Retry-After).

    Parameters
    ----------
    dependency : str
        Which service failed (``"dynamodb"`` or ``"kms"``), for logs and metrics.
    retry_after_seconds : int
        What the ``Retry-After`` header tells the client.
    """

    status = 503
    code = "SERVICE_UNAVAILABLE"

    def __init__(self, dependency: str, retry_after_seconds: int = 1) -> None:
        super().__init__(f"{dependency} is throttling or unavailable")
        self.dependency = dependency
        self.retry_after_seconds = retry_after_seconds


class ConfigurationError(Exception):
    """The function's environment is missing or has an invalid setting (a deployment bug)."""
