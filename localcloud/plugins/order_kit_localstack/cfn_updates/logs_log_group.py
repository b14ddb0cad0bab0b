"""``AWS::Logs::LogGroup`` with its settings applied on create and on update.

LocalStack's create makes a bare log group (``KmsKeyId``, ``RetentionInDays`` and ``Tags`` are
dropped) and its ``update()`` is not implemented. Here the create passes the key, retention and
tags ("CreateLogGroup", "PutRetentionPolicy"), and the update changes the SAME log group:
``PutRetentionPolicy`` / ``DeleteRetentionPolicy`` and ``TagResource`` / ``UntagResource``.
A changed ``KmsKeyId`` needs ``AssociateKmsKey``, which the emulator (moto's logs) does not
have: such an update fails with that reason instead of reporting success.
"""

from __future__ import annotations

from typing import Any

import localstack.services.cloudformation.provider_utils as util
from localstack.services.cloudformation.resource_provider import (
    OperationStatus,
    ProgressEvent,
    ResourceRequest,
)
from localstack.services.logs.resource_providers.aws_logs_loggroup import LogsLogGroupProvider

from order_kit_localstack.cfn_updates.tags import sync_tags, tag_map


def _describe(logs: Any, name: str) -> dict:
    for group in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]:
        if group["logGroupName"] == name:
            return dict(group)
    raise LookupError(f"log group {name} does not exist")


def _tagging_arn(group: dict) -> str:
    # TagResource / ListTagsForResource take the ARN without the trailing ":*".
    return str(group.get("logGroupArn") or str(group["arn"]).removesuffix(":*"))


def _arn(group: dict) -> str:
    # CloudFormation's Arn attribute ends in ":*" like DescribeLogGroups' "arn".
    return str(group["arn"])


class UpdatableLogsLogGroupProvider(LogsLogGroupProvider):  # type: ignore[misc]
    """Log groups created with, and updated to, the template's settings."""

    def create(self, request: ResourceRequest) -> ProgressEvent:
        model = request.desired_state
        logs = request.aws_client_factory.logs
        if not model.get("LogGroupName"):
            model["LogGroupName"] = util.generate_default_name(
                stack_name=request.stack_name, logical_resource_id=request.logical_resource_id
            )
        params: dict[str, Any] = {"logGroupName": model["LogGroupName"]}
        if model.get("KmsKeyId"):
            params["kmsKeyId"] = model["KmsKeyId"]
        if tags := tag_map(model.get("Tags")):
            params["tags"] = tags
        logs.create_log_group(**params)
        if model.get("RetentionInDays"):
            logs.put_retention_policy(
                logGroupName=model["LogGroupName"], retentionInDays=int(model["RetentionInDays"])
            )
        model["Arn"] = _arn(_describe(logs, model["LogGroupName"]))
        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=model)

    def update(self, request: ResourceRequest) -> ProgressEvent:
        previous = request.previous_state or {}
        model = dict(request.desired_state)
        model["LogGroupName"] = model.get("LogGroupName") or previous["LogGroupName"]
        name = model["LogGroupName"]
        logs = request.aws_client_factory.logs
        live = _describe(logs, name)
        if (model.get("KmsKeyId") or None) != (live.get("kmsKeyId") or None):
            return ProgressEvent(
                status=OperationStatus.FAILED,
                resource_model=previous,
                message=(
                    f"log group {name}: changing KmsKeyId needs AssociateKmsKey / "
                    "DisassociateKmsKey, which the local cloud does not implement"
                ),
            )
        retention = model.get("RetentionInDays")
        if retention and int(retention) != live.get("retentionInDays"):
            logs.put_retention_policy(logGroupName=name, retentionInDays=int(retention))
        elif not retention and live.get("retentionInDays"):
            logs.delete_retention_policy(logGroupName=name)
        arn = _tagging_arn(live)
        sync_tags(
            tag_map(model.get("Tags")),
            lambda: dict(logs.list_tags_for_resource(resourceArn=arn).get("tags", {})),
            lambda stale: logs.untag_resource(resourceArn=arn, tagKeys=stale),
            lambda changed: logs.tag_resource(resourceArn=arn, tags=changed),
        )
        model["Arn"] = _arn(live)
        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=model)
