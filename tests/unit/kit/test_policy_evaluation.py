"""Given policies whose outcome AWS documents, the evaluator decides as AWS says AWS does.

Each case names the AWS document that states the outcome.
"""

from __future__ import annotations

from typing import Any

import pytest

from kit.policy_evaluation import (
    ACCOUNT,
    PolicyEvaluationError,
    Request,
    RolePrincipal,
    ServicePrincipal,
    TemplateEvaluator,
)

ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/Role"
TOPIC_ARN = f"arn:aws:sns:eu-west-1:{ACCOUNT}:Topic"
KEY_ARN = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/Key"
QUEUE_ARN = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:Queue"
ROLE = RolePrincipal("Role")
TLS = {"aws:SecureTransport": "true"}


def _template(
    *,
    identity: list[dict[str, Any]] | None = None,
    topic: list[dict[str, Any]] | None = None,
    key: list[dict[str, Any]] | None = None,
    queue: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "Role": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ]
                }
            },
        },
        "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
        "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Statement": key or []}}},
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {}},
    }
    if identity is not None:
        resources["Policy"] = {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {"Roles": [{"Ref": "Role"}], "PolicyDocument": {"Statement": identity}},
        }
    if topic is not None:
        resources["TopicPolicy"] = {
            "Type": "AWS::SNS::TopicPolicy",
            "Properties": {"Topics": [{"Ref": "Topic"}], "PolicyDocument": {"Statement": topic}},
        }
    if queue is not None:
        resources["QueuePolicy"] = {
            "Type": "AWS::SQS::QueuePolicy",
            "Properties": {"Queues": [{"Ref": "Queue"}], "PolicyDocument": {"Statement": queue}},
        }
    return {"Resources": resources}


