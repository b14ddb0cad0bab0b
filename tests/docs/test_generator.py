"""The generator's parts on small inputs: template diff, Markdown tables, feature notes, phase
notes and the audit cache."""

from __future__ import annotations

import json
import types
from pathlib import Path

import pytest

from docs.gen import audit_reports
from docs.gen.audit_reports import AuditRunError, PhaseAudit, audit_phases, read_report
from docs.gen.compliance import render_kit_acknowledgments
from docs.gen.feature_notes import FeatureNotesError, feature_notes
from docs.gen.inputs import input_digest
from docs.gen.markdown import table
from docs.gen.migration_pages import PhaseNotesError, load_phase_notes
from docs.gen.template_diff import count_by_type, diff_templates
from kit.acknowledgments import kit_acknowledgments
from kit.phases import FEATURE_PHASES, FIRST_PHASE, LAST_PHASE

QUEUE = {"Type": "AWS::SQS::Queue", "Properties": {"DelaySeconds": 0}}


def test_diff_classifies_added_removed_modified_and_unchanged() -> None:
    old = {
        "Resources": {
            "Kept": QUEUE,
            "Changed": {**QUEUE, "Properties": {"DelaySeconds": 0, "Tags": []}},
            "Gone": {"Type": "AWS::SNS::Topic"},
        }
    }
    new = {
        "Resources": {
            "Kept": {**QUEUE, "Metadata": {"aws:cdk:path": "moved"}},
            "Changed": {**QUEUE, "Properties": {"DelaySeconds": 5}, "DeletionPolicy": "Retain"},
            "New": {"Type": "AWS::SNS::Topic"},
        }
    }
    diff = diff_templates(old, new)
    assert [c.logical_id for c in diff.added] == ["New"]
    assert [c.logical_id for c in diff.removed] == ["Gone"]
    (changed,) = diff.modified
    assert changed.changed == ("DeletionPolicy", "DelaySeconds", "Tags")
    assert diff.unchanged == 1  # Metadata is not a change
    by_type = {s.type_name: (s.added, s.removed, s.modified) for s in diff.by_type}
    assert by_type == {"AWS::SNS::Topic": (1, 1, 0), "AWS::SQS::Queue": (0, 0, 1)}
    assert not diff.is_empty
    assert diff_templates(old, old).is_empty


def test_count_by_type() -> None:
    template = {"Resources": {"A": QUEUE, "B": QUEUE, "C": {"Type": "AWS::SNS::Topic"}}}
    assert count_by_type(template) == {"AWS::SNS::Topic": 1, "AWS::SQS::Queue": 2}


def test_table_escapes_pipes_and_refuses_ragged_rows() -> None:
    assert table(["a"], [["x|y\nz"]]).splitlines()[-1] == "| x\\|y z |"
    with pytest.raises(ValueError, match="has 1 cells, expected 2"):
        table(["a", "b"], [["only one"]])


def test_every_control_of_every_phase_has_a_description() -> None:
    notes = feature_notes()
    assert set(notes) == set(FEATURE_PHASES)
    assert all(len(text) > 10 for text in notes.values())


def test_a_control_without_description_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "fake_phases.py"
    source.write_text(
        "class Features:\n    #: Documented.\n    a: bool\n    b: bool\n", encoding="utf-8"
    )
    module = types.ModuleType("fake_phases")
    module.__file__ = str(source)
    with pytest.raises(FeatureNotesError, match=r"fake_phases.Features.b has no '#:'"):
        feature_notes(module)


def test_phase_notes_cover_exactly_the_kit_phases(tmp_path: Path) -> None:
    phases = list(range(FIRST_PHASE, LAST_PHASE + 1))
    assert sorted(load_phase_notes(phases)) == phases
    partial = tmp_path / "phases.yaml"
    partial.write_text("0: start\n1: next\n", encoding="utf-8")
    with pytest.raises(PhaseNotesError, match="expected an entry for each phase"):
        load_phase_notes(phases, partial)


