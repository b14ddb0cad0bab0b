"""The control -> checks mapping (every check exists) and the status rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kit.audit.control_matrix import ControlStatus, control_matrix
from kit.audit.controls import CONTROLS, CheckRef, Control
from kit.audit.findings import Finding, FindingStatus, ScanResult
from kit.audit.nag_rules import nag_rule_catalogue
from kit.paths import policies_dir


def _all_checks(tool: str) -> set[str]:
    return {check.rule for control in CONTROLS for check in control.checks if check.tool == tool}


def test_control_ids_are_unique_and_each_control_is_proven_somewhere() -> None:
    ids = [control.control_id for control in CONTROLS]
    assert len(ids) == len(set(ids))
    for control in CONTROLS:
        assert control.checks or control.covered_by, control.control_id
        assert {check.tool for check in control.checks} <= {"cdk-nag", "checkov", "cfn-lint"}


def test_every_cdk_nag_rule_of_the_matrix_exists_in_a_pack() -> None:
    known = set().union(*nag_rule_catalogue().values())

    assert _all_checks("cdk-nag") - known == set()


def test_every_kit_policy_of_the_matrix_exists_and_every_policy_is_in_the_matrix() -> None:
    source = "\n".join(
        path.read_text() for path in policies_dir().iterdir() if path.suffix in (".py", ".yaml")
    )
    defined = set(re.findall(r"\bCKV2?_POK_\d+\b", source))
    ours = {rule for rule in _all_checks("checkov") if "_POK_" in rule}

    assert ours <= defined
    assert defined <= ours, f"policies missing from the control matrix: {defined - ours}"


@pytest.mark.slow
def test_every_builtin_checkov_check_of_the_matrix_exists(checkov_executable: Path) -> None:
    site_packages = list(checkov_executable.resolve().parents[1].glob("lib/python*/site-packages"))
    if not site_packages:
        pytest.fail(f"cannot find checkov's site-packages next to {checkov_executable}")
    checks_dir = site_packages[0] / "checkov" / "cloudformation" / "checks"
    source = "\n".join(p.read_text(errors="replace") for p in checks_dir.rglob("*.py"))
    builtins = {rule for rule in _all_checks("checkov") if "_POK_" not in rule}

    missing = {rule for rule in builtins if f'"{rule}"' not in source}
    assert not missing


CONTROL = Control(
    "T-1",
    "test",
    "test",
    (CheckRef("checkov", "CKV_A_1"), CheckRef("cdk-nag", "AwsSolutions-IAM5")),
)
NAG_ONLY = Control("T-2", "nag only", "test", (CheckRef("cdk-nag", "AwsSolutions-L1"),))
UNSCANNED = Control("T-3", "code", "test", (), "handler tests")


def _finding(tool: str, rule: str, status: FindingStatus) -> Finding:
    reason = "r" if status is FindingStatus.ACKNOWLEDGED else None
    return Finding(tool, rule, "S/R", "m", "error", status, reason=reason)


def _scans(checkov_rules: set[str], nag_ran: bool = True) -> dict[str, ScanResult]:
    return {
        "checkov": ScanResult("checkov", evaluated_rules=checkov_rules),
        "cdk-nag": ScanResult(
            "cdk-nag", ran=nag_ran, evaluated_rules={"AwsSolutions-IAM5", "AwsSolutions-L1"}
        ),
    }


@pytest.mark.parametrize(
    ("findings", "checkov_rules", "expected"),
    [
        ([_finding("checkov", "CKV_A_1", FindingStatus.OPEN)], {"CKV_A_1"}, "failed"),
        (
            [
                _finding("cdk-nag", "AwsSolutions-IAM5[Resource::*]", FindingStatus.OPEN),
                _finding("checkov", "CKV_A_1", FindingStatus.ACKNOWLEDGED),
            ],
            {"CKV_A_1"},
            "failed",
        ),
        (
            [_finding("cdk-nag", "AwsSolutions-IAM5[Resource::*]", FindingStatus.ACKNOWLEDGED)],
            {"CKV_A_1"},
            "acknowledged",
        ),
        ([], {"CKV_A_1"}, "passed"),
        # cdk-nag's silence alone does not prove a control checkov could examine.
        ([], set(), "not evaluated"),
        ([_finding("checkov", "CKV_OTHER_9", FindingStatus.OPEN)], {"CKV_A_1"}, "passed"),
    ],
)
def test_status_rules(findings: list[Finding], checkov_rules: set[str], expected: str) -> None:
    (row,) = control_matrix(findings, _scans(checkov_rules), [CONTROL])

    assert row.status is ControlStatus(expected)


def test_controls_without_other_scanners_rely_on_cdk_nag_and_unscanned_say_why() -> None:
    rows = control_matrix([], _scans(set()), [NAG_ONLY, UNSCANNED])

    assert [row.status for row in rows] == [ControlStatus.PASSED, ControlStatus.NOT_SCANNED]
    assert rows[1].as_dict()["covered_by"] == "handler tests"
    (not_run,) = control_matrix([], _scans(set(), nag_ran=False), [NAG_ONLY])
    assert not_run.status is ControlStatus.NOT_EVALUATED


def test_acknowledged_rows_carry_their_reasons() -> None:
    finding = Finding(
        "checkov", "CKV_A_1", "S/R", "m", "error", FindingStatus.ACKNOWLEDGED, reason="why"
    )

    (row,) = control_matrix([finding], _scans({"CKV_A_1"}), [CONTROL])

    assert row.reasons == ("why",)
    assert row.as_dict()["acknowledged"] == [{"finding": "CKV_A_1 @ S/R", "reason": "why"}]
