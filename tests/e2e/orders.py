"""Order documents for the e2e tests."""

from __future__ import annotations

import uuid
from typing import Any


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
