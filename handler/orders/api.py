"""Entry point of the order API function (API Gateway REST proxy events, payload 1.0).

Routes, keyed on API Gateway's own resource template and method::

    POST /orders                         -> create an order (201; replay 201 + Idempotent-Replay)
    GET  /orders/{orderId}               -> one order (200, 404)
    GET  /customers/{customerId}/orders  -> newest first, ?limit=1..100 (20), ?nextToken=...

Every response carries CORS headers and ``x-correlation-id``; client errors are 4xx with a body
listing each problem; throttling is 503 with Retry-After; a bug is a 500 without internals.

Every request has a caller (``orders.caller``: an IAM ARN, or the Cognito customer), which the
operations check ownership against, and one ``request completed`` log line naming the caller,
the route, the order ids touched, API Gateway's request id (the logger's ``correlation_id``)
and, in its own field, the client's ``X-Correlation-Id``.

Routing is a dictionary lookup on ``(httpMethod, resource)``: API Gateway has already matched the
path, so Powertools' APIGatewayRestResolver would only add import time and a CORS policy that
omits the headers for unlisted origins, where this API always answers with an allowed origin.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from orders.aws_clients import create_client
from orders.aws_errors import error_code, is_access_denied
from orders.caller import Caller, caller_from_event
from orders.catalog import PriceCatalog
from orders.config import Settings
from orders.errors import (
    DependencyUnavailableError,
    OperationNotEnabledError,
    RequestError,
    RouteNotFoundError,
)
from orders.json_body import check_json_media_type, decode_event_body, parse_json_body
from orders.page_tokens import PageTokenCodec
from orders.repository import OrderRepository
from orders.request_parameters import parse_customer_id, parse_order_id, parse_page_size
from orders.responses import (
    CORRELATION_ID_HEADER,
    build_response,
    internal_error_response,
    reported_problems,
    request_error_response,
    unavailable_response,
)
from orders.service import OrderService
from orders.telemetry import count, logger, publish_metrics
from orders.validation import OrderValidator

#: A client-sent correlation id is used only if it is short and harmless in logs and headers.
_SAFE_CORRELATION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}\Z")


@dataclass(frozen=True)
class ApiRequest:
    """The parts of a proxy event the routes use, with header names lower-cased."""

    headers: Mapping[str, str]
    path_parameters: Mapping[str, str]
    query_parameters: Mapping[str, str]
    body: str | None
    is_base64_encoded: bool
    caller: Caller

    @classmethod
    def from_event(cls, event: Mapping[str, Any], caller: Caller) -> ApiRequest:
        """Extract the request from an API Gateway REST proxy event."""
        return cls(
            headers=_lower_case_headers(event),
            path_parameters=event.get("pathParameters") or {},
            query_parameters=event.get("queryStringParameters") or {},
            body=event.get("body"),
            is_base64_encoded=bool(event.get("isBase64Encoded")),
            caller=caller,
        )


def _lower_case_headers(event: Mapping[str, Any]) -> dict[str, str]:
    headers = event.get("headers") or {}
    return {str(k).lower(): str(v) for k, v in headers.items()}


@dataclass(frozen=True)
class RouteResult:
    """What a route returns: status, JSON body, extra headers and the order ids it touched."""

    status: int
    body: Any
    headers: Mapping[str, str]
    order_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class OrderApi:
    """The configured service and settings (built once per execution environment)."""

    settings: Settings
    service: OrderService


@cache
def build_api() -> OrderApi:
    """Build the API from the environment; cached so clients are reused across invocations."""
    settings = Settings.from_env()
    repository = OrderRepository(
        create_client("dynamodb"),
        settings.table_name,
        settings.customer_index_name or "",
    )
    page_tokens = (
        PageTokenCodec(create_client("kms"), settings.page_token_key_id)
        if settings.page_token_key_id
        else None
    )
    service = OrderService(
        repository,
        OrderValidator(),
        page_tokens,
        settings.order_ttl_days,
        idempotency_window_hours=settings.idempotency_window_hours,
        price_catalog=(
            PriceCatalog(create_client("dynamodb"), settings.price_catalog_table)
            if settings.price_catalog_table
            else None
        ),
    )
    return OrderApi(settings=settings, service=service)


def _create_order(api: OrderApi, request: ApiRequest) -> RouteResult:
    check_json_media_type(request.headers.get("content-type"))
    raw = decode_event_body(request.body, request.is_base64_encoded)
    document = parse_json_body(raw)
    created = api.service.create_order(
        document, request.headers.get("idempotency-key"), request.caller
    )
    order = created.order
    headers = {"Location": f"/orders/{order.order_id}"}
    if created.replayed:
        headers["Idempotent-Replay"] = "true"
        count("idempotentReplays")
    else:
        count("ordersCreated")
    logger.info(
        "order accepted",
        extra={
            "orderId": order.order_id,
            "itemCount": len(order.lines),
            "currency": order.currency,
            "idempotentReplay": created.replayed,
        },
    )
    return RouteResult(201, order.to_public_dict(), headers, (order.order_id,))


def _get_order(api: OrderApi, request: ApiRequest) -> RouteResult:
    order_id = parse_order_id(request.path_parameters.get("orderId"))
    order = api.service.get_order(order_id, request.caller)
    return RouteResult(200, order.to_public_dict(), {}, (order.order_id,))


def _list_customer_orders(api: OrderApi, request: ApiRequest) -> RouteResult:
    if not api.settings.customer_listing_enabled:
        raise OperationNotEnabledError(
            "listing a customer's orders needs the customer index and the page-token key, "
            "which this deployment does not have yet (CUSTOMER_INDEX_NAME, PAGE_TOKEN_KEY_ID)"
        )
    customer_id = parse_customer_id(request.path_parameters.get("customerId"))
    limit = parse_page_size(request.query_parameters.get("limit"))
    page = api.service.list_customer_orders(
        customer_id, limit, request.query_parameters.get("nextToken"), request.caller
    )
    body = {"orders": [o.to_public_dict() for o in page.orders], "nextToken": page.next_token}
    return RouteResult(200, body, {}, tuple(o.order_id for o in page.orders))


ROUTES: dict[tuple[str, str], Callable[[OrderApi, ApiRequest], RouteResult]] = {
    ("POST", "/orders"): _create_order,
    ("GET", "/orders/{orderId}"): _get_order,
    ("GET", "/customers/{customerId}/orders"): _list_customer_orders,
}


def client_correlation_id(headers: Mapping[str, str]) -> str | None:
    """Return a well-formed client ``x-correlation-id`` header, else None.

    Examples
    --------
    >>> client_correlation_id({"x-correlation-id": "c-9"}), client_correlation_id({})
    ('c-9', None)
    >>> client_correlation_id({"x-correlation-id": "a b"}) is None
    True
    """
    supplied = headers.get(CORRELATION_ID_HEADER)
    if supplied is not None and _SAFE_CORRELATION_ID.match(supplied):
        return supplied
    return None


def request_id_for(event: Mapping[str, Any]) -> str:
    """Return API Gateway's request id (the key that joins the access log and the function
    log), else a new UUID (a direct invocation without a request context)."""
    request_id = (event.get("requestContext") or {}).get("requestId")
    if isinstance(request_id, str) and request_id and _SAFE_CORRELATION_ID.match(request_id):
        return request_id
    return str(uuid.uuid4())


def correlation_id_for(event: Mapping[str, Any], headers: Mapping[str, str]) -> str:
    """Return the correlation id echoed to the client (``x-correlation-id`` header and error
    bodies): the client's well-formed ``x-correlation-id``, else API Gateway's request id.

    Logs always key on API Gateway's request id; the client's id is a field of its own.

    Examples
    --------
    >>> correlation_id_for({"requestContext": {"requestId": "r-1"}}, {"x-correlation-id": "c-9"})
    'c-9'
    >>> correlation_id_for({"requestContext": {"requestId": "r-1"}}, {"x-correlation-id": "a b"})
    'r-1'
    """
    return client_correlation_id(headers) or request_id_for(event)


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Handle one API Gateway REST proxy event and return the proxy response."""
    started = time.perf_counter()
    headers = _lower_case_headers(event)
    request_id = request_id_for(event)
    client_id = client_correlation_id(headers)
    correlation_id = client_id or request_id
    logger.set_correlation_id(request_id)
    route_key = (str(event.get("httpMethod")), str(event.get("resource")))
    logger.append_keys(
        route=" ".join(route_key), requestId=request_id, clientCorrelationId=client_id
    )
    origin = headers.get("origin")
    allowed_origins: tuple[str, ...] = ()
    order_ids: tuple[str, ...] = ()
    try:
        api = build_api()
        allowed_origins = api.settings.allowed_origins
        caller = caller_from_event(
            event, api.settings.authorization_mode, api.settings.customer_id_claim
        )
        logger.append_keys(caller=caller.caller_id)
        request = ApiRequest.from_event(event, caller)
        route = ROUTES.get(route_key)
        if route is None:
            raise RouteNotFoundError(f"no operation {route_key[0]} {route_key[1]}")
        order_ids = _touched_order_ids(request)
        result = route(api, request)
        order_ids = result.order_ids
        response = build_response(
            result.status,
            result.body,
            allowed_origins=allowed_origins,
            extra_headers=result.headers,
            correlation_id=correlation_id,
            origin=origin,
        )
    except RequestError as error:
        count("clientErrors")
        logger.warning(
            "request refused",
            extra={
                "errorCode": error.code,
                "status": error.status,
                # Field paths only: values could be personal data.
                "fields": [p.path for p in reported_problems(error.problems)],
            },
        )
        response = request_error_response(
            error, allowed_origins=allowed_origins, correlation_id=correlation_id, origin=origin
        )
    except DependencyUnavailableError as error:
        count("serverErrors")
        count("dependencyUnavailable")
        logger.warning("dependency unavailable", extra={"dependency": error.dependency})
        response = unavailable_response(
            error, allowed_origins=allowed_origins, correlation_id=correlation_id, origin=origin
        )
    except Exception as error:
        count("serverErrors")
        if is_access_denied(error):
            # A permission problem (IAM, key policy, disabled key): its own metric, so it can
            # be alarmed on apart from bugs.
            count("dependencyAccessDenied")
            logger.exception("dependency access denied", extra={"errorCode": error_code(error)})
        else:
            logger.exception("unhandled error")
        response = internal_error_response(
            allowed_origins=allowed_origins, correlation_id=correlation_id, origin=origin
        )
    finally:
        publish_metrics()
    logger.info(
        "request completed",
        extra={
            "status": response["statusCode"],
            "orderIds": list(order_ids[:MAX_LOGGED_ORDER_IDS]),
            "durationMs": round((time.perf_counter() - started) * 1000, 3),
        },
    )
    return response


#: A list page has at most 100 orders; the log line names them all.
MAX_LOGGED_ORDER_IDS = 100


def _touched_order_ids(request: ApiRequest) -> tuple[str, ...]:
    """The order id a request names (GET /orders/{orderId}), logged even when it is refused."""
    order_id = request.path_parameters.get("orderId")
    if isinstance(order_id, str) and _SAFE_CORRELATION_ID.match(order_id):
        return (order_id,)
    return ()
