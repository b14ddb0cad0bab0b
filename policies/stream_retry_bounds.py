"""CKV_POK_3: a stream event source mapping bounds its retries and the age of retried records.

Both limits default to -1 (infinite) for stream sources: one poison record then blocks its
shard until the record expires from the stream (24 hours for DynamoDB), and the on-failure
destination of CKV_POK_2 is never reached.
"""

from __future__ import annotations

from typing import Any

from cfn_values import as_number
from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from stream_source import reads_a_stream

# Valid ranges from the AWS::Lambda::EventSourceMapping schema, -1 (infinite) excluded.
MAX_RETRY_ATTEMPTS = 10_000
MIN_RECORD_AGE_SECONDS = 60
MAX_RECORD_AGE_SECONDS = 604_800


def _within(value: Any, low: float, high: float) -> bool:
    number = as_number(value)
    return number is not None and low <= number <= high


class StreamRetryBounds(BaseResourceCheck):
    """Fail a stream event source mapping without finite retry and record-age limits."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure Lambda stream event source mappings bound retries and record age",
            id="CKV_POK_3",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["AWS::Lambda::EventSourceMapping"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        properties = conf.get("Properties")
        if not isinstance(properties, dict):
            return CheckResult.FAILED
        if not reads_a_stream(properties):
            return CheckResult.UNKNOWN
        retries_bounded = _within(properties.get("MaximumRetryAttempts"), 0, MAX_RETRY_ATTEMPTS)
        age_bounded = _within(
            properties.get("MaximumRecordAgeInSeconds"),
            MIN_RECORD_AGE_SECONDS,
            MAX_RECORD_AGE_SECONDS,
        )
        return CheckResult.PASSED if retries_bounded and age_bounded else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["Properties/MaximumRetryAttempts", "Properties/MaximumRecordAgeInSeconds"]


check = StreamRetryBounds()
