"""The live table and key, described after each update, against what the template asks for.

A stack status says nothing about whether an emulator applied an update; this module reads the
resources back with the DynamoDB and KMS APIs and compares each table setting the migration
phases change with the template's ``AWS::DynamoDB::Table`` properties (the CloudFormation
template reference for AWS::DynamoDB::Table names the property each API field comes from).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ClientFactory = Callable[[str], Any]


@dataclass(frozen=True)
class Identity:
    """What stays the same while a resource is not replaced."""

    arn: str
    created: str


def physical_id(clients: ClientFactory, stack: str, resource_type: str) -> str | None:
    """The physical id of the stack's only resource of ``resource_type`` (None if it has none)."""
    resources = clients("cloudformation").describe_stack_resources(StackName=stack)[
        "StackResources"
    ]
    ids = [r["PhysicalResourceId"] for r in resources if r["ResourceType"] == resource_type]
    assert len(ids) <= 1, f"{stack} has {len(ids)} {resource_type}"
    return ids[0] if ids else None


def table_identity(clients: ClientFactory, table: str) -> Identity:
    description = clients("dynamodb").describe_table(TableName=table)["Table"]
    return Identity(description["TableArn"], str(description["CreationDateTime"]))


def key_identity(clients: ClientFactory, key_id: str) -> Identity:
    metadata = clients("kms").describe_key(KeyId=key_id)["KeyMetadata"]
    return Identity(metadata["Arn"], str(metadata["CreationDate"]))


def template_table(template: dict[str, Any]) -> dict[str, Any]:
    (table,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table"]
    return dict(table["Properties"])


def table_mismatches(
    clients: ClientFactory, table: str, template: dict[str, Any], key_arn: str | None
) -> list[str]:
    """Every table setting of the template that the live table does not have (empty: in effect)."""
    wanted = template_table(template)
    dynamodb = clients("dynamodb")
    live = dynamodb.describe_table(TableName=table)["Table"]
    problems = []

    def differ(setting: str, expected: Any, actual: Any) -> None:
        if expected != actual:
            problems.append(f"{setting}: template {expected!r}, live {actual!r}")

    sse = wanted.get("SSESpecification", {})
    live_sse = live.get("SSEDescription", {})
    if sse.get("SSEEnabled"):
        differ("SSE status", "ENABLED", live_sse.get("Status"))
        differ("SSE type", sse.get("SSEType", "KMS"), live_sse.get("SSEType"))
        differ("SSE key", key_arn, live_sse.get("KMSMasterKeyArn"))
    else:
        differ("SSE (AWS owned key)", None, live_sse.get("KMSMasterKeyArn"))

    wanted_indexes = {i["IndexName"] for i in wanted.get("GlobalSecondaryIndexes", [])}
    live_indexes = {i["IndexName"]: i for i in live.get("GlobalSecondaryIndexes", [])}
    differ("global secondary indexes", sorted(wanted_indexes), sorted(live_indexes))
    for name, index in live_indexes.items():
        differ(f"index {name} status", "ACTIVE", index.get("IndexStatus"))

    stream = wanted.get("StreamSpecification")
    live_stream = live.get("StreamSpecification", {"StreamEnabled": False})
    differ(
        "stream",
        {"StreamEnabled": True, "StreamViewType": stream["StreamViewType"]}
        if stream
        else {"StreamEnabled": False},
        {k: v for k, v in live_stream.items() if k in ("StreamEnabled", "StreamViewType")}
        if live_stream.get("StreamEnabled")
        else {"StreamEnabled": False},
    )

    ttl = wanted.get("TimeToLiveSpecification")
    live_ttl = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    differ(
        "time to live",
        (ttl["AttributeName"], "ENABLED") if ttl and ttl.get("Enabled") else (None, "DISABLED"),
        (live_ttl.get("AttributeName"), live_ttl.get("TimeToLiveStatus")),
    )

    pitr = wanted.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled")
    live_pitr = dynamodb.describe_continuous_backups(TableName=table)[
        "ContinuousBackupsDescription"
    ].get("PointInTimeRecoveryDescription", {})
    differ(
        "point-in-time recovery",
        "ENABLED" if pitr else "DISABLED",
        live_pitr.get("PointInTimeRecoveryStatus"),
    )

    differ(
        "deletion protection",
        bool(wanted.get("DeletionProtectionEnabled")),
        bool(live.get("DeletionProtectionEnabled")),
    )

    wanted_tags = {t["Key"]: t["Value"] for t in wanted.get("Tags", [])}
    live_tags = {
        t["Key"]: t["Value"]
        for t in dynamodb.list_tags_of_resource(ResourceArn=live["TableArn"]).get("Tags", [])
        if not t["Key"].startswith("aws:")
    }
    differ("tags", wanted_tags, live_tags)
    return problems
