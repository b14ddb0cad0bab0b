"""Given the construct, the REST API throttles, logs, traces, validates and authorizes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Template

from kit import AuthorizationMode, OrderServiceProps
from kit.api import GATEWAY_ERROR_TEMPLATE, ORDER_REQUEST_MODEL_NAME, load_order_request_schema
from kit.props import EXISTING_ACCOUNT_ROLE

from .conftest import logical_id, only, resources, synth

USER_POOL = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc123"


def _methods(template: Template) -> dict[str, dict[str, Any]]:
    """Non-preflight methods by HTTP method + request-parameter shape."""
    return {
        logical: resource["Properties"]
        for logical, resource in resources(template, "AWS::ApiGateway::Method").items()
        if resource["Properties"]["HttpMethod"] != "OPTIONS"
    }


def test_stage_throttles_at_500_rps_burst_1000(template: Template) -> None:
    stage = only(template, "AWS::ApiGateway::Stage")["Properties"]
    (settings,) = stage["MethodSettings"]
    assert settings["ThrottlingRateLimit"] == 500
    assert settings["ThrottlingBurstLimit"] == 1000
    assert settings["HttpMethod"] == "*" and settings["ResourcePath"] == "/*"
    assert settings["LoggingLevel"] == "ERROR"
    assert settings["DataTraceEnabled"] is False


def test_stage_writes_json_access_logs_and_traces(template: Template) -> None:
    stage = only(template, "AWS::ApiGateway::Stage")["Properties"]
    assert stage["TracingEnabled"] is True
    access = stage["AccessLogSetting"]
    assert access["DestinationArn"]["Fn::GetAtt"][1] == "Arn"
    fields = json.loads(access["Format"])
    assert fields["requestId"] == "$context.requestId"
    assert fields["status"] == "$context.status"
    # AWS documents $context.error.validationErrorString as the validator's message, which
    # quotes the refused values of the body (addresses...): never logged.
    assert "validationErrorString" not in access["Format"]


def test_execution_log_group_is_precreated(template: Template) -> None:
    names = [
        json.dumps(r["Properties"].get("LogGroupName"))
        for r in resources(template, "AWS::Logs::LogGroup").values()
    ]
    assert any("API-Gateway-Execution-Logs_" in name for name in names)
    account = only(template, "AWS::ApiGateway::Account")["Properties"]
    assert "CloudWatchRoleArn" in account


def _account_role(template: Template) -> tuple[str, dict[str, Any]]:
    account = only(template, "AWS::ApiGateway::Account")
    role_id = account["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]
    return role_id, resources(template, "AWS::IAM::Role")[role_id]


def test_created_account_role_is_kept_and_trusts_only_this_accounts_api_gateway(
    template: Template,
) -> None:
    role_id, role = _account_role(template)
    # Account-wide: other APIs rely on it, so deleting the stack must not delete it.
    assert only(template, "AWS::ApiGateway::Account")["DeletionPolicy"] == "Retain"
    assert role["DeletionPolicy"] == "Retain"
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert trust["Condition"] == {
        "StringEqualsIfExists": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    }
    (policy,) = [
        p
        for p in resources(template, "AWS::IAM::ManagedPolicy").values()
        if p["Properties"].get("Roles") == [{"Ref": role_id}]
    ]
    assert policy["DeletionPolicy"] == "Retain"


def test_account_role_policy_covers_the_access_log_group(template: Template) -> None:
    role_id, _ = _account_role(template)
    (policy,) = [
        p["Properties"]
        for p in resources(template, "AWS::IAM::ManagedPolicy").values()
        if p["Properties"].get("Roles") == [{"Ref": role_id}]
    ]
    by_sid = {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}
    stage = only(template, "AWS::ApiGateway::Stage")["Properties"]
    access_group = stage["AccessLogSetting"]["DestinationArn"]
    assert by_sid["WriteAccessLogs"]["Resource"] == access_group
    assert {"logs:CreateLogStream", "logs:PutLogEvents"} <= set(by_sid["WriteAccessLogs"]["Action"])


def test_existing_account_role_leaves_the_account_setting_alone() -> None:
    template = synth(OrderServiceProps(api_gateway_account_role=EXISTING_ACCOUNT_ROLE))
    assert resources(template, "AWS::ApiGateway::Account") == {}
    roles = resources(template, "AWS::IAM::Role").values()
    principals = [json.dumps(r["Properties"]["AssumeRolePolicyDocument"]) for r in roles]
    assert not any("apigateway.amazonaws.com" in p for p in principals)


def test_given_account_role_arn_is_set_on_the_account() -> None:
    arn = "arn:aws:iam::123456789012:role/platform/ApiGatewayLogs"
    template = synth(OrderServiceProps(api_gateway_account_role=arn))
    account = only(template, "AWS::ApiGateway::Account")
    assert account["Properties"] == {"CloudWatchRoleArn": arn}
    assert account["DeletionPolicy"] == "Retain"


def test_every_method_requires_iam_by_default(template: Template) -> None:
    methods = _methods(template)
    assert len(methods) == 3
    for properties in methods.values():
        assert properties["AuthorizationType"] == "AWS_IAM"


def test_cognito_authorization() -> None:
    template = synth(
        OrderServiceProps(
            authorization=AuthorizationMode.COGNITO,
            cognito_user_pool_arn=USER_POOL,
            price_catalog=True,
        )
    )
    authorizer = only(template, "AWS::ApiGateway::Authorizer")["Properties"]
    assert authorizer["Type"] == "COGNITO_USER_POOLS"
    assert authorizer["ProviderARNs"] == [USER_POOL]
    for properties in _methods(template).values():
        assert properties["AuthorizationType"] == "COGNITO_USER_POOLS"


def test_open_api_only_on_explicit_opt_out() -> None:
    template = synth(OrderServiceProps(authorization=AuthorizationMode.NONE))
    for properties in _methods(template).values():
        assert properties["AuthorizationType"] == "NONE"


def test_post_orders_validates_body_against_the_schema(template: Template) -> None:
    (post,) = [p for p in _methods(template).values() if p["HttpMethod"] == "POST"]
    assert post["RequestModels"] == {"application/json": ORDER_REQUEST_MODEL_NAME}
    validator_id = post["RequestValidatorId"]["Ref"]
    validator = resources(template, "AWS::ApiGateway::RequestValidator")[validator_id]
    assert validator["Properties"]["ValidateRequestBody"] is True
    model = only(template, "AWS::ApiGateway::Model")["Properties"]
    assert model["Name"] == ORDER_REQUEST_MODEL_NAME
    # the single source of truth: the handler's schema file, unchanged
    assert model["Schema"] == load_order_request_schema()
    assert model["Schema"]["$schema"] == "http://json-schema.org/draft-04/schema#"


def test_get_methods_require_path_parameters(template: Template) -> None:
    gets = [p for p in _methods(template).values() if p["HttpMethod"] == "GET"]
    required = sorted(
        name for p in gets for name, needed in p["RequestParameters"].items() if needed
    )
    assert required == ["method.request.path.customerId", "method.request.path.orderId"]
    for properties in gets:
        assert properties["RequestValidatorId"]


def test_cors_is_an_allow_list(template: Template) -> None:
    preflights = [
        r["Properties"]
        for r in resources(template, "AWS::ApiGateway::Method").values()
        if r["Properties"]["HttpMethod"] == "OPTIONS"
    ]
    assert preflights
    for properties in preflights:
        (response,) = properties["Integration"]["IntegrationResponses"]
        origin = response["ResponseParameters"][
            "method.response.header.Access-Control-Allow-Origin"
        ]
        assert origin == "'https://shop.example.com'"


def test_no_cors_preflight_without_origins() -> None:
    template = synth(OrderServiceProps())
    methods = resources(template, "AWS::ApiGateway::Method").values()
    assert all(m["Properties"]["HttpMethod"] != "OPTIONS" for m in methods)


def test_gateway_errors_are_json_with_cors(template: Template) -> None:
    responses = resources(template, "AWS::ApiGateway::GatewayResponse")
    types = sorted(r["Properties"]["ResponseType"] for r in responses.values())
    assert types == ["DEFAULT_4XX", "DEFAULT_5XX"]
    for resource in responses.values():
        properties = resource["Properties"]
        assert (
            properties["ResponseParameters"]["gatewayresponse.header.Access-Control-Allow-Origin"]
            == "'https://shop.example.com'"
        )
        # Rendered as AWS does in test_mapping_templates; here: the validator's details, which
        # quote submitted values, are not returned.
        assert properties["ResponseTemplates"] == {"application/json": GATEWAY_ERROR_TEMPLATE}
        assert "validationErrorString" not in GATEWAY_ERROR_TEMPLATE


@pytest.mark.parametrize("enabled", [False, True])
def test_waf_is_opt_in(enabled: bool) -> None:
    template = synth(OrderServiceProps(enable_waf=enabled, waf_rate_limit=1000))
    acls = resources(template, "AWS::WAFv2::WebACL")
    assert len(acls) == int(enabled)
    if enabled:
        acl = next(iter(acls.values()))["Properties"]
        assert acl["Scope"] == "REGIONAL"
        rules = {rule["Name"]: rule for rule in acl["Rules"]}
        assert rules["RateLimitPerIp"]["Statement"]["RateBasedStatement"]["Limit"] == 1000
        assert "AWSManagedRulesCommonRuleSet" in rules
        association = only(template, "AWS::WAFv2::WebACLAssociation")["Properties"]
        assert association["WebACLArn"] == {
            "Fn::GetAtt": [logical_id(template, "AWS::WAFv2::WebACL"), "Arn"]
        }
