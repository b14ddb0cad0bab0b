"""Warm per-request overhead of the API function: the whole ``lambda_handler`` of a created order
and of a read, with DynamoDB answered in memory, so the number is the function's own work
(event parsing, routing, validation, item codec, response, JSON log lines, EMF metrics).

Run: ``python tests/perf/bench_handler_request.py [--json]`` from the repository root with the dev
venv (the bench runner, run_benchmarks.py, calls `measure`).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import sys
import time
import timeit
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "handler"))
sys.path.insert(0, str(REPO / "tests" / "perf"))

from bench_handler import ten_item_order  # noqa: E402


class InMemoryDynamoDb:
    """The two DynamoDB calls of these routes, answered from a dict (no network)."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def put_item(self, **request: Any) -> dict[str, Any]:
        """Store the item (the routes' condition is always met: every id is new)."""
        self.items[request["Item"]["orderId"]["S"]] = request["Item"]
        return {}

    def get_item(self, **request: Any) -> dict[str, Any]:
        """Return the stored item."""
        item = self.items.get(request["Key"]["orderId"]["S"])
        return {} if item is None else {"Item": item}


@dataclass(frozen=True)
class FakeContext:
    """What Powertools' logger reads from a Lambda context."""

    function_name: str = "orders-api"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:orders-api"
    aws_request_id: str = "bench"


def _event(method: str, resource: str, path_parameters: dict | None, body: str | None) -> dict:
    return {
        "resource": resource,
        "path": resource,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json", "Origin": "https://shop.example.com"},
        "pathParameters": path_parameters,
        "queryStringParameters": None,
        "requestContext": {"requestId": "bench-request"},
        "body": body,
        "isBase64Encoded": False,
    }


def measure(number: int = 500, repeat: int = 5) -> dict[str, float]:
    """Best-of-``repeat`` wall microseconds per warm ``lambda_handler`` call, per route."""
    os.environ.update(
        {
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "TABLE_NAME": "orders-bench",
            "ALLOWED_ORIGINS": "https://shop.example.com",
            "POWERTOOLS_METRICS_NAMESPACE": "Bench",
        }
    )
    from orders import api

    api.build_api.cache_clear()
    table = InMemoryDynamoDb()
    api.build_api().service._repository._client = table  # type: ignore[attr-defined]
    body = ten_item_order().decode()
    create = _event("POST", "/orders", None, body)
    context = FakeContext()
    sink = io.StringIO()
    # The log lines are formatted as in Lambda (part of the overhead), then discarded.
    handler = api.logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(sink)

    def create_order() -> None:
        response = api.lambda_handler(create, context)
        assert response["statusCode"] == 201, response

    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        create_order()
        order_id = next(iter(table.items))
        read = _event("GET", "/orders/{orderId}", {"orderId": order_id}, None)

        def read_order() -> None:
            assert api.lambda_handler(read, context)["statusCode"] == 200

        def missing_order() -> None:
            event = _event("GET", "/orders/{orderId}", {"orderId": str(uuid.uuid4())}, None)
            assert api.lambda_handler(event, context)["statusCode"] == 404

        results = {}
        for name, call in {
            "POST /orders (10 items) -> 201": create_order,
            "GET /orders/{orderId} -> 200": read_order,
            "GET /orders/{orderId} -> 404": missing_order,
        }.items():
            sink.seek(0)
            sink.truncate()
            best = min(timeit.repeat(call, number=number, repeat=repeat, timer=time.perf_counter))
            results[name] = best / number * 1e6
    return results


def main(argv: list[str] | None = None) -> int:
    """Print the per-request overhead."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--number", type=int, default=500, help="calls per timing repeat")
    parser.add_argument("--repeat", type=int, default=5, help="timing repeats")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    options = parser.parse_args(argv)
    results = measure(options.number, options.repeat)
    if options.json:
        print(json.dumps(results, indent=2))
    else:
        for name, microseconds in results.items():
            print(f"  {name:<34} {microseconds:8.1f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
