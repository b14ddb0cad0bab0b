"""The report files: SARIF 2.1.0 valid against the OASIS schema, JUnit parseable with the
right counts, JSON and Markdown consistent with the audit, the control matrix files."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from kit.audit.controls import CONTROLS
from kit.audit.findings import Finding, FindingStatus, LedgerProblem, ProblemKind
from kit.audit.ledger import Ledger
from kit.audit.report_formats import REPORT_FILES, write_reports
from kit.audit.runner import AuditResult
from tests.audit.conftest import FIXTURES_DIR, CliRun

SARIF_SCHEMA = FIXTURES_DIR / "sarif-2.1.0-rtm.5.schema.json"


def _validate_sarif(document: dict[str, Any]) -> None:
    schema = json.loads(SARIF_SCHEMA.read_text())
    jsonschema.Draft4Validator(schema).validate(document)
    for run in document["runs"]:
        rules = run["tool"]["driver"].get("rules", [])
        for result in run["results"]:
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def _synthetic_result() -> AuditResult:
    return AuditResult(
        target="unit",
        ledger=Ledger(entries=(), source="<no ledger>"),
        findings=[
            Finding(
                tool="checkov",
                rule_id="CKV_AWS_1",
                resource="S/A/Resource",
                message="a <message> & more",
                severity="error",
                status=FindingStatus.OPEN,
                template="S.template.json",
                logical_id="A",
                line=7,
            ),
            Finding(
                tool="cdk-nag",
                rule_id="AwsSolutions-IAM5[Resource::*]",
                resource="S/B/Resource",
                message="wildcard",
                severity="warning",
                status=FindingStatus.ACKNOWLEDGED,
                reason="because | pipes",
                ledger_entry=3,
            ),
        ],
        problems=[LedgerProblem(ProblemKind.OUTSIDE_LEDGER, "acknowledged in code")],
    )


def test_synthetic_reports_are_valid(tmp_path: Path) -> None:
    written = write_reports(_synthetic_result(), tmp_path)

    assert set(written) == set(REPORT_FILES)
    sarif = json.loads(written["sarif"].read_text())
    _validate_sarif(sarif)
    results = [r for run in sarif["runs"] for r in run["results"]]
    suppressed = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in suppressed] == ["AwsSolutions-IAM5[Resource::*]"]
    assert suppressed[0]["suppressions"][0]["justification"] == (
        "acknowledged by ledger #3: because | pipes"
    )
    opened = next(r for r in results if r["ruleId"] == "CKV_AWS_1")
    assert opened["locations"][0]["physicalLocation"]["region"] == {"startLine": 7}
    assert any(r["ruleId"] == "ledger/outside-ledger" for r in results)

    junit = ET.parse(written["junit"]).getroot()  # noqa: S314 - the file this test wrote
    assert junit.tag == "testsuites"
    suites = {suite.get("name"): suite for suite in junit}
    assert suites["checkov"].get("failures") == "1"
    assert suites["cdk-nag"].get("skipped") == "1"
    assert suites["ledger"].get("failures") == "1"

    markdown = written["markdown"].read_text()
    assert "because \\| pipes" in markdown  # table cells escape pipes
    assert markdown.startswith("# Audit of the unit: FAILED")


@pytest.mark.slow
@pytest.mark.parametrize("run_name", ["reference_run", "phase0_run"])
def test_real_reports_are_valid_and_consistent(
    run_name: str, request: pytest.FixtureRequest
) -> None:
    run: CliRun = request.getfixturevalue(run_name)
    report = run.report()
    findings = report["findings"]
    open_count = sum(1 for f in findings if f["status"] == "open")
    acknowledged = len(findings) - open_count

    sarif = json.loads((run.out / REPORT_FILES["sarif"]).read_text())
    _validate_sarif(sarif)
    results = [r for r in sarif["runs"] if r["tool"]["driver"]["name"] != "order-kit-ledger"]
    assert sum(len(r["results"]) for r in results) == len(findings)
    assert sum(1 for r in results for x in r["results"] if "suppressions" in x) == acknowledged
    for run_results in results:
        for result in run_results["results"]:
            uri = result["locations"][0].get("physicalLocation", {}).get("artifactLocation", {})
            if uri:
                assert (Path.cwd() / uri["uri"]).is_file() or Path(uri["uri"]).is_file()

    junit = ET.parse(run.out / REPORT_FILES["junit"]).getroot()  # noqa: S314 - our own report
    failures = sum(int(s.get("failures", "0")) for s in junit)
    skipped = sum(int(s.get("skipped", "0")) for s in junit)
    assert failures == open_count + len(report["ledger"]["problems"])
    assert skipped == acknowledged

    matrix = json.loads((run.out / REPORT_FILES["matrix-json"]).read_text())
    assert [row["control_id"] for row in matrix["controls"]] == [c.control_id for c in CONTROLS]
    matrix_md = (run.out / REPORT_FILES["matrix-markdown"]).read_text()
    for control in CONTROLS:
        assert f"| {control.control_id} |" in matrix_md

    markdown = (run.out / REPORT_FILES["markdown"]).read_text()
    verdict = "PASSED" if report["summary"]["passed"] else "FAILED"
    assert markdown.splitlines()[0].endswith(verdict)
    for entry in report["ledger"]["entries"]:
        if any(f["ledger_entry"] == entry["index"] for f in findings):
            assert entry["reason"].replace("|", "\\|") in markdown
