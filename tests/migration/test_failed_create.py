"""A first ``cdklocal deploy`` that fails half-way leaves nothing behind, and the next one works.

The stateful resources carry ``DeletionPolicy: RetainExceptOnCreate`` (RemovalPolicy
RETAIN_ON_UPDATE_OR_DELETE): CloudFormation deletes them when the stack operation that created
them rolls back (AWS CloudFormation User Guide, "DeletionPolicy attribute"). With a plain
``Retain`` the failed create left the table, key, queue and log groups behind, and the next
deploy met them ("already exists") or a stack in DELETE_FAILED. Runs on a local cloud of its own
(this module's ``own_endpoint``): the upgrade test needs the stack name to itself.

The table is the exception, on AWS as here: it has deletion protection whenever it is retained
(a compliance control), and DynamoDB refuses ``DeleteTable`` on a protected table, so the
rollback cannot delete it and the stack ends ``ROLLBACK_FAILED`` ("Stack status codes") with the
table its only ``DELETE_FAILED`` resource. ``cdk deploy`` deletes a ``ROLLBACK_FAILED`` stack
before creating it again; stack deletion keeps a ``RetainExceptOnCreate`` resource, so the empty,
protected table stays behind (generated name: the next create is not blocked) and is removed by
hand, as the docs say. Everything else must go, and the next deploy must succeed.

The local cloud rolls back through the project's plugin
(``localcloud/plugins/order_kit_localstack/cfn_updates/rollback.py``); LocalStack 2026.3 alone
deleted nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.migration.cdk_cli import CdkLocal

pytestmark = pytest.mark.e2e

STACK = "ProductionOrderService"
COLLISION = "/order-kit/failed-create-test/injected-failure"
FAILING_APP = f"{sys.executable} tests/migration/failing_app.py"


def _data_resources(clients: Callable[[str], Any]) -> dict[str, list[str]]:
    """The data-bearing resources in the account but the deletion-protected table (KMS keys
    pending deletion count as gone)."""
    keys = [
        key["KeyId"]
        for key in clients("kms").list_keys()["Keys"]
        if clients("kms").describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"]
        != "PendingDeletion"
    ]
    return {
        "keys": keys,
        "queues": clients("sqs").list_queues().get("QueueUrls", []),
        "log groups": [
            group["logGroupName"]
            for group in clients("logs").describe_log_groups()["logGroups"]
            if group["logGroupName"] != COLLISION
        ],
    }


def _status(clients: Callable[[str], Any]) -> str:
    stack = clients("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    return str(stack["StackStatus"])


def test_failed_first_create_leaves_nothing_and_the_next_deploy_succeeds(
    own_endpoint: str, clients: Callable[[str], Any], tmp_path: Path
) -> None:
    cdk = CdkLocal(own_endpoint)
    bootstrap = cdk.bootstrap()
    assert bootstrap.ok, bootstrap.tail()
    before = _data_resources(clients)
    clients("logs").create_log_group(logGroupName=COLLISION)
    cdk.environment["ORDER_KIT_UPGRADE_COLLISION"] = COLLISION

    failed = cdk.deploy(1, tmp_path / "failing", app=FAILING_APP)

    assert not failed.ok, "the injected failure did not fail the deploy"
    assert "already exists" in failed.output, failed.tail()
    problems = []
    status = _status(clients)
    if status != "ROLLBACK_FAILED":
        problems.append(f"the failed create ended in {status}, not ROLLBACK_FAILED (the table)")
    not_deleted = sorted(
        event["LogicalResourceId"]
        for event in clients("cloudformation").describe_stack_events(StackName=STACK)["StackEvents"]
        if event["ResourceStatus"] == "DELETE_FAILED"
    )
    tables = clients("dynamodb").list_tables()["TableNames"]
    if len(not_deleted) != 1 or len(tables) != 1:
        problems.append(f"not deleted: {not_deleted}; tables: {tables} (expected the table only)")
    else:
        table = clients("dynamodb").describe_table(TableName=tables[0])["Table"]
        if not table["DeletionProtectionEnabled"] or table["ItemCount"]:
            problems.append(f"the table left is not the empty, protected one: {table}")
    left = _data_resources(clients)
    if left != before:
        problems.append(f"the rolled-back create left behind: {left} (before: {before})")

    clients("logs").delete_log_group(logGroupName=COLLISION)
    again = cdk.deploy(1, tmp_path / "again")
    if not again.ok:
        problems.append(f"the next deploy failed:\n{again.tail(30)}")
    elif (status := _status(clients)) != "CREATE_COMPLETE":
        problems.append(f"the next deploy ended in {status}")
    assert not problems, "\n".join(problems)
