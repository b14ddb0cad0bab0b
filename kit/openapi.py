"""The OpenAPI 3.0 document of the order API, generated from the order request JSON Schema.

The request body schema is ``order_request.schema.json`` itself (the file API Gateway uses as the
request model and the handler validates with), converted only where OpenAPI 3.0 needs it. The
committed ``kit/openapi.json`` ships in the package; a unit test fails when it, the schema file
and the handler's validator drift apart. Regenerate it with::

    python -m kit.openapi          # write kit/openapi.json
    python -m kit.openapi --check  # exit 1 if kit/openapi.json is stale

This module imports no CDK code.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kit.paths import order_request_schema_path

OPENAPI_VERSION = "3.0.3"
#: Version of the API contract (not of the package): bump it when the document changes meaning.
API_VERSION = "1.0.0"
DOCUMENT_PATH = Path(__file__).resolve().parent / "openapi.json"

#: JSON Schema keywords with the same meaning in an OpenAPI 3.0 Schema Object (draft-04 based:
#: ``exclusiveMinimum``/``exclusiveMaximum`` are booleans in both).
_SHARED_KEYWORDS = frozenset(
    {
        "title",
        "description",
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
        "pattern",
        "enum",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
    }
)
#: Keywords that only identify the JSON Schema dialect; OpenAPI 3.0 has no place for them.
_DIALECT_KEYWORDS = frozenset({"$schema", "id"})

# Mirrors of the handler's parameter rules (handler/orders/request_parameters.py); the tests
# compare them, because the kit cannot import the Lambda code.
ORDER_ID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
IDEMPOTENCY_KEY_PATTERN = "^[!-~]{1,128}$"
CORRELATION_ID_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE_TOKEN_LENGTH = 2048


def draft4_to_openapi(schema: Mapping[str, Any]) -> dict[str, Any]:
    """Return a draft-04 JSON Schema as an OpenAPI 3.0 Schema Object.

    Drops the dialect keywords (``$schema``) and checks that every other keyword means the same
    in OpenAPI 3.0; anything else (``$ref``, ``definitions``, type lists...) is refused rather
    than silently mistranslated.

    Raises
    ------
    ValueError
        For a keyword or construct without an exact OpenAPI 3.0 equivalent.

    Examples
    --------
    >>> draft4_to_openapi({"$schema": "http://json-schema.org/draft-04/schema#",
    ...                    "type": "integer", "minimum": 1})
    {'type': 'integer', 'minimum': 1}
    """
    return _convert(schema, "#")


def _convert(schema: Mapping[str, Any], where: str) -> dict[str, Any]:
    converted: dict[str, Any] = {}
    for keyword, value in schema.items():
        if keyword in _DIALECT_KEYWORDS:
            continue
        if keyword not in _SHARED_KEYWORDS:
            raise ValueError(f"{where}: {keyword!r} has no exact OpenAPI 3.0 equivalent")
        if keyword == "type" and not isinstance(value, str):
            raise ValueError(f"{where}: OpenAPI 3.0 'type' must be a single type")
        if keyword == "properties":
            value = {
                name: _convert(sub, f"{where}/properties/{name}") for name, sub in value.items()
            }
        elif keyword in ("items", "additionalProperties") and isinstance(value, Mapping):
            value = _convert(value, f"{where}/{keyword}")
        else:
            value = copy.deepcopy(value)
        converted[keyword] = value
    return converted


def load_order_request_schema(path: Path | None = None) -> dict[str, Any]:
    """Return the order request JSON Schema (default: the kit's packaged handler copy)."""
    with (path or order_request_schema_path()).open(encoding="utf-8") as stream:
        schema: dict[str, Any] = json.load(stream)
    return schema


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _order_schema(request: Mapping[str, Any]) -> dict[str, Any]:
    """The stored order as the API returns it, built from the request schema's parts."""
    fields = request["properties"]
    return {
        "title": "Order",
        "description": "An order as stored: the validated request plus server-side fields.",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "orderId",
            "customerId",
            "status",
            "currency",
            "items",
            "total",
            "createdAt",
            "shippingAddress",
        ],
        "properties": {
            "orderId": {"type": "string", "format": "uuid", "pattern": ORDER_ID_PATTERN},
            "customerId": copy.deepcopy(fields["customerId"]),
            "status": {
                "type": "string",
                "enum": ["PENDING", "CONFIRMED"],
                "description": "PENDING when created; CONFIRMED once the stream processor ran.",
            },
            "currency": copy.deepcopy(fields["currency"]),
            "items": copy.deepcopy(fields["items"]),
            "total": {
                "type": "number",
                "minimum": 0,
                "exclusiveMinimum": True,
                "description": "Sum of quantity x unitPrice, computed by the server (Decimal).",
            },
            "createdAt": {
                "type": "string",
                "format": "date-time",
                "description": "ISO-8601 UTC with milliseconds, e.g. 2026-01-02T03:04:05.678Z.",
            },
            "confirmedAt": {"type": "string", "format": "date-time"},
            "shippingAddress": copy.deepcopy(fields["shippingAddress"]),
            "billingAddress": copy.deepcopy(fields["billingAddress"]),
        },
    }


