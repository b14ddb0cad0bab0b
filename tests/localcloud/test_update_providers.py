"""The local cloud APPLIES the CloudFormation updates of the migration path (phase 0 -> 5).

LocalStack's own providers report ``UPDATE_COMPLETE`` for table, stage, IAM, alarm and log-group
updates they skip (``update()`` not implemented). The project's providers
(``localcloud/plugins/order_kit_localstack/cfn_updates``) implement them; this test deploys the
reference service at phase 0 and updates the SAME stack to phases 1..5, and after each step
DESCRIBES every affected resource and compares it with that phase's template:

- the table: encryption key, global secondary indexes (one added at phase 3, one at 5), stream
  (phase 5, and the event source mapping reads the live stream), TTL, point-in-time recovery,
  contributor insights (table and index) and tags; its ARN and creation time never change, nor
  the key's from phase 1 on;
- the stage points at the template's current deployment, the replaced deployment is gone, and
  the API still routes requests to the function;
- the API function's managed policy (its default version carries the template's actions), its
  role (same role id from phase 0 on, its tags, the policy attached), the alarms' tags, and the log
  groups' key, retention and tags.

NOT applied by the local cloud (named in localcloud/README.md, "Stack updates"): updates of
``AWS::KMS::Key`` (phase 4 tags), ``AWS::ApiGateway::RestApi`` (phase 4 tags) and
``AWS::SNS::TopicPolicy``; ``AWS::Backup::*`` and ``AWS::CloudWatch::Dashboard`` have no provider;
table ``OnDemandThroughput`` (phase 3). These are checked on the template only.

The removal direction (an index deleted, stream, TTL, PITR and encryption switched off) and the
"one index per update" rule are exercised on a small table stack of their own below.

The stack is the reference construct under its own stack and environment name (``orders-upd``),
so its named resources (key alias, alarms, dashboard) do not collide with the e2e deployment of
the reference app on the same local cloud.
"""

from __future__ import annotations

import dataclasses
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack

from kit.phases import FIRST_PHASE, LAST_PHASE
from kit.reference_app import reference_props
from kit.service import ProductionOrderService
from localcloud.deploy import deploy

pytestmark = pytest.mark.e2e

STACK = "OrderKitUpdateProviders"
ENVIRONMENT = "upd"
TABLE = "AWS::DynamoDB::Table"


def synthesize_phase(outdir: Path, phase: int) -> dict[str, Any]:
    """The reference construct at ``phase`` (no Powertools layer) as stack :data:`STACK`."""
    app = App(outdir=str(outdir))
    stack = Stack(app, STACK, env=Environment(region="us-east-1"))
    props = dataclasses.replace(
        reference_props(phase, powertools_layer=False), environment_name=ENVIRONMENT
    )
    ProductionOrderService(stack, "OrderService", props)
    app.synth()
    template: dict[str, Any] = json.loads((outdir / f"{STACK}.template.json").read_text())
    return template


def of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return {
        logical: resource
        for logical, resource in template["Resources"].items()
        if resource["Type"] == resource_type
    }


def the_one(template: dict[str, Any], resource_type: str) -> tuple[str, dict[str, Any]]:
    (item,) = of_type(template, resource_type).items()
    return item


def tag_map(tags: list[dict[str, str]] | None) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in tags or [] if not tag["Key"].startswith("aws:")}


def statement_actions(document: dict[str, Any]) -> list[str]:
    actions: list[str] = []
    for statement in document["Statement"]:
        action = statement["Action"]
        actions += [action] if isinstance(action, str) else action
    return sorted(actions)


class LiveStack:
    """Physical ids of the deployed stack's resources, and clients."""

    def __init__(self, aws_client: Callable[[str], Any]) -> None:
        self.client = aws_client
        resources = aws_client("cloudformation").describe_stack_resources(StackName=STACK)
        self.physical = {
            r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources["StackResources"]
        }

    def key_arn(self, template: dict[str, Any]) -> str | None:
        keys = of_type(template, "AWS::KMS::Key")
        if not keys:
            return None
        (logical,) = keys
        return str(
            self.client("kms").describe_key(KeyId=self.physical[logical])["KeyMetadata"]["Arn"]
        )


