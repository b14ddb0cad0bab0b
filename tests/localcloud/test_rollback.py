"""A stack operation that fails half-way rolls back as CloudFormation does.

Follows the AWS CloudFormation User Guide: "Stack failure options" (a failed update returns the
stack to its previous working state; a failed create deletes what it created), "Stack status
codes" (UPDATE_ROLLBACK_COMPLETE, ROLLBACK_COMPLETE, ROLLBACK_FAILED: a resource could not be
deleted during the rollback) and "DeletionPolicy attribute" (``Retain`` keeps the resource;
``RetainExceptOnCreate`` deletes it when the operation that created it rolls back and keeps
it on stack deletion). LocalStack 2026.3 restores nothing; the project's plugin
(``localcloud/plugins/order_kit_localstack/cfn_updates/rollback.py``) does. Every assertion
describes the live resources, not only the stack status.

The failure is injected as on AWS: a log group whose name already exists outside the stack,
created after the resources it depends on, so CloudFormation fails with "already exists"
half-way through the operation.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def _wait(cloudformation: Any, stack: str, timeout: float = 180.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
        except cloudformation.exceptions.ClientError as error:
            if "does not exist" in str(error):  # a deleted stack, asked for by name
                return "DELETE_COMPLETE"
            raise
        status = str(described["StackStatus"])
        if not status.endswith("_IN_PROGRESS"):
            return status
        if time.monotonic() > deadline:
            raise AssertionError(f"stack {stack} still {status} after {timeout:.0f} s")
        time.sleep(0.5)


def _deploy(cloudformation: Any, stack: str, template: dict, create: bool) -> str:
    """Create and execute a change set (the path ``cdk deploy`` takes); the final status."""
    name = f"cs-{uuid.uuid4().hex[:8]}"
    cloudformation.create_change_set(
        StackName=stack,
        ChangeSetName=name,
        TemplateBody=json.dumps(template),
        ChangeSetType="CREATE" if create else "UPDATE",
    )
    deadline = time.monotonic() + 60
    while True:
        change_set = cloudformation.describe_change_set(StackName=stack, ChangeSetName=name)
        if change_set["Status"] in ("CREATE_COMPLETE", "FAILED"):
            break
        assert time.monotonic() < deadline, change_set
        time.sleep(0.3)
    assert change_set["Status"] == "CREATE_COMPLETE", change_set.get("StatusReason")
    assert change_set["ExecutionStatus"] == "AVAILABLE", change_set
    cloudformation.execute_change_set(StackName=stack, ChangeSetName=name)
    return _wait(cloudformation, stack)


def _log_group(name: str, retention: int = 7, **attributes: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::Logs::LogGroup",
        "Properties": {"LogGroupName": name, "RetentionInDays": retention},
        **attributes,
    }


def _table(index: bool = False, protected: bool = False, **attributes: Any) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "customer", "AttributeType": "S"},
        ][: 2 if index else 1],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
        "DeletionProtectionEnabled": protected,
    }
    if index:
        properties["GlobalSecondaryIndexes"] = [
            {
                "IndexName": "by-customer",
                "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ]
    return {"Type": "AWS::DynamoDB::Table", "Properties": properties, **attributes}


def _physical(cloudformation: Any, stack: str, logical: str) -> str:
    return str(
        cloudformation.describe_stack_resource(StackName=stack, LogicalResourceId=logical)[
            "StackResourceDetail"
        ]["PhysicalResourceId"]
    )


def _groups(logs: Any, prefix: str) -> dict[str, int | None]:
    return {
        group["logGroupName"]: group.get("retentionInDays")
        for group in logs.describe_log_groups(logGroupNamePrefix=prefix)["logGroups"]
    }


def test_failed_update_restores_every_change_and_the_step_runs_again(
    aws_client: Callable[[str], Any],
) -> None:
    cloudformation, dynamodb, logs = (
        aws_client("cloudformation"),
        aws_client("dynamodb"),
        aws_client("logs"),
    )
    stack, prefix = "OrderKitRollbackUpdate", f"/order-kit/rollback-{uuid.uuid4().hex[:6]}"
    before = {
        "Resources": {
            "Table": _table(),
            "Kept": _log_group(f"{prefix}/kept", 7),
            "Removed": _log_group(f"{prefix}/removed", 7),
        },
        "Outputs": {"Retention": {"Value": "7"}},
    }
    assert _deploy(cloudformation, stack, before, create=True) == "CREATE_COMPLETE"
    table = _physical(cloudformation, stack, "Table")
    collision = f"{prefix}/collision"
    logs.create_log_group(logGroupName=collision)

    # The update: an index added to the table, a retention changed, a log group created, one
    # removed from the template, and a log group that collides last.
    after = {
        "Resources": {
            "Table": _table(index=True),
            "Kept": _log_group(f"{prefix}/kept", 14),
            "Added": _log_group(f"{prefix}/added", 7, DependsOn=["Table", "Kept"]),
            "Collides": _log_group(collision, 7, DependsOn=["Added"]),
        },
        "Outputs": {"Retention": {"Value": "14"}},
    }
    assert _deploy(cloudformation, stack, after, create=False) == "UPDATE_ROLLBACK_COMPLETE"

    live = dynamodb.describe_table(TableName=table)["Table"]
    assert not live.get("GlobalSecondaryIndexes"), "the index the failed update added stays"
    assert _groups(logs, prefix) == {
        f"{prefix}/kept": 7,
        f"{prefix}/removed": 7,
        collision: None,
    }, (
        "the retention is not restored, the created log group is left, the removed one was "
        "deleted (cleanup of a failed update), or the colliding one (not the stack's) was deleted"
    )
    described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    assert described["Outputs"] == [{"OutputKey": "Retention", "OutputValue": "7"}]
    body = cloudformation.get_template(StackName=stack)["TemplateBody"]
    assert (json.loads(body) if isinstance(body, str) else body) == before
    statuses = {
        (event["LogicalResourceId"], event["ResourceStatus"])
        for event in cloudformation.describe_stack_events(StackName=stack)["StackEvents"]
    }
    assert {
        ("Collides", "CREATE_FAILED"),
        ("Table", "UPDATE_COMPLETE"),
        ("Added", "DELETE_COMPLETE"),
        (stack, "UPDATE_ROLLBACK_COMPLETE"),
    } <= statuses

    # The same step, without the collision, runs again from UPDATE_ROLLBACK_COMPLETE.
    logs.delete_log_group(logGroupName=collision)
    assert _deploy(cloudformation, stack, after, create=False) == "UPDATE_COMPLETE"
    live = dynamodb.describe_table(TableName=table)["Table"]
    assert [index["IndexName"] for index in live["GlobalSecondaryIndexes"]] == ["by-customer"]
    assert _groups(logs, prefix) == {
        f"{prefix}/kept": 14,
        f"{prefix}/added": 7,
        collision: 7,
    }
    cloudformation.delete_stack(StackName=stack)
    assert _wait(cloudformation, stack) == "DELETE_COMPLETE"


def test_failed_create_deletes_what_it_made_by_deletion_policy(
    aws_client: Callable[[str], Any],
) -> None:
    """RetainExceptOnCreate and Delete go, Retain stays; a protected table cannot be deleted,
    so the rollback ends ROLLBACK_FAILED naming it; deleting that stack keeps the table
    (RetainExceptOnCreate on stack deletion) and the stack can be created again."""
    cloudformation, dynamodb, logs = (
        aws_client("cloudformation"),
        aws_client("dynamodb"),
        aws_client("logs"),
    )
    stack, prefix = "OrderKitRollbackCreate", f"/order-kit/rollback-{uuid.uuid4().hex[:6]}"
    collision = f"{prefix}/collision"
    logs.create_log_group(logGroupName=collision)
    kept = {"DeletionPolicy": "RetainExceptOnCreate", "UpdateReplacePolicy": "Retain"}
    # The table (left by the rollback) and a deleted log group refer to a log group the rollback
    # deletes: deleting the ROLLBACK_FAILED stack must not need it.
    table_resource = _table(protected=True, **kept)
    refers = [{"Key": "logs", "Value": {"Fn::GetAtt": ["OnCreate", "Arn"]}}]
    table_resource["Properties"]["Tags"] = refers
    deleted = _log_group(f"{prefix}/deleted")
    deleted["Properties"]["Tags"] = refers
    template = {
        "Resources": {
            "Table": table_resource,
            "OnCreate": _log_group(f"{prefix}/on-create", **kept),
            "Retained": _log_group(f"{prefix}/retained", DeletionPolicy="Retain"),
            "Deleted": deleted,
            "Collides": _log_group(
                collision, DependsOn=["Table", "OnCreate", "Retained", "Deleted"]
            ),
        }
    }
    tables_before = set(dynamodb.list_tables()["TableNames"])

    assert _deploy(cloudformation, stack, template, create=True) == "ROLLBACK_FAILED"

    assert _groups(logs, prefix) == {f"{prefix}/retained": 7, collision: None}
    (table,) = set(dynamodb.list_tables()["TableNames"]) - tables_before
    assert dynamodb.describe_table(TableName=table)["Table"]["DeletionProtectionEnabled"]
    failed = [
        event
        for event in cloudformation.describe_stack_events(StackName=stack)["StackEvents"]
        if event["ResourceStatus"] == "DELETE_FAILED"
    ]
    assert [event["LogicalResourceId"] for event in failed] == ["Table"]
    assert "DeletionProtectionEnabled" in failed[0]["ResourceStatusReason"]

    # What `cdk deploy` does with a ROLLBACK_FAILED stack: delete it, then create it again.
    stack_id = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]["StackId"]
    cloudformation.delete_stack(StackName=stack)
    assert _wait(cloudformation, stack) == "DELETE_COMPLETE"
    events = cloudformation.describe_stack_events(StackName=stack_id)["StackEvents"]
    deletion = events[
        : next(
            i
            for i, e in enumerate(events)
            if e["ResourceStatus"] == "DELETE_IN_PROGRESS" and e["LogicalResourceId"] == stack
        )
    ]
    assert [
        (e["LogicalResourceId"], e["ResourceStatus"])
        for e in deletion
        if e["LogicalResourceId"] != stack
    ] == [("Table", "DELETE_SKIPPED")], (
        "the deletion did not go through the table alone (it failed on a resource the stack no "
        "longer holds, or deleted it)"
    )
    assert table in dynamodb.list_tables()["TableNames"], "stack deletion deleted the table"
    logs.delete_log_group(logGroupName=collision)
    logs.delete_log_group(logGroupName=f"{prefix}/retained")
    assert _deploy(cloudformation, stack, template, create=True) == "CREATE_COMPLETE"
    cloudformation.delete_stack(StackName=stack)
    assert _wait(cloudformation, stack) == "DELETE_COMPLETE"
    remaining = _groups(logs, prefix)
    assert remaining == {f"{prefix}/on-create": 7, f"{prefix}/retained": 7}, (
        "stack deletion must keep RetainExceptOnCreate and Retain resources, and delete the rest"
    )


def test_failed_create_through_create_stack_ends_rollback_complete(
    aws_client: Callable[[str], Any],
) -> None:
    """The direct CreateStack path (no change set) rolls back too."""
    cloudformation, logs = aws_client("cloudformation"), aws_client("logs")
    stack, prefix = "OrderKitRollbackDirect", f"/order-kit/rollback-{uuid.uuid4().hex[:6]}"
    collision = f"{prefix}/collision"
    logs.create_log_group(logGroupName=collision)
    template = {
        "Resources": {
            "Made": _log_group(f"{prefix}/made"),
            "Collides": _log_group(collision, DependsOn=["Made"]),
        }
    }
    cloudformation.create_stack(StackName=stack, TemplateBody=json.dumps(template))
    assert _wait(cloudformation, stack) == "ROLLBACK_COMPLETE"
    assert _groups(logs, prefix) == {collision: None}
    cloudformation.delete_stack(StackName=stack)
    assert _wait(cloudformation, stack) == "DELETE_COMPLETE"
    assert _groups(logs, prefix) == {collision: None}
