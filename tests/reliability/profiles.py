"""How much work the reliability tests do: ``short`` under ``make test``, ``long`` on request.

Select with ``RELIABILITY_PROFILE=long`` (default ``short``). An unknown name is an error, not a
silent fallback: a typo must not turn a long run into a short one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

PROFILE_VARIABLE = "RELIABILITY_PROFILE"


@dataclass(frozen=True)
class ReliabilityProfile:
    """Bounds of one profile.

    Attributes
    ----------
    name : str
        ``short`` or ``long``.
    fuzz_examples : int
        Generated requests per API operation and generation mode (positive / negative).
    fuzz_derandomize : bool
        Whether schemathesis' generation is derandomized (reproducible runs).
    concurrent_creates : int
        Order creations of the concurrency test.
    in_flight : int
        Requests in flight at once in the concurrency test.
    differential_examples : int
        Generated order bodies of the in-process differential test of the order validation
        (tests/unit/handler/test_order_api_differential.py).
    """

    name: str
    fuzz_examples: int
    fuzz_derandomize: bool
    concurrent_creates: int
    in_flight: int
    differential_examples: int


PROFILES = {
    "short": ReliabilityProfile(
        "short",
        fuzz_examples=25,
        fuzz_derandomize=True,
        concurrent_creates=200,
        in_flight=50,
        differential_examples=300,
    ),
    "long": ReliabilityProfile(
        "long",
        fuzz_examples=500,
        fuzz_derandomize=False,
        concurrent_creates=500,
        in_flight=50,
        differential_examples=5000,
    ),
}


def active_profile() -> ReliabilityProfile:
    """Return the profile named by ``RELIABILITY_PROFILE`` (default ``short``).

    Raises
    ------
    ValueError
        If the variable names no profile.
    """
    name = os.environ.get(PROFILE_VARIABLE, "short")
    if name not in PROFILES:
        raise ValueError(f"{PROFILE_VARIABLE}={name!r}: expected one of {sorted(PROFILES)}")
    return PROFILES[name]
