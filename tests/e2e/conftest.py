"""Fixtures of the end-to-end tests.

``local_endpoint`` is the target: the endpoint named by ``LOCALSTACK_ENDPOINT`` or
``AWS_ENDPOINT_URL`` (a LocalStack container, say), else the embedded LocalStack that the
project's harness starts for the session and stops afterwards. It fails, never skips, when the
local cloud cannot be provided. ``aws_client("sqs")`` gives boto3 clients via localstack-client.
"""

from __future__ import annotations

from localcloud.pytest_fixtures import aws_client, local_endpoint

__all__ = ["aws_client", "local_endpoint"]
