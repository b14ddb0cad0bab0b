"""Measure what one order costs the service: the usage `cost_model` prices.

The real handlers run in this process against a moto-mocked DynamoDB table shaped as the
construct defines it (GSI on ``customerId``/``createdAt``, projection ALL) and a KMS key. Every
DynamoDB and KMS call they make is recorded with the table item before and after a write and
the items a read returned, so the units come from the items the handler really writes. The
log lines (Powertools JSON lines and EMF metrics) are captured and counted. Durations are
measured in-process: each request is replayed with its recorded AWS answers served from memory,
so the time is the handler's own work (`cost_model.billed_ms` adds the network wait).

Run: ``python tests/perf/bench_cost.py`` (the bench runner, run_benchmarks.py, calls `measure`).
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
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
for _path in (REPO, REPO / "handler", REPO / "tests" / "perf", REPO / "tests" / "unit" / "handler"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench_handler import ten_item_order  # noqa: E402
from cost_model import (  # noqa: E402
    DynamoCall,
    IndexShape,
    RequestUsage,
    call_units,
    item_size,
    storage_bytes,
)

#: The customer index as the construct defines it (kit/data.py): projection ALL.
ORDER_INDEX = IndexShape(
    key_attributes=("customerId", "createdAt"), table_key_attributes=("orderId",)
)
#: Orders of the customer whose first page the list request reads.
LIST_ORDERS = 10
CALLER_ARN = "arn:aws:sts::123456789012:assumed-role/checkout/session-1"
ORIGIN = "https://shop.example.com"


@dataclass
class Recording:
    """The AWS calls and log bytes of one request."""

    dynamodb: list[DynamoCall] = field(default_factory=list)
    answers: dict[str, list[Any]] = field(default_factory=dict)
    kms_calls: int = 0


class RecordingClient:
    """A botocore client that forwards to ``real`` and records each call into ``recording``."""

    def __init__(self, real: Any, recording: Callable[[], Recording]) -> None:
        self._real = real
        self._recording = recording

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._real, name)
        if not callable(method) or name.startswith("_") or name in ("meta", "exceptions"):
            return method

        def call(**request: Any) -> Any:
            recording = self._recording()
            operation = self._real.meta.method_to_api_mapping.get(name, name)
            key = request.get("Key") or (
                {"orderId": request["Item"]["orderId"]} if "Item" in request else None
            )
            before = self._item(key) if operation in ("PutItem", "UpdateItem") else None
            try:
                response = method(**request)
            except Exception as error:
                recording.answers.setdefault(operation, []).append(error)
                raise
            recording.answers.setdefault(operation, []).append(response)
            if self._real.meta.service_model.service_name == "kms":
                recording.kms_calls += 1
            elif operation in ("PutItem", "UpdateItem"):
                after = self._item(key)
                recording.dynamodb.append(DynamoCall(operation, before=before, after=after))
            elif operation == "GetItem":
                returned = [response["Item"]] if "Item" in response else []
                recording.dynamodb.append(
                    DynamoCall(
                        operation, returned=returned, consistent=bool(request.get("ConsistentRead"))
                    )
                )
            elif operation == "Query":
                recording.dynamodb.append(DynamoCall(operation, returned=response.get("Items", [])))
            return response

        return call

    def _item(self, key: dict[str, Any] | None) -> dict[str, Any] | None:
        if key is None:
            return None
        table = os.environ["TABLE_NAME"]
        return self._real.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")


class ReplayClient:
    """Answers each operation with the answers recorded for it, in turn (no network)."""

    def __init__(self, answers: dict[str, list[Any]]) -> None:
        self._answers = {op: list(values) for op, values in answers.items()}
        self._next = dict.fromkeys(answers, 0)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        operation = "".join(part.capitalize() for part in name.split("_"))

        def call(**_request: Any) -> Any:
            answers = self._answers[operation]
            answer = answers[self._next[operation] % len(answers)]
            self._next[operation] += 1
            if isinstance(answer, Exception):
                raise answer
            return answer

        return call


def _api_event(method: str, resource: str, **parts: Any) -> dict[str, Any]:
    path = resource
    for name, value in (parts.get("path_parameters") or {}).items():
        path = path.replace("{" + name + "}", value)
    headers = {"Content-Type": "application/json", "Origin": ORIGIN, **parts.get("headers", {})}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": parts.get("query"),
        "pathParameters": parts.get("path_parameters"),
        "requestContext": {
            "requestId": "bench-request",
            "resourcePath": resource,
            "identity": {"userArn": CALLER_ARN, "sourceIp": "192.0.2.10"},
        },
        "body": parts.get("body"),
        "isBase64Encoded": False,
    }


@contextlib.contextmanager
def _captured_logs(sink: io.StringIO) -> Iterator[None]:
    """Send the functions' log lines (Powertools' handler) and EMF metrics (stdout) to ``sink``."""
    from orders import telemetry

    handler = telemetry.logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    previous = handler.setStream(sink)
    try:
        with contextlib.redirect_stdout(sink):
            yield
    finally:
        handler.setStream(previous)


def _environment() -> None:
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(
        {
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "TABLE_NAME": "orders-test",
            "CUSTOMER_INDEX_NAME": "byCustomer",
            "ALLOWED_ORIGINS": ORIGIN,
            "AUTHORIZATION_MODE": "iam",
            "POWERTOOLS_SERVICE_NAME": "orders",
            "POWERTOOLS_METRICS_NAMESPACE": "ProductionOrderKit",
        }
    )


@dataclass(frozen=True)
class Measured:
    """What `measure` found: usage per request kind, the stored order and its JSON size."""

    usage: dict[str, RequestUsage]
    order_item_bytes: int
    stored_bytes_per_order: int
    order_json_bytes: int
    idempotency_record_bytes: int
    peak_memory_mb: float

    def as_dict(self) -> dict[str, Any]:
        """Plain data for results.json."""
        data = asdict(self)
        data["usage"] = {name: asdict(u) for name, u in self.usage.items()}
        return data


def measure(number: int = 200, repeat: int = 5) -> Measured:
    """Run one order's requests against moto, record them, and time their replays."""
    from moto import mock_aws

    _environment()
    with mock_aws():
        import boto3
        from handler_harness import create_orders_table
        from orders import api, processor

        dynamodb = boto3.client("dynamodb", region_name="us-east-1")
        kms = boto3.client("kms", region_name="us-east-1")
        create_orders_table(dynamodb)
        os.environ["PAGE_TOKEN_KEY_ID"] = kms.create_key()["KeyMetadata"]["KeyId"]
        current = Recording()
        clients = {"dynamodb": dynamodb, "kms": kms}

        def recording_client(service: str, *_args: Any, **_kwargs: Any) -> RecordingClient:
            return RecordingClient(clients[service], lambda: current)

        api.create_client = recording_client  # type: ignore[assignment]
        processor.create_client = recording_client  # type: ignore[assignment]
        api.build_api.cache_clear()
        processor.build_repository.cache_clear()

        context = _Context()
        body = ten_item_order().decode()
        customer = json.loads(body)["customerId"]
        recordings: dict[str, tuple[Recording, dict[str, Any], int, str]] = {}

        def run(name: str, function: str, event: dict[str, Any]) -> Any:
            nonlocal current
            current = Recording()
            sink = io.StringIO()
            with _captured_logs(sink):
                handler = api.lambda_handler if function == "api" else processor.lambda_handler
                result = handler(event, context)
            recordings[name] = (current, event, len(sink.getvalue().encode()), function)
            return result

        # Earlier orders of the customer, so the list reads a full page.
        with _captured_logs(io.StringIO()):
            for _ in range(LIST_ORDERS - 1):
                api.lambda_handler(_api_event("POST", "/orders", body=body), context)
        created = run("POST /orders", "api", _api_event("POST", "/orders", body=body))
        assert created["statusCode"] == 201, created
        order_id = json.loads(created["body"])["orderId"]
        keyed = run(
            "POST /orders with Idempotency-Key",
            "api",
            _api_event("POST", "/orders", body=body, headers={"Idempotency-Key": "bench-key-1"}),
        )
        assert keyed["statusCode"] == 201, keyed
        read = run(
            "GET /orders/{orderId}",
            "api",
            _api_event("GET", "/orders/{orderId}", path_parameters={"orderId": order_id}),
        )
        assert read["statusCode"] == 200, read
        listed = run(
            f"GET /customers/{{customerId}}/orders ({LIST_ORDERS} orders)",
            "api",
            _api_event(
                "GET",
                "/customers/{customerId}/orders",
                path_parameters={"customerId": customer},
                query={"limit": str(LIST_ORDERS)},
            ),
        )
        assert listed["statusCode"] == 200, listed
        key = {"orderId": {"S": order_id}}
        pending = dynamodb.get_item(TableName="orders-test", Key=key)["Item"]
        insert = _stream_event("INSERT", new=pending, old=None)
        result = run("stream INSERT -> confirm", "processor", insert)
        assert result == {"batchItemFailures": []}, result
        confirmed = dynamodb.get_item(TableName="orders-test", Key=key)["Item"]
        assert confirmed["status"]["S"] != pending["status"]["S"], "the processor did not confirm"
        run("stream MODIFY (ignored)", "processor", _stream_event("MODIFY", confirmed, pending))
        record = next(
            item
            for item in dynamodb.scan(TableName="orders-test")["Items"]
            if "customerId" not in item
        )

        usage = {}
        for name, (recording, _event, log_bytes, function) in recordings.items():
            rru = wru = 0.0
            for call in recording.dynamodb:
                reads, writes = call_units(call, ORDER_INDEX)
                rru, wru = rru + reads, wru + writes
            usage[name] = RequestUsage(
                function=function,
                api_request=function == "api",
                rru=rru,
                wru=wru,
                kms_calls=recording.kms_calls,
                aws_calls=sum(len(a) for a in recording.answers.values()),
                handler_ms=0.0,
                log_bytes=log_bytes,
            )
        # Durations: the same events, AWS answered from the recordings.
        for name, (recording, event, _log_bytes, function) in recordings.items():
            replay = ReplayClient(recording.answers)
            service = api.build_api().service
            service._repository._client = replay  # type: ignore[attr-defined]
            if service._page_tokens is not None:  # type: ignore[attr-defined]
                service._page_tokens._kms = replay  # type: ignore[attr-defined]
            processor.build_repository()._client = replay  # type: ignore[attr-defined]
            handler = api.lambda_handler if function == "api" else processor.lambda_handler
            sink = io.StringIO()
            with _captured_logs(sink):
                best = min(
                    timeit.repeat(
                        lambda: handler(event, context),  # noqa: B023
                        number=number,
                        repeat=repeat,
                        timer=time.perf_counter,
                    )
                )
            usage[name] = replace(usage[name], handler_ms=round(best / number * 1000, 3))
        api.build_api.cache_clear()
        processor.build_repository.cache_clear()
        return Measured(
            usage=usage,
            order_item_bytes=item_size(confirmed),
            stored_bytes_per_order=storage_bytes(confirmed, ORDER_INDEX),
            order_json_bytes=len(read["body"].encode()),
            idempotency_record_bytes=item_size(record),
            peak_memory_mb=peak_memory_mb(),
        )


