"""CKV_POK_5: an API Gateway stage writes its access log as JSON.

CKV_AWS_76 only requires an access log destination. JSON lines are what CloudWatch Logs
Insights and metric filters parse without a custom pattern, and what the seed asks for
("structured access logging").
"""

from __future__ import annotations

import json
import re
from typing import Any

from cfn_values import literal_text
from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

# $context.x / $stageVariables.x / $input... are substituted by API Gateway at log time; a
# number stands in for them so that both "status":"$context.status" and "status":$context.status
# parse.
LOG_VARIABLE = re.compile(r"\$[A-Za-z][\w.\-]*")
DEPLOY_TIME_PART = "0"


def is_json_object_format(log_format: Any) -> bool:
    """Return True if an access log ``Format`` renders one JSON object per request.

    Parameters
    ----------
    log_format : Any
        The ``AccessLogSetting.Format`` value (string or ``Fn::Join``/``Fn::Sub``).

    Returns
    -------
    bool
        Whether the format, with its variables filled in, is a non-empty JSON object.
    """
    text = literal_text(log_format, DEPLOY_TIME_PART)
    if text is None:
        return False
    try:
        parsed = json.loads(LOG_VARIABLE.sub(DEPLOY_TIME_PART, text))
    except ValueError:
        return False
    return isinstance(parsed, dict) and bool(parsed)


class StageAccessLogJsonFormat(BaseResourceCheck):
    """Fail a stage whose access log format is missing or not a JSON object."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure API Gateway stage access logs use a JSON format",
            id="CKV_POK_5",
            categories=[CheckCategories.LOGGING],
            supported_resources=["AWS::ApiGateway::Stage"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        properties = conf.get("Properties")
        setting = properties.get("AccessLogSetting") if isinstance(properties, dict) else None
        if isinstance(setting, dict) and is_json_object_format(setting.get("Format")):
            return CheckResult.PASSED
        return CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["Properties/AccessLogSetting/Format"]


check = StageAccessLogJsonFormat()
