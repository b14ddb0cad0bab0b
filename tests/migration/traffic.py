"""Client traffic during a stack update: creates orders, reads them back, counts outcomes."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.e2e.orders import order_request
from tests.e2e.signed_http import ApiClient, ApiResponse, SignedApiClient

#: Pause between two create+read rounds of the client (it is one thread: a paced customer).
ROUND_PAUSE_SECONDS = 0.2


@dataclass
class StepCounts:
    """What the client saw during one step."""

    requests: int = 0
    successes: int = 0
    client_errors: int = 0
    server_errors: int = 0
    network_errors: int = 0
    created: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)

    def count(self, response: ApiResponse | None, what: str) -> None:
        self.requests += 1
        key = "network" if response is None else str(response.status)
        self.statuses[key] = self.statuses.get(key, 0) + 1
        if response is None:
            self.network_errors += 1
        elif 200 <= response.status < 300:
            self.successes += 1
            return
        elif 400 <= response.status < 500:
            self.client_errors += 1
        else:
            self.server_errors += 1
        if len(self.samples) < 5:
            body = "no response" if response is None else f"{response.status} {response.body}"
            self.samples.append(f"{what}: {str(body)[:200]}")


@dataclass(frozen=True)
class WrittenOrder:
    """An order the API acknowledged (201), as it answered, and the phase it was written at."""

    order_id: str
    body: dict[str, Any]
    phase_label: str


class OrderTraffic:
    """Creates and reads orders against one API URL, remembering every acknowledged order."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url
        self.written: dict[str, WrittenOrder] = {}
        self._lock = threading.Lock()

    def client(self, signed: bool) -> Any:
        return SignedApiClient(self.api_url) if signed else ApiClient(self.api_url)

    def create(self, client: Any, counts: StepCounts, label: str) -> str | None:
        """One ``POST /orders``; the acknowledged order is remembered."""
        request = order_request(f"upgrade-{uuid.uuid4().hex[:10]}")
        headers = {"idempotency-key": uuid.uuid4().hex}
        response = _send(client, "POST", "/orders", request, headers)
        counts.count(response, "POST /orders")
        if response is None or response.status != 201:
            return None
        counts.created += 1
        order_id = str(response.body["orderId"])
        with self._lock:
            self.written[order_id] = WrittenOrder(order_id, dict(response.body), label)
        return order_id

    def read(self, client: Any, order_id: str, counts: StepCounts) -> None:
        counts.count(_send(client, "GET", f"/orders/{order_id}"), "GET /orders/{id}")

    @contextmanager
    def running(self, signed: bool, label: str) -> Iterator[StepCounts]:
        """Create and read orders in a thread for the duration of the block."""
        counts = StepCounts()
        stop = threading.Event()
        client = self.client(signed)

        def loop() -> None:
            while not stop.is_set():
                order_id = self.create(client, counts, label)
                if order_id is not None:
                    self.read(client, order_id, counts)
                stop.wait(ROUND_PAUSE_SECONDS)

        thread = threading.Thread(target=loop, name=f"traffic-{label}", daemon=True)
        thread.start()
        try:
            yield counts
        finally:
            stop.set()
            thread.join(timeout=60)


def _send(client: Any, method: str, path: str, body: Any = None, headers: Any = None) -> Any:
    try:
        return client.request(method, path, body, headers)
    except OSError:  # refused, reset, timed out: the client sees no answer
        time.sleep(0.5)
        return None
