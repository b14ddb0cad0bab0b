"""``AWS::DynamoDB::Table`` with its updates applied (LocalStack's ``update()`` is missing).

Each setting of the template is compared with the LIVE table (described, not the previous
template) and changed with the API call DynamoDB documents for it, waiting for the table and its
indexes to be ``ACTIVE`` again after each ``UpdateTable``:

- ``SSESpecification``: ``UpdateTable(SSESpecification=...)`` (served by
  :mod:`order_kit_localstack.dynamodb_table_settings`, moto ignores it);
- ``GlobalSecondaryIndexes``: one ``UpdateTable(GlobalSecondaryIndexUpdates=[Delete|Create])``
  per index. As on AWS, one stack update may add or delete at most one index ("AWS::DynamoDB::
  Table", GlobalSecondaryIndexes: "you can't add or delete more than one global secondary index
  in a single update"); more fails the update;
- ``StreamSpecification``: ``UpdateTable(StreamSpecification=...)`` (a view-type change disables
  the stream, then enables it with the new type); the new ``StreamArn`` is returned so that
  ``Fn::GetAtt [Table, StreamArn]`` resolves for resources of the same update;
- ``TimeToLiveSpecification``: ``UpdateTimeToLive``;
- ``PointInTimeRecoverySpecification``: ``UpdateContinuousBackups``;
- ``ContributorInsightsSpecification`` (table and per index): ``UpdateContributorInsights``;
- ``DeletionProtectionEnabled``, ``BillingMode``: ``UpdateTable``;
- ``Tags``: ``TagResource`` / ``UntagResource``.

``create()`` applies deletion protection, PITR and contributor insights too, which LocalStack's
create ignores.
The table is never re-created: its ARN and creation time stay.
"""

from __future__ import annotations

import time
from typing import Any

from localstack.services.cloudformation.resource_provider import (
    OperationStatus,
    ProgressEvent,
    ResourceRequest,
)
from localstack.services.dynamodb.resource_providers.aws_dynamodb_table import (
    DynamoDBTableProvider,
)

from order_kit_localstack.cfn_updates.tags import sync_tags, tag_list, tag_map

#: How long to wait for the table and its indexes to be ACTIVE after an UpdateTable.
ACTIVE_TIMEOUT = 120.0


class TableUpdateError(Exception):
    """The update asks for something DynamoDB (or CloudFormation) refuses."""


def _wait_active(dynamodb: Any, table_name: str, timeout: float = ACTIVE_TIMEOUT) -> dict:
    """Describe the table until it and all its indexes are ACTIVE; return the description."""
    deadline = time.monotonic() + timeout
    while True:
        table = dynamodb.describe_table(TableName=table_name)["Table"]
        statuses = [table["TableStatus"]] + [
            index.get("IndexStatus", "ACTIVE") for index in table.get("GlobalSecondaryIndexes", [])
        ]
        if all(status == "ACTIVE" for status in statuses):
            return table
        if time.monotonic() > deadline:
            raise TableUpdateError(
                f"table {table_name} not ACTIVE after {timeout:.0f} s: {statuses}"
            )
        time.sleep(0.5)


def _gsi_create_request(index: dict) -> dict:
    wanted = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput", "OnDemandThroughput")
    return {key: index[key] for key in wanted if key in index}


def _update_indexes(dynamodb: Any, name: str, model: dict, live: dict) -> dict:
    desired = {index["IndexName"]: index for index in model.get("GlobalSecondaryIndexes") or []}
    existing = {index["IndexName"]: index for index in live.get("GlobalSecondaryIndexes", [])}
    removed = sorted(set(existing) - set(desired))
    added = sorted(set(desired) - set(existing))
    changed = sorted(
        index_name
        for index_name in set(desired) & set(existing)
        if desired[index_name]["KeySchema"] != existing[index_name]["KeySchema"]
    )
    if len(removed) + len(added) + 2 * len(changed) > 1:
        raise TableUpdateError(
            "Cannot perform more than one GSI creation or deletion in a single update "
            f"(adds {added}, deletes {removed}, replaces {changed})"
        )
    for index_name in removed + changed:
        dynamodb.update_table(
            TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": index_name}}]
        )
        live = _wait_active(dynamodb, name)
    for index_name in added + changed:
        dynamodb.update_table(
            TableName=name,
            AttributeDefinitions=model["AttributeDefinitions"],
            GlobalSecondaryIndexUpdates=[{"Create": _gsi_create_request(desired[index_name])}],
        )
        live = _wait_active(dynamodb, name)
    return live