def check_table(live: LiveStack, template: dict[str, Any]) -> dict[str, Any]:
    """Assert the live table has the template's settings; return its description."""
    logical, resource = the_one(template, TABLE)
    props = resource["Properties"]
    dynamodb = live.client("dynamodb")
    name = live.physical[logical]
    table = dynamodb.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE"

    sse = props.get("SSESpecification") or {}
    if sse.get("SSEEnabled"):
        assert table["SSEDescription"]["Status"] == "ENABLED"
        assert table["SSEDescription"]["KMSMasterKeyArn"] == live.key_arn(template)
    else:
        assert "SSEDescription" not in table

    wanted_indexes = {i["IndexName"]: i for i in props.get("GlobalSecondaryIndexes") or []}
    live_indexes = {i["IndexName"]: i for i in table.get("GlobalSecondaryIndexes", [])}
    assert sorted(live_indexes) == sorted(wanted_indexes)
    for index_name, index in wanted_indexes.items():
        assert live_indexes[index_name]["KeySchema"] == index["KeySchema"]
        assert live_indexes[index_name]["IndexStatus"] == "ACTIVE"
        assert live_indexes[index_name]["Projection"] == index["Projection"]

    stream = props.get("StreamSpecification")
    if stream:
        assert table["StreamSpecification"] == {
            "StreamEnabled": True,
            "StreamViewType": stream["StreamViewType"],
        }
        assert table["LatestStreamArn"].startswith(table["TableArn"] + "/stream/")
    else:
        assert not (table.get("StreamSpecification") or {}).get("StreamEnabled")

    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    wanted_ttl = props.get("TimeToLiveSpecification") or {}
    if wanted_ttl.get("Enabled"):
        assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": wanted_ttl["AttributeName"]}
    else:
        assert ttl["TimeToLiveStatus"] == "DISABLED"

    backups = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    pitr = backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"]
    wanted_pitr = props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
    assert pitr == ("ENABLED" if wanted_pitr else "DISABLED")

    insights = dynamodb.describe_contributor_insights(TableName=name)
    wanted_insights = (props.get("ContributorInsightsSpecification") or {}).get("Enabled")
    assert insights["ContributorInsightsStatus"] == ("ENABLED" if wanted_insights else "DISABLED")
    for index_name, index in wanted_indexes.items():
        status = dynamodb.describe_contributor_insights(TableName=name, IndexName=index_name)
        wanted = (index.get("ContributorInsightsSpecification") or {}).get("Enabled")
        assert status["ContributorInsightsStatus"] == ("ENABLED" if wanted else "DISABLED")

    live_tags = dynamodb.list_tags_of_resource(ResourceArn=table["TableArn"]).get("Tags", [])
    assert tag_map(live_tags) == tag_map(props.get("Tags"))
    return dict(table)


def check_stream_consumer(live: LiveStack, template: dict[str, Any], table: dict) -> None:
    """The event source mapping of phase 5 reads the table's live stream."""
    mappings = of_type(template, "AWS::Lambda::EventSourceMapping")
    assert bool(mappings) == ("LatestStreamArn" in table)
    for logical in mappings:
        mapping = live.client("lambda").get_event_source_mapping(UUID=live.physical[logical])
        assert mapping["EventSourceArn"] == table["LatestStreamArn"]


def check_stage(live: LiveStack, template: dict[str, Any], endpoint: str) -> str:
    """The stage serves the template's deployment, with its settings; return that deployment."""
    _, stage = the_one(template, "AWS::ApiGateway::Stage")
    deployment_logical, _ = the_one(template, "AWS::ApiGateway::Deployment")
    api_logical, _ = the_one(template, "AWS::ApiGateway::RestApi")
    api_id = live.physical[api_logical]
    props = stage["Properties"]
    apigateway = live.client("apigateway")
    live_stage = apigateway.get_stage(restApiId=api_id, stageName=props["StageName"])
    deployment_id = live.physical[deployment_logical]
    assert live_stage["deploymentId"] == deployment_id
    assert bool(live_stage.get("tracingEnabled")) == bool(props.get("TracingEnabled"))
    if access := props.get("AccessLogSetting"):
        log_group_logical = access["DestinationArn"]["Fn::GetAtt"][0]
        destination = live_stage["accessLogSettings"]["destinationArn"]
        assert live.physical[log_group_logical] in destination
    for setting in props.get("MethodSettings") or []:
        key = f"{setting['ResourcePath'].removeprefix('/')}/{setting['HttpMethod']}"
        applied = live_stage["methodSettings"][key]
        assert applied["metricsEnabled"] == setting["MetricsEnabled"]
        if "ThrottlingRateLimit" in setting:
            assert applied["throttlingRateLimit"] == float(setting["ThrottlingRateLimit"])
            assert applied["throttlingBurstLimit"] == int(setting["ThrottlingBurstLimit"])
    stage_arn = f"arn:aws:apigateway:us-east-1::/restapis/{api_id}/stages/{props['StageName']}"
    stage_tags = apigateway.get_tags(resourceArn=stage_arn)["tags"]
    live_tags = [{"Key": k, "Value": v} for k, v in stage_tags.items()]
    assert tag_map(live_tags) == tag_map(props.get("Tags"))

    # The API is still deployed: a request reaches the function (its own 4xx answer), not the
    # gateway's "API id ... does not correspond to a deployed API".
    url = f"{endpoint}/_aws/execute-api/{api_id}/{props['StageName']}/orders/no-such-order"
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - local endpoint
            body = response.read().decode()
    except urllib.error.HTTPError as error:
        body = error.read().decode()
    assert "does not correspond to a deployed API" not in body, body
    return deployment_id


