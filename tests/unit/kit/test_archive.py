"""Given the construct: the S3 archive of expired orders (template level; the e2e test
tests/e2e/test_order_archive.py archives an order on the local cloud).

The local cloud enforces no bucket policy, so the tests of who may act on the buckets read
their bucket policies as AWS documents them: Amazon S3 User Guide, "Bucket policies for Amazon
S3" and "How Amazon S3 authorizes a request" (S3 evaluates the bucket policy together with the
requester's own policies), and IAM User Guide, "Policy evaluation logic" (an explicit Deny in
any policy overrides every Allow). The log delivery grant follows the Amazon S3 User Guide,
"Enabling Amazon S3 server access logging" (with ACLs disabled, the destination bucket's policy
grants the logging service principal, ``logging.s3.amazonaws.com``)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from aws_cdk.assertions import Template

from kit import OrderServiceProps
from kit.props import OrderServicePropsError
from kit.reference_app import REFERENCE_PROPS
from kit.service import PROCESSOR_HANDLER

from .conftest import logical_id, resources, synth


def _buckets(template: Template) -> tuple[str, dict[str, Any], str, dict[str, Any]]:
    """(archive id, archive properties, log bucket id, log bucket properties)."""
    buckets = resources(template, "AWS::S3::Bucket")
    assert len(buckets) == 2, sorted(buckets)
    (archive_id,) = [k for k, v in buckets.items() if "LoggingConfiguration" in v["Properties"]]
    (log_id,) = [k for k in buckets if k != archive_id]
    return archive_id, buckets[archive_id]["Properties"], log_id, buckets[log_id]["Properties"]


def _processor(template: Template) -> dict[str, Any]:
    (function,) = [
        f["Properties"]
        for f in resources(template, "AWS::Lambda::Function").values()
        if f["Properties"]["Handler"] == PROCESSOR_HANDLER
    ]
    return function


def _processor_statements(template: Template) -> dict[str, dict[str, Any]]:
    role = _processor(template)["Role"]["Fn::GetAtt"][0]
    (policy,) = [
        p["Properties"]
        for p in resources(template, "AWS::IAM::ManagedPolicy").values()
        if {"Ref": role} in p["Properties"].get("Roles", [])
    ]
    return {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}


def _bucket_policy(template: Template, bucket: str) -> list[dict[str, Any]]:
    (policy,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in resources(template, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket}
    ]
    return list(policy)


def _private_and_tls_only(template: Template, bucket: str, properties: dict[str, Any]) -> None:
    """Versioned, no public access, ACLs disabled, and a bucket policy Deny of every S3 action
    over plain HTTP, which no Allow can override (the documents of the module docstring)."""
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert properties["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"),
        True,
    )
    assert properties["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    (deny,) = [s for s in _bucket_policy(template, bucket) if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Action"] == "s3:*"


def test_the_archive_bucket_is_encrypted_private_versioned_and_logged(template: Template) -> None:
    archive_id, archive, log_id, log = _buckets(template)
    key = logical_id(template, "AWS::KMS::Key")
    (encryption,) = archive["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption == {
        "BucketKeyEnabled": True,
        "ServerSideEncryptionByDefault": {
            "KMSMasterKeyID": {"Fn::GetAtt": [key, "Arn"]},
            "SSEAlgorithm": "aws:kms",
        },
    }
    _private_and_tls_only(template, archive_id, archive)
    _private_and_tls_only(template, log_id, log)
    # Server access logging delivers only to SSE-S3 buckets.
    (log_encryption,) = log["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert log_encryption["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert archive["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": log_id}
    (delivery,) = [s for s in _bucket_policy(template, log_id) if s["Effect"] == "Allow"]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery["Condition"]["ArnLike"] == {
        "aws:SourceArn": {"Fn::GetAtt": [archive_id, "Arn"]}
    }
    assert "ObjectLockEnabled" not in archive


def test_the_lifecycle_keeps_orders_in_standard_for_ten_years_by_default(
    template: Template,
) -> None:
    _, archive, _, _ = _buckets(template)
    (rule,) = archive["LifecycleConfiguration"]["Rules"]
    assert rule["Prefix"] == "orders/"
    # About 1 KB per order: Glacier's per-object overhead and transition request cost more
    # than S3 Standard keeps them for (S3 pricing).
    assert "Transitions" not in rule
    assert rule["ExpirationInDays"] == 3653
    deep = synth(replace(REFERENCE_PROPS, archive_storage_class="DEEP_ARCHIVE"))
    lifecycle = _buckets(deep)[1]["LifecycleConfiguration"]
    # S3 user guide, "Transitioning objects using Amazon S3 Lifecycle": by default
    # (all_storage_classes_128K) no object under 128 KB transitions; orders are about 1 KB.
    assert lifecycle["TransitionDefaultMinimumObjectSize"] == "varies_by_storage_class"
    (deep_rule,) = lifecycle["Rules"]
    assert deep_rule["Transitions"] == [{"StorageClass": "DEEP_ARCHIVE", "TransitionInDays": 90}]
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 3653}


def test_the_processor_may_only_create_archived_orders_and_use_the_key_through_s3(
    template: Template,
) -> None:
    archive_id, _, _, _ = _buckets(template)
    processor = _processor(template)
    assert processor["Environment"]["Variables"]["ARCHIVE_BUCKET"] == {"Ref": archive_id}
    statements = _processor_statements(template)
    put = statements["ArchiveExpiredOrders"]
    assert put["Action"] == "s3:PutObject"
    assert put["Resource"] == {"Fn::Join": ["", [{"Fn::GetAtt": [archive_id, "Arn"]}, "/orders/*"]]}
    kms = statements["EncryptArchiveThroughS3"]
    assert kms["Action"] == "kms:GenerateDataKey"
    assert json.dumps(kms["Condition"]["StringEquals"]["kms:ViaService"]).count("s3.") == 1
    assert kms["Condition"]["StringEquals"]["kms:EncryptionContext:aws:s3:arn"] == {
        "Fn::GetAtt": [archive_id, "Arn"]
    }
    # With the archive the processor's key use is pinned: no unconditioned key statement.
    assert "UseServiceKey" not in statements
    assert all("Condition" in s for s in statements.values() if "kms:" in json.dumps(s["Action"]))


def test_object_lock_locks_each_order_for_the_retention_in_governance_mode() -> None:
    template = synth(
        replace(REFERENCE_PROPS, archive_object_lock=True, archive_retention_days=2557)
    )
    _, archive, _, _ = _buckets(template)
    assert archive["ObjectLockEnabled"] is True
    assert archive["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Days": 2557, "Mode": "GOVERNANCE"}},
    }


def test_storage_class_and_retention_are_props() -> None:
    template = synth(
        replace(
            REFERENCE_PROPS,
            archive_storage_class=None,
            archive_retention_days=None,
        )
    )
    _, archive, _, _ = _buckets(template)
    (rule,) = archive["LifecycleConfiguration"]["Rules"]
    assert "Transitions" not in rule and "ExpirationInDays" not in rule
    template = synth(
        replace(REFERENCE_PROPS, archive_storage_class="GLACIER", archive_transition_days=7)
    )
    _, archive, _, _ = _buckets(template)
    (rule,) = archive["LifecycleConfiguration"]["Rules"]
    assert rule["Transitions"] == [{"StorageClass": "GLACIER", "TransitionInDays": 7}]


@pytest.mark.parametrize(
    "props",
    [
        replace(REFERENCE_PROPS, archive_expired_orders=False),
        replace(REFERENCE_PROPS, phase=4),
    ],
    ids=["archive off", "phase 4"],
)
def test_without_the_archive_there_is_no_bucket_and_no_s3_permission(
    props: OrderServiceProps,
) -> None:
    template = synth(props)
    assert resources(template, "AWS::S3::Bucket") == {}
    assert "s3:" not in json.dumps(resources(template, "AWS::IAM::ManagedPolicy"))
    assert "ARCHIVE_BUCKET" not in json.dumps(resources(template, "AWS::Lambda::Function"))


def test_the_archive_bucket_is_an_output(template: Template) -> None:
    archive_id, _, _, _ = _buckets(template)
    assert template.to_json()["Outputs"]["ArchiveBucketName"]["Value"] == {"Ref": archive_id}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"archive_storage_class": "STANDARD_IA"}, "archive_storage_class must be one of"),
        ({"archive_storage_class": "GLACIER_IR"}, "archive_storage_class must be one of"),
        ({"archive_transition_days": 0}, "archive_transition_days must be an integer"),
        ({"archive_retention_days": 0}, "archive_retention_days must be an integer"),
        (
            {"archive_storage_class": "GLACIER", "archive_retention_days": 90},
            "must exceed archive_transition_days",
        ),
        (
            {"archive_object_lock": True, "archive_retention_days": None},
            "archive_object_lock needs archive_retention_days",
        ),
        ({"archive_expired_orders": "yes"}, "archive_expired_orders must be a bool"),
        ({"archive_object_lock": 1}, "archive_object_lock must be a bool"),
    ],
)
def test_bad_archive_props_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(OrderServicePropsError, match=message):
        OrderServiceProps(**changes)
