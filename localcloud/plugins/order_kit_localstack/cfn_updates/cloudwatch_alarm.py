"""``AWS::CloudWatch::Alarm`` updated in place, with its tags.

CloudFormation updates an alarm with ``PutMetricAlarm`` (which replaces the alarm's definition
under the same name) and its tags with ``TagResource`` / ``UntagResource``; LocalStack's
``update()`` is not implemented and its create drops ``Tags``.
"""

from __future__ import annotations

from typing import Any

from localstack.services.cloudformation.resource_provider import (
    OperationStatus,
    ProgressEvent,
    ResourceRequest,
)
from localstack.services.cloudwatch.resource_providers.aws_cloudwatch_alarm import (
    CloudWatchAlarmProvider,
)

from order_kit_localstack.cfn_updates.tags import sync_tags, tag_list, tag_map


def _sync_tags(cloudwatch: Any, arn: str, model: dict) -> None:
    sync_tags(
        tag_map(model.get("Tags")),
        lambda: tag_map(cloudwatch.list_tags_for_resource(ResourceARN=arn).get("Tags")),
        lambda keys: cloudwatch.untag_resource(ResourceARN=arn, TagKeys=keys),
        lambda tags: cloudwatch.tag_resource(ResourceARN=arn, Tags=tag_list(tags)),
    )


class UpdatableCloudWatchAlarmProvider(CloudWatchAlarmProvider):  # type: ignore[misc]
    """Alarms re-put on update (same name) and tagged as the template says."""

    def create(self, request: ResourceRequest) -> ProgressEvent:
        event = super().create(request)
        if event.status == OperationStatus.SUCCESS:
            _sync_tags(
                request.aws_client_factory.cloudwatch,
                event.resource_model["Arn"],
                event.resource_model,
            )
        return event

    def update(self, request: ResourceRequest) -> ProgressEvent:
        previous = request.previous_state or {}
        if request.desired_state.get("AlarmName", previous.get("AlarmName")) != previous.get(
            "AlarmName"
        ):
            return ProgressEvent(
                status=OperationStatus.FAILED,
                resource_model=previous,
                message="AlarmName is create-only: the alarm must be replaced, not updated",
            )
        request.desired_state["AlarmName"] = previous["AlarmName"]
        # create() is PutMetricAlarm with the template's properties, then tags: an update.
        return self.create(request)
