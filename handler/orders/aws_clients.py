"""AWS clients of the order functions: botocore directly, with bounded retries and timeouts.

botocore rather than boto3: the functions need low-level clients only, and importing boto3 also
imports s3transfer, the largest part of the cold import. Region, credentials and endpoint
(``AWS_ENDPOINT_URL`` for a local cloud) come from the environment, as with boto3.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session
from botocore.config import Config

#: API Gateway gives up after 29 s, so the function must not wait on AWS much longer than that:
#: three retries, so four attempts in all (standard retry mode, with backoff), 2 s to connect,
#: 5 s to read.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3},
    connect_timeout=2,
    read_timeout=5,
)


@cache
def _session() -> botocore.session.Session:
    # One session per process: its loader caches the service models, so the second client of
    # a cold start does not parse them again.
    return botocore.session.get_session()


def create_client(service_name: str) -> Any:
    """Return a low-level client for ``service_name`` (e.g. ``"dynamodb"``, ``"kms"``)."""
    return _session().create_client(service_name, config=CLIENT_CONFIG)
