"""One-off confirmation of PENDING orders (``order-kit confirm-pending``).

Orders written before the stream processor existed (phases 0-4) have no INSERT record it will
ever read. The scheduled pending-order sweep confirms them once they are
``pending_sweep_age_minutes`` old; this backfill invokes the same sweep function once with a
smaller minimum age (``{"minAgeMinutes": N}``), so the orders of an upgrade are confirmed right
after it, with the sweep's own conditional update and metrics.
"""

from __future__ import annotations

import json
from typing import Any

#: The event key the sweep handler reads on a direct invocation.
MIN_AGE_KEY = "minAgeMinutes"


class BackfillError(RuntimeError):
    """The sweep function could not be invoked or failed."""


def confirm_pending(lambda_client: Any, function: str, min_age_minutes: int = 0) -> dict[str, Any]:
    """Invoke the sweep ``function`` once with ``min_age_minutes``; return its report.

    Raises
    ------
    ValueError
        ``min_age_minutes`` is not a whole number from 0 to 1440.
    BackfillError
        The invocation failed or the function reported an error (its message is included).
    """
    if (
        isinstance(min_age_minutes, bool)
        or not isinstance(min_age_minutes, int)
        or not 0 <= min_age_minutes <= 1440
    ):
        raise ValueError(f"min_age_minutes must be 0..1440, got {min_age_minutes!r}")
    try:
        response = lambda_client.invoke(
            FunctionName=function, Payload=json.dumps({MIN_AGE_KEY: min_age_minutes}).encode()
        )
    except Exception as error:  # botocore's errors: no such function, no permission, network
        raise BackfillError(f"invoking {function} failed: {error}") from error
    payload = json.loads(response["Payload"].read() or b"null")
    if "FunctionError" in response or not isinstance(payload, dict) or "confirmed" not in payload:
        raise BackfillError(f"{function} failed: {payload}")
    return payload
