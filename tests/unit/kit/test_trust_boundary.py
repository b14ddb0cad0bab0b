"""The construct's side of the trust boundary: the mode and claim the api function is told,
the idempotency window, OAuth scopes, least-privilege key use and table permissions, the table's
maximum throughput, the WAF body-size rule and the access log's caller fields.

IAM statements are evaluated as the IAM and KMS documentation describe: a Condition block must
hold for the statement to allow anything ("IAM JSON policy elements: Condition"), and
``kms:EncryptionContext:<key>`` compares the request's encryption context ("AWS KMS condition
keys")."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Template

from kit import OrderServiceProps
from kit.props import AuthorizationMode, OrderServicePropsError

from .conftest import only, resources, synth

USER_POOL = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Example"


def api_env(template: Template) -> dict[str, Any]:
    for fn in resources(template, "AWS::Lambda::Function").values():
        if fn["Properties"]["Handler"] == "orders.api.lambda_handler":
            return dict(fn["Properties"]["Environment"]["Variables"])
    raise AssertionError("no api function")


def policy_statements(template: Template, policy_fragment: str) -> list[dict[str, Any]]:
    for logical_id, policy in resources(template, "AWS::IAM::ManagedPolicy").items():
        if policy_fragment in logical_id:
            return list(policy["Properties"]["PolicyDocument"]["Statement"])
    raise AssertionError(f"no managed policy like {policy_fragment}")


def actions(statement: dict[str, Any]) -> list[str]:
    value = statement["Action"]
    return [value] if isinstance(value, str) else list(value)


def test_the_api_function_learns_the_mode_claim_and_window(template: Template) -> None:
    env = api_env(template)
    assert env["AUTHORIZATION_MODE"] == "iam"
    assert env["IDEMPOTENCY_WINDOW_HOURS"] == "24"
    assert "CUSTOMER_ID_CLAIM" not in env
    cognito = api_env(
        synth(
            OrderServiceProps(
                authorization=AuthorizationMode.COGNITO,
                cognito_user_pool_arn=USER_POOL,
                price_catalog=True,
                customer_id_claim="custom:customer_id",
                idempotency_window_hours=48,
            )
        )
    )
    assert cognito["AUTHORIZATION_MODE"] == "cognito"
    assert cognito["CUSTOMER_ID_CLAIM"] == "custom:customer_id"
    assert cognito["IDEMPOTENCY_WINDOW_HOURS"] == "48"
    assert api_env(synth(OrderServiceProps(phase=0)))["AUTHORIZATION_MODE"] == "none"


def test_oauth_scopes_are_required_on_every_method_when_given() -> None:
    template = synth(
        OrderServiceProps(
            authorization=AuthorizationMode.COGNITO,
            cognito_user_pool_arn=USER_POOL,
            price_catalog=True,
            cognito_oauth_scopes=("orders/write",),
        )
    )
    methods = [
        m["Properties"]
        for m in resources(template, "AWS::ApiGateway::Method").values()
        if m["Properties"]["HttpMethod"] != "OPTIONS"
    ]
    assert methods and all(m["AuthorizationScopes"] == ["orders/write"] for m in methods)


@pytest.mark.parametrize(
    ("overrides", "prop"),
    [
        ({"customer_id_claim": "bad claim"}, "customer_id_claim"),
        ({"cognito_oauth_scopes": ("orders/write",)}, "cognito_oauth_scopes"),
        ({"idempotency_window_hours": 0}, "idempotency_window_hours"),
        ({"idempotency_window_hours": 49, "order_ttl_days": 2}, "idempotency_window_hours"),
        ({"table_max_write_request_units": 0}, "table_max_write_request_units"),
    ],
)
def test_bad_trust_props_are_refused(overrides: dict[str, Any], prop: str) -> None:
    with pytest.raises(OrderServicePropsError, match=prop):
        OrderServiceProps(**overrides)


def test_the_api_functions_key_use_is_pinned_by_encryption_context(template: Template) -> None:
    statements = policy_statements(template, "ApiFunction")
    key_statements = [s for s in statements if any(a.startswith("kms:") for a in actions(s))]
    assert key_statements
    for statement in key_statements:
        # Every KMS permission holds only under a named encryption context (the table's use
        # also only through DynamoDB).
        conditions = statement.get("Condition", {})
        keys = [k for block in conditions.values() for k in block]
        assert any(k.startswith("kms:EncryptionContext:") for k in keys), statement
        assert all(k.startswith("kms:EncryptionContext:") or k == "kms:ViaService" for k in keys)
    through_dynamodb = next(s for s in key_statements if s["Sid"] == "UseTableKeyThroughDynamoDB")
    assert set(through_dynamodb["Condition"]["StringEquals"]) == {
        "kms:ViaService",
        "kms:EncryptionContext:aws:dynamodb:tableName",
    }
    page_tokens = next(s for s in key_statements if s["Sid"] == "EncryptPageTokens")
    assert sorted(actions(page_tokens)) == ["kms:Decrypt", "kms:Encrypt"]
    assert page_tokens["Condition"] == {
        "StringEquals": {"kms:EncryptionContext:purpose": "orders-page-token"}
    }
    from orders.page_tokens import TOKEN_PURPOSE

    assert page_tokens["Condition"]["StringEquals"]["kms:EncryptionContext:purpose"] == (
        TOKEN_PURPOSE
    )


def test_the_processor_may_only_update_orders(
    template: Template,
) -> None:
    confirm = next(
        s for s in policy_statements(template, "ProcessorFunction") if s["Sid"] == "ConfirmOrders"
    )
    assert actions(confirm) == ["dynamodb:UpdateItem"]  # GetItem: nothing reads


def test_the_table_has_an_on_demand_maximum_throughput(template: Template) -> None:
    table = only(template, "AWS::DynamoDB::Table")["Properties"]
    assert table["OnDemandThroughput"] == {
        "MaxReadRequestUnits": 4000,
        "MaxWriteRequestUnits": 4000,
    }
    unbounded = only(
        synth(
            OrderServiceProps(table_max_read_request_units=None, table_max_write_request_units=None)
        ),
        "AWS::DynamoDB::Table",
    )["Properties"]
    assert "OnDemandThroughput" not in unbounded


def test_the_waf_does_not_block_orders_the_api_accepts() -> None:
    acl = only(synth(OrderServiceProps(enable_waf=True)), "AWS::WAFv2::WebACL")["Properties"]
    common = next(r for r in acl["Rules"] if r["Name"] == "AWSManagedRulesCommonRuleSet")
    overrides = common["Statement"]["ManagedRuleGroupStatement"]["RuleActionOverrides"]
    assert overrides == [{"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}]


def test_the_access_log_names_the_caller_and_the_path(template: Template) -> None:
    stage = only(template, "AWS::ApiGateway::Stage")["Properties"]
    fields = json.loads(stage["AccessLogSetting"]["Format"])
    assert fields["path"] == "$context.path"
    assert fields["userArn"] == "$context.identity.userArn"
    assert fields["cognitoSub"] == "$context.authorizer.claims.sub"
    assert fields["requestId"] == "$context.requestId"
