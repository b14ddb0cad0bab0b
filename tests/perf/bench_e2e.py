"""End-to-end throughput and latency of order creation through the local execute-api URL.

Every request is a SigV4-signed ``POST /orders`` through LocalStack's API Gateway to the deployed
function and its table, as a client sends it. Two measurements, after warming the execution
environments (tests/reliability/warm_up.py):

* sequential: one request at a time, so latency without queueing;
* concurrent: ``in_flight`` requests at a time, so throughput (orders/s) and latency under load.

These are the emulator's numbers on this machine (one Python process per execution environment,
LocalStack and the client sharing the CPUs), a baseline for comparing changes, not AWS's.
"""

from __future__ import annotations

import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.e2e.orders import order_request
from tests.e2e.signed_http import SignedApiClient
from tests.reliability.warm_up import warm_execution_environments


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50, p90 and p99 (inclusive method) and the maximum of ``samples_ms``.

    Examples
    --------
    >>> percentiles([float(n) for n in range(1, 101)])["p50"]
    50.5
    """
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {
        "p50": round(cuts[49], 2),
        "p90": round(cuts[89], 2),
        "p99": round(cuts[98], 2),
        "max": round(max(samples_ms), 2),
    }


def _timed_create(api: SignedApiClient, customer: str) -> float:
    started = time.perf_counter()
    response = api.post("/orders", order_request(customer), {"idempotency-key": uuid.uuid4().hex})
    elapsed_ms = (time.perf_counter() - started) * 1000
    if response.status != 201:
        raise RuntimeError(f"create failed during the benchmark: {response.status} {response.body}")
    return elapsed_ms


def measure(
    endpoint: str, api_url: str, function_name: str, sequential: int, creates: int, in_flight: int
) -> dict[str, Any]:
    """Run both measurements; return their numbers (milliseconds, orders per second)."""
    api = SignedApiClient(api_url)
    customer = f"bench-{uuid.uuid4().hex[:12]}"
    warm_up_s = warm_execution_environments(endpoint, function_name, in_flight)
    sequential_ms = [_timed_create(api, customer) for _ in range(sequential)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=in_flight) as pool:
        concurrent_ms = list(pool.map(lambda _: _timed_create(api, customer), range(creates)))
    wall_s = time.perf_counter() - started
    return {
        "warm_up_s": round(warm_up_s, 2),
        "sequential": {"requests": sequential, "latency_ms": percentiles(sequential_ms)},
        "concurrent": {
            "requests": creates,
            "in_flight": in_flight,
            "wall_s": round(wall_s, 2),
            "orders_per_s": round(creates / wall_s, 1),
            "latency_ms": percentiles(concurrent_ms),
        },
    }
