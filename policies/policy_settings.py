"""Settings of the configurable policies, read from environment variables.

The bounds are environment variables rather than a file in this directory because checkov
would try to load any YAML or JSON file found here as a policy. The audit runner can call
:func:`load_settings` before starting checkov to fail early on a bad value; the checks call
the same functions and report a FAILED result carrying the error if a value is invalid.

=================================  =============================  ===========================
Environment variable               Meaning                        Default
=================================  =============================  ===========================
``POK_MAX_THROTTLE_RATE_LIMIT``    highest allowed stage rate     ``500`` (requests/second)
``POK_MAX_THROTTLE_BURST_LIMIT``   highest allowed stage burst    ``1000`` (requests)
``POK_REQUIRED_TAGS``              comma-separated tag keys       ``Environment,Service,ManagedBy``
=================================  =============================  ===========================
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

MAX_RATE_LIMIT_ENV = "POK_MAX_THROTTLE_RATE_LIMIT"
MAX_BURST_LIMIT_ENV = "POK_MAX_THROTTLE_BURST_LIMIT"
REQUIRED_TAGS_ENV = "POK_REQUIRED_TAGS"

DEFAULT_MAX_RATE_LIMIT = 500.0
DEFAULT_MAX_BURST_LIMIT = 1000
DEFAULT_REQUIRED_TAGS = ("Environment", "Service", "ManagedBy")


class PolicySettingError(ValueError):
    """An environment variable read by the policies holds an invalid value."""


@dataclass(frozen=True)
class PolicySettings:
    """The effective settings of the configurable policies.

    Attributes
    ----------
    max_rate_limit : float
        Highest ``ThrottlingRateLimit`` (requests per second) a stage may allow.
    max_burst_limit : int
        Highest ``ThrottlingBurstLimit`` a stage may allow.
    required_tags : tuple of str
        Tag keys every taggable resource must carry.
    """

    max_rate_limit: float
    max_burst_limit: int
    required_tags: tuple[str, ...]


def max_rate_limit(environ: Mapping[str, str] | None = None) -> float:
    """Return the highest allowed stage rate limit (``POK_MAX_THROTTLE_RATE_LIMIT``).

    Parameters
    ----------
    environ : Mapping[str, str], optional
        Environment to read; ``os.environ`` when omitted.

    Returns
    -------
    float
        A finite, positive number of requests per second.

    Raises
    ------
    PolicySettingError
        If the variable is set but is not a finite positive number.
    """
    raw = (os.environ if environ is None else environ).get(MAX_RATE_LIMIT_ENV)
    if raw is None or raw.strip() == "":
        return DEFAULT_MAX_RATE_LIMIT
    try:
        value = float(raw)
    except ValueError:
        raise PolicySettingError(
            f"{MAX_RATE_LIMIT_ENV}={raw!r} is not a number; expected requests per second, "
            f"e.g. {DEFAULT_MAX_RATE_LIMIT:g}"
        ) from None
    if not math.isfinite(value) or value <= 0:
        raise PolicySettingError(f"{MAX_RATE_LIMIT_ENV}={raw!r} must be a positive number")
    return value


def max_burst_limit(environ: Mapping[str, str] | None = None) -> int:
    """Return the highest allowed stage burst limit (``POK_MAX_THROTTLE_BURST_LIMIT``).

    Parameters
    ----------
    environ : Mapping[str, str], optional
        Environment to read; ``os.environ`` when omitted.

    Returns
    -------
    int
        A positive number of requests.

    Raises
    ------
    PolicySettingError
        If the variable is set but is not a positive integer.
    """
    raw = (os.environ if environ is None else environ).get(MAX_BURST_LIMIT_ENV)
    if raw is None or raw.strip() == "":
        return DEFAULT_MAX_BURST_LIMIT
    try:
        value = int(raw)
    except ValueError:
        raise PolicySettingError(
            f"{MAX_BURST_LIMIT_ENV}={raw!r} is not an integer; expected a number of requests, "
            f"e.g. {DEFAULT_MAX_BURST_LIMIT}"
        ) from None
    if value <= 0:
        raise PolicySettingError(f"{MAX_BURST_LIMIT_ENV}={raw!r} must be a positive integer")
    return value


def required_tags(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Return the tag keys every taggable resource must carry (``POK_REQUIRED_TAGS``).

    Parameters
    ----------
    environ : Mapping[str, str], optional
        Environment to read; ``os.environ`` when omitted.

    Returns
    -------
    tuple of str
        Distinct, non-empty tag keys in the order given.

    Raises
    ------
    PolicySettingError
        If the variable is set but names no key, or names an empty key (``"A,,B"``).
    """
    raw = (os.environ if environ is None else environ).get(REQUIRED_TAGS_ENV)
    if raw is None:
        return DEFAULT_REQUIRED_TAGS
    keys = [key.strip() for key in raw.split(",")]
    if not any(keys):
        raise PolicySettingError(
            f"{REQUIRED_TAGS_ENV} is set but names no tag key; unset it to use the defaults "
            f"({','.join(DEFAULT_REQUIRED_TAGS)})"
        )
    if "" in keys:
        raise PolicySettingError(f"{REQUIRED_TAGS_ENV}={raw!r} contains an empty tag key")
    return tuple(dict.fromkeys(keys))


def load_settings(environ: Mapping[str, str] | None = None) -> PolicySettings:
    """Read and validate every setting at once.

    Parameters
    ----------
    environ : Mapping[str, str], optional
        Environment to read; ``os.environ`` when omitted.

    Returns
    -------
    PolicySettings
        The effective settings.

    Raises
    ------
    PolicySettingError
        On the first invalid value.

    Examples
    --------
    >>> load_settings({"POK_MAX_THROTTLE_RATE_LIMIT": "100"}).max_rate_limit
    100.0
    """
    return PolicySettings(
        max_rate_limit=max_rate_limit(environ),
        max_burst_limit=max_burst_limit(environ),
        required_tags=required_tags(environ),
    )
