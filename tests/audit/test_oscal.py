"""The audit's OSCAL documents: schema-valid (read back with compliance-trestle's models),
claims that follow the service's props and resources, every check and acknowledgment in the
assessment results, controls a phase lacks not satisfied, and two audits that diff cleanly."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack
from trestle.oscal.assessment_results import AssessmentResults
from trestle.oscal.component import ComponentDefinition

from kit import OrderServiceProps, ProductionOrderService
from kit.audit.assembly import read_assembly
from kit.audit.oscal_component import component_definition
from kit.audit.oscal_statements import services_in
from kit.phases import FEATURE_PHASES, features_for

from .conftest import CliRun, run_cli

SERVICE = "ProductionOrderService/OrderService"
COMPONENT_FILE = "oscal/component-definition.ProductionOrderService-OrderService.json"
RESULTS_FILE = "oscal/assessment-results.json"
# cdk-nag 3.0.2 RULES.md, "NIST 800-53 rev 5" table, NIST.800.53.R5-DynamoDBPITREnabled:
# CP-1(2), CP-2(5), CP-6(2), CP-9a, CP-9b, CP-9c, CP-10, CP-10(2), SC-5(2), SI-13(5).
PITR_NIST_IDS = ("cp-1.2", "cp-2.5", "cp-6.2", "cp-9", "cp-10", "cp-10.2", "sc-5.2", "si-13.5")
# Same file, "HIPAA Security" table, HIPAA.Security-DynamoDBPITREnabled.
PITR_HIPAA_IDS = ("hipaa-164.308_a_7_i", "hipaa-164.308_a_7_ii_A", "hipaa-164.308_a_7_ii_B")
# NIST.800.53.R5-KMSBackingKeyRotationEnabled: CM-6a, CM-9b, SA-9(6), SC-12, SC-12(2), SC-12(6).
KEY_ROTATION_NIST_ID = "sc-12.2"
# NIST.800.53.R5-CloudWatchLogGroupRetentionPeriod cites AU-11 (among others).
RETENTION_NIST_ID = "au-11"
_TIMESTAMP_KEYS = {"last-modified", "start", "end", "collected"}


def _component(run: CliRun) -> dict[str, Any]:
    ComponentDefinition.oscal_read(run.out / COMPONENT_FILE)  # schema-valid, or it raises
    document = json.loads((run.out / COMPONENT_FILE).read_text())
    component: dict[str, Any] = document["component-definition"]["components"][0]
    return component


def _requirements(component: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        requirement["control-id"]: requirement
        for implementation in component.get("control-implementations", [])
        for requirement in implementation["implemented-requirements"]
    }


def _result(run: CliRun) -> dict[str, Any]:
    AssessmentResults.oscal_read(run.out / RESULTS_FILE)  # schema-valid, or it raises
    document = json.loads((run.out / RESULTS_FILE).read_text())
    result: dict[str, Any] = document["assessment-results"]["results"][0]
    return result


def _props(item: dict[str, Any]) -> dict[str, list[str]]:
    props: dict[str, list[str]] = {}
    for prop in item.get("props", []):
        props.setdefault(prop["name"], []).append(prop["value"])
    return props


def _states(result: dict[str, Any]) -> dict[str, str]:
    return {f["target"]["target-id"]: f["target"]["status"]["state"] for f in result["findings"]}


def test_component_definition_claims_the_deployed_controls_with_real_statements(
    reference_run: CliRun,
) -> None:
    assert reference_run.returncode == 0, reference_run.stderr[-2000:]
    component = _component(reference_run)
    assert component["title"] == f"ProductionOrderService {SERVICE}"
    sources = [impl["source"] for impl in component["control-implementations"]]
    assert "NIST_SP-800-53_rev5_catalog.json" in sources[0]
    assert len(sources) == 3  # NIST 800-53 r5, HIPAA Security, PCI DSS 3.2.1
    requirements = _requirements(component)
    rotation = requirements[KEY_ROTATION_NIST_ID]
    assert "SEC-4" in _props(rotation)["kit-control"]
    assert "alias/orders-prod" in rotation["description"]
    assert "rotation enabled" in rotation["description"]
    retention = requirements[RETENTION_NIST_ID]
    assert "365 days" in retention["description"]
    assert "log_retention_days=365" in retention["description"]
    for control_id in PITR_NIST_IDS + PITR_HIPAA_IDS:
        assert "REL-3" in _props(requirements[control_id])["kit-control"], control_id
    alarms = requirements["hipaa-164.312_b"]["description"]
    assert "orders-prod-DeadLetters" in alarms  # alarm names from the template


def test_statements_follow_the_props(tmp_path: Path) -> None:
    app = App(outdir=str(tmp_path))
    stack = Stack(app, "Shop")
    ProductionOrderService(
        stack,
        "Orders",
        OrderServiceProps(
            environment_name="staging",
            log_retention_days=30,
            alarm_emails=("a@example.com", "b@example.com"),
            api_latency_alarm_ms=800,
        ),
    )
    app.synth()
    (view,) = services_in(read_assembly(tmp_path))
    assert view.path == "Shop/Orders"
    document = component_definition(view, [], {}, _fixed_time())
    component = json.loads(document.oscal_serialize_json())["component-definition"]
    requirements = _requirements(component["components"][0])
    assert "30 days" in requirements[RETENTION_NIST_ID]["description"]
    assert "alias/orders-staging" in requirements[KEY_ROTATION_NIST_ID]["description"]
    monitoring = requirements["hipaa-164.312_b"]["description"]
    assert "2 e-mail subscription(s)" in monitoring
    assert "p99 800 ms" in monitoring


def _fixed_time() -> Any:
    import datetime as dt

    return dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)


def test_every_check_and_acknowledgment_is_in_the_assessment_results(
    reference_run: CliRun,
) -> None:
    report = reference_run.report()
    result = _result(reference_run)
    observations = [_props(o) for o in result["observations"]]
    observed = {
        (o["tool"][0], o["rule"][0], o["resource"][0], o["result"][0]) for o in observations
    }
    for finding in report["findings"]:
        outcome = "fail" if finding["status"] == "open" else "acknowledged"
        assert (finding["tool"], finding["rule_id"], finding["resource"], outcome) in observed
    passes = {(o["tool"][0], o["rule"][0]) for o in observations if o["result"] == ["pass"]}
    assert ("checkov", "CKV_AWS_28") in passes  # point-in-time recovery, no finding
    assert ("cdk-nag", "NIST.800.53.R5-DynamoDBPITREnabled") in passes
    acknowledged = [f for f in report["findings"] if f["status"] == "acknowledged"]
    risks = result["risks"]
    assert len(risks) == len(acknowledged)
    for risk in risks:
        assert risk["status"] == "deviation-approved"
        assert _props(risk)["acknowledged-by"] == ["kit"]
        assert risk["statement"].startswith("Acknowledged by the kit: ")
    reasons = {f["reason"] for f in acknowledged}
    assert {r["statement"].removeprefix("Acknowledged by the kit: ") for r in risks} == reasons
    component_uuid = _component(reference_run)["uuid"]
    subjects = {s["subject-uuid"] for o in result["observations"] for s in o.get("subjects", [])}
    assert subjects == {component_uuid}
    assert set(_states(result).values()) == {"satisfied"}


def test_a_control_the_phase_lacks_is_a_not_satisfied_finding(
    phase0_run: CliRun, reference_run: CliRun
) -> None:
    # Point-in-time recovery arrives at phase 1 and log retention at phase 4 (kit.phases).
    assert not features_for(0).point_in_time_recovery and not features_for(0).log_retention
    assert FEATURE_PHASES["point_in_time_recovery"] == 1
    states = _states(_result(phase0_run))
    for control_id in ("REL-3", "OPS-1", RETENTION_NIST_ID, *PITR_NIST_IDS, *PITR_HIPAA_IDS):
        assert states[control_id] == "not-satisfied", control_id
    pitr = next(f for f in _result(phase0_run)["findings"] if f["target"]["target-id"] == "cp-9")
    assert "NIST.800.53.R5-DynamoDBPITREnabled" in pitr["description"]
    assert "DynamoDBPITREnabled" not in "".join(
        r["description"] for r in _requirements(_component(phase0_run)).values()
    )
    assert _component(phase0_run).get("control-implementations") is None
    reference_states = _states(_result(reference_run))
    for control_id in ("REL-3", "OPS-1", RETENTION_NIST_ID, *PITR_NIST_IDS):
        assert reference_states[control_id] == "satisfied", control_id


def _without_timestamps(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_timestamps(v) for k, v in value.items() if k not in _TIMESTAMP_KEYS}
    if isinstance(value, list):
        return [_without_timestamps(v) for v in value]
    return value


def test_two_audits_of_the_same_app_diff_cleanly(
    reference_run: CliRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    first = run_cli(tmp_path / "first")
    second = run_cli(tmp_path / "second")
    for name in (COMPONENT_FILE, RESULTS_FILE):
        text = (first.out / name).read_text()
        assert text == (second.out / name).read_text(), name
        assert "2026-01-01T00:00:00Z" in text or "2026-01-01T00:00:00+00:00" in text
        # Without SOURCE_DATE_EPOCH only the timestamps differ.
        assert _without_timestamps(json.loads(text)) == _without_timestamps(
            json.loads((reference_run.out / name).read_text())
        )
    uuids = re.findall(r'"uuid": "([0-9a-f-]{36})"', (first.out / RESULTS_FILE).read_text())
    assert len(uuids) == len(set(uuids))


def test_a_bad_source_date_epoch_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kit.audit.oscal_document import OscalError, document_time

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(OscalError, match="SOURCE_DATE_EPOCH must be seconds since the epoch"):
        document_time(None)


def test_trestle_imports_and_validates_both_documents(
    reference_run: CliRun, tmp_path: Path
) -> None:
    """What the docs tell an auditor to run: trestle init, import, validate -a."""
    trestle = str(Path(sys.executable).parent / "trestle")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [trestle, *args], cwd=tmp_path, capture_output=True, text=True, check=False
        )

    assert run("init").returncode == 0
    for source, name in ((RESULTS_FILE, "orders-audit"), (COMPONENT_FILE, "orders-service")):
        imported = run("import", "-f", str(reference_run.out / source), "-o", name)
        assert imported.returncode == 0, imported.stdout + imported.stderr
    validated = run("validate", "-a")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert validated.stdout.count("VALID: Model") == 2


def test_without_trestle_the_audit_names_the_extra(tmp_path: Path) -> None:
    code = (
        "import sys; sys.modules['trestle'] = None\n"
        "from kit.cli import main\n"
        f"sys.exit(main(['audit', '--out', {str(tmp_path)!r}]))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert completed.returncode == 2
    assert "pip install 'production-order-kit[audit]'" in completed.stderr
    assert not (tmp_path / "audit.json").exists()
