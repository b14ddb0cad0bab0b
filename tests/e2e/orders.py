"""Order documents for the e2e tests."""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.e2e.signed_http import SignedApiClient

#: Fields the stream processor changes when it confirms an order.
PROCESSOR_FIELDS = frozenset({"status", "confirmedAt"})


def new_customer_id() -> str:
    """A customer id no other test uses."""
    return f"e2e-{uuid.uuid4().hex[:12]}"


def order_request(customer_id: str, quantity: int = 2, unit_price: float = 9.99) -> dict[str, Any]:
    """A valid ``POST /orders`` body."""
    return {
        "customerId": customer_id,
        "currency": "EUR",
        "items": [
            {"sku": "SKU-1", "name": "Widget", "quantity": quantity, "unitPrice": unit_price}
        ],
        "shippingAddress": {
            "fullName": "Ada Lovelace",
            "line1": "1 Main Street",
            "city": "London",
            "country": "GB",
        },
    }


def without_processor_fields(order: dict[str, Any]) -> dict[str, Any]:
    """``order`` without the fields the stream processor sets (status, confirmedAt): what a
    read returns whether it comes before or after the confirmation."""
    return {key: value for key, value in order.items() if key not in PROCESSOR_FIELDS}


def wait_for_status(
    api: SignedApiClient, order_id: str, status: str, seconds: float
) -> dict[str, Any]:
    """Read ``order_id`` until its status is ``status``; return it. Fails after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        response = api.get(f"/orders/{order_id}")
        assert response.status == 200, response.body
        if response.body["status"] == status:
            return dict(response.body)
        assert time.monotonic() < deadline, (
            f"order {order_id} still {response.body['status']} after {seconds} s"
        )
        time.sleep(0.5)
