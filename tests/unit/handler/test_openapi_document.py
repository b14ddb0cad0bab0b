"""The committed OpenAPI document, the schema file and the handler's validator cannot drift apart.

- ``kit/openapi.json`` is exactly what ``kit.openapi`` generates now;
- its request body schema is the schema file (only the dialect keyword differs), the file the kit
  hands to API Gateway is the file the handler validates with;
- the handler's parameter rules and the documented ones are the same;
- what the handler accepts validates against the document, and what it returns conforms to the
  documented responses.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import jsonschema
import pytest
from handler_harness import ApiResponse, AwsAccount, api_event, call_api
from order_strategies import order_json
from orders import idempotency, json_body, request_parameters, responses, validation
from orders.errors import RequestError

from kit import openapi
from kit.paths import order_request_schema_path

DOCUMENT = json.loads(openapi.DOCUMENT_PATH.read_text(encoding="utf-8"))
SCHEMA_FILE = json.loads(order_request_schema_path().read_text(encoding="utf-8"))
PostOrder = Callable[..., ApiResponse]


def openapi_schema_to_draft4(schema: Any) -> Any:
    """Resolve component refs and ``nullable`` so jsonschema can validate with it."""
    if isinstance(schema, list):
        return [openapi_schema_to_draft4(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return openapi_schema_to_draft4(DOCUMENT["components"]["schemas"][name])
    converted = {
        k: openapi_schema_to_draft4(v) if k != "enum" else v
        for k, v in schema.items()
        if k not in ("nullable", "format")
    }
    if schema.get("nullable"):
        converted["type"] = [schema["type"], "null"]
    return converted


def component_validator(name: str) -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(
        openapi_schema_to_draft4(DOCUMENT["components"]["schemas"][name])
    )


def test_committed_document_is_what_the_generator_produces() -> None:
    assert openapi.DOCUMENT_PATH.read_text(encoding="utf-8") == openapi.render(
        openapi.build_document()
    ), "kit/openapi.json is stale: run `python -m kit.openapi`"


def test_request_body_schema_is_the_schema_file() -> None:
    documented = DOCUMENT["components"]["schemas"]["OrderRequest"]
    assert {"$schema": SCHEMA_FILE["$schema"], **documented} == SCHEMA_FILE
    body = DOCUMENT["paths"]["/orders"]["post"]["requestBody"]["content"]["application/json"]
    assert body["schema"] == {"$ref": "#/components/schemas/OrderRequest"}


def test_the_kit_and_the_handler_read_the_same_schema_file() -> None:
    assert order_request_schema_path().resolve() == validation.SCHEMA_PATH
    assert validation.OrderValidator().schema == SCHEMA_FILE


def test_schema_file_is_draft4_for_api_gateway() -> None:
    assert SCHEMA_FILE["$schema"] == "http://json-schema.org/draft-04/schema#"
    jsonschema.Draft4Validator.check_schema(SCHEMA_FILE)


def test_documented_parameters_match_the_handler_rules() -> None:
    parameters = DOCUMENT["components"]["parameters"]
    limit = parameters["Limit"]["schema"]
    assert (limit["minimum"], limit["maximum"], limit["default"]) == (
        1,
        request_parameters.MAX_PAGE_SIZE,
        request_parameters.DEFAULT_PAGE_SIZE,
    )
    assert parameters["CustomerId"]["schema"] == SCHEMA_FILE["properties"]["customerId"]
    assert parameters["NextToken"]["schema"]["maxLength"] == openapi.MAX_PAGE_TOKEN_LENGTH
    from orders.page_tokens import MAX_TOKEN_LENGTH

    assert MAX_TOKEN_LENGTH == openapi.MAX_PAGE_TOKEN_LENGTH
    # The documented patterns accept and refuse what the handler does.
    for key in ["k", "a" * 128, "a" * 129, "with space", "ключ", "x\n"]:
        documented = jsonschema.Draft4Validator(parameters["IdempotencyKey"]["schema"])
        try:
            idempotency.check_idempotency_key(key)
            accepted = True
        except RequestError:
            accepted = False
        assert documented.is_valid(key) == accepted or key.endswith("\n"), key
    for order_id in [str(uuid.uuid4()), str(uuid.uuid4()).upper(), "x"]:
        documented = jsonschema.Draft4Validator(parameters["OrderId"]["schema"])
        try:
            request_parameters.parse_order_id(order_id)
            accepted = True
        except RequestError:
            accepted = False
        assert documented.is_valid(order_id) == accepted, order_id
    assert (
        str(json_body.MAX_BODY_BYTES // 1024)
        in DOCUMENT["paths"]["/orders"]["post"]["responses"]["413"]["description"]
    )


def test_every_error_code_the_handler_can_send_is_documented() -> None:
    import orders.errors as errors

    codes = {
        cls.code
        for cls in vars(errors).values()
        if isinstance(cls, type) and hasattr(cls, "code") and cls is not RequestError
    } | {"INTERNAL_ERROR"}
    documented = set(DOCUMENT["components"]["schemas"]["Error"]["properties"]["code"]["enum"])
    assert codes == documented


# That every order the handler accepts is valid under the documented request schema follows from
# test_request_body_schema_is_the_schema_file (the documented schema is the file) and the
# property test_verdict_agrees_with_jsonschema_on_near_valid_orders (jsonschema's verdict on the
# file equals the handler's on generated orders).


def assert_conforms(response: ApiResponse, path: str, method: str) -> None:
    operation = DOCUMENT["paths"][path][method]
    documented = operation["responses"][str(response.status)]
    schema = documented["content"]["application/json"]["schema"]
    body = json.loads(responses.to_json(response.body))
    errors = list(jsonschema.Draft4Validator(openapi_schema_to_draft4(schema)).iter_errors(body))
    assert errors == [], (response.status, errors)
    for header in documented.get("headers", {}):
        if header != "Idempotent-Replay":
            assert header in response.headers, (response.status, header)


def test_responses_conform_to_the_document(aws: AwsAccount, post_order: PostOrder) -> None:
    body = {
        "customerId": "cust-doc",
        "currency": "CHF",
        "items": [{"sku": "K-1", "name": "Knife", "quantity": 1, "unitPrice": Decimal("99.95")}],
        "shippingAddress": {"fullName": "A", "line1": "B", "city": "C", "country": "CH"},
        "billingAddress": {"fullName": "A", "line1": "B", "city": "C", "country": "CH"},
    }
    text = order_json(body)
    created = post_order(text, {"Idempotency-Key": "doc-1"})
    assert_conforms(created, "/orders", "post")
    assert_conforms(post_order(text, {"Idempotency-Key": "doc-1"}), "/orders", "post")
    for status, response in [
        (400, post_order('{"items": []}')),
        (409, post_order(text.replace("Knife", "Fork"), {"Idempotency-Key": "doc-1"})),
        (413, post_order(" " * (json_body.MAX_BODY_BYTES + 1))),
        (415, post_order(text, {"Content-Type": "text/plain"})),
    ]:
        assert response.status == status
        assert_conforms(response, "/orders", "post")
    order_path = "/orders/{orderId}"
    for order_id, status in [(created.body["orderId"], 200), (str(uuid.uuid4()), 404), ("x", 400)]:
        response = call_api(api_event("GET", order_path, path_parameters={"orderId": order_id}))
        assert response.status == status
        assert_conforms(response, order_path, "get")
    post_order(text)
    list_path = "/customers/{customerId}/orders"
    for query, status in [({"limit": "1"}, 200), ({}, 200), ({"limit": "0"}, 400)]:
        response = call_api(
            api_event("GET", list_path, path_parameters={"customerId": "cust-doc"}, query=query)
        )
        assert response.status == status
        assert_conforms(response, list_path, "get")


@pytest.mark.parametrize("keyword", ["multipleOf", "format", "$ref", "definitions", "oneOf"])
def test_schema_file_avoids_keywords_api_gateway_could_judge_differently(keyword: str) -> None:
    assert f'"{keyword}"' not in order_request_schema_path().read_text(encoding="utf-8")


def test_shipping_and_billing_address_schemas_are_identical() -> None:
    properties = SCHEMA_FILE["properties"]
    assert properties["shippingAddress"] == properties["billingAddress"]


def test_patterns_are_anchored_ascii_classes() -> None:
    def patterns(node: Any) -> list[str]:
        if isinstance(node, dict):
            found = [node["pattern"]] if "pattern" in node else []
            return found + [p for v in node.values() for p in patterns(v)]
        if isinstance(node, list):
            return [p for v in node for p in patterns(v)]
        return []

    for pattern in patterns(SCHEMA_FILE):
        assert pattern.startswith("^") and pattern.endswith("$"), pattern
        assert pattern.isascii() and "\\" not in pattern, pattern


def test_a_maximal_valid_order_fits_the_body_limit() -> None:
    longest_name = "\u00e9" * 200  # escaped by json.dumps as \\u00e9: 6 bytes per character
    address = {
        "fullName": "\u00e9" * 100,
        "line1": "\u00e9" * 200,
        "line2": "\u00e9" * 200,
        "city": "\u00e9" * 100,
        "region": "\u00e9" * 100,
        "postalCode": "9" * 16,
        "country": "GB",
    }
    body = {
        "customerId": "c" * 64,
        "currency": "USD",
        "items": [{"sku": "s" * 64, "name": longest_name, "quantity": 1000, "unitPrice": 999999.99}]
        * 100,
        "total": 99999999000.0,
        "shippingAddress": address,
        "billingAddress": address,
    }
    text = json.dumps(body, indent=2)
    assert validation.OrderValidator().problems(json_body.parse_json_body(text.encode())) == []
    assert len(text.encode()) <= json_body.MAX_BODY_BYTES


@pytest.mark.parametrize(
    ("rule_in_words", "body_change", "field"),
    [
        (
            "2 decimal places",
            {"items": [{"sku": "A", "name": "B", "quantity": 1, "unitPrice": Decimal("1.001")}]},
            "items[0].unitPrice",
        ),
        ("sum of quantity x unitPrice", {"total": Decimal("2")}, "total"),
        (
            "control characters",
            {"items": [{"sku": "A", "name": "B\u2028", "quantity": 1, "unitPrice": 1}]},
            "items[0].name",
        ),
        (
            "blank",
            {"items": [{"sku": "A", "name": "   ", "quantity": 1, "unitPrice": 1}]},
            "items[0].name",
        ),
        (
            "UTF-16",
            {"items": [{"sku": "A", "name": "\U0001f600" * 101, "quantity": 1, "unitPrice": 1}]},
            "items[0].name",
        ),
        (
            "U+200B zero-width space",
            {"items": [{"sku": "A", "name": "\u200b", "quantity": 1, "unitPrice": 1}]},
            "items[0].name",
        ),
        (
            "in required and optional fields alike",
            {
                "shippingAddress": {
                    "fullName": "A",
                    "line1": "B",
                    "line2": "\u3164",
                    "city": "C",
                    "country": "DE",
                }
            },
            "shippingAddress.line2",
        ),
        (
            "isolates (U+202A-U+202E, U+2066-U+2069)",
            {"items": [{"sku": "A", "name": "B\u2067", "quantity": 1, "unitPrice": 1}]},
            "items[0].name",
        ),
        (
            "tag characters (U+E0000-U+E007F",
            {"items": [{"sku": "A", "name": "B\U000e0041", "quantity": 1, "unitPrice": 1}]},
            "items[0].name",
        ),
        (
            "noncharacters (U+FDD0-U+FDEF",
            {"items": [{"sku": "A", "name": "B\ufdd0", "quantity": 1, "unitPrice": 1}]},
            "items[0].name",
        ),
    ],
)
def test_every_rule_beyond_the_schema_is_stated_in_the_documented_schema(
    rule_in_words: str, body_change: dict[str, Any], field: str
) -> None:
    body = {
        "customerId": "cust-1",
        "currency": "EUR",
        "items": [{"sku": "A", "name": "B", "quantity": 1, "unitPrice": 1}],
        "shippingAddress": {"fullName": "A", "line1": "B", "city": "C", "country": "DE"},
        **body_change,
    }
    # Valid for the schema (what API Gateway checks), refused by the handler at that field...
    assert jsonschema.Draft4Validator(SCHEMA_FILE).is_valid(body)
    assert [p.path for p in validation.OrderValidator().problems(body)] == [field]
    # ...and the document says so in words.
    assert rule_in_words in DOCUMENT["components"]["schemas"]["OrderRequest"]["description"]