def check_iam(live: LiveStack, template: dict[str, Any]) -> str:
    """The API function's role and policy as the template says; return the role id."""
    iam = live.client("iam")
    role_logical = next(
        logical
        for logical in of_type(template, "AWS::IAM::Role")
        if logical.startswith("OrderServiceApiFunctionRole")
    )
    role = iam.get_role(RoleName=live.physical[role_logical])["Role"]
    live_tags = iam.list_role_tags(RoleName=role["RoleName"])["Tags"]
    assert tag_map(live_tags) == tag_map(
        template["Resources"][role_logical]["Properties"].get("Tags")
    )
    attached = {
        p["PolicyArn"]
        for p in iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]
    }
    for logical, policy in of_type(template, "AWS::IAM::ManagedPolicy").items():
        if {"Ref": role_logical} not in policy["Properties"].get("Roles", []):
            continue
        arn = live.physical[logical]
        assert arn in attached
        version_id = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        document = iam.get_policy_version(PolicyArn=arn, VersionId=version_id)["PolicyVersion"]
        live_document = document["Document"]
        if isinstance(live_document, str):
            live_document = json.loads(urllib.parse.unquote(live_document))
        assert statement_actions(live_document) == statement_actions(
            policy["Properties"]["PolicyDocument"]
        )
    for policy in of_type(template, "AWS::IAM::Policy").values():
        if {"Ref": role_logical} in policy["Properties"].get("Roles", []):
            inline = iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"]
            assert policy["Properties"]["PolicyName"] in inline
    return str(role["RoleId"])


def check_alarms(live: LiveStack, template: dict[str, Any]) -> None:
    cloudwatch = live.client("cloudwatch")
    for logical, alarm in of_type(template, "AWS::CloudWatch::Alarm").items():
        props = alarm["Properties"]
        (described,) = cloudwatch.describe_alarms(AlarmNames=[live.physical[logical]])[
            "MetricAlarms"
        ]
        assert described["EvaluationPeriods"] == props["EvaluationPeriods"]
        tags = cloudwatch.list_tags_for_resource(ResourceARN=described["AlarmArn"])["Tags"]
        assert tag_map(tags) == tag_map(props.get("Tags")), logical


def check_log_groups(live: LiveStack, template: dict[str, Any]) -> None:
    logs = live.client("logs")
    key_arn = live.key_arn(template)
    for logical, group in of_type(template, "AWS::Logs::LogGroup").items():
        props = group["Properties"]
        name = live.physical[logical]
        (described,) = [
            g
            for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
            if g["logGroupName"] == name
        ]
        assert described.get("retentionInDays") == props.get("RetentionInDays"), logical
        assert described.get("kmsKeyId") == (key_arn if "KmsKeyId" in props else None), logical
        tags = logs.list_tags_for_resource(resourceArn=described["arn"].removesuffix(":*"))
        assert tag_map([{"Key": k, "Value": v} for k, v in tags["tags"].items()]) == tag_map(
            props.get("Tags")
        ), logical


def test_each_phase_update_is_applied_to_the_live_resources(
    local_endpoint: str, aws_client: Callable[[str], Any], tmp_path: Path
) -> None:
    first: dict[str, Any] = {}
    previous_deployment = None
    for phase in range(FIRST_PHASE, LAST_PHASE + 1):
        outdir = tmp_path / f"phase-{phase}"
        template = synthesize_phase(outdir, phase)
        (result,) = deploy(local_endpoint, outdir, log=lambda _: None, synthesize_first=False)
        assert result.status == ("CREATE_COMPLETE" if phase == FIRST_PHASE else "UPDATE_COMPLETE")
        live = LiveStack(aws_client)

        table = check_table(live, template)
        check_stream_consumer(live, template, table)
        first.setdefault("table", (table["TableArn"], table["CreationDateTime"]))
        assert (table["TableArn"], table["CreationDateTime"]) == first["table"], phase

        if (key_arn := live.key_arn(template)) is not None:
            created = aws_client("kms").describe_key(KeyId=key_arn)["KeyMetadata"]["CreationDate"]
            first.setdefault("key", (key_arn, created))
            assert (key_arn, created) == first["key"], phase

        deployment = check_stage(live, template, local_endpoint)
        if previous_deployment and previous_deployment != deployment:
            api_logical, _ = the_one(template, "AWS::ApiGateway::RestApi")
            deployments = aws_client("apigateway").get_deployments(
                restApiId=live.physical[api_logical]
            )["items"]
            assert previous_deployment not in {d["id"] for d in deployments}, phase
        previous_deployment = deployment

        role_id = check_iam(live, template)
        first.setdefault("role", role_id)
        assert role_id == first["role"], f"the API function's role was re-created at {phase}"
        check_alarms(live, template)
        check_log_groups(live, template)


