"""Given the construct: least-privilege IAM, tags on every taggable resource, stack outputs,
and the escape-hatch attributes."""

from __future__ import annotations

import json
import runpy
from dataclasses import replace
from pathlib import Path
from typing import Any

from aws_cdk.assertions import Template

from kit import ProductionOrderService
from kit.reference_app import REFERENCE_PROPS
from kit.resource_schemas import is_taggable

from .conftest import resources, synth

REPO_ROOT = Path(__file__).resolve().parents[3]

#: Statements where AWS accepts no narrower resource than "*", by Sid.
STAR_RESOURCE_SIDS = {"WriteTraces", "ListStreams"}


def _policy_documents(template: Template) -> list[tuple[str, dict[str, Any]]]:
    documents = []
    for logical, resource in template.to_json()["Resources"].items():
        properties = resource.get("Properties", {})
        for key in ("PolicyDocument", "KeyPolicy"):
            if key in properties:
                documents.append((logical, properties[key]))
        for inline in properties.get("Policies", []):
            documents.append((logical, inline["PolicyDocument"]))
    return documents


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_no_wildcard_action_anywhere(template: Template) -> None:
    documents = _policy_documents(template)
    assert len(documents) >= 5
    for logical, document in documents:
        for statement in document["Statement"]:
            actions = _as_list(statement.get("Action", []))
            if statement["Effect"] == "Deny":
                # The TLS-only guards deny every action of the service over plain HTTP.
                assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
                continue
            for action in actions:
                assert "*" not in action, (logical, action)


def test_star_resource_only_where_aws_requires_it(template: Template) -> None:
    for logical, resource in resources(template, "AWS::IAM::ManagedPolicy").items():
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            if "*" in _as_list(statement["Resource"]):
                assert statement["Sid"] in STAR_RESOURCE_SIDS, (logical, statement)


def test_roles_have_no_inline_or_aws_managed_policies(template: Template) -> None:
    assert not resources(template, "AWS::IAM::Policy")
    for resource in resources(template, "AWS::IAM::Role").values():
        assert "Policies" not in resource["Properties"]
        for arn in resource["Properties"].get("ManagedPolicyArns", []):
            assert ":aws:policy/" not in json.dumps(arn)


def test_api_function_may_only_put_get_and_query_its_table(template: Template) -> None:
    actions = set()
    for resource in resources(template, "AWS::IAM::ManagedPolicy").values():
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Sid"] == "ReadWriteOrders":
                actions |= set(_as_list(statement["Action"]))
                resources_ = json.dumps(statement["Resource"])
                assert "index/customer-orders" in resources_
    assert actions == {"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"}


def test_every_taggable_resource_is_tagged(template: Template) -> None:
    checked = 0
    for logical, resource in template.to_json()["Resources"].items():
        if not is_taggable(resource["Type"]):
            continue
        tags = resource.get("Properties", {}).get("Tags")
        if tags is None:
            # CDK cannot tag a few L1-only types (e.g. alarms, gateway responses); they are
            # listed so that a new untagged type fails this test.
            assert resource["Type"] in {
                "AWS::CloudWatch::Alarm",
                "AWS::KMS::Alias",
                "AWS::ApiGateway::Account",
                "AWS::Lambda::EventSourceMapping",
            }, logical
            continue
        tag_map = tags if isinstance(tags, dict) else {t["Key"]: t["Value"] for t in tags}
        assert tag_map["Service"] == "orders", logical
        assert tag_map["Environment"] == "prod", logical
        assert tag_map["ManagedBy"] == "production-order-kit", logical
        assert tag_map["CostCenter"] == "orders", logical
        checked += 1
    assert checked >= 10


#: The construct's own outputs (the RestApi adds its endpoint output too).
KIT_OUTPUTS = (
    "ApiUrl",
    "TableName",
    "AlarmTopicArn",
    "DeadLetterQueueUrl",
    "KeyArn",
    "ApiFunctionName",
    "ProcessorFunctionName",
    "PendingSweepFunctionName",
    "DashboardUrl",
    "ArchiveBucketName",
)


def test_outputs(template: Template) -> None:
    outputs = template.to_json()["Outputs"]
    for name in KIT_OUTPUTS:
        assert name in outputs, name
        assert outputs[name]["Description"]


def test_escape_hatches(service: ProductionOrderService) -> None:
    assert service.table.node.default_child is not None
    assert service.api.rest_api_name == "orders-prod-api"
    assert service.api_function.node.id == "Function"
    assert service.processor_function is not service.api_function
    assert service.key.key_arn
    assert service.dead_letter_queue.queue_arn
    assert service.topic.topic_arn
    assert set(service.alarms) >= {"ApiFunctionErrors", "DeadLetters"}
    assert service.dashboard is not None
    assert service.stage.stage_name


def _exports(template: dict[str, Any]) -> dict[str, str]:
    """Export name -> output id of a synthesized template."""
    return {
        output["Export"]["Name"]: output_id
        for output_id, output in template.get("Outputs", {}).items()
        if "Export" in output
    }


def _imports(node: Any) -> list[str]:
    """Every ``Fn::ImportValue`` name in a template (fragment)."""
    if isinstance(node, dict):
        if set(node) == {"Fn::ImportValue"}:
            return [node["Fn::ImportValue"]]
        return [name for value in node.values() for name in _imports(value)]
    if isinstance(node, list):
        return [name for value in node for name in _imports(value)]
    return []


def test_outputs_are_no_exports_without_an_export_prefix(template: Template) -> None:
    assert _exports(template.to_json()) == {}


def test_export_prefix_exports_every_output_under_its_name() -> None:
    template = synth(replace(REFERENCE_PROPS, export_prefix="shop-orders")).to_json()
    assert _exports(template) == {f"shop-orders-{name}": name for name in KIT_OUTPUTS}


def test_cross_stack_example_imports_only_what_the_service_exports() -> None:
    """docs/examples/cross_stack_exports.py: a second stack of the app imports the outputs."""
    example = runpy.run_path(str(REPO_ROOT / "docs" / "examples" / "cross_stack_exports.py"))
    assembly = example["assembly"]
    exports = _exports(assembly.get_stack_by_name("Orders").template)
    consumer = assembly.get_stack_by_name("Storefront").template
    imported = _imports(consumer)
    assert imported == ["orders-prod-ApiUrl", "orders-prod-TableName"]
    assert set(imported) <= set(exports)
    # The consumer deploys after the service (CloudFormation needs the export first).
    assert "Orders" in [dep.id for dep in assembly.get_stack_by_name("Storefront").dependencies]