def _update_sse(dynamodb: Any, name: str, model: dict, live: dict) -> dict:
    sse = model.get("SSESpecification") or {}
    wanted_enabled = bool(sse.get("SSEEnabled"))
    current = live.get("SSEDescription") or {}
    current_enabled = current.get("Status") in ("ENABLED", "ENABLING", "UPDATING")
    if wanted_enabled:
        wanted_key = sse.get("KMSMasterKeyId")
        if current_enabled and (not wanted_key or _same_key(wanted_key, current)):
            return live
        request: dict[str, Any] = {"Enabled": True, "SSEType": sse.get("SSEType", "KMS")}
        if wanted_key:
            request["KMSMasterKeyId"] = wanted_key
    elif current_enabled:
        request = {"Enabled": False}
    else:
        return live
    dynamodb.update_table(TableName=name, SSESpecification=request)
    return _wait_active(dynamodb, name)


def _same_key(wanted: str, current: dict) -> bool:
    arn = current.get("KMSMasterKeyArn", "")
    return bool(wanted) and (arn == wanted or arn.endswith(f"/{wanted}"))


def _update_stream(dynamodb: Any, name: str, model: dict, live: dict) -> dict:
    wanted = (model.get("StreamSpecification") or {}).get("StreamViewType")
    current_spec = live.get("StreamSpecification") or {}
    current = current_spec.get("StreamViewType") if current_spec.get("StreamEnabled") else None
    if wanted == current:
        return live
    if current:
        dynamodb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
        live = _wait_active(dynamodb, name)
    if wanted:
        dynamodb.update_table(
            TableName=name,
            StreamSpecification={"StreamEnabled": True, "StreamViewType": wanted},
        )
        live = _wait_active(dynamodb, name)
    return live


def _update_table_flags(dynamodb: Any, name: str, model: dict, live: dict) -> dict:
    request: dict[str, Any] = {}
    protection = bool(model.get("DeletionProtectionEnabled", False))
    if protection != bool(live.get("DeletionProtectionEnabled", False)):
        request["DeletionProtectionEnabled"] = protection
    billing = model.get("BillingMode", "PROVISIONED")
    live_billing = (live.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
    if billing != live_billing:
        request["BillingMode"] = billing
        if billing == "PROVISIONED" and model.get("ProvisionedThroughput"):
            request["ProvisionedThroughput"] = model["ProvisionedThroughput"]
    if not request:
        return live
    dynamodb.update_table(TableName=name, **request)
    return _wait_active(dynamodb, name)


def _update_time_to_live(dynamodb: Any, name: str, model: dict) -> None:
    wanted = model.get("TimeToLiveSpecification") or {}
    live = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    live_enabled = live.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
    if bool(wanted.get("Enabled")) == live_enabled and (
        not live_enabled or wanted.get("AttributeName") == live.get("AttributeName")
    ):
        return
    if live_enabled:
        dynamodb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": False, "AttributeName": live["AttributeName"]},
        )
    if wanted.get("Enabled"):
        dynamodb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": wanted["AttributeName"]},
        )