def _allow(action: str, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def _decide(template: dict[str, Any], request: Request) -> bool:
    return TemplateEvaluator(template).decide(request).allowed


# IAM User Guide, "Policy evaluation logic": "By default, all requests are implicitly denied".
def test_nothing_allows_it_implicit_deny() -> None:
    assert not _decide(_template(identity=[]), Request(ROLE, "sqs:SendMessage", QUEUE_ARN))


# IAM User Guide, "Policy evaluation logic": "An explicit deny in any policy overrides any
# allows" — here an identity Allow against a queue policy Deny.
def test_explicit_deny_in_resource_policy_overrides_identity_allow() -> None:
    template = _template(
        identity=[_allow("sqs:SendMessage", QUEUE_ARN)],
        queue=[
            {
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "sqs:*",
                "Resource": QUEUE_ARN,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    )
    with_tls = Request(ROLE, "sqs:SendMessage", QUEUE_ARN, TLS)
    without_tls = Request(ROLE, "sqs:SendMessage", QUEUE_ARN, {"aws:SecureTransport": "false"})
    assert _decide(template, with_tls)
    assert not _decide(template, without_tls)


# IAM User Guide, "Determining whether a request is allowed or denied within an account": within
# one account, an Allow in the identity-based policy OR in the resource-based policy suffices.
def test_same_account_resource_policy_alone_allows_a_named_role() -> None:
    template = _template(
        identity=[], topic=[_allow("sns:Publish", TOPIC_ARN, Principal={"AWS": ROLE_ARN})]
    )
    assert _decide(template, Request(ROLE, "sns:Publish", TOPIC_ARN, TLS))


def test_same_account_identity_policy_alone_allows() -> None:
    template = _template(identity=[_allow("sns:Publish", TOPIC_ARN)], topic=[])
    assert _decide(template, Request(ROLE, "sns:Publish", TOPIC_ARN, TLS))


# SNS Developer Guide, "Amazon SNS security best practices" (enforce encryption of data in
# transit) with a service principal: a topic policy holding only the TLS Deny lets no service
# publish — the failure issue 13 is about.
def test_service_principal_needs_the_topic_policy_to_allow_it() -> None:
    deny_plaintext = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "sns:Publish",
        "Resource": TOPIC_ARN,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    cloudwatch = ServicePrincipal("cloudwatch.amazonaws.com")
    request = Request(cloudwatch, "sns:Publish", TOPIC_ARN, TLS)
    assert not _decide(_template(topic=[deny_plaintext]), request)
    allow = _allow("sns:Publish", TOPIC_ARN, Principal={"Service": "cloudwatch.amazonaws.com"})
    assert _decide(_template(topic=[deny_plaintext, allow]), request)


# AWS KMS Developer Guide, "Key policies in AWS KMS": "Unless the key policy explicitly allows
# it, you cannot use IAM policies to allow access to a KMS key"; the default key policy's
# account-root statement is what enables IAM policies.
def test_kms_identity_policy_needs_the_key_policy_to_enable_iam_policies() -> None:
    identity = [_allow("kms:Decrypt", KEY_ARN)]
    request = Request(ROLE, "kms:Decrypt", KEY_ARN, TLS)
    assert not _decide(_template(identity=identity, key=[]), request)
    root = _allow("kms:Decrypt", "*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"})
    assert _decide(_template(identity=identity, key=[root]), request)
    # ...and the key policy alone does not grant the role anything: IAM must allow too.
    assert not _decide(_template(identity=[], key=[root]), request)


def test_kms_key_policy_naming_the_principal_allows_without_iam() -> None:
    statement = _allow("kms:Decrypt", "*", Principal={"Service": "cloudwatch.amazonaws.com"})
    cloudwatch = ServicePrincipal("cloudwatch.amazonaws.com")
    assert _decide(_template(key=[statement]), Request(cloudwatch, "kms:Decrypt", KEY_ARN))


# IAM User Guide, "IAM JSON policy elements: Action": action names are case-insensitive and
# "NotAction" matches everything except the listed actions.
def test_action_matching_is_case_insensitive_with_wildcards_and_not_action() -> None:
    request = Request(ROLE, "sqs:SendMessage", QUEUE_ARN)
    assert _decide(_template(identity=[_allow("SQS:send*", QUEUE_ARN)]), request)
    not_action = {"Effect": "Allow", "NotAction": "sqs:SendMessage", "Resource": "*"}
    assert not _decide(_template(identity=[not_action]), request)
    assert _decide(_template(identity=[not_action]), Request(ROLE, "sqs:GetQueueUrl", QUEUE_ARN))


# IAM User Guide, "IAM JSON policy elements: Condition operators": "If the key that you specify
# in a policy condition is not present in the request context, the values do not match and the
# condition is false"; "...IfExists" is true when the key is absent; a negated operator
# (StringNotEquals, ArnNotLike) is true when the key is absent.
@pytest.mark.parametrize(
    ("operator", "context", "allowed"),
    [
        ("StringEquals", {}, False),
        ("StringEquals", {"aws:SourceAccount": ACCOUNT}, True),
        ("StringEquals", {"aws:SourceAccount": "444455556666"}, False),
        ("StringEqualsIfExists", {}, True),
        ("StringEqualsIfExists", {"aws:SourceAccount": "444455556666"}, False),
        ("StringNotEquals", {}, True),
        ("StringNotEquals", {"aws:SourceAccount": ACCOUNT}, False),
    ],
)
def test_condition_keys_missing_present_and_if_exists(
    operator: str, context: dict[str, str], allowed: bool
) -> None:
    statement = _allow(
        "sns:Publish",
        TOPIC_ARN,
        Principal={"Service": "cloudwatch.amazonaws.com"},
        Condition={operator: {"aws:SourceAccount": ACCOUNT}},
    )
    request = Request(
        ServicePrincipal("cloudwatch.amazonaws.com"), "sns:Publish", TOPIC_ARN, context
    )
    assert _decide(_template(topic=[statement]), request) is allowed


# IAM User Guide, Condition operators, "Amazon Resource Name (ARN) condition operators":
# ArnLike matches each of the six colon-delimited ARN parts separately, with * and ? wildcards.
@pytest.mark.parametrize(
    ("source_arn", "allowed"),
    [
        (f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:orders-prod-Api5xx", True),
        (f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:other-prod-Api5xx", False),
        ("arn:aws:cloudwatch:eu-west-1:444455556666:alarm:orders-prod-Api5xx", False),
        ("not-an-arn", False),
    ],
)
def test_arn_like_source_arn(source_arn: str, allowed: bool) -> None:
    statement = _allow(
        "sns:Publish",
        TOPIC_ARN,
        Principal={"Service": "cloudwatch.amazonaws.com"},
        Condition={
            "ArnLike": {
                "aws:SourceArn": f"arn:aws:cloudwatch:eu-west-1:{ACCOUNT}:alarm:orders-prod-*"
            }
        },
    )
    request = Request(
        ServicePrincipal("cloudwatch.amazonaws.com"),
        "sns:Publish",
        TOPIC_ARN,
        {"aws:SourceArn": source_arn},
    )
    assert _decide(_template(topic=[statement]), request) is allowed


# AWS KMS Developer Guide, "kms:ViaService" and "kms:EncryptionContext:context-key": the
# condition keys restrict a key statement to one service and to one encryption context.
def test_kms_via_service_and_encryption_context_conditions() -> None:
    root = _allow("kms:Decrypt", "*", Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"})
    identity = [
        _allow(
            "kms:Decrypt",
            KEY_ARN,
            Condition={"StringEquals": {"kms:ViaService": "dynamodb.eu-west-1.amazonaws.com"}},
        )
    ]
    template = _template(identity=identity, key=[root])
    via = {"kms:ViaService": "dynamodb.eu-west-1.amazonaws.com"}
    assert _decide(template, Request(ROLE, "kms:Decrypt", KEY_ARN, via))
    assert not _decide(template, Request(ROLE, "kms:Decrypt", KEY_ARN, {}))
    logs = ServicePrincipal("logs.eu-west-1.amazonaws.com")
    pattern = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:*"
    statement = _allow(
        "kms:Decrypt",
        "*",
        Principal={"Service": "logs.eu-west-1.amazonaws.com"},
        Condition={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": pattern}},
    )
    group = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:orders"
    elsewhere = "arn:aws:logs:eu-west-1:444455556666:log-group:orders"
    key_only = _template(key=[statement])
    context_key = "kms:EncryptionContext:aws:logs:arn"
    assert _decide(key_only, Request(logs, "kms:Decrypt", KEY_ARN, {context_key: group}))
    assert not _decide(key_only, Request(logs, "kms:Decrypt", KEY_ARN, {context_key: elsewhere}))


# IAM User Guide, "IAM JSON policy elements: Resource": a trailing "*" in the last ARN part
# matches the log streams of a log group (arn:...:log-group:name:*).
def test_resource_wildcard_covers_log_streams() -> None:
    group = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:access"
    template = _template(identity=[_allow("logs:PutLogEvents", f"{group}:*")])
    assert _decide(template, Request(ROLE, "logs:PutLogEvents", f"{group}:log-stream:s"))
    other = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:API-Gateway-Execution-Logs_x/prod"
    assert not _decide(template, Request(ROLE, "logs:PutLogEvents", f"{other}:log-stream:s"))


def test_what_it_cannot_read_is_an_error_not_a_guess() -> None:
    template = _template(identity=[])
    template["Resources"]["Role"]["Properties"]["ManagedPolicyArns"] = [
        "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
    ]
    with pytest.raises(PolicyEvaluationError, match="managed policies"):
        TemplateEvaluator(template).decide(Request(ROLE, "logs:PutLogEvents", "*"))
    multivalued = _allow("sns:Publish", "*", Condition={"ForAnyValue:StringEquals": {"k": "v"}})
    with pytest.raises(PolicyEvaluationError, match="ForAnyValue"):
        _decide(_template(identity=[multivalued]), Request(ROLE, "sns:Publish", TOPIC_ARN))


def test_intrinsic_functions_resolve_to_arns() -> None:
    evaluator = TemplateEvaluator(_template())
    assert evaluator.resolve({"Ref": "Topic"}) == TOPIC_ARN
    assert evaluator.resolve({"Fn::GetAtt": ["Key", "Arn"]}) == KEY_ARN
    joined = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":x:", {"Ref": "AWS::Region"}]]}
    assert evaluator.resolve(joined) == "arn:aws:x:eu-west-1"
    assert (
        evaluator.resolve({"Fn::Sub": "${AWS::AccountId}/${Role.Arn}"}) == f"{ACCOUNT}/{ROLE_ARN}"
    )
