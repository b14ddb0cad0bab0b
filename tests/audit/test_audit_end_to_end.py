"""``order-kit audit`` end to end: the reference app passes, the naive phase 0 fails and
names the seed's gaps, and a user's app is audited against its own ledger."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from kit.audit.checkov_scan import ACKNOWLEDGED_DIR, run_checkov
from tests.audit.conftest import CliRun, run_cli

pytestmark = pytest.mark.slow


def _open(report: dict) -> set[tuple[str, str]]:
    return {(f["tool"], f["rule_id"]) for f in report["findings"] if f["status"] == "open"}


def _controls(report: dict) -> dict[str, str]:
    return {row["control_id"]: row["status"] for row in report["controls"]}


def test_reference_app_passes_with_zero_unacknowledged_findings(reference_run: CliRun) -> None:
    report = reference_run.report()

    assert reference_run.returncode == 0, reference_run.stdout + reference_run.stderr
    assert report["summary"]["passed"] is True
    assert report["summary"]["open_findings"] == 0
    assert report["ledger"]["problems"] == []
    assert reference_run.stdout.rstrip().endswith("PASSED")
    assert {tool for tool, info in report["tools"].items() if info["ran"]} == {
        "cdk-nag",
        "checkov",
        "cfn-lint",
    }


def test_the_kit_acknowledges_its_own_findings_with_reasons(reference_run: CliRun) -> None:
    report = reference_run.report()
    acknowledged = [f for f in report["findings"] if f["status"] == "acknowledged"]

    # The reference app has no exception of its own: every reason comes from the construct.
    assert report["ledger"]["entries"] == []
    assert acknowledged
    for finding in acknowledged:
        assert finding["acknowledged_by"] == "kit", finding
        assert len(finding["reason"].split()) >= 8, finding
    tools = {f["tool"] for f in acknowledged}
    assert tools == {"cdk-nag", "checkov"}


def test_reference_controls_are_proven_or_acknowledged(reference_run: CliRun) -> None:
    statuses = _controls(reference_run.report())

    assert "failed" not in statuses.values()
    for control in ("SEC-1", "SEC-3", "SEC-5", "REL-1", "MON-1", "MON-2", "PERF-2", "OPS-2"):
        assert statuses[control] in ("passed", "acknowledged"), control


#: The seed's naive start and the findings that name each gap.
PHASE0_GAPS = {
    "AWS-owned encryption at rest": {("checkov", "CKV_POK_1"), ("checkov", "CKV_AWS_119")},
    "wildcard IAM": {
        ("checkov", "CKV_POK_6"),
        ("cdk-nag", "AwsSolutions-IAM5[Action::dynamodb:*]"),
        ("cdk-nag", "NIST.800.53.R5-IAMPolicyNoStatementsWithFullAccess"),
    },
    "no input validation": {("checkov", "CKV_POK_8"), ("cdk-nag", "AwsSolutions-APIG2")},
    "open API": {("checkov", "CKV_AWS_59"), ("cdk-nag", "AwsSolutions-APIG4")},
    "no DLQ": {("checkov", "CKV_AWS_116"), ("cdk-nag", "Serverless-LambdaDLQ")},
    "no tracing": {
        ("checkov", "CKV2_POK_4"),
        ("checkov", "CKV_AWS_73"),
        ("cdk-nag", "Serverless-LambdaTracing"),
    },
    "no throttling": {("checkov", "CKV_POK_4"), ("cdk-nag", "Serverless-APIGWDefaultThrottling")},
    "no access logs": {("checkov", "CKV_AWS_76"), ("cdk-nag", "Serverless-APIGWAccessLogging")},
    "no PITR": {("checkov", "CKV_AWS_28"), ("cdk-nag", "AwsSolutions-DDB3")},
    "no reserved concurrency": {("checkov", "CKV_AWS_115")},
    "no tags": {("checkov", "CKV_POK_7")},
    "no alarms": {("checkov", "CKV2_POK_10")},
    "no log retention (Lambda-created log groups)": {("checkov", "CKV2_POK_9")},
}


def test_phase0_fails_and_names_the_seed_gaps(phase0_run: CliRun) -> None:
    report = phase0_run.report()
    found = _open(report)

    assert phase0_run.returncode == 1
    assert phase0_run.stdout.rstrip().endswith("FAILED")
    missing = {gap: rules - found for gap, rules in PHASE0_GAPS.items() if rules - found}
    assert not missing, f"gaps the audit did not name: {missing}"


def test_phase0_control_matrix(phase0_run: CliRun) -> None:
    statuses = _controls(phase0_run.report())

    for control in ("SEC-1", "SEC-3", "SEC-5", "SEC-6", "REL-1", "REL-3", "MON-2", "MON-3"):
        assert statuses[control] == "failed", control
    for control in ("PERF-1", "PERF-2", "PERF-3", "DATA-1", "DATA-2", "OPS-2"):
        assert statuses[control] == "failed", control
    # No alarms and no log groups: the functions are unwatched and log where Lambda decides.
    for control in ("MON-1", "OPS-1"):
        assert statuses[control] == "failed", control
    # No log groups and no queue at phase 0: nothing to examine, never "passed".
    for control in ("SEC-2", "SEC-7"):
        assert statuses[control] == "not evaluated", control


def test_phase0_gets_no_kit_reason_that_does_not_hold(phase0_run: CliRun) -> None:
    """Without point-in-time recovery, the kit's "PITR protects the table" reason is false at
    phase 0: the backup-plan findings stay open instead of being acknowledged."""
    report = phase0_run.report()

    assert ("cdk-nag", "NIST.800.53.R5-DynamoDBInBackupPlan") in _open(report)
    assert ("cdk-nag", "AwsSolutions-COG4") in _open(report)  # no authorization at all
    assert report["ledger"]["problems"] == []


TINY = "tests.audit.fixtures.tiny_app:build"
QUEUE = "TinyStack/Queue/Resource"


def _write_ledger(path: Path, entries: str) -> Path:
    path.write_text("version: 1\nentries:\n" + textwrap.indent(textwrap.dedent(entries), "  "))
    return path


def test_user_app_with_a_complete_ledger_passes(tmp_path: Path, checkov_executable: Path) -> None:
    ledger = _write_ledger(
        tmp_path / "ledger.yaml",
        f"""
        - tool: cdk-nag
          rule: AwsSolutions-SQS3
          resource: {QUEUE}
          reason: The queue is a dead-letter queue itself in this test app.
        - tool: cdk-nag
          rule: AwsSolutions-SQS4
          resource: {QUEUE}
          reason: The test app never deploys; TLS-only is not under test here.
        - tool: cdk-nag
          rule: Serverless-SQSRedrivePolicy
          resource: {QUEUE}
          reason: The queue is a dead-letter queue itself in this test app.
        - tool: checkov
          rule: CKV_POK_1
          resource: {QUEUE}
          reason: The AWS-managed key is enough for the test app.
        - tool: checkov
          rule: CKV2_POK_6
          resource: {QUEUE}
          reason: The test app never deploys; TLS-only is not under test here.
        - tool: checkov
          rule: CKV_POK_7
          resource: {QUEUE}
          reason: The test app carries no tags.
        """,
    )

    run = run_cli(tmp_path / "out", "--app", TINY, "--ledger", str(ledger))

    assert run.returncode == 0, run.stdout + run.stderr
    report = run.report()
    assert report["target"] == f"app {TINY}"
    skipped = [f for f in report["findings"] if f["tool"] == "checkov"]
    assert {f["rule_id"] for f in skipped} == {"CKV_POK_1", "CKV2_POK_6", "CKV_POK_7"}
    assert all(f["status"] == "acknowledged" for f in skipped)


def test_stale_and_expired_entries_fail_the_audit(tmp_path: Path, checkov_executable: Path) -> None:
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    ledger = _write_ledger(
        tmp_path / "ledger.yaml",
        f"""
        - tool: cdk-nag
          rule: AwsSolutions-SQS3
          resource: {QUEUE}
          reason: Accepted until yesterday.
          expires: {yesterday}
        - tool: checkov
          rule: CKV_AWS_27
          resource: {QUEUE}
          reason: The queue is encrypted, so this skip hides nothing.
        - tool: cfn-lint
          rule: W3005
          resource: {QUEUE}
          reason: Nothing to lint here.
        """,
    )

    run = run_cli(tmp_path / "out", "--app", TINY, "--ledger", str(ledger))
    report = run.report()
    problems = {(p["kind"], p["ledger_entry"]) for p in report["ledger"]["problems"]}

    assert run.returncode == 1
    assert ("expired", 1) in problems
    assert ("stale", 2) in problems
    assert ("stale", 3) in problems
    # The expired entry is not applied: its finding is open again.
    assert ("cdk-nag", "AwsSolutions-SQS3") in _open(report)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--app", "no_such_module_xyz:build"), "cannot import no_such_module_xyz"),
        (("--app", "not-a-spec"), "--app must be 'module:function'"),
        (("--app", "tests.audit.fixtures.tiny_app:not_an_app"), "not aws_cdk.App"),
        (("--assembly", "/nonexistent/cdk.out"), "is not a directory"),
    ],
)
def test_bad_input_exits_2_with_a_clear_error(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    run = run_cli(tmp_path / "out", *args)

    assert run.returncode == 2
    assert message in run.stderr


def test_bad_ledger_exits_2(tmp_path: Path) -> None:
    ledger = _write_ledger(
        tmp_path / "ledger.yaml",
        f"""
        - tool: cdk-nag
          rule: AwsSolutions-SQS3
          resource: {QUEUE}
        """,
    )

    run = run_cli(tmp_path / "out", "--app", TINY, "--ledger", str(ledger))

    assert run.returncode == 2
    assert "'reason' is required" in run.stderr


def test_audit_of_an_existing_assembly(reference_run: CliRun, tmp_path: Path) -> None:
    """Re-auditing the reference assembly: checkov and cfn-lint run again, cdk-nag's
    findings come from its validation report."""
    run = run_cli(
        tmp_path / "out",
        "--assembly",
        str(reference_run.out / "cdk.out"),
        "--ledger",
        "kit/audit/ledger.yaml",
    )
    report = run.report()

    assert run.returncode == 0, run.stdout + run.stderr
    assert report["tools"]["cdk-nag"]["ran"] is True
    nag = [f for f in report["findings"] if f["tool"] == "cdk-nag"]
    assert nag and all(f["status"] == "acknowledged" for f in nag)


def test_checkov_on_the_acknowledged_templates_agrees_with_the_audit(
    reference_run: CliRun, checkov_executable: Path
) -> None:
    """The skips the audit generates make checkov itself pass the reference templates."""
    report = run_checkov(checkov_executable, reference_run.out / "templates" / ACKNOWLEDGED_DIR)

    assert report["summary"]["failed"] == 0
    acknowledged = sum(1 for f in reference_run.report()["findings"] if f["tool"] == "checkov")
    assert report["summary"]["skipped"] == acknowledged > 0
