"""Test-suite wide settings: the hypothesis profiles.

``ci`` (the default when HYPOTHESIS_PROFILE is unset) is derandomized, so a run is reproducible,
and runs at least 1,000 examples per property. ``dev`` runs ten times as many, randomized, for a
longer local search: ``HYPOTHESIS_PROFILE=dev pytest tests/unit/handler``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=1000,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    max_examples=10_000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
