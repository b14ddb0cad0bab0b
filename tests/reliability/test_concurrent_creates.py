"""Many concurrent creates, a fifth of them repeating another request's Idempotency-Key, through
the deployed API on the local cloud: exactly one order per key, nothing lost, every 201 readable.

Count and concurrency come from the profile (profiles.py): ``short`` (``make test``) sends 200
creates with 50 in flight, ``long`` 500 with 50 in flight.
"""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.e2e.orders import new_customer_id, order_request, without_processor_fields
from tests.e2e.signed_http import ApiResponse, SignedApiClient
from tests.reliability.profiles import active_profile
from tests.reliability.warm_up import warm_execution_environments

pytestmark = pytest.mark.e2e

DUPLICATE_SHARE = 0.2


def planned_requests(total: int, customer: str, seed: int) -> list[tuple[str, dict[str, Any]]]:
    """``total`` (key, body) pairs: 80 % distinct keys, 20 % repeating one of them (same body),
    shuffled so that duplicates race their originals."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible test plan, not a secret
    distinct = total - round(total * DUPLICATE_SHARE)
    originals = [
        (f"conc-{uuid.uuid4().hex}", order_request(customer, quantity=1 + index % 50))
        for index in range(distinct)
    ]
    duplicates = [rng.choice(originals) for _ in range(total - distinct)]
    plan = originals + duplicates
    rng.shuffle(plan)
    return plan


def table_items(aws_client: Callable[[str], Any], table: str, customer: str) -> list[dict]:
    """Every item of ``customer`` in the table (strongly consistent, all pages)."""
    items: list[dict] = []
    for page in (
        aws_client("dynamodb")
        .get_paginator("scan")
        .paginate(
            TableName=table,
            FilterExpression="customerId = :c",
            ExpressionAttributeValues={":c": {"S": customer}},
            ConsistentRead=True,
        )
    ):
        items.extend(page["Items"])
    return items


def test_concurrent_creates_with_duplicate_keys_store_exactly_one_order_per_key(
    api: SignedApiClient,
    aws_client: Callable[[str], Any],
    output: Callable[[str], str],
    local_endpoint: str,
) -> None:
    # Given warm execution environments for every request in flight (see warm_up.py)
    profile = active_profile()
    warm_execution_environments(local_endpoint, output("ApiFunctionName"), profile.in_flight)
    customer = new_customer_id()
    plan = planned_requests(profile.concurrent_creates, customer, seed=7)
    keys = {key for key, _ in plan}

    # When every create is sent with `in_flight` requests at a time
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=profile.in_flight) as pool:
        responses: list[ApiResponse] = list(
            pool.map(lambda item: api.post("/orders", item[1], {"idempotency-key": item[0]}), plan)
        )
    elapsed = time.perf_counter() - started
    print(f"{len(plan)} creates, {profile.in_flight} in flight: {elapsed:.1f} s")

    # Then every one is a 201, and all requests with one key got the same order
    statuses = Counter(response.status for response in responses)
    assert statuses == {201: len(plan)}, statuses
    order_ids_by_key: dict[str, set[str]] = defaultdict(set)
    writers_by_key: Counter[str] = Counter()
    for (key, _), response in zip(plan, responses, strict=True):
        order_ids_by_key[key].add(response.body["orderId"])
        if response.headers.get("idempotent-replay") != "true":
            writers_by_key[key] += 1
    assert all(len(ids) == 1 for ids in order_ids_by_key.values())
    # exactly one request per key wrote; the others were told they replayed it
    assert writers_by_key == dict.fromkeys(keys, 1)
    created = {next(iter(ids)) for ids in order_ids_by_key.values()}
    assert len(created) == len(keys)

    # And the table holds exactly those orders: none lost, none twice
    stored = [
        item["orderId"]["S"] for item in table_items(aws_client, output("TableName"), customer)
    ]
    assert len(stored) == len(set(stored)) == len(keys)
    assert set(stored) == created

    # And every created order reads back as it was returned
    first_response: dict[str, Any] = {}
    for response in responses:
        first_response.setdefault(response.body["orderId"], response.body)
    with ThreadPoolExecutor(max_workers=profile.in_flight) as pool:
        read_back = list(pool.map(lambda order_id: api.get(f"/orders/{order_id}"), created))
    assert all(response.status == 200 for response in read_back)
    for response in read_back:
        returned = first_response[response.body["orderId"]]
        # the processor may have confirmed it since; the rest is unchanged
        assert response.body["status"] in ("PENDING", "CONFIRMED")
        assert without_processor_fields(response.body) == without_processor_fields(returned)
