"""Differential test of POST /orders against an independent reading of the documented rules.

Order bodies are generated from the order request schema and mutated at every boundary it
declares (schema_boundary_documents.py). Each is judged independently by ``jsonschema``'s
Draft4Validator plus the rules the schema states in words (documented_order_rules.py, written
from that text), and sent to the API function in-process (moto). The function must answer 201
exactly when both accept and 400 otherwise, never anything else; every 201 must read back
identical through GET /orders/{orderId} and carry what was sent.

Bounds: ``RELIABILITY_PROFILE=short`` (default) runs a few hundred derandomized examples,
``long`` thousands, randomized (tests/reliability/profiles.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from documented_order_rules import documented_verdict, parse
from handler_harness import JSON_HEADERS, AwsAccount, api_event, call_api
from hypothesis import HealthCheck, event, given, settings
from orders.validation import load_order_request_schema
from schema_boundary_documents import boundary_documents

from tests.reliability.profiles import active_profile

SCHEMA = load_order_request_schema()
PROFILE = active_profile()


def assert_reads_back_as_sent(created: dict[str, Any], sent: dict[str, Any]) -> None:
    """The 201 body carries what the client sent (numbers compared by value)."""
    for name in ("customerId", "currency", "shippingAddress"):
        assert created[name] == sent[name], name
    assert created.get("billingAddress") == sent.get("billingAddress")
    assert len(created["items"]) == len(sent["items"])
    for stored, item in zip(created["items"], sent["items"], strict=True):
        assert (stored["sku"], stored["name"]) == (item["sku"], item["name"])
        assert stored["quantity"] == item["quantity"]
        assert Decimal(stored["unitPrice"]) == Decimal(item["unitPrice"])
    line_sum = sum(Decimal(i["unitPrice"]) * i["quantity"] for i in sent["items"])
    assert Decimal(created["total"]) == line_sum
    if "total" in sent:
        assert Decimal(created["total"]) == Decimal(sent["total"])


@settings(
    max_examples=PROFILE.differential_examples,
    derandomize=PROFILE.fuzz_derandomize,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(text=boundary_documents(SCHEMA))
def test_handler_accepts_exactly_what_the_schema_and_the_documented_rules_accept(
    aws: AwsAccount, text: str
) -> None:
    # Given an order body and the independent verdict on it
    verdict = documented_verdict(text, SCHEMA)
    # When it is posted
    response = call_api(api_event("POST", "/orders", headers=JSON_HEADERS, body=text))
    event(f"{response.status} ({'accepted' if verdict.accepted else 'refused'} by the oracle)")
    # Then the answer is 201 exactly when both the schema and the rules accept it
    if not verdict.accepted:
        assert response.status == 400, (verdict, response.body)
        assert response.body["code"] == "VALIDATION_FAILED", response.body
        assert response.body["errors"], "a refusal names what is wrong"
        assert all(error["field"] for error in response.body["errors"])
        return
    assert response.status == 201, (verdict, response.body)
    created = response.body
    assert_reads_back_as_sent(created, parse(text))
    # And it reads back identical
    read = call_api(
        api_event(
            "GET",
            "/orders/{orderId}",
            path_parameters={"orderId": created["orderId"]},
            headers=JSON_HEADERS,
        )
    )
    assert read.status == 200
    assert read.body == created