def test_input_digest_follows_content_and_extras(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n", encoding="utf-8")
    first = input_digest(["pkg"], root=tmp_path)
    (tmp_path / "pkg" / "__pycache__").mkdir()
    (tmp_path / "pkg" / "__pycache__" / "a.pyc").write_bytes(b"\0")
    assert input_digest(["pkg"], root=tmp_path) == first
    assert input_digest(["pkg"], "other", root=tmp_path) != first
    (tmp_path / "pkg" / "a.py").write_text("x = 2\n", encoding="utf-8")
    assert input_digest(["pkg"], root=tmp_path) != first


def _report(phase: int, open_rules: list[str]) -> dict:
    findings = [
        {"tool": "checkov", "rule_id": rule, "resource": f"R{i}", "status": "open"}
        for i, rule in enumerate(open_rules)
    ]
    return {
        "version": 1,
        "target": f"reference app, phase {phase}",
        "summary": {
            "passed": not open_rules,
            "open_findings": len(open_rules),
            "acknowledged_findings": 0,
            "ledger_problems": 0,
            "by_tool": {},
        },
        "tools": {
            "cdk-nag": {"ran": True, "seconds": 1.0},
            "checkov": {"ran": True, "seconds": 1.0},
        },
        "findings": findings,
        "ledger": {"source": "kit/audit/ledger.yaml", "entries": [], "problems": []},
        "controls": [{"control_id": "SEC-1", "status": "failed" if open_rules else "passed"}],
    }


def test_audits_run_once_per_phase_then_come_from_the_cache(tmp_path: Path) -> None:
    calls: list[int] = []

    def fake_audit(phase: int, out: Path) -> None:
        calls.append(phase)
        out.mkdir(parents=True)
        rules = ["CKV_AWS_1", "CKV_AWS_1", "CKV_AWS_2"] if phase == 0 else []
        (out / "audit.json").write_text(json.dumps(_report(phase, rules)), encoding="utf-8")
        (out / "oscal").mkdir()
        (out / "oscal" / "assessment-results.json").write_text(
            json.dumps({"phase": phase}), encoding="utf-8"
        )

    stale = tmp_path / "audits-0000000000000000"
    stale.mkdir()
    first = audit_phases(range(2), tmp_path, runner=fake_audit)
    assert not stale.exists(), "the cache of earlier inputs was not pruned"
    second = audit_phases(range(2), tmp_path, runner=fake_audit)
    assert calls == [0, 1]
    assert first.audited == (0, 1) and second.audited == ()
    start = second.audits[0]
    assert not start.passed and second.audits[1].passed
    assert start.open_by_tool() == {"cdk-nag": 0, "checkov": 3}
    assert start.open_by_rule() == [("checkov", "CKV_AWS_1", 2), ("checkov", "CKV_AWS_2", 1)]
    assert start.control_status_counts() == {"failed": 1}
    # The OSCAL documents are kept in the cache with the report.
    assert start.oscal_names() == ["assessment-results.json"]
    assert start.oscal("assessment-results.json") == {"phase": 0}
    with pytest.raises(AuditRunError, match="cannot read the OSCAL document"):
        start.oscal("component-definition.nothing.json")


def test_an_audit_that_writes_no_report_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_reports.sys, "executable", "false")
    with pytest.raises(AuditRunError, match=r"order-kit audit --phase 3` exited with 1"):
        audit_phases(range(3, 4), tmp_path)


def test_an_unknown_report_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "audit.json"
    path.write_text(json.dumps({"version": 99}), encoding="utf-8")
    with pytest.raises(AuditRunError, match="version 99"):
        read_report(path, 0)
    assert isinstance(read_report(_write(tmp_path, _report(0, [])), 0), PhaseAudit)


def _write(directory: Path, report: dict) -> Path:
    path = directory / "ok.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    return path


def test_kit_acknowledgments_table_has_one_row_per_entry_and_counts_findings() -> None:
    entries = kit_acknowledgments()
    vpc = next(a for a in entries if a.rule == "CKV_AWS_117")
    finding = {
        "tool": "checkov",
        "rule_id": "CKV_AWS_117",
        "resource": "App/Orders/ApiFunction/Function/Resource",
        "reason": vpc.reason,
        "status": "acknowledged",
        "acknowledged_by": "kit",
    }
    report = {**_report(5, []), "findings": [finding, {**finding, "resource": "X/Queue/Resource"}]}

    page = render_kit_acknowledgments(PhaseAudit(5, report))
    rows = [line for line in page.splitlines() if line.startswith("| ") and "---" not in line]

    assert len(rows) == len(entries) + 1  # the header
    (vpc_row,) = [row for row in rows if "`CKV_AWS_117`" in row]
    assert vpc_row.rstrip(" |").endswith("1")  # the queue is not the kit's
    assert "`enable_waf` = `False`" in page