_ERROR_SCHEMA = {
    "title": "Error",
    "description": "Every error the order function returns: a code, a summary and each problem.",
    "type": "object",
    "additionalProperties": False,
    "required": ["code", "message", "correlationId", "errors"],
    "properties": {
        "code": {
            "type": "string",
            "enum": [
                "VALIDATION_FAILED",
                "MALFORMED_BODY",
                "INVALID_PAGE_TOKEN",
                "PAYLOAD_TOO_LARGE",
                "UNSUPPORTED_MEDIA_TYPE",
                "ORDER_NOT_FOUND",
                "ROUTE_NOT_FOUND",
                "UNAUTHENTICATED",
                "FORBIDDEN",
                "IDEMPOTENCY_CONFLICT",
                "NOT_ENABLED",
                "SERVICE_UNAVAILABLE",
                "INTERNAL_ERROR",
            ],
        },
        "message": {"type": "string"},
        "correlationId": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["field", "message"],
                "properties": {
                    "field": {
                        "type": "string",
                        "description": (
                            'Body field path such as "items[2].quantity", "$" for the body as a '
                            'whole, or "header:Idempotency-Key", "query:limit", "path:orderId".'
                        ),
                    },
                    "message": {"type": "string"},
                },
            },
        },
    },
}
_GATEWAY_ERROR_SCHEMA = {
    "title": "GatewayError",
    "description": "An error API Gateway returns itself (authorization, throttling, model "
    "validation) before the function runs.",
    "type": "object",
    "required": ["message"],
    "properties": {"message": {"type": "string"}},
}


def _header(description: str, schema: Mapping[str, Any]) -> dict[str, Any]:
    return {"description": description, "schema": dict(schema)}


_CORRELATION_HEADER = _header(
    "The correlation id: the request's x-correlation-id if well formed, else the API Gateway "
    "request id. It is on every log line of the request.",
    {"type": "string"},
)


def _response(
    description: str, schema: Mapping[str, Any], headers: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"x-correlation-id": _CORRELATION_HEADER, **(headers or {})},
        "content": {"application/json": {"schema": dict(schema)}},
    }


def _error(
    description: str, *, gateway_too: bool = False, headers: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    schema = {"anyOf": [_ref("Error"), _ref("GatewayError")]} if gateway_too else _ref("Error")
    return _response(description, schema, headers)


def _gateway_error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("GatewayError")}},
    }


_RETRY_AFTER = _header("Seconds to wait before retrying.", {"type": "integer", "minimum": 1})
_COMMON_ERRORS = {
    "401": _error("Cognito mode: the token has no claim naming the customer (customer_id_claim)."),
    "403": _gateway_error(
        "Missing or invalid SigV4 signature or token, or not allowed by IAM; in Cognito mode "
        "also (FORBIDDEN) an order for, or a listing of, another customer."
    ),
    "429": _gateway_error("Throttled by the API stage."),
    "500": _error("An unexpected failure; quote the correlation id when reporting it."),
    "503": _error(
        "DynamoDB or KMS is throttling or unavailable; retry after Retry-After seconds.",
        headers={"Retry-After": _RETRY_AFTER},
    ),
}


def _parameters(customer_id_schema: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "IdempotencyKey": {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": (
                "Makes the create idempotent: the same key with the same order returns the "
                "original order (201 with Idempotent-Replay: true) and writes nothing; the same "
                "key with a different order is a 409. Keys are scoped to the caller (another "
                "caller's same key is independent) and remembered for the idempotency window "
                "(24 h by default). Use a fresh UUID per intended order."
            ),
            "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
        },
        "CorrelationId": {
            "name": "x-correlation-id",
            "in": "header",
            "required": False,
            "description": (
                "A caller-chosen id for the request, echoed and logged. An ill-formed value "
                "is not refused: the API uses its own request id instead."
            ),
            "schema": {"type": "string", "pattern": CORRELATION_ID_PATTERN},
        },
        "OrderId": {
            "name": "orderId",
            "in": "path",
            "required": True,
            "schema": {"type": "string", "format": "uuid", "pattern": ORDER_ID_PATTERN},
        },
        "CustomerId": {
            "name": "customerId",
            "in": "path",
            "required": True,
            "schema": dict(customer_id_schema),
        },
        "Limit": {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": "Page size.",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_PAGE_SIZE,
                "default": DEFAULT_PAGE_SIZE,
            },
        },
        "NextToken": {
            "name": "nextToken",
            "in": "query",
            "required": False,
            "description": "The nextToken of the previous page (opaque; only valid for the same "
            "customer).",
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_PAGE_TOKEN_LENGTH},
        },
    }


