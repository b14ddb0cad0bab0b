"""``policies/taggable_resource_types.txt`` matches the resource schemas shipped with cfn-lint."""

from __future__ import annotations

from conftest import POLICIES_DIR
from taggable_types_source import render, tag_property, taggable_types


def test_taggable_types_file_is_up_to_date() -> None:
    committed = (POLICIES_DIR / "taggable_resource_types.txt").read_text(encoding="utf-8")

    assert committed == render(taggable_types()), (
        "regenerate with: .venv/bin/python -m tests.policies.taggable_types_source "
        "> policies/taggable_resource_types.txt"
    )


def test_tag_property_follows_the_schema_tagging_block() -> None:
    assert (
        tag_property({"tagging": {"taggable": True, "tagProperty": "/properties/Tags"}}) == "Tags"
    )
    assert tag_property({"tagging": {"tagProperty": "/properties/UserPoolTags"}}) == "UserPoolTags"
    assert tag_property({"tagging": {"taggable": False}, "properties": {"Tags": {}}}) is None
    assert tag_property({"tagging": {"tagProperty": "/properties/Specs/*/Tags"}}) is None
    assert tag_property({"properties": {"Tags": {}}}) == "Tags"
    assert tag_property({"properties": {"Name": {}}}) is None


def test_the_order_service_resource_types_are_taggable() -> None:
    types = taggable_types()

    for resource_type in (
        "AWS::DynamoDB::Table",
        "AWS::Lambda::Function",
        "AWS::SQS::Queue",
        "AWS::SNS::Topic",
        "AWS::KMS::Key",
        "AWS::Logs::LogGroup",
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Stage",
        "AWS::CloudWatch::Alarm",
        "AWS::IAM::Role",
    ):
        assert types[resource_type] == "Tags"
    for resource_type in ("AWS::IAM::Policy", "AWS::KMS::Alias", "AWS::ApiGateway::Deployment"):
        assert resource_type not in types
