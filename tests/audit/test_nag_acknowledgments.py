"""cdk-nag 3 acknowledgments generated from the ledger, against the real packs.

Regression tests for the acknowledgment problems reported against cdk-nag 3 in 2026:
granular finding ids containing ``::`` (``AwsSolutions-IAM5[Action::s3:*]``), the case of
the pack prefix, and an acknowledgment on one construct silencing the same rule elsewhere.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from aws_cdk import Acknowledgment, App, Stack, Validations
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs

from kit.audit.findings import FindingStatus, ProblemKind, ScanResult
from kit.audit.ledger import parse_ledger
from kit.audit.nag_rules import nag_rule_catalogue, qualified_nag_id
from kit.audit.nag_scan import nag_scan
from kit.audit.synthesis import Synthesized, synthesize

ROLE_A = "S/RoleA/DefaultPolicy/Resource"
ROLE_B = "S/RoleB/DefaultPolicy/Resource"
FUNCTION = "S/Fn/Resource"
QUEUE = "S/Queue/Resource"

LEDGER = textwrap.dedent(
    f"""
    version: 1
    entries:
      - tool: cdk-nag
        rule: AwsSolutions-IAM5[Action::s3:*]
        resource: {ROLE_A}
        reason: Role A reads any object of the data lake by design.
      - tool: cdk-nag
        rule: NIST.800.53.R5-LambdaInsideVPC
        resource: {FUNCTION}
        reason: No VPC resources in this service.
      - tool: cdk-nag
        rule: HIPAA.Security-LambdaInsideVPC
        resource: {FUNCTION}
        reason: No VPC resources in this service.
      - tool: cdk-nag
        rule: PCI.DSS.321-LambdaInsideVPC
        resource: {FUNCTION}
        reason: No VPC resources in this service.
      - tool: cdk-nag
        rule: Serverless-LambdaTracing
        resource: {FUNCTION}
        reason: Tracing is sampled downstream.
    """
)


def _roles(stack: Stack) -> None:
    for name in ("RoleA", "RoleB"):
        role = iam.Role(stack, name, assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        role.add_to_policy(iam.PolicyStatement(actions=["s3:*"], resources=["*"]))


def _tiny_app() -> App:
    app = App()
    stack = Stack(app, "S")
    _roles(stack)
    lambda_.Function(
        stack,
        "Fn",
        runtime=lambda_.Runtime.PYTHON_3_13,
        handler="index.handler",
        code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"),
    )
    queue = sqs.Queue(stack, "Queue")
    # Made in the app's code, not by the ledger: the audit must report it.
    Validations.of(queue).acknowledge(Acknowledgment(id="AwsSolutions-SQS3", reason="in code"))
    return app


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    entries = parse_ledger(LEDGER).entries
    return synthesize(_tiny_app, tmp_path_factory.mktemp("nag") / "cdk.out", entries)


@pytest.fixture(scope="module")
def scan(synthesized: Synthesized) -> ScanResult:
    entries = parse_ledger(LEDGER).entries
    return nag_scan(
        synthesized.assembly,
        entries,
        acknowledged_in_synth=True,
        outside_ledger=synthesized.outside_ledger,
    )


def _status(scan: ScanResult, rule: str, resource: str) -> FindingStatus | None:
    for finding in scan.findings:
        if finding.rule_id == rule and finding.resource == resource:
            return finding.status
    return None


def test_granular_id_containing_double_colons_is_acknowledged(scan: ScanResult) -> None:
    finding = next(
        f
        for f in scan.findings
        if f.rule_id == "AwsSolutions-IAM5[Action::s3:*]" and f.resource == ROLE_A
    )

    assert finding.status is FindingStatus.ACKNOWLEDGED
    assert finding.reason == "Role A reads any object of the data lake by design."
    assert finding.ledger_entry == 1
    assert 1 in scan.matched_entries
    assert not [p for p in scan.problems if p.kind is ProblemKind.NOT_APPLIED]


def test_granular_acknowledgment_covers_only_its_own_finding(scan: ScanResult) -> None:
    # Same rule, same resource, another finding id: still open.
    assert _status(scan, "AwsSolutions-IAM5[Resource::*]", ROLE_A) is FindingStatus.OPEN


def test_acknowledgment_on_one_construct_does_not_silence_another(scan: ScanResult) -> None:
    assert _status(scan, "AwsSolutions-IAM5[Action::s3:*]", ROLE_B) is FindingStatus.OPEN
    assert _status(scan, "AwsSolutions-IAM5[Resource::*]", ROLE_B) is FindingStatus.OPEN


@pytest.mark.parametrize(
    "rule",
    [
        "NIST.800.53.R5-LambdaInsideVPC",
        "HIPAA.Security-LambdaInsideVPC",
        "PCI.DSS.321-LambdaInsideVPC",
        "Serverless-LambdaTracing",
    ],
)
def test_every_pack_prefix_is_written_so_that_the_pack_honours_it(
    scan: ScanResult, rule: str
) -> None:
    assert _status(scan, rule, FUNCTION) is FindingStatus.ACKNOWLEDGED


def test_acknowledgment_made_outside_the_ledger_fails_the_audit(scan: ScanResult) -> None:
    outside = [p for p in scan.problems if p.kind is ProblemKind.OUTSIDE_LEDGER]

    assert any("S/Queue" in p.message and "AwsSolutions-SQS3" in p.message for p in outside)


def test_qualified_ids_use_the_exact_pack_name() -> None:
    for pack, rules in nag_rule_catalogue().items():
        rule = sorted(rules)[0]
        assert qualified_nag_id(rule) == f"{pack}::{rule}"
    assert (
        qualified_nag_id("AwsSolutions-IAM5[Action::s3:*]")
        == "AwsSolutions::AwsSolutions-IAM5[Action::s3:*]"
    )


def test_a_wrong_case_prefix_silently_acknowledges_nothing_upstream(tmp_path: Path) -> None:
    """Why the ledger refuses a prefix in the wrong case: CDK and cdk-nag ignore it."""

    def app_with_lowercase_prefix() -> App:
        app = App()
        stack = Stack(app, "S")
        _roles(stack)
        role_a = stack.node.find_child("RoleA")
        Validations.of(role_a).acknowledge(
            Acknowledgment(id="awssolutions::AwsSolutions-IAM5[Action::s3:*]", reason="r")
        )
        return app

    synthesized = synthesize(app_with_lowercase_prefix, tmp_path / "cdk.out", ())
    scan = nag_scan(synthesized.assembly, (), acknowledged_in_synth=True)

    assert _status(scan, "AwsSolutions-IAM5[Action::s3:*]", ROLE_A) is FindingStatus.OPEN


def test_catalogue_lists_the_rules_of_the_five_packs() -> None:
    catalogue = nag_rule_catalogue()

    assert set(catalogue) == {
        "AwsSolutions",
        "Serverless",
        "NIST.800.53.R5",
        "HIPAA.Security",
        "PCI.DSS.321",
    }
    expected = {"AwsSolutions-IAM5", "AwsSolutions-L1", "AwsSolutions-DDB3"}
    assert expected <= catalogue["AwsSolutions"]
    assert "Serverless-SQSRedrivePolicy" in catalogue["Serverless"]
    assert "PCI.DSS.321-APIGWAssociatedWithWAF" in catalogue["PCI.DSS.321"]
