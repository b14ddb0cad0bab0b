"""CKV_POK_4: an API Gateway stage throttles every method, within the configured bounds.

No built-in check looks at stage throttling. The seed sets 500 requests/second with a burst
of 1000; the bounds are read from ``POK_MAX_THROTTLE_RATE_LIMIT`` and
``POK_MAX_THROTTLE_BURST_LIMIT`` (see ``policy_settings``).
"""

from __future__ import annotations

from typing import Any

from cfn_values import as_list, as_number
from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from policy_settings import PolicySettingError, max_burst_limit, max_rate_limit


def _covers_every_method(setting: dict[str, Any]) -> bool:
    return setting.get("ResourcePath") == "/*" and setting.get("HttpMethod") == "*"


def _limits_within(setting: dict[str, Any], rate_bound: float, burst_bound: int) -> bool:
    for name, bound in (("ThrottlingRateLimit", rate_bound), ("ThrottlingBurstLimit", burst_bound)):
        if name in setting:
            value = as_number(setting[name])
            # An unresolvable value (an intrinsic function) fails: the bound cannot be proven.
            if value is None or not 0 < value <= bound:
                return False
    return True


class StageThrottlingWithinBounds(BaseResourceCheck):
    """Fail a stage without stage-wide throttling, or with limits outside the bounds."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure API Gateway stages throttle all methods within the configured bounds",
            id="CKV_POK_4",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["AWS::ApiGateway::Stage"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        try:
            rate_bound, burst_bound = max_rate_limit(), max_burst_limit()
        except PolicySettingError as error:
            # checkov turns a raised exception into a silently dropped result: fail loudly.
            self.logger.error("%s cannot check %s: %s", self.id, self.entity_path, error)
            return CheckResult.FAILED
        properties = conf.get("Properties")
        settings = as_list(properties.get("MethodSettings")) if isinstance(properties, dict) else []
        settings = [setting for setting in settings if isinstance(setting, dict)]
        stage_wide = [
            setting
            for setting in settings
            if _covers_every_method(setting)
            and "ThrottlingRateLimit" in setting
            and "ThrottlingBurstLimit" in setting
        ]
        # Method-level overrides must respect the bounds too, not only the stage-wide entry.
        within = all(_limits_within(setting, rate_bound, burst_bound) for setting in settings)
        return CheckResult.PASSED if stage_wide and within else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["Properties/MethodSettings"]


check = StageThrottlingWithinBounds()
