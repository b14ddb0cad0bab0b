"""Throttling beyond the stage limits: 429 from API Gateway, documented for every operation.

LocalStack accepts the stage's ``MethodSettings`` but does not enforce them (localcloud/README,
"Known emulator gaps"), so no request rate gets a 429 from the emulator, and a burst test would
measure the emulator, not the app. What this proves instead: the deployed template throttles
every method of the stage at 500 requests/s with a burst of 1000 (what API Gateway enforces on
AWS), and the published OpenAPI document tells clients that every operation may answer 429.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from kit.openapi import DOCUMENT_PATH


@pytest.mark.e2e
def test_stage_throttles_every_method_at_500_per_second_with_burst_1000(
    template: dict[str, Any],
) -> None:
    (stage,) = [
        resource["Properties"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::ApiGateway::Stage"
    ]
    (settings,) = stage["MethodSettings"]
    assert (settings["HttpMethod"], settings["ResourcePath"]) == ("*", "/*")
    assert (settings["ThrottlingRateLimit"], settings["ThrottlingBurstLimit"]) == (500, 1000)


def test_every_operation_documents_429_as_a_gateway_error() -> None:
    document = json.loads(DOCUMENT_PATH.read_text())
    operations = [
        operation
        for path in document["paths"].values()
        for method, operation in path.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert len(operations) == 3
    for operation in operations:
        schema = operation["responses"]["429"]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/GatewayError"}
