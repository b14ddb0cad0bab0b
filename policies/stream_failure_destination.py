"""CKV_POK_2: a stream event source mapping sends failed batches to an on-failure destination.

Lambda's own dead-letter queue (CKV_AWS_116) only receives failed *asynchronous* invocations;
records from a DynamoDB or Kinesis stream that keep failing are dropped (after retries or
record expiry) unless the event source mapping names an on-failure destination.
"""

from __future__ import annotations

from typing import Any

from cfn_values import template_keys
from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from stream_source import reads_a_stream


class StreamFailureDestination(BaseResourceCheck):
    """Fail a stream event source mapping without ``DestinationConfig.OnFailure.Destination``."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure Lambda stream event source mappings have an on-failure destination",
            id="CKV_POK_2",
            categories=[CheckCategories.BACKUP_AND_RECOVERY],
            supported_resources=["AWS::Lambda::EventSourceMapping"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        properties = conf.get("Properties")
        if not isinstance(properties, dict):
            return CheckResult.FAILED
        if not reads_a_stream(properties):
            # Queue sources take no on-failure destination: the queue's redrive policy decides.
            return CheckResult.UNKNOWN
        destination_config = properties.get("DestinationConfig")
        on_failure = (
            destination_config.get("OnFailure") if isinstance(destination_config, dict) else None
        )
        if isinstance(on_failure, dict) and template_keys(on_failure).get("Destination"):
            return CheckResult.PASSED
        return CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["Properties/DestinationConfig/OnFailure/Destination"]


check = StreamFailureDestination()
