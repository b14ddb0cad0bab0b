"""The AWS Backup plan of the orders table: a vault under the service key, a schedule, a
retention, an optional vault lock and an optional copy to a vault in another account or region.

Point-in-time recovery restores any second of the last 35 days, but it lives and dies with the
table and the account: a deleted table keeps its PITR for 35 days at most, and whoever controls
the account controls it. Recovery points in a backup vault outlive the table, can be locked
against deletion and copied out of the account.

The kit relies on AWS Backup's advanced features for DynamoDB (on by default in accounts
created since November 2021; ``aws backup update-region-settings`` turns them on elsewhere):
with them AWS Backup owns the recovery points (``dynamodb:StartAwsBackupJob``), encrypts them
with the vault's key and can copy them to another account, so the backup role needs no access
to DynamoDB's own on-demand backups (``table/<name>/backup/*``).
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_backup as backup
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

#: What AWS Backup does to the table with the backup role (AWS managed policy
#: AWSBackupServiceRolePolicyForBackup, DynamoDB statements, narrowed to this table).
TABLE_BACKUP_ACTIONS = (
    "dynamodb:CreateBackup",
    "dynamodb:DescribeTable",
    "dynamodb:ListTagsOfResource",
    "dynamodb:StartAwsBackupJob",
)
#: Encrypting recovery points with the vault key, through AWS Backup (and reading the table's
#: data, encrypted with the same key, through DynamoDB).
BACKUP_KEY_ACTIONS = ("kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey")


class OrdersBackup(Construct):
    """An AWS Backup vault, plan and selection for the orders table (and the price catalog).

    Parameters
    ----------
    tables
        The tables to back up: the orders table, and the price catalog when there is one.
    key
        The service key; encrypts the vault's recovery points.
    name
        Prefix of the vault and plan names (``<service>-<environment>``).
    schedule
        When a backup starts: an EventBridge ``cron(...)`` expression, UTC.
    retention_days
        Days a recovery point is kept (in this vault and in the copy).
    vault_lock
        Lock the vault in governance mode: no recovery point can be deleted before
        ``retention_days``, except by a principal allowed to remove the lock.
    copy_vault_arn
        A vault (another account or region) each recovery point is copied to, or ``None``.
    removal_policy
        Of the vault (AWS refuses to delete a vault that holds recovery points).

    Attributes
    ----------
    vault : aws_backup.BackupVault
    plan : aws_backup.BackupPlan
    role : aws_iam.Role
        The role AWS Backup assumes to back up the table.
    policy : aws_iam.ManagedPolicy
        Its permissions: this table, its backups, the key, the copy vault.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        tables: Sequence[dynamodb.ITable],
        key: kms.IKey,
        name: str,
        schedule: str,
        retention_days: int,
        vault_lock: bool,
        copy_vault_arn: str | None,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        retention = Duration.days(retention_days)
        self.vault = backup.BackupVault(
            self,
            "Vault",
            backup_vault_name=f"{name}-orders",
            encryption_key=key,
            removal_policy=removal_policy,
            lock_configuration=(
                backup.LockConfiguration(min_retention=retention) if vault_lock else None
            ),
        )
        copy_actions = []
        if copy_vault_arn is not None:
            copy_actions.append(
                backup.BackupPlanCopyActionProps(
                    destination_backup_vault=backup.BackupVault.from_backup_vault_arn(
                        self, "CopyVault", copy_vault_arn
                    ),
                    delete_after=retention,
                )
            )
        self.plan = backup.BackupPlan(
            self,
            "Plan",
            backup_plan_name=f"{name}-orders",
            backup_vault=self.vault,
            backup_plan_rules=[
                backup.BackupPlanRule(
                    rule_name="Scheduled",
                    schedule_expression=events.Schedule.expression(schedule),
                    delete_after=retention,
                    copy_actions=copy_actions or None,
                )
            ],
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("backup.amazonaws.com"),
            description=f"AWS Backup: backs up the {name} orders table",
        )
        statements = [
            iam.PolicyStatement(
                sid="BackUpTable",
                actions=list(TABLE_BACKUP_ACTIONS),
                resources=[table.table_arn for table in tables],
            ),
            iam.PolicyStatement(
                sid="EncryptRecoveryPoints",
                actions=list(BACKUP_KEY_ACTIONS),
                resources=[key.key_arn],
                conditions={
                    "StringEquals": {
                        "kms:ViaService": [
                            f"backup.{Aws.REGION}.amazonaws.com",
                            f"dynamodb.{Aws.REGION}.amazonaws.com",
                        ]
                    }
                },
            ),
            iam.PolicyStatement(
                sid="GrantToBackup",
                actions=["kms:CreateGrant"],
                resources=[key.key_arn],
                # Only grants AWS Backup creates for its own use of the key.
                conditions={"Bool": {"kms:GrantIsForAWSResource": "true"}},
            ),
        ]
        if copy_vault_arn is not None:
            statements.append(
                iam.PolicyStatement(
                    sid="CopyToVault",
                    actions=["backup:CopyIntoBackupVault", "backup:DescribeBackupVault"],
                    resources=[copy_vault_arn],
                )
            )
        self.policy = iam.ManagedPolicy(
            self,
            "Policy",
            description=f"AWS Backup of the {name} orders table",
            statements=statements,
            roles=[self.role],
        )
        selection = self.plan.add_selection(
            "Table",
            resources=[backup.BackupResource.from_dynamo_db_table(table) for table in tables],
            role=self.role.without_policy_updates(),
            # The managed AWSBackupServiceRolePolicyForBackup covers every service and
            # resource; the policy above is the part this table needs.
            disable_default_backup_policy=True,
            allow_restores=False,
        )
        # The selection must not start before the role can act.
        selection.node.add_dependency(self.policy)
