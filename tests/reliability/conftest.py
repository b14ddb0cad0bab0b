"""Fixtures of the reliability tests: the same local cloud and deployed reference app as the
e2e tests (one LocalStack and one deployment per pytest process, see tests/e2e/deployment.py).
"""

from __future__ import annotations

from tests.e2e.conftest import (
    api,
    assembly_dir,
    aws_client,
    deployed,
    deployment,
    local_endpoint,
    output,
    template,
)

__all__ = [
    "api",
    "assembly_dir",
    "aws_client",
    "deployed",
    "deployment",
    "local_endpoint",
    "output",
    "template",
]
