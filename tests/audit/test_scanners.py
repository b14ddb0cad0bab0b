"""checkov skips generated from the ledger, locating checkov, and reading cdk-nag reports."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from kit.audit import checkov_scan as checkov_module
from kit.audit.assembly import CloudAssembly, Template, read_assembly
from kit.audit.checkov_scan import (
    ACKNOWLEDGED_DIR,
    CHECKOV_ENV,
    RAW_DIR,
    CheckovError,
    PrestartedCheckov,
    checkov_scan,
    locate_checkov,
    missing_checkov_message,
    run_checkov,
    write_scan_copies,
)
from kit.audit.findings import FindingStatus, ProblemKind
from kit.audit.ledger import parse_ledger
from kit.audit.nag_scan import nag_scan

LEDGER = parse_ledger(
    """
version: 1
entries:
  - tool: checkov
    rule: CKV_AWS_117
    resource: S/*Fn/Resource
    reason: No VPC resources.
  - tool: checkov
    rule: CKV_AWS_115
    resource: S/ApiFn/Resource
    reason: Bounded by the stage throttling.
  - tool: cdk-nag
    rule: AwsSolutions-L1
    resource: S/ApiFn/Resource
    reason: Runtime pinned for parity.
"""
).entries


def _function(**properties: Any) -> dict[str, Any]:
    return {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Runtime": "python3.12",
            "Handler": "index.handler",
            "Code": {"ZipFile": "def handler(e, c): return None"},
            "Role": "arn:aws:iam::123456789012:role/fn",
            **properties,
        },
    }


def _assembly(tmp_path: Path, *, user_skip: bool = False) -> CloudAssembly:
    api = _function()
    if user_skip:
        api["Metadata"] = {"checkov": {"skip": [{"id": "CKV_AWS_116", "comment": "mine"}]}}
    body = {
        "Resources": {
            "ApiFnLogical": api,
            "WorkerFnLogical": _function(ReservedConcurrentExecutions=5),
        }
    }
    path = tmp_path / "S.template.json"
    path.write_text(json.dumps(body))
    return CloudAssembly(
        directory=tmp_path,
        templates=(
            Template(
                name="S.template.json",
                path=path,
                body=body,
                construct_paths={
                    "ApiFnLogical": "S/ApiFn/Resource",
                    "WorkerFnLogical": "S/WorkerFn/Resource",
                },
            ),
        ),
        validation_report=None,
    )


def test_skips_are_written_only_on_matching_resources(tmp_path: Path) -> None:
    assembly = _assembly(tmp_path)

    write_scan_copies(assembly, LEDGER, tmp_path / "scan")

    raw = json.loads((tmp_path / "scan" / RAW_DIR / "S.template.json").read_text())
    acked = json.loads((tmp_path / "scan" / ACKNOWLEDGED_DIR / "S.template.json").read_text())
    assert raw == assembly.templates[0].body
    api_skips = acked["Resources"]["ApiFnLogical"]["Metadata"]["checkov"]["skip"]
    assert api_skips == [
        {"id": "CKV_AWS_117", "comment": "No VPC resources. (ledger #1)"},
        {"id": "CKV_AWS_115", "comment": "Bounded by the stage throttling. (ledger #2)"},
    ]
    worker_skips = acked["Resources"]["WorkerFnLogical"]["Metadata"]["checkov"]["skip"]
    assert [skip["id"] for skip in worker_skips] == ["CKV_AWS_117"]


def _outcomes(report: Any) -> dict[tuple[str, str], tuple[str, str | None]]:
    records = [r for section in report["results"].values() for r in section]
    return {
        (r["check_id"], r["resource"].rsplit(".", 1)[-1]): (
            r["check_result"]["result"],
            r["check_result"].get("suppress_comment"),
        )
        for r in records
    }


@pytest.mark.slow
def test_checkov_honours_the_generated_skips(tmp_path: Path, checkov_executable: Path) -> None:
    write_scan_copies(_assembly(tmp_path), LEDGER, tmp_path / "scan")

    outcomes = _outcomes(run_checkov(checkov_executable, tmp_path / "scan" / ACKNOWLEDGED_DIR))

    assert outcomes[("CKV_AWS_117", "ApiFnLogical")] == ("SKIPPED", "No VPC resources. (ledger #1)")
    assert outcomes[("CKV_AWS_117", "WorkerFnLogical")][0] == "SKIPPED"
    assert outcomes[("CKV_AWS_115", "ApiFnLogical")][0] == "SKIPPED"
    assert outcomes[("CKV_AWS_116", "ApiFnLogical")][0] == "FAILED"


@pytest.mark.slow
def test_audit_scan_applies_the_ledger_to_checkov_results(
    tmp_path: Path, checkov_executable: Path
) -> None:
    with PrestartedCheckov(checkov_executable) as process:
        scan = checkov_scan(_assembly(tmp_path), LEDGER, tmp_path / "scan", process)

    def status(rule: str, resource: str) -> FindingStatus | None:
        return next(
            (f.status for f in scan.findings if f.rule_id == rule and f.resource == resource),
            None,
        )

    assert status("CKV_AWS_117", "S/ApiFn/Resource") is FindingStatus.ACKNOWLEDGED
    assert status("CKV_AWS_117", "S/WorkerFn/Resource") is FindingStatus.ACKNOWLEDGED
    assert status("CKV_AWS_115", "S/ApiFn/Resource") is FindingStatus.ACKNOWLEDGED
    assert status("CKV_AWS_116", "S/ApiFn/Resource") is FindingStatus.OPEN
    # The worker has reserved concurrency: no CKV_AWS_115 finding there.
    assert status("CKV_AWS_115", "S/WorkerFn/Resource") is None
    assert scan.matched_entries == {1, 2}
    assert {"CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117"} <= scan.evaluated_rules
    reason = next(f.reason for f in scan.findings if f.rule_id == "CKV_AWS_115")
    assert reason == "Bounded by the stage throttling."


@pytest.mark.slow
def test_a_skip_written_in_the_template_is_outside_the_ledger(
    tmp_path: Path, checkov_executable: Path
) -> None:
    with PrestartedCheckov(checkov_executable) as process:
        scan = checkov_scan(_assembly(tmp_path, user_skip=True), LEDGER, tmp_path / "scan", process)

    outside = [p for p in scan.problems if p.kind is ProblemKind.OUTSIDE_LEDGER]
    assert len(outside) == 1
    assert "CKV_AWS_116" in outside[0].message and "S/ApiFn/Resource" in outside[0].message


def _executable(path: Path) -> Path:
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_locate_checkov_prefers_the_environment_variable(tmp_path: Path) -> None:
    configured = _executable(tmp_path / "my-checkov")

    assert locate_checkov({CHECKOV_ENV: str(configured), "PATH": ""}) == configured


def test_locate_checkov_rejects_a_bad_environment_variable(tmp_path: Path) -> None:
    with pytest.raises(CheckovError, match=f"{CHECKOV_ENV}=.* is not an executable"):
        locate_checkov({CHECKOV_ENV: str(tmp_path / "absent"), "PATH": ""})


def test_locate_checkov_searches_path(tmp_path: Path) -> None:
    on_path = _executable(tmp_path / "checkov")

    assert locate_checkov({"PATH": str(tmp_path)}) == on_path


def test_missing_checkov_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkov_module, "_REPO_CHECKOV", tmp_path / "absent")

    with pytest.raises(CheckovError, match="make venv-checkov"):
        locate_checkov({"PATH": str(tmp_path)})


def test_missing_checkov_tells_a_pip_user_the_extra() -> None:
    message = missing_checkov_message(in_checkout=False)

    assert "pip install 'production-order-kit[audit]'" in message
    assert "make" not in message


def _report(plugin: str, violations: list[Any], suppressed: list[Any]) -> dict[str, Any]:
    return {
        "pluginReports": [
            {"pluginName": plugin, "violations": violations, "suppressedViolations": suppressed}
        ]
    }


VIOLATION = {
    "ruleName": "AwsSolutions-L1",
    "description": "old runtime",
    "severity": "error",
    "violatingConstructs": [{"constructPath": "S/ApiFn/Resource"}],
}


def _nag_assembly(tmp_path: Path, report: dict[str, Any] | None) -> CloudAssembly:
    return CloudAssembly(directory=tmp_path, templates=(), validation_report=report)


def test_report_of_a_foreign_assembly_is_matched_with_the_ledger(tmp_path: Path) -> None:
    scan = nag_scan(
        _nag_assembly(tmp_path, _report("AwsSolutions", [VIOLATION], [])),
        LEDGER,
        acknowledged_in_synth=False,
    )

    (finding,) = scan.findings
    assert finding.status is FindingStatus.ACKNOWLEDGED
    assert finding.reason == "Runtime pinned for parity."
    assert scan.matched_entries == {3}
    assert scan.evaluated_rules  # the pack's catalogue


def test_violation_the_ledger_acknowledged_during_synth_is_reported_not_applied(
    tmp_path: Path,
) -> None:
    scan = nag_scan(
        _nag_assembly(tmp_path, _report("AwsSolutions", [VIOLATION], [])),
        LEDGER,
        acknowledged_in_synth=True,
    )

    (finding,) = scan.findings
    assert finding.status is FindingStatus.OPEN
    assert [p.kind for p in scan.problems] == [ProblemKind.NOT_APPLIED]


def test_suppression_no_ledger_entry_explains_is_outside_the_ledger(tmp_path: Path) -> None:
    suppressed = {
        **VIOLATION,
        "violatingConstructs": [{"constructPath": "S/Other/Resource"}],
        "acknowledgedId": "AwsSolutions::AwsSolutions-L1",
        "acknowledgedAt": "S/Other",
        "reason": "someone said so",
    }

    scan = nag_scan(
        _nag_assembly(tmp_path, _report("AwsSolutions", [], [suppressed])),
        LEDGER,
        acknowledged_in_synth=True,
    )

    (finding,) = scan.findings
    assert finding.status is FindingStatus.ACKNOWLEDGED
    assert finding.reason == "someone said so"
    assert [p.kind for p in scan.problems] == [ProblemKind.OUTSIDE_LEDGER]


def test_assembly_without_a_validation_report_did_not_run_cdk_nag(tmp_path: Path) -> None:
    scan = nag_scan(_nag_assembly(tmp_path, None), LEDGER, acknowledged_in_synth=False)

    assert scan.ran is False
    assert scan.findings == []


def test_plain_template_directory_names_resources_by_template_and_logical_id(
    tmp_path: Path,
) -> None:
    (tmp_path / "Plain.template.json").write_text(json.dumps({"Resources": {"Fn": _function()}}))

    assembly = read_assembly(tmp_path)

    (template,) = assembly.templates
    assert template.construct_path("Fn") == "Plain/Fn"
    assert assembly.validation_report is None
    assert os.path.basename(template.name) == "Plain.template.json"


def test_prestarted_checkov_runs_checkov_through_its_own_interpreter(
    checkov_executable: Path, tmp_path: Path
) -> None:
    process = PrestartedCheckov(checkov_executable)
    running = process._process

    assert running is not None, "checkov's console script should name its Python interpreter"
    write_scan_copies(_assembly(tmp_path), LEDGER, tmp_path / "scan")
    report = process.scan(tmp_path / "scan" / RAW_DIR)
    assert running.returncode == 1  # checkov's own status: a check failed
    assert _outcomes(report)[("CKV_AWS_116", "ApiFnLogical")][0] == "FAILED"


def test_unused_prestarted_checkov_is_stopped(checkov_executable: Path) -> None:
    with PrestartedCheckov(checkov_executable) as process:
        running = process._process
        assert running is not None

    assert running.returncode == 0


def test_checkov_without_a_python_shebang_runs_as_a_plain_executable(tmp_path: Path) -> None:
    report = {"results": {"failed_checks": []}, "summary": {"failed": 0}}
    fake = tmp_path / "checkov"
    fake.write_text(f"#!/bin/sh\necho '{json.dumps(report)}'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)

    with PrestartedCheckov(fake) as process:
        assert process._process is None
        assert process.scan(tmp_path) == report


def test_failing_checkov_is_a_clear_error(tmp_path: Path) -> None:
    fake = tmp_path / "checkov"
    fake.write_text("#!/bin/sh\necho 'boom' >&2\nexit 2\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)

    with pytest.raises(CheckovError, match="checkov exited 2: boom"):
        PrestartedCheckov(fake).scan(tmp_path)
