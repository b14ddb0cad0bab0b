"""Given the construct: the AWS Backup plan of the table (template level: the local cloud
has no AWS Backup)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from aws_cdk.assertions import Template

from kit import OrderServiceProps
from kit.reference_app import REFERENCE_PROPS

from .conftest import logical_id, only, resources, synth

COPY_VAULT = "arn:aws:backup:eu-central-1:444455556666:backup-vault:orders-copies"


def _plan_rule(template: Template) -> dict[str, Any]:
    rules = only(template, "AWS::Backup::BackupPlan")["Properties"]["BackupPlan"]["BackupPlanRule"]
    assert len(rules) == 1
    rule: dict[str, Any] = rules[0]
    return rule


def _backup_statements(template: Template) -> dict[str, dict[str, Any]]:
    selection = only(template, "AWS::Backup::BackupSelection")["Properties"]["BackupSelection"]
    role = selection["IamRoleArn"]["Fn::GetAtt"][0]
    policies = [
        p["Properties"]
        for p in resources(template, "AWS::IAM::ManagedPolicy").values()
        if {"Ref": role} in p["Properties"].get("Roles", [])
    ]
    assert len(policies) == 1
    return {s["Sid"]: s for s in policies[0]["PolicyDocument"]["Statement"]}


def test_the_table_is_in_a_backup_plan_with_a_vault_under_the_service_key(
    template: Template,
) -> None:
    key = logical_id(template, "AWS::KMS::Key")
    vault = only(template, "AWS::Backup::BackupVault")["Properties"]
    assert vault["EncryptionKeyArn"] == {"Fn::GetAtt": [key, "Arn"]}
    assert "LockConfiguration" not in vault
    selection = only(template, "AWS::Backup::BackupSelection")["Properties"]["BackupSelection"]
    table = logical_id(template, "AWS::DynamoDB::Table")
    assert selection["Resources"] == [{"Fn::GetAtt": [table, "Arn"]}]
    rule = _plan_rule(template)
    assert rule["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert rule["Lifecycle"] == {"DeleteAfterDays": 35}
    assert "CopyActions" not in rule


def test_the_backup_role_is_the_kits_own_least_privilege_role(template: Template) -> None:
    selection = only(template, "AWS::Backup::BackupSelection")["Properties"]["BackupSelection"]
    role = template.to_json()["Resources"][selection["IamRoleArn"]["Fn::GetAtt"][0]]
    assert "ManagedPolicyArns" not in role["Properties"]  # no AWS managed backup policy
    trust = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "backup.amazonaws.com"}]
    statements = _backup_statements(template)
    assert set(statements) == {"BackUpTable", "EncryptRecoveryPoints", "GrantToBackup"}
    assert statements["GrantToBackup"]["Condition"] == {
        "Bool": {"kms:GrantIsForAWSResource": "true"}
    }


def test_schedule_retention_lock_and_copy_follow_the_props() -> None:
    template = synth(
        replace(
            REFERENCE_PROPS,
            backup_schedule="cron(30 1 ? * SUN *)",
            backup_retention_days=400,
            backup_vault_lock=True,
            backup_copy_vault_arn=COPY_VAULT,
        )
    )
    rule = _plan_rule(template)
    assert rule["ScheduleExpression"] == "cron(30 1 ? * SUN *)"
    assert rule["Lifecycle"] == {"DeleteAfterDays": 400}
    assert rule["CopyActions"] == [
        {"DestinationBackupVaultArn": COPY_VAULT, "Lifecycle": {"DeleteAfterDays": 400}}
    ]
    vault = only(template, "AWS::Backup::BackupVault")["Properties"]
    # Governance mode: no ChangeableForDays (compliance mode would be irreversible).
    assert vault["LockConfiguration"] == {"MinRetentionDays": 400}
    copy = _backup_statements(template)["CopyToVault"]
    assert copy["Resource"] == COPY_VAULT
    assert sorted(copy["Action"]) == ["backup:CopyIntoBackupVault", "backup:DescribeBackupVault"]


def test_no_backup_plan_before_the_key_arrives() -> None:
    assert resources(synth(OrderServiceProps(phase=0)), "AWS::Backup::BackupPlan") == {}
    assert len(resources(synth(OrderServiceProps(phase=1)), "AWS::Backup::BackupPlan")) == 1
