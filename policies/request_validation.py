"""CKV_POK_8: an API Gateway method that takes a request body validates it against a model.

No built-in check covers request validation; the seed's naive API passed any body straight to
the function. A POST, PUT, PATCH or ANY method needs a ``RequestValidatorId`` and at least one
``RequestModels`` entry (the JSON schema the validator applies).
"""

from __future__ import annotations

from typing import Any

from cfn_values import template_keys
from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "ANY"})


class RequestBodyValidation(BaseResourceCheck):
    """Fail a body-carrying method without a request validator and request model."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure API Gateway methods that take a body validate it against a model",
            id="CKV_POK_8",
            categories=[CheckCategories.API_SECURITY],
            supported_resources=["AWS::ApiGateway::Method"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        properties = conf.get("Properties")
        if not isinstance(properties, dict):
            return CheckResult.FAILED
        http_method = properties.get("HttpMethod")
        if not isinstance(http_method, str) or http_method.upper() not in BODY_METHODS:
            return CheckResult.UNKNOWN
        models = properties.get("RequestModels")
        has_model = isinstance(models, dict) and bool(template_keys(models))
        if properties.get("RequestValidatorId") and has_model:
            return CheckResult.PASSED
        return CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["Properties/RequestValidatorId", "Properties/RequestModels"]


check = RequestBodyValidation()
