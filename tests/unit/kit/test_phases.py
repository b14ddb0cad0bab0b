"""Migration phases: each control appears exactly at the phase kit.phases assigns it, and
every step from one phase to the next is safe for live data."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kit.cli import main
from kit.migration import check_migration
from kit.phases import FEATURE_PHASES, LAST_PHASE, Features, features_for, introduced_at
from kit.reference_app import reference_props

from .conftest import synth

Template = dict[str, Any]


def phase_template(phase: int) -> Template:
    template: Template = synth(reference_props(phase)).to_json()
    return template


def _of_type(template: Template, type_name: str) -> list[dict[str, Any]]:
    return [r for r in template["Resources"].values() if r["Type"] == type_name]


def _props(template: Template, type_name: str) -> list[dict[str, Any]]:
    return [r.get("Properties", {}) for r in _of_type(template, type_name)]


def _table(template: Template) -> dict[str, Any]:
    (table,) = _props(template, "AWS::DynamoDB::Table")
    return table


def _stage(template: Template) -> dict[str, Any]:
    (stage,) = _props(template, "AWS::ApiGateway::Stage")
    return stage


def _api_function(template: Template) -> dict[str, Any]:
    return next(
        p
        for p in _props(template, "AWS::Lambda::Function")
        if p["Handler"].startswith("orders.api")
    )


def _statements(template: Template) -> list[dict[str, Any]]:
    found = []
    for type_name in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        for properties in _props(template, type_name):
            found += properties["PolicyDocument"]["Statement"]
    return found


def _methods(template: Template) -> list[dict[str, Any]]:
    return [m for m in _props(template, "AWS::ApiGateway::Method") if m["HttpMethod"] != "OPTIONS"]


#: One probe per control: True when the template deploys it.
PROBES: dict[str, Callable[[Template], bool]] = {
    "customer_managed_key": lambda t: (
        bool(_of_type(t, "AWS::KMS::Key"))
        and "KMSMasterKeyId" in _table(t).get("SSESpecification", {})
    ),
    "least_privilege_iam": lambda t: (
        bool(_statements(t))
        and all("dynamodb:*" not in json.dumps(s.get("Action")) for s in _statements(t))
    ),
    "request_validation": lambda t: (
        bool(_of_type(t, "AWS::ApiGateway::RequestValidator"))
        and bool(_of_type(t, "AWS::ApiGateway::Model"))
    ),
    "api_authorization": lambda t: all(m["AuthorizationType"] == "AWS_IAM" for m in _methods(t)),
    "backup_plan": lambda t: bool(_of_type(t, "AWS::Backup::BackupSelection")),
    "point_in_time_recovery": lambda t: (
        _table(t)
        .get("PointInTimeRecoverySpecification", {})
        .get("PointInTimeRecoveryEnabled", False)
    ),
    "encrypted_log_groups": lambda t: (
        bool(_props(t, "AWS::Logs::LogGroup"))
        and all("KmsKeyId" in p for p in _props(t, "AWS::Logs::LogGroup"))
    ),
    "alarms_and_dashboard": lambda t: (
        bool(_of_type(t, "AWS::CloudWatch::Alarm"))
        and bool(_of_type(t, "AWS::CloudWatch::Dashboard"))
    ),
    "tracing": lambda t: (
        _stage(t).get("TracingEnabled", False)
        and _api_function(t).get("TracingConfig") == {"Mode": "Active"}
    ),
    "access_logging": lambda t: "AccessLogSetting" in _stage(t),
    "reserved_concurrency": lambda t: "ReservedConcurrentExecutions" in _api_function(t),
    "throttling": lambda t: any(
        "ThrottlingRateLimit" in s for s in _stage(t).get("MethodSettings", [])
    ),
    "customer_index": lambda t: (
        bool(_table(t).get("GlobalSecondaryIndexes")) and len(_methods(t)) == 3
    ),
    "structured_logs": lambda t: (
        _api_function(t).get("LoggingConfig", {}).get("LogFormat") == "JSON"
    ),
    "tagging": lambda t: any(tag["Key"] == "ManagedBy" for tag in _table(t).get("Tags", [])),
    "time_to_live": lambda t: _table(t).get("TimeToLiveSpecification", {}).get("Enabled", False),
    "log_retention": lambda t: (
        bool(_props(t, "AWS::Logs::LogGroup"))
        and all("RetentionInDays" in p for p in _props(t, "AWS::Logs::LogGroup"))
    ),
    "streams": lambda t: (
        "StreamSpecification" in _table(t) and bool(_of_type(t, "AWS::Lambda::EventSourceMapping"))
    ),
    "dead_letter_queue": lambda t: (
        bool(_of_type(t, "AWS::SQS::Queue")) and "DeadLetterConfig" in _api_function(t)
    ),
    "order_archive": lambda t: (
        bool(_of_type(t, "AWS::S3::Bucket"))
        and "ARCHIVE_BUCKET" in json.dumps(_props(t, "AWS::Lambda::Function"))
    ),
    "custom_metrics": lambda t: (
        "POWERTOOLS_METRICS_NAMESPACE" in _api_function(t)["Environment"]["Variables"]
    ),
}


def test_every_feature_has_a_probe_and_a_phase() -> None:
    assert set(PROBES) == set(FEATURE_PHASES) == set(Features.__dataclass_fields__)


@pytest.mark.parametrize("feature", sorted(FEATURE_PHASES))
def test_feature_appears_exactly_at_its_phase(feature: str) -> None:
    first = FEATURE_PHASES[feature]
    seen = {phase: bool(PROBES[feature](phase_template(phase))) for phase in range(LAST_PHASE + 1)}
    assert seen == {phase: phase >= first for phase in seen}, seen


def test_features_are_cumulative() -> None:
    for phase in range(LAST_PHASE):
        now, then = features_for(phase), features_for(phase + 1)
        for name in FEATURE_PHASES:
            assert not getattr(now, name) or getattr(then, name), (phase, name)
    assert all(introduced_at(phase) for phase in range(1, LAST_PHASE + 1))
    assert introduced_at(0) == ()


@pytest.mark.parametrize("phase", [-1, 6, True, "5"])
def test_bad_phase_is_refused(phase: Any) -> None:
    with pytest.raises((TypeError, ValueError)):
        features_for(phase)


def test_phase_zero_is_the_naive_start() -> None:
    template = phase_template(0)
    assert not _of_type(template, "AWS::KMS::Key")
    assert "SSESpecification" not in _table(template) or "KMSMasterKeyId" not in _table(
        template
    ).get("SSESpecification", {})
    assert any(s["Action"] == "dynamodb:*" and s["Resource"] == "*" for s in _statements(template))
    assert all(m["AuthorizationType"] == "NONE" for m in _methods(template))
    for absent in (
        "AWS::CloudWatch::Alarm",
        "AWS::SQS::Queue",
        "AWS::Logs::LogGroup",
        "AWS::ApiGateway::RequestValidator",
    ):
        assert not _of_type(template, absent), absent
    assert not PROBES["throttling"](template)
    assert not PROBES["access_logging"](template)
    assert "TracingConfig" not in _api_function(template) or _api_function(template)[
        "TracingConfig"
    ] == {"Mode": "PassThrough"}


@pytest.mark.parametrize("phase", range(LAST_PHASE))
def test_each_step_is_safe_for_live_data(phase: int) -> None:
    assert check_migration(phase_template(phase), phase_template(phase + 1)) == []


def test_stateful_resources_keep_their_logical_ids_across_phases() -> None:
    stateful = {"AWS::DynamoDB::Table", "AWS::KMS::Key", "AWS::SQS::Queue", "AWS::Logs::LogGroup"}
    seen: dict[str, str] = {}
    for phase in range(LAST_PHASE + 1):
        for logical_id, resource in phase_template(phase)["Resources"].items():
            if resource["Type"] in stateful:
                seen.setdefault(logical_id, resource["Type"])
    final = phase_template(LAST_PHASE)["Resources"]
    assert all(logical_id in final for logical_id in seen)


def _unsafe(edit: Callable[[Template], None]) -> list[str]:
    old = phase_template(LAST_PHASE)
    new = copy.deepcopy(old)
    edit(new)
    return sorted({p.rule for p in check_migration(old, new)})


def _table_resource(template: Template) -> dict[str, Any]:
    return next(r for r in template["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table")


def test_renaming_the_table_is_caught() -> None:
    def rename(template: Template) -> None:
        _table_resource(template)["Properties"]["TableName"] = "orders-v2"

    assert _unsafe(rename) == ["replacement"]


def test_changing_the_key_schema_is_caught() -> None:
    def rekey(template: Template) -> None:
        _table_resource(template)["Properties"]["KeySchema"][0]["AttributeName"] = "id"

    assert _unsafe(rekey) == ["replacement"]


def test_new_logical_id_for_the_table_is_caught() -> None:
    def move(template: Template) -> None:
        resources = template["Resources"]
        logical_id = next(k for k, r in resources.items() if r["Type"] == "AWS::DynamoDB::Table")
        resources["OrdersTableV2"] = resources.pop(logical_id)

    assert _unsafe(move) == ["stateful-removed"]


def test_two_new_gsis_in_one_update_are_caught() -> None:
    def add_two(template: Template) -> None:
        indexes = _table_resource(template)["Properties"]["GlobalSecondaryIndexes"]
        for name in ("by-status", "by-currency"):
            extra = copy.deepcopy(indexes[0])
            extra["IndexName"] = name
            indexes.append(extra)

    assert _unsafe(add_two) == ["gsi-changes"]


def test_going_back_a_phase_drops_data_bearing_resources() -> None:
    problems = check_migration(phase_template(5), phase_template(4))
    removed = {p.logical_id for p in problems if p.rule == "stateful-removed"}
    assert any("DeadLetters" in logical_id for logical_id in removed)


def test_migrate_check_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = []
    for phase in (4, 5):
        path = tmp_path / f"phase{phase}.json"
        path.write_text(json.dumps(phase_template(phase)))
        paths.append(str(path))
    assert main(["migrate-check", *paths]) == 0
    assert "safe" in capsys.readouterr().out
    assert main(["migrate-check", paths[1], paths[0]]) == 1
    assert "UNSAFE" in capsys.readouterr().out
    (tmp_path / "bad.json").write_text("not json")
    assert main(["migrate-check", str(tmp_path / "bad.json"), paths[0]]) == 2
    assert "not a JSON CloudFormation template" in capsys.readouterr().err


def test_going_back_to_phase_0_drops_the_backup_vault() -> None:
    """The vault holds the recovery points: removing it is a data loss migrate-check names."""
    problems = check_migration(phase_template(1), phase_template(0))
    removed = {p.logical_id for p in problems if p.rule == "stateful-removed"}
    assert any("BackupVault" in logical_id for logical_id in removed)
