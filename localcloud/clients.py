"""boto3 clients for the local cloud, created through ``localstack-client``."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlparse

from localstack_client.session import Session

from localcloud import DEFAULT_REGION, DUMMY_CREDENTIALS
from localcloud.errors import EndpointError


def local_session(endpoint: str, region: str = DEFAULT_REGION) -> Session:
    """A ``localstack_client`` session whose clients talk to ``endpoint``.

    ``localstack_client.session.Session`` builds every service URL from its
    ``localstack_host`` (``host:port``), with ``https`` only when ``USE_SSL`` is set, and lets
    ``AWS_ENDPOINT_URL`` in the environment override both. This function passes the endpoint's
    host and port, and refuses combinations the session would silently get wrong.

    Parameters
    ----------
    endpoint
        ``http://host:port`` (``https`` needs ``USE_SSL=1``, which localstack-client reads).
    region
        Region of the clients.

    Raises
    ------
    EndpointError
        The session would not talk to ``endpoint``.
    """
    parsed = urlparse(endpoint)
    wants_ssl = os.environ.get("USE_SSL") in ("1", "true")
    if (parsed.scheme == "https") != wants_ssl:
        raise EndpointError(
            f"endpoint {endpoint} uses {parsed.scheme} but USE_SSL is"
            f" {'set' if wants_ssl else 'not set'};"
            " localstack-client takes the scheme from USE_SSL"
        )
    env_endpoint = os.environ.get("AWS_ENDPOINT_URL", "").strip().rstrip("/")
    if env_endpoint and env_endpoint != endpoint.rstrip("/"):
        raise EndpointError(
            f"AWS_ENDPOINT_URL={env_endpoint} overrides the endpoint {endpoint}"
            " in localstack-client"
        )
    return Session(
        region_name=region,
        localstack_host=parsed.netloc,
        **DUMMY_CREDENTIALS,
    )


def local_client(endpoint: str, service: str, region: str = DEFAULT_REGION, **kwargs: Any) -> Any:
    """A boto3 client for ``service`` at ``endpoint`` (see :func:`local_session`)."""
    return local_session(endpoint, region).client(service, **kwargs)
