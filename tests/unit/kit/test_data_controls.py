"""Given the reference construct, the data stores carry every encryption and data-protection
control of the seed: each test fails if its control is removed."""

from __future__ import annotations

from aws_cdk.assertions import Match, Template

from kit.data import CUSTOMER_INDEX_NAME
from kit.encryption import ACCOUNT_KEY_ACTIONS

from .conftest import logical_id, only, resources


def _key_ref(template: Template) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [logical_id(template, "AWS::KMS::Key"), "Arn"]}


def test_key_rotates_and_has_alias(template: Template) -> None:
    key = only(template, "AWS::KMS::Key")
    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "RetainExceptOnCreate"
    alias = only(template, "AWS::KMS::Alias")
    assert alias["Properties"]["AliasName"] == "alias/orders-prod"


def test_key_policy_is_least_privilege(template: Template) -> None:
    statements = only(template, "AWS::KMS::Key")["Properties"]["KeyPolicy"]["Statement"]
    by_sid = {s["Sid"]: s for s in statements}
    assert set(by_sid) == {
        "AccountAdministrationAndUse",
        "CloudWatchLogsEncryption",
        "CloudWatchAlarmsToEncryptedTopic",
    }
    assert sorted(by_sid["AccountAdministrationAndUse"]["Action"]) == sorted(ACCOUNT_KEY_ACTIONS)
    for statement in statements:
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        assert all(not a.endswith("*") for a in actions), statement
        assert statement["Principal"] != "*"
    assert "Condition" in by_sid["CloudWatchLogsEncryption"]
    assert by_sid["CloudWatchAlarmsToEncryptedTopic"]["Principal"] == {
        "Service": "cloudwatch.amazonaws.com"
    }


def test_table_encrypted_with_customer_managed_key(template: Template) -> None:
    table = only(template, "AWS::DynamoDB::Table")["Properties"]
    assert table["SSESpecification"] == {
        "SSEEnabled": True,
        "SSEType": "KMS",
        "KMSMasterKeyId": _key_ref(template),
    }


def test_table_has_pitr_ttl_stream_and_on_demand_billing(template: Template) -> None:
    table = only(template, "AWS::DynamoDB::Table")["Properties"]
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["ContributorInsightsSpecification"] == {"Enabled": True}


def test_table_has_customer_index(template: Template) -> None:
    table = only(template, "AWS::DynamoDB::Table")["Properties"]
    (index,) = [i for i in table["GlobalSecondaryIndexes"] if i["IndexName"] == CUSTOMER_INDEX_NAME]
    assert index["KeySchema"] == [
        {"AttributeName": "customerId", "KeyType": "HASH"},
        {"AttributeName": "createdAt", "KeyType": "RANGE"},
    ]
    assert index["Projection"] == {"ProjectionType": "ALL"}
    assert index["ContributorInsightsSpecification"] == {"Enabled": True}


def test_table_is_retained_and_protected(template: Template) -> None:
    table = only(template, "AWS::DynamoDB::Table")
    assert table["DeletionPolicy"] == "RetainExceptOnCreate"
    assert table["UpdateReplacePolicy"] == "Retain"
    assert table["Properties"]["DeletionProtectionEnabled"] is True


#: Resource types that hold data: retained on update and delete, removed by a failed create.
DATA_BEARING_TYPES = (
    "AWS::DynamoDB::Table",
    "AWS::KMS::Key",
    "AWS::SQS::Queue",
    "AWS::Logs::LogGroup",
    "AWS::Backup::BackupVault",
)


def test_data_bearing_resources_retain_except_on_create(template: Template) -> None:
    # CloudFormation's DeletionPolicy attribute: RetainExceptOnCreate deletes a resource when
    # the stack operation that created it rolls back, and retains it on every other operation.
    seen = set()
    for resource_type in DATA_BEARING_TYPES:
        for resource_id, resource in resources(template, resource_type).items():
            seen.add(resource_type)
            assert resource["DeletionPolicy"] == "RetainExceptOnCreate", resource_id
            assert resource["UpdateReplacePolicy"] == "Retain", resource_id
    assert seen == set(DATA_BEARING_TYPES)


def test_dead_letter_queue_encrypted_and_tls_only(template: Template) -> None:
    queue = only(template, "AWS::SQS::Queue")
    assert queue["Properties"]["KmsMasterKeyId"] == _key_ref(template)
    assert queue["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    template.has_resource_properties(
        "AWS::SQS::QueuePolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            }
        },
    )


def test_every_log_group_has_kms_and_retention(template: Template) -> None:
    log_groups = resources(template, "AWS::Logs::LogGroup")
    # api function, processor function, pending-order sweep, API access logs and execution logs
    assert len(log_groups) == 5
    for resource in log_groups.values():
        assert resource["Properties"]["KmsKeyId"] == _key_ref(template)
        assert resource["Properties"]["RetentionInDays"] == 365
        assert resource["DeletionPolicy"] == "RetainExceptOnCreate"