def _param(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/parameters/{name}"}


def build_document(schema: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the OpenAPI 3.0 document of the three routes.

    Parameters
    ----------
    schema : Mapping, optional
        The order request JSON Schema (draft-04); defaults to the packaged file.

    Examples
    --------
    >>> document = build_document()
    >>> sorted(document["paths"])
    ['/customers/{customerId}/orders', '/orders', '/orders/{orderId}']
    """
    request = draft4_to_openapi(load_order_request_schema() if schema is None else schema)
    order_header = {
        "Location": _header("Path of the order: /orders/{orderId}.", {"type": "string"}),
        "Idempotent-Replay": _header(
            "Present, with the value true, when an Idempotency-Key replay returned the "
            "original order and nothing was written.",
            {"type": "string", "enum": ["true"]},
        ),
    }
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Production order service API",
            "version": API_VERSION,
            "description": (
                "Orders: create (idempotent with Idempotency-Key), read, and list per customer. "
                "Every request is signed with AWS SigV4 (IAM). Amounts are JSON numbers with at "
                "most two decimal places. Every response carries x-correlation-id and, for "
                "allow-listed browser origins, CORS headers."
            ),
        },
        "servers": [
            {
                "url": "https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}",
                "variables": {
                    "restApiId": {"default": "example"},
                    "region": {"default": "us-east-1"},
                    "stage": {"default": "prod"},
                },
            }
        ],
        "security": [{"sigv4": []}],
        "paths": {
            "/orders": {
                "post": {
                    "operationId": "createOrder",
                    "summary": "Create an order",
                    "parameters": [_param("IdempotencyKey"), _param("CorrelationId")],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("OrderRequest")}},
                    },
                    "responses": {
                        "201": _response(
                            "Created (or, with Idempotent-Replay: true, the order this "
                            "Idempotency-Key created before).",
                            _ref("Order"),
                            order_header,
                        ),
                        "400": _error(
                            "The body is not strict JSON or breaks the schema or a business "
                            "rule; every problem is listed.",
                            gateway_too=True,
                        ),
                        "409": _error("The Idempotency-Key was used with a different order."),
                        "413": _error("The body is larger than 256 KiB.", gateway_too=True),
                        "415": _error("The Content-Type is not application/json."),
                        **_COMMON_ERRORS,
                    },
                }
            },
            "/orders/{orderId}": {
                "get": {
                    "operationId": "getOrder",
                    "summary": "Read an order",
                    "parameters": [_param("OrderId"), _param("CorrelationId")],
                    "responses": {
                        "200": _response("The order.", _ref("Order")),
                        "400": _error("The order id is not a lowercase UUID.", gateway_too=True),
                        "404": _error(
                            "There is no order with this id (in Cognito mode, also another "
                            "customer's order: the two are indistinguishable)."
                        ),
                        **_COMMON_ERRORS,
                    },
                }
            },
            "/customers/{customerId}/orders": {
                "get": {
                    "operationId": "listCustomerOrders",
                    "summary": "List a customer's orders, newest first",
                    "parameters": [
                        _param("CustomerId"),
                        _param("Limit"),
                        _param("NextToken"),
                        _param("CorrelationId"),
                    ],
                    "responses": {
                        "200": _response("A page of orders.", _ref("OrderPage")),
                        "400": _error(
                            "Invalid customer id, limit or nextToken (a token is only valid "
                            "for the customer it was issued for).",
                            gateway_too=True,
                        ),
                        "501": _error(
                            "The deployment has no customer index yet (early migration phase)."
                        ),
                        **_COMMON_ERRORS,
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "sigv4": {
                    "type": "apiKey",
                    "name": "Authorization",
                    "in": "header",
                    "description": "AWS Signature Version 4 (IAM authorization).",
                    "x-amazon-apigateway-authtype": "awsSigv4",
                }
            },
            "parameters": _parameters(request["properties"]["customerId"]),
            "schemas": {
                "OrderRequest": request,
                "Order": _order_schema(request),
                "OrderPage": {
                    "title": "OrderPage",
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["orders", "nextToken"],
                    "properties": {
                        "orders": {"type": "array", "items": _ref("Order")},
                        "nextToken": {
                            "type": "string",
                            "nullable": True,
                            "description": "Pass as ?nextToken= for the next page; null on "
                            "the last page.",
                        },
                    },
                },
                "Error": copy.deepcopy(_ERROR_SCHEMA),
                "GatewayError": copy.deepcopy(_GATEWAY_ERROR_SCHEMA),
            },
        },
    }


def render(document: Mapping[str, Any]) -> str:
    """Return the document as the committed text (2-space indented JSON, final newline)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write ``kit/openapi.json`` (or, with ``--check``, report whether it is stale)."""
    parser = argparse.ArgumentParser(prog="python -m kit.openapi", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    parser.add_argument("--output", type=Path, default=DOCUMENT_PATH, help="where to write")
    options = parser.parse_args(argv)
    text = render(build_document())
    if options.check:
        current = options.output.read_text(encoding="utf-8") if options.output.exists() else ""
        if current != text:
            print(f"{options.output} is stale: run python -m kit.openapi", file=sys.stderr)
            return 1
        print(f"{options.output} is up to date")
        return 0
    options.output.write_text(text, encoding="utf-8")
    print(f"wrote {options.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
