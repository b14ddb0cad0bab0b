"""The acknowledgment ledger: parsing, validation and resource patterns."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from kit.audit.ledger import (
    LedgerError,
    compile_resource_pattern,
    default_ledger_path,
    load_ledger,
    parse_ledger,
)


def _ledger(entries: str) -> str:
    return "version: 1\nentries:\n" + textwrap.indent(textwrap.dedent(entries), "  ")


VALID = _ledger(
    """
    - tool: cdk-nag
      rule: AwsSolutions-IAM5[Resource::*]
      resource: Stack/*Function/Policy/Resource
      reason: X-Ray has no resource-level permissions.
      owner: platform
      expires: 2030-01-31
    - tool: checkov
      rule: CKV_AWS_117
      resource: Stack/**/Function/Resource
      reason: No VPC resources.
    - tool: cfn-lint
      rule: W3005
      resource: Stack/Fn/Resource
      reason: Redundant DependsOn.
    """
)


def test_valid_ledger_parses_every_field() -> None:
    ledger = parse_ledger(VALID, source="test.yaml")

    first, second, third = ledger.entries
    assert (first.tool, first.rule, first.owner) == (
        "cdk-nag",
        "AwsSolutions-IAM5[Resource::*]",
        "platform",
    )
    assert first.expires == dt.date(2030, 1, 31)
    assert (second.tool, second.rule, second.expires) == ("checkov", "CKV_AWS_117", None)
    assert (third.tool, third.index) == ("cfn-lint", 3)
    assert ledger.for_tool("checkov") == (second,)


@pytest.mark.parametrize(
    ("reason_line", "expected"),
    [
        ("", "'reason' is required"),
        ("reason: ''", "'reason' is required"),
        ("reason: '   '", "'reason' is required"),
        ("reason: 42", "'reason' is required"),
    ],
)
def test_entry_without_a_reason_is_refused(reason_line: str, expected: str) -> None:
    text = _ledger(
        f"""
        - tool: checkov
          rule: CKV_AWS_117
          resource: Stack/Fn/Resource
          {reason_line}
        """
    )

    with pytest.raises(LedgerError, match=expected) as raised:
        parse_ledger(text, source="mine.yaml")
    assert "mine.yaml: entry #1" in str(raised.value)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("tool: tfsec\n  rule: X\n  resource: a\n  reason: r", "tool must be one of"),
        ("tool: checkov\n  rule: AWS_117\n  resource: a\n  reason: r", "not a checkov check id"),
        ("tool: cfn-lint\n  rule: W30\n  resource: a\n  reason: r", "not a cfn-lint rule id"),
        (
            "tool: cdk-nag\n  rule: IAM5\n  resource: a\n  reason: r",
            "does not start with a cdk-nag pack prefix",
        ),
        (
            "tool: cdk-nag\n  rule: AwsSolutions-XYZ99\n  resource: a\n  reason: r",
            "AwsSolutions has no rule 'AwsSolutions-XYZ99'",
        ),
        ("tool: checkov\n  rule: CKV_AWS_1\n  resource: a b\n  reason: r", "must not contain"),
        ("tool: checkov\n  rule: CKV_AWS_1\n  resource: a\n  reason: r\n  why: x", "unknown key"),
        (
            "tool: checkov\n  rule: CKV_AWS_1\n  resource: a\n  reason: r\n  expires: soon",
            "expires must be a date",
        ),
    ],
)
def test_malformed_entries_are_refused_with_the_reason(entry: str, expected: str) -> None:
    with pytest.raises(LedgerError, match=expected):
        parse_ledger(f"version: 1\nentries:\n- {entry}\n")


@pytest.mark.parametrize(
    ("rule", "correct"),
    [
        ("awssolutions-IAM5[Resource::*]", "AwsSolutions"),
        ("AWSSOLUTIONS-L1", "AwsSolutions"),
        ("nist.800.53.r5-LambdaInsideVPC", "NIST.800.53.R5"),
        ("Hipaa.Security-LambdaInsideVPC", "HIPAA.Security"),
    ],
)
def test_pack_prefix_in_the_wrong_case_is_refused(rule: str, correct: str) -> None:
    # cdk-nag matches prefixes case-sensitively: such an entry would acknowledge nothing.
    text = _ledger(
        f"""
        - tool: cdk-nag
          rule: {rule}
          resource: Stack/Fn/Resource
          reason: r
        """
    )

    with pytest.raises(LedgerError, match=f"must be written '{correct}'"):
        parse_ledger(text)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("- just a list", "must be a mapping"),
        ("version: 2\nentries: []", "'version' must be 1"),
        ("version: 1\nentries: {}", "'entries' must be a list"),
        ("version: 1\nentries: []\nextra: 1", "unknown top-level key"),
        ("version: 1\nentries: [\n", "not valid YAML"),
        ("version: 1\nentries:\n- not-a-mapping", "must be a mapping"),
    ],
)
def test_malformed_documents_are_refused(document: str, expected: str) -> None:
    with pytest.raises(LedgerError, match=expected):
        parse_ledger(document)


def test_repeated_entry_is_refused() -> None:
    entry = "- tool: checkov\n  rule: CKV_AWS_1\n  resource: a\n  reason: r\n"

    with pytest.raises(LedgerError, match="entry #2 repeats entry #1"):
        parse_ledger("version: 1\nentries:\n" + entry + entry)


def test_expiry_is_judged_against_the_given_day() -> None:
    ledger = parse_ledger(VALID)
    expiring = ledger.entries[0]

    assert not expiring.is_expired(dt.date(2030, 1, 31))
    assert expiring.is_expired(dt.date(2030, 2, 1))
    assert ledger.expired(dt.date(2030, 2, 1)) == (expiring,)
    assert expiring not in ledger.active(dt.date(2030, 2, 1))


def test_missing_ledger_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="cannot read the ledger"):
        load_ledger(tmp_path / "absent.yaml")


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("S/*Function/Resource", "S/ApiFunction/Resource", True),
        ("S/*Function/Resource", "S/ApiFunction/Role/Resource", False),
        ("S/*/Resource", "S/A/B/Resource", False),
        ("S/**/Resource", "S/A/B/Resource", True),
        ("S/**/Resource", "S/Resource", True),
        ("S/**", "S/A/B", True),
        ("S/Fn?/Resource", "S/Fn1/Resource", True),
        ("S/Fn?/Resource", "S/Fn12/Resource", False),
        ("S/Api/Default/{orderId}/GET/Resource", "S/Api/Default/{orderId}/GET/Resource", True),
        ("S/DeploymentStage.prod/Resource", "S/DeploymentStageXprod/Resource", False),
        ("S/Fn", "S/Fn/Resource", False),
    ],
)
def test_resource_patterns_match_whole_construct_paths(
    pattern: str, path: str, matches: bool
) -> None:
    assert (compile_resource_pattern(pattern).fullmatch(path) is not None) is matches


def test_the_reference_ledger_repeats_nothing_the_kit_acknowledges() -> None:
    """The construct carries its own acknowledgments (kit/acknowledgments.yaml); the
    reference app's ledger is for the app's own exceptions, of which it has none."""
    ledger = load_ledger(default_ledger_path())

    assert ledger.entries == ()
