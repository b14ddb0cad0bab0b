"""Target selection: a configured endpoint, or the embedded LocalStack.

When ``LOCALSTACK_ENDPOINT`` or ``AWS_ENDPOINT_URL`` is set (a LocalStack container, say), that
endpoint is the target and the harness starts nothing. Otherwise the embedded instance is
started (see :class:`~localcloud.server.LocalStackServer`).
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from urllib.parse import urlparse

from localcloud.errors import EndpointError
from localcloud.server import health_url

ENDPOINT_VARIABLES = ("LOCALSTACK_ENDPOINT", "AWS_ENDPOINT_URL")


def configured_endpoint(environ: Mapping[str, str] | None = None) -> str | None:
    """Return the endpoint named by environment variable, or None to use the embedded one.

    Parameters
    ----------
    environ
        Environment to read (default: the process environment).

    Returns
    -------
    str | None
        The endpoint URL without a trailing slash.

    Raises
    ------
    EndpointError
        The value is not an ``http(s)://host[:port]`` URL, or both variables are set to
        different endpoints.

    Examples
    --------
    >>> configured_endpoint({"LOCALSTACK_ENDPOINT": "http://localhost:4566/"})
    'http://localhost:4566'
    >>> configured_endpoint({}) is None
    True
    """
    environ = os.environ if environ is None else environ
    values = {
        name: environ[name].strip().rstrip("/")
        for name in ENDPOINT_VARIABLES
        if environ.get(name, "").strip()
    }
    for name, value in values.items():
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise EndpointError(
                f"{name}={value!r} is not an endpoint URL; expected e.g. http://127.0.0.1:4566"
            )
    if len(set(values.values())) > 1:
        listed = ", ".join(f"{name}={value}" for name, value in values.items())
        raise EndpointError(f"conflicting endpoints ({listed}); set only one, or both alike")
    return next(iter(values.values()), None)


def check_reachable(endpoint: str, timeout: float = 5.0) -> None:
    """Fail clearly when nothing answers at a configured endpoint.

    Any HTTP answer counts (an endpoint need not be LocalStack); a refused or timed-out
    connection does not.

    Raises
    ------
    EndpointError
        Nothing answers.
    """
    try:
        with urllib.request.urlopen(health_url(endpoint), timeout=timeout):  # noqa: S310
            return
    except urllib.error.HTTPError:
        return  # it answered, just not with LocalStack's health document
    except OSError as error:
        raise EndpointError(
            f"nothing answers at the configured endpoint {endpoint} ({error}); start it, or"
            " unset LOCALSTACK_ENDPOINT / AWS_ENDPOINT_URL to use the embedded LocalStack"
        ) from error