@dataclass(frozen=True)
class _Context:
    """What Powertools' logger reads from a Lambda context."""

    function_name: str = "orders"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:orders"
    aws_request_id: str = "bench"


def _stream_event(name: str, new: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
    images: dict[str, Any] = {"NewImage": new}
    if old is not None:
        images["OldImage"] = old
    return {
        "Records": [
            {
                "eventID": "bench-event",
                "eventName": name,
                "eventSource": "aws:dynamodb",
                "dynamodb": {
                    "Keys": {"orderId": new["orderId"]},
                    **images,
                    "SequenceNumber": "100000000000000000001",
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                },
            }
        ]
    }


def _serve_orders_in_this_process(requests: int) -> int:
    """Run ``requests`` creates and reads through the api handler (DynamoDB in memory) and
    return this process's peak resident memory in KiB (``--peak-memory``).

    Read from ``VmHWM`` (the high-water mark of this address space), not ``ru_maxrss``: Linux
    carries the forking parent's resident size over ``exec`` into the latter.
    """
    from bench_handler_request import InMemoryDynamoDb

    _environment()
    from orders import api

    api.build_api.cache_clear()
    table = InMemoryDynamoDb()
    api.build_api().service._repository._client = table  # type: ignore[attr-defined]
    create = _api_event("POST", "/orders", body=ten_item_order().decode())
    with _captured_logs(io.StringIO()):
        for _ in range(requests):
            created = api.lambda_handler(create, _Context())
            order_id = json.loads(created["body"])["orderId"]
            read = _api_event("GET", "/orders/{orderId}", path_parameters={"orderId": order_id})
            assert api.lambda_handler(read, _Context())["statusCode"] == 200
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def peak_memory_mb(requests: int = 300) -> float:
    """Peak resident memory of a fresh interpreter that imports the api function and serves
    ``requests`` creates and reads (what the function's execution environment holds, without
    the Lambda runtime client), in MB."""
    import subprocess

    out = subprocess.run(
        [sys.executable, __file__, "--peak-memory", str(requests)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return round(int(out.strip().splitlines()[-1]) / 1024, 1)


def main(argv: list[str] | None = None) -> int:
    """Print the measured usage as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--number", type=int, default=200, help="calls per timing repeat")
    parser.add_argument("--repeat", type=int, default=5, help="timing repeats")
    parser.add_argument(
        "--peak-memory", type=int, metavar="N", help="serve N orders, print peak RSS (KiB)"
    )
    options = parser.parse_args(argv)
    if options.peak_memory:
        print(_serve_orders_in_this_process(options.peak_memory))
        return 0
    print(json.dumps(measure(options.number, options.repeat).as_dict(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
