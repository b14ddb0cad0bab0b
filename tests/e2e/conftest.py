"""Fixtures of the end-to-end tests.

``local_endpoint`` is the target: the endpoint named by ``LOCALSTACK_ENDPOINT`` or
``AWS_ENDPOINT_URL`` (a LocalStack container, say), else the embedded LocalStack that the
project's harness starts for the session and stops afterwards. It fails, never skips, when the
local cloud cannot be provided. ``aws_client("sqs")`` gives boto3 clients via localstack-client.

``deployed`` deploys the reference app once per session the way a user would (synthesis, CDK
file assets published to the bootstrap bucket, CloudFormation); ``api`` signs requests to it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from localcloud.deploy import DeployError, DeployResult
from localcloud.pytest_fixtures import aws_client, local_endpoint
from tests.e2e.deployment import Deployment, shared_deployment
from tests.e2e.signed_http import SignedApiClient

__all__ = ["api", "aws_client", "deployed", "local_endpoint", "output", "template"]


@pytest.fixture(scope="session")
def deployment(local_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Deployment:
    """The reference app deployed once per test process (shared with tests/reliability); its
    cloud assembly is kept apart from ``make local``'s."""
    try:
        return shared_deployment(local_endpoint, tmp_path_factory.mktemp("cdk.out"))
    except DeployError as error:
        pytest.fail(f"deploying the reference app failed: {error}", pytrace=False)


@pytest.fixture(scope="session")
def assembly_dir(deployment: Deployment) -> Path:
    """Cloud assembly the session deployed."""
    return deployment.assembly_dir


@pytest.fixture(scope="session")
def deployed(deployment: Deployment) -> DeployResult:
    """The reference stack, deployed to the local cloud for this session."""
    result = deployment.result
    assert result.api_url, "the reference stack has no REST API"
    return result


@pytest.fixture(scope="session")
def template(deployed: DeployResult, assembly_dir: Path) -> dict[str, Any]:
    """The synthesized template that was deployed."""
    return dict(json.loads((assembly_dir / f"{deployed.stack_name}.template.json").read_text()))


@pytest.fixture(scope="session")
def api(deployed: DeployResult) -> SignedApiClient:
    """SigV4-signing client of the deployed API stage."""
    assert deployed.api_url is not None
    return SignedApiClient(deployed.api_url)


@pytest.fixture(scope="session")
def output(deployed: DeployResult) -> Callable[[str], str]:
    """``output("TableName")``: a stack output, failing clearly when it is missing."""

    def value(key: str) -> str:
        if key not in deployed.outputs:
            pytest.fail(f"stack output {key} missing; outputs: {sorted(deployed.outputs)}")
        return deployed.outputs[key]

    return value
