"""The customer-managed KMS key that encrypts every data store of the service."""

from __future__ import annotations

from aws_cdk import Aws, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from constructs import Construct

from kit.alarms import alarm_source_conditions

# Administration and use by principals of this account, listed one by one: the CDK default
# key policy would grant the account root "kms:*", and the kit allows no wildcard action.
# IAM policies in the account still need to grant these to a role before it can use the key.
ACCOUNT_KEY_ACTIONS = (
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:CreateGrant",
    "kms:Decrypt",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
)

#: What CloudWatch Logs needs to encrypt log groups with the key.
LOGS_KEY_ACTIONS = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)

#: What CloudWatch alarms need to publish to the encrypted SNS topic: SNS asks KMS for a data
#: key on the publisher's behalf (AWS documents kms:Decrypt and kms:GenerateDataKey*; the kit
#: names the one GenerateDataKey action SNS calls rather than a wildcard).
CLOUDWATCH_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")


class ServiceKey(Construct):
    """A customer-managed KMS key with rotation, an alias and a least-privilege key policy.

    The key policy grants: administration and use to principals of this account (through
    their IAM policies, action by action), CloudWatch Logs use limited to this account's log
    groups, and CloudWatch use for alarm notifications to the encrypted SNS topic.

    Attributes
    ----------
    key : aws_kms.IKey
        The key, for use with other constructs.
    cfn_key : aws_kms.CfnKey
        The underlying CloudFormation resource (escape hatch).
    alias : aws_kms.CfnAlias
        ``alias/<service>-<environment>``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        alias_name: str,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        account_root = iam.AccountRootPrincipal()
        # In a key policy, Resource "*" means "this key": AWS requires exactly that value.
        policy = iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(
                    sid="AccountAdministrationAndUse",
                    principals=[account_root],
                    actions=list(ACCOUNT_KEY_ACTIONS),
                    resources=["*"],
                ),
                iam.PolicyStatement(
                    sid="CloudWatchLogsEncryption",
                    principals=[iam.ServicePrincipal(f"logs.{Aws.REGION}.amazonaws.com")],
                    actions=list(LOGS_KEY_ACTIONS),
                    resources=["*"],
                    conditions={
                        "ArnLike": {
                            "kms:EncryptionContext:aws:logs:arn": (
                                f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:log-group:*"
                            )
                        }
                    },
                ),
                iam.PolicyStatement(
                    sid="CloudWatchAlarmsToEncryptedTopic",
                    principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                    actions=list(CLOUDWATCH_KEY_ACTIONS),
                    resources=["*"],
                    # Only for this service's alarms (named after the alias).
                    conditions=alarm_source_conditions(alias_name),
                ),
            ]
        )
        # The L1 resource: the L2 Key adds an account-root "kms:*" statement under the
        # default-key-policies feature flag, which this kit must not have.
        self.cfn_key = kms.CfnKey(
            self,
            "Key",
            description=f"Encrypts the data of {alias_name} (table, queue, topic, logs)",
            enable_key_rotation=True,
            key_policy=policy,
        )
        self.cfn_key.apply_removal_policy(removal_policy)
        # fromCfnKey refuses a policy with CloudFormation functions; an ARN reference works
        # and every grant the kit needs is written explicitly anyway.
        self.key: kms.IKey = kms.Key.from_key_arn(self, "KeyRef", self.cfn_key.attr_arn)
        self.alias = kms.CfnAlias(
            self,
            "Alias",
            alias_name=f"alias/{alias_name}",
            target_key_id=self.cfn_key.attr_key_id,
        )
