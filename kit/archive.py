"""The archive of expired orders: an S3 bucket the stream processor writes the orders DynamoDB
TTL deletes to (``handler/orders/archive.py``), and the bucket its server access logs go to.

The table keeps an order for ``order_ttl_days``; record-keeping rules (tax records: commonly 6
to 10 years) are met by the archive, which keeps each order for ``archive_retention_days`` at a
fraction of the table's per-byte price. The stream already carries the order's last image: the
table's stream is NEW_AND_OLD_IMAGES since it was introduced (phase 5), so archiving changes
neither the stream nor its ARN.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Aws, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

#: Key prefix of the archived orders (``handler/orders/archive.py``, ``ARCHIVE_PREFIX``).
ARCHIVE_PREFIX = "orders/"
#: Key prefix of the archive bucket's server access logs in the log bucket.
ACCESS_LOG_PREFIX = "archive-access-logs/"

#: Values of ``archive_storage_class``: the classes S3 lifecycle moves objects smaller than
#: 128 KB to (an archived order is about 1 KB) when the bucket's minimum-size behaviour is
#: ``varies_by_storage_class`` (S3 user guide, "Transitioning objects using Amazon S3
#: Lifecycle"); Standard-IA and Glacier Instant Retrieval never take such objects.
ARCHIVE_STORAGE_CLASSES = {
    "GLACIER": s3.StorageClass.GLACIER,
    "DEEP_ARCHIVE": s3.StorageClass.DEEP_ARCHIVE,
}


class OrderArchive(Construct):
    """The archive bucket of expired orders and its access-log bucket.

    The archive bucket: default encryption with the service key (an S3 Bucket Key, so S3 calls
    KMS once per bucket key rather than once per object), TLS-only bucket policy, versioning,
    all public access blocked, objects owned by the bucket owner, server access logs to the log
    bucket, a lifecycle that moves orders to ``storage_class`` after ``transition_days`` and
    deletes them after ``retention_days``, and optionally S3 Object Lock in governance mode for
    ``retention_days``. The log bucket is encrypted with S3-managed keys (server access logging
    does not deliver to SSE-KMS buckets: S3 user guide, "Enabling Amazon S3 server access
    logging"), TLS-only, versioned, private, and keeps logs for ``log_retention_days``.

    Parameters
    ----------
    key
        The service key.
    storage_class
        One of :data:`ARCHIVE_STORAGE_CLASSES`, or ``None`` to keep the orders in S3 Standard.
    transition_days
        Days after archiving an order moves to ``storage_class``.
    retention_days
        Days an archived order is kept (lifecycle expiration; with ``object_lock``, also the
        lock's default retention); ``None``: kept until deleted.
    object_lock
        S3 Object Lock, governance mode: no version can be deleted or overwritten before
        ``retention_days`` except by a principal allowed ``s3:BypassGovernanceRetention``.
        Once enabled on a bucket, Object Lock cannot be turned off.
    log_retention_days
        Days the access logs are kept.
    removal_policy
        Of both buckets (S3 refuses to delete a bucket that holds objects).

    Attributes
    ----------
    bucket : aws_s3.Bucket
        The archive bucket.
    log_bucket : aws_s3.Bucket
        Its server access logs.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        key: kms.IKey,
        storage_class: str | None,
        transition_days: int,
        retention_days: int | None,
        object_lock: bool,
        log_retention_days: int,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        private: dict[str, Any] = {
            "block_public_access": s3.BlockPublicAccess.BLOCK_ALL,
            "object_ownership": s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            "enforce_ssl": True,
            "versioned": True,
            "removal_policy": removal_policy,
        }
        self.log_bucket = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpireAccessLogs",
                    expiration=Duration.days(log_retention_days),
                    noncurrent_version_expiration=Duration.days(1),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            **private,
        )
        transitions = (
            [
                s3.Transition(
                    storage_class=ARCHIVE_STORAGE_CLASSES[storage_class],
                    transition_after=Duration.days(transition_days),
                )
            ]
            if storage_class is not None
            else None
        )
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            bucket_key_enabled=True,
            object_lock_enabled=object_lock or None,
            object_lock_default_retention=(
                s3.ObjectLockRetention.governance(Duration.days(retention_days))
                if object_lock and retention_days is not None
                else None
            ),
            # About 1 KB per order: without this S3 moves no object under 128 KB anywhere.
            transition_default_minimum_object_size=(
                s3.TransitionDefaultMinimumObjectSize.VARIES_BY_STORAGE_CLASS
            ),
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ArchiveOrders",
                    prefix=ARCHIVE_PREFIX,
                    transitions=transitions,
                    expiration=(
                        Duration.days(retention_days) if retention_days is not None else None
                    ),
                    # The processor writes each order once: a non-current version is an
                    # operator's overwrite or delete; it stays as long as the order would.
                    noncurrent_version_expiration=(
                        Duration.days(retention_days) if retention_days is not None else None
                    ),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            **private,
        )
        self._log_access(self.bucket, self.log_bucket)

    @staticmethod
    def _log_access(bucket: s3.Bucket, log_bucket: s3.Bucket) -> None:
        """Server access logs of ``bucket`` into ``log_bucket``, delivered under a bucket
        policy for the logging service, limited to this source bucket and account (S3 user
        guide, "Permissions for log delivery"), not the legacy log-delivery ACL, which
        buckets that enforce bucket-owner ownership refuse."""
        cfn_bucket = bucket.node.default_child
        assert isinstance(cfn_bucket, s3.CfnBucket)
        cfn_bucket.logging_configuration = s3.CfnBucket.LoggingConfigurationProperty(
            destination_bucket_name=log_bucket.bucket_name, log_file_prefix=ACCESS_LOG_PREFIX
        )
        log_bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="S3ServerAccessLogsPolicy",
                principals=[iam.ServicePrincipal("logging.s3.amazonaws.com")],
                actions=["s3:PutObject"],
                resources=[log_bucket.arn_for_objects(f"{ACCESS_LOG_PREFIX}*")],
                conditions={
                    "ArnLike": {"aws:SourceArn": bucket.bucket_arn},
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                },
            )
        )
        # No DependsOn between them: the policy names the bucket (a cycle otherwise). S3
        # checks the permission when it delivers logs, not when logging is configured.

    def writer_statements(self, key: kms.IKey) -> list[iam.PolicyStatement]:
        """What the stream processor needs to archive: create objects under the archive
        prefix (nothing else in the bucket, no read, no delete), and the key only through S3
        for this bucket (with an S3 Bucket Key the encryption context is the bucket ARN: AWS
        KMS developer guide / S3 user guide, "Reducing the cost of SSE-KMS with Amazon S3
        Bucket Keys", "Changes to note before enabling an S3 Bucket Key")."""
        return [
            iam.PolicyStatement(
                sid="ArchiveExpiredOrders",
                actions=["s3:PutObject"],
                resources=[self.bucket.arn_for_objects(f"{ARCHIVE_PREFIX}*")],
            ),
            iam.PolicyStatement(
                sid="EncryptArchiveThroughS3",
                actions=["kms:GenerateDataKey"],
                resources=[key.key_arn],
                conditions={
                    "StringEquals": {
                        "kms:ViaService": f"s3.{Aws.REGION}.amazonaws.com",
                        "kms:EncryptionContext:aws:s3:arn": self.bucket.bucket_arn,
                    }
                },
            ),
        ]