def _update_point_in_time_recovery(dynamodb: Any, name: str, model: dict) -> None:
    wanted = bool(
        (model.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled")
    )
    backups = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    status = backups.get("PointInTimeRecoveryDescription", {}).get("PointInTimeRecoveryStatus")
    if (status == "ENABLED") == wanted:
        return
    dynamodb.update_continuous_backups(
        TableName=name,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": wanted},
    )


def _update_contributor_insights(dynamodb: Any, name: str, model: dict) -> None:
    targets: list[tuple[str | None, dict]] = [
        (None, model.get("ContributorInsightsSpecification") or {})
    ]
    targets += [
        (index["IndexName"], index.get("ContributorInsightsSpecification") or {})
        for index in model.get("GlobalSecondaryIndexes") or []
    ]
    for index_name, spec in targets:
        scope = {"TableName": name, **({"IndexName": index_name} if index_name else {})}
        wanted = bool(spec.get("Enabled"))
        status = dynamodb.describe_contributor_insights(**scope)["ContributorInsightsStatus"]
        if (status in ("ENABLED", "ENABLING")) == wanted:
            continue
        dynamodb.update_contributor_insights(
            **scope, ContributorInsightsAction="ENABLE" if wanted else "DISABLE"
        )
        deadline = time.monotonic() + ACTIVE_TIMEOUT
        final = "ENABLED" if wanted else "DISABLED"
        while dynamodb.describe_contributor_insights(**scope)["ContributorInsightsStatus"] != final:
            if time.monotonic() > deadline:
                raise TableUpdateError(f"contributor insights of {scope} not {final}")
            time.sleep(0.5)


def _update_tags(dynamodb: Any, arn: str, model: dict) -> None:
    sync_tags(
        tag_map(model.get("Tags")),
        lambda: tag_map(dynamodb.list_tags_of_resource(ResourceArn=arn).get("Tags")),
        lambda keys: dynamodb.untag_resource(ResourceArn=arn, TagKeys=keys),
        lambda tags: dynamodb.tag_resource(ResourceArn=arn, Tags=tag_list(tags)),
    )


def apply_table_settings(dynamodb: Any, name: str, model: dict) -> dict:
    """Bring the live table ``name`` to the template's ``model``; return its final description."""
    live = _wait_active(dynamodb, name)
    live = _update_table_flags(dynamodb, name, model, live)
    live = _update_sse(dynamodb, name, model, live)
    live = _update_indexes(dynamodb, name, model, live)
    live = _update_stream(dynamodb, name, model, live)
    _update_time_to_live(dynamodb, name, model)
    _update_point_in_time_recovery(dynamodb, name, model)
    _update_contributor_insights(dynamodb, name, model)
    _update_tags(dynamodb, live["TableArn"], model)
    return _wait_active(dynamodb, name)


class UpdatableDynamoDBTableProvider(DynamoDBTableProvider):  # type: ignore[misc]
    """LocalStack's table provider with ``update()`` implemented (see the module docstring)."""

    def create(self, request: ResourceRequest) -> ProgressEvent:
        event = super().create(request)
        if event.status == OperationStatus.SUCCESS:
            model = event.resource_model
            dynamodb = request.aws_client_factory.dynamodb
            _update_table_flags(
                dynamodb, model["TableName"], model, _wait_active(dynamodb, model["TableName"])
            )
            _update_point_in_time_recovery(dynamodb, model["TableName"], model)
            _update_contributor_insights(dynamodb, model["TableName"], model)
        return event

    def update(self, request: ResourceRequest) -> ProgressEvent:
        previous = request.previous_state or {}
        model = dict(request.desired_state)
        name = model.get("TableName") or previous.get("TableName")
        if not name:
            return ProgressEvent(
                status=OperationStatus.FAILED,
                resource_model=previous,
                message="the table to update has no TableName in its previous state",
            )
        model["TableName"] = name
        try:
            live = apply_table_settings(request.aws_client_factory.dynamodb, name, model)
        except Exception as error:
            # A FAILED event's model becomes the resource's recorded state in LocalStack: keep
            # the previous one, so that the next update (or rollback) still knows the table.
            return ProgressEvent(
                status=OperationStatus.FAILED, resource_model=previous, message=str(error)
            )
        model["Arn"] = live["TableArn"]
        if live.get("LatestStreamArn") and (live.get("StreamSpecification") or {}).get(
            "StreamEnabled"
        ):
            model["StreamArn"] = live["LatestStreamArn"]
        else:
            model.pop("StreamArn", None)
        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=model)