def table_template(**properties: Any) -> str:
    attributes = [{"AttributeName": "pk", "AttributeType": "S"}]
    attributes += [
        {"AttributeName": f"{index['IndexName']}-key", "AttributeType": "S"}
        for index in properties.get("GlobalSecondaryIndexes", [])
    ]
    table = {
        "Type": TABLE,
        "Properties": {
            "AttributeDefinitions": attributes,
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
            **properties,
        },
    }
    return json.dumps(
        {
            "Resources": {"Table": table},
            "Outputs": {"Stream": {"Value": {"Fn::GetAtt": ["Table", "StreamArn"]}}}
            if "StreamSpecification" in properties
            else {},
        }
    )


def gsi(name: str) -> dict[str, Any]:
    return {
        "IndexName": name,
        "KeySchema": [{"AttributeName": f"{name}-key", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "KEYS_ONLY"},
    }


def wait_stack(cloudformation: Any, name: str) -> str:
    import time

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        status = str(cloudformation.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"])
        if not status.endswith("_IN_PROGRESS"):
            return status
        time.sleep(1)
    raise AssertionError(f"stack {name} still in progress")


def test_table_settings_are_removed_and_one_index_per_update_is_enforced(
    aws_client: Callable[[str], Any],
) -> None:
    cloudformation, dynamodb = aws_client("cloudformation"), aws_client("dynamodb")
    name = "OrderKitTableRemovals"
    full = {
        "GlobalSecondaryIndexes": [gsi("first")],
        "StreamSpecification": {"StreamViewType": "NEW_IMAGE"},
        "TimeToLiveSpecification": {"AttributeName": "ttl", "Enabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True, "SSEType": "KMS"},
    }
    cloudformation.create_stack(StackName=name, TemplateBody=table_template(**full))
    assert wait_stack(cloudformation, name) == "CREATE_COMPLETE"
    table_name = cloudformation.describe_stack_resource(StackName=name, LogicalResourceId="Table")[
        "StackResourceDetail"
    ]["PhysicalResourceId"]
    created = dynamodb.describe_table(TableName=table_name)["Table"]
    assert created["SSEDescription"]["Status"] == "ENABLED"

    # Two indexes in one update: refused as on AWS, the table keeps its one index.
    two_more = {**full, "GlobalSecondaryIndexes": [gsi("first"), gsi("second"), gsi("third")]}
    cloudformation.update_stack(StackName=name, TemplateBody=table_template(**two_more))
    # Rolled back as on AWS (the project's rollback plugin; LocalStack alone said UPDATE_COMPLETE).
    assert wait_stack(cloudformation, name) == "UPDATE_ROLLBACK_COMPLETE"
    events = cloudformation.describe_stack_events(StackName=name)["StackEvents"]
    failures = [
        event.get("ResourceStatusReason", "")
        for event in events
        if event["LogicalResourceId"] == "Table" and event["ResourceStatus"] == "UPDATE_FAILED"
    ]
    assert any("more than one GSI creation or deletion" in reason for reason in failures)
    table = dynamodb.describe_table(TableName=table_name)["Table"]
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["first"]

    # Everything switched off, the index deleted: applied to the same table.
    bare = {
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": False},
        "SSESpecification": {"SSEEnabled": False},
    }
    cloudformation.update_stack(StackName=name, TemplateBody=table_template(**bare))
    assert wait_stack(cloudformation, name) == "UPDATE_COMPLETE"
    table = dynamodb.describe_table(TableName=table_name)["Table"]
    assert table["TableArn"] == created["TableArn"]
    assert table["CreationDateTime"] == created["CreationDateTime"]
    assert "GlobalSecondaryIndexes" not in table or not table["GlobalSecondaryIndexes"]
    assert not (table.get("StreamSpecification") or {}).get("StreamEnabled")
    assert "SSEDescription" not in table
    ttl = dynamodb.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] == "DISABLED"
    backups = dynamodb.describe_continuous_backups(TableName=table_name)
    pitr = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "DISABLED"
    cloudformation.delete_stack(StackName=name)
