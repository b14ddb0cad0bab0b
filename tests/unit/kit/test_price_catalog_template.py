"""The construct's price catalog (``price_catalog=True``, required with Cognito): a table the
api function may only read, kept like the orders table, named in the function's environment and
the stack outputs; and the key use of every function pinned by encryption context.

IAM statements are read as the IAM and KMS documentation describe them ("IAM JSON policy
elements: Condition"; AWS KMS developer guide, "kms:EncryptionContext:context-key" and "How
Amazon DynamoDB uses AWS KMS": DynamoDB sends ``aws:dynamodb:tableName``); the who-may-act
evaluation of the same template is in ``test_access_paths``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Template

from kit import AuthorizationMode, OrderServiceProps
from kit.api import access_log_fields
from kit.props import OrderServicePropsError

from .conftest import only, resources, synth
from .test_trust_boundary import USER_POOL, actions, api_env, policy_statements

COGNITO = {"authorization": AuthorizationMode.COGNITO, "cognito_user_pool_arn": USER_POOL}


@pytest.fixture(scope="module")
def priced() -> Template:
    return synth(OrderServiceProps(**COGNITO, price_catalog=True))


def tables(template: Template) -> dict[str, dict[str, Any]]:
    return {
        r["Properties"]["KeySchema"][0]["AttributeName"]: {"id": logical, **r}
        for logical, r in resources(template, "AWS::DynamoDB::Table").items()
    }


def test_cognito_without_a_catalog_is_refused() -> None:
    with pytest.raises(OrderServicePropsError, match="price_catalog must be True"):
        OrderServiceProps(**COGNITO)
    with pytest.raises(OrderServicePropsError, match="price_catalog must be True or False"):
        OrderServiceProps(price_catalog="yes")  # type: ignore[arg-type]


def test_without_the_prop_there_is_no_catalog(template: Template) -> None:
    assert set(tables(template)) == {"orderId"}
    assert "PRICE_CATALOG_TABLE" not in api_env(template)
    assert "PriceCatalogTableName" not in template.to_json()["Outputs"]


def test_the_catalog_is_kept_like_the_orders_table(priced: Template) -> None:
    by_key = tables(priced)
    catalog = by_key["sku"]["Properties"]
    assert catalog["KeySchema"] == [{"AttributeName": "sku", "KeyType": "HASH"}]
    assert catalog["BillingMode"] == "PAY_PER_REQUEST"
    assert catalog["SSESpecification"]["SSEType"] == "KMS"
    assert (
        catalog["SSESpecification"]["KMSMasterKeyId"]
        == (by_key["orderId"]["Properties"]["SSESpecification"]["KMSMasterKeyId"])
    )
    assert catalog["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert catalog["DeletionProtectionEnabled"] is True
    assert by_key["sku"]["DeletionPolicy"] == "RetainExceptOnCreate"  # as the orders table
    selection = only(priced, "AWS::Backup::BackupSelection")["Properties"]["BackupSelection"]
    backed_up = json.dumps(selection["Resources"])
    assert by_key["sku"]["id"] in backed_up and by_key["orderId"]["id"] in backed_up


def test_the_api_function_reads_prices_and_cannot_change_them(priced: Template) -> None:
    catalog_id = tables(priced)["sku"]["id"]
    assert api_env(priced)["PRICE_CATALOG_TABLE"] == {"Ref": catalog_id}
    statements = policy_statements(priced, "ApiFunction")
    on_catalog = [s for s in statements if catalog_id in json.dumps(s["Resource"])]
    assert len(on_catalog) == 1
    assert sorted(actions(on_catalog[0])) == ["dynamodb:BatchGetItem", "dynamodb:GetItem"]
    assert on_catalog[0]["Resource"] == {"Fn::GetAtt": [catalog_id, "Arn"]}
    key_use = next(s for s in statements if s.get("Sid") == "UseTableKeyThroughDynamoDB")
    names = key_use["Condition"]["StringEquals"]["kms:EncryptionContext:aws:dynamodb:tableName"]
    assert {"Ref": catalog_id} in names and len(names) == 2
    outputs = priced.to_json()["Outputs"]
    assert outputs["PriceCatalogTableName"]["Value"] == {"Ref": catalog_id}


@pytest.mark.parametrize("function", ["ApiFunction", "ProcessorFunction", "PendingSweepFunction"])
def test_every_function_uses_the_key_only_under_an_encryption_context(
    template: Template, function: str
) -> None:
    """No statement of a function's policy lets it use the service key without a condition on
    the encryption context the calling service sends: the role can decrypt nothing else."""
    kms_statements = [
        s
        for s in policy_statements(template, function)
        if any(a.startswith("kms:") for a in actions(s))
    ]
    assert kms_statements
    for statement in kms_statements:
        conditions = json.dumps(statement.get("Condition", {}))
        assert "kms:EncryptionContext:" in conditions, statement


def test_the_access_log_carries_the_configured_claim() -> None:
    """AWS documents ``$context.authorizer.claims.property`` ("Variables for access logging for
    API Gateway"); other claim names stay in the function log."""
    for claim, logged in (("customer_no", True), ("custom:customer_id", False), ("sub", False)):
        template = synth(OrderServiceProps(**COGNITO, price_catalog=True, customer_id_claim=claim))
        stage = only(template, "AWS::ApiGateway::Stage")["Properties"]
        fields = json.loads(stage["AccessLogSetting"]["Format"])
        assert fields["cognitoSub"] == "$context.authorizer.claims.sub"
        assert ("customerId" in fields) is logged, claim
        if logged:
            assert fields["customerId"] == f"$context.authorizer.claims.{claim}"
    assert "customerId" not in access_log_fields(None)
