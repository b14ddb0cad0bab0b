"""Given the synthesized service, every service-to-resource path it relies on is allowed, and
the ones it must refuse are denied, as AWS evaluates the policies (``kit.policy_evaluation``,
tested against AWS-documented outcomes in ``test_policy_evaluation``). The local cloud
enforces none of these policies: this is where a quiet alarm or an unwritten log shows up.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from kit import AuthorizationMode, OrderServiceProps
from kit.access_paths import Outcome, evaluate, markdown_table, reference_outcomes
from kit.props import EXISTING_ACCOUNT_ROLE
from kit.reference_app import REFERENCE_PROPS

from .conftest import synth

USER_POOL = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Example"

ARCHITECTURE_PAGE = Path(__file__).resolve().parents[3] / "docs" / "architecture.md"
TABLE_START = "<!-- who-may-act:start -->\n"
TABLE_END = "<!-- who-may-act:end -->"


def _outcomes(props: OrderServiceProps) -> list[Outcome]:
    return evaluate(synth(props).to_json())


def _failures(outcomes: list[Outcome]) -> list[str]:
    return [
        f"{o.path.who} -> {o.path.what} on {o.path.on}: "
        f"{[d.reason for d in o.decisions]} (expected {'allow' if o.path.expected else 'deny'})"
        for o in outcomes
        if not o.as_expected
    ]


@pytest.mark.parametrize(
    "props",
    [REFERENCE_PROPS, OrderServiceProps(api_gateway_account_role=EXISTING_ACCOUNT_ROLE)],
    ids=["reference", "existing-account-role"],
)
def test_every_path_is_allowed_and_every_refusal_denied(props: OrderServiceProps) -> None:
    outcomes = _outcomes(props)
    assert _failures(outcomes) == []
    whats = {(o.path.who, o.path.what) for o in outcomes}
    assert ("CloudWatch alarms", "notify") in whats
    assert ("event source mapping (processor role)", "send failed batches") in whats
    assert ("AWS Backup (backup role)", "back up the table") in whats
    has_account_role = props.api_gateway_account_role != EXISTING_ACCOUNT_ROLE
    assert (("API Gateway (account role)", "write access logs") in whats) is has_account_role


def test_with_cognito_the_catalog_is_read_only_to_the_api_function() -> None:
    outcomes = _outcomes(
        OrderServiceProps(
            authorization=AuthorizationMode.COGNITO,
            cognito_user_pool_arn=USER_POOL,
            price_catalog=True,
        )
    )
    assert _failures(outcomes) == []
    catalog = {(o.path.what, o.path.expected) for o in outcomes if o.path.on == "price catalog"}
    assert catalog == {
        ("read prices", True),
        ("change prices (must fail: operators load them)", False),
    }
    assert ("api function (through DynamoDB)", "use the catalog's key") in {
        (o.path.who, o.path.what) for o in outcomes
    }


def _without_statement(sid: str) -> dict[str, Any]:
    template = copy.deepcopy(synth().to_json())
    removed = 0
    for resource in template["Resources"].values():
        properties = resource.get("Properties", {})
        for document_key in ("PolicyDocument", "KeyPolicy"):
            document = properties.get(document_key)
            if document:
                before = len(document["Statement"])
                document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != sid]
                removed += before - len(document["Statement"])
    assert removed >= 1, sid
    return template


@pytest.mark.parametrize(
    ("sid", "broken"),
    [
        # What main had: a TLS-only topic policy (no Allow for CloudWatch) ...
        ("CloudWatchAlarmsPublish", ("CloudWatch alarms", "notify")),
        # ... and an account role scoped to the execution logs only.
        ("WriteAccessLogs", ("API Gateway (account role)", "write access logs")),
        ("CloudWatchLogsEncryption", ("CloudWatch Logs", "encrypt the API access logs")),
        ("ReadOrdersStream", ("event source mapping (processor role)", "read the stream")),
        ("AccountAdministrationAndUse", ("api function", "encrypt and read page tokens")),
        # The api function's key use through DynamoDB, pinned to the table's encryption context
        ("UseTableKeyThroughDynamoDB", ("api function (through DynamoDB)", "use the table's key")),
        (
            "UseTableKeyThroughDynamoDB",
            ("stream processor (through DynamoDB)", "use the table's key"),
        ),
        (
            "UseTableKeyThroughDynamoDB",
            ("pending-order sweep (through DynamoDB)", "use the table's key"),
        ),
        # The processor's key use for its DLQ, pinned to the queue's encryption context.
        (
            "EncryptDlqMessages",
            ("event source mapping (processor role, through SQS)", "encrypt failed batches"),
        ),
        # The archive: the processor's object and key statements, the log delivery policy.
        ("ArchiveExpiredOrders", ("stream processor", "archive expired orders")),
        ("EncryptArchiveThroughS3", ("stream processor (through S3)", "encrypt archived orders")),
        (
            "S3ServerAccessLogsPolicy",
            ("S3 server access logging", "deliver the archive's access logs"),
        ),
        # AWS Backup: the role's table and key statements, and the key policy that lets IAM
        # policies of the account use the key at all.
        ("BackUpTable", ("AWS Backup (backup role)", "back up the table")),
        (
            "EncryptRecoveryPoints",
            ("AWS Backup (backup role, through AWS Backup)", "encrypt recovery points"),
        ),
        ("GrantToBackup", ("AWS Backup (backup role)", "grant AWS Backup the key")),
        (
            "AccountAdministrationAndUse",
            ("AWS Backup (backup role, through AWS Backup)", "encrypt recovery points"),
        ),
    ],
)
def test_a_missing_grant_is_caught(sid: str, broken: tuple[str, str]) -> None:
    failures = _failures(evaluate(_without_statement(sid)))
    assert any(f.startswith(f"{broken[0]} -> {broken[1]} ") for f in failures), failures


def test_architecture_page_shows_the_current_table() -> None:
    page = ARCHITECTURE_PAGE.read_text(encoding="utf-8")
    assert TABLE_START in page and TABLE_END in page
    shown = page.split(TABLE_START, 1)[1].split(TABLE_END, 1)[0]
    assert shown == markdown_table(reference_outcomes()), (
        "regenerate the table: python -m kit.access_paths"
    )
