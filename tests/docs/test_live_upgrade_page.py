"""The migration guide's live-run fragment, rendered from a recorded upgrade report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from docs.gen.live_upgrade import (
    FAILED_STEP_FILE,
    LIVE_UPGRADE_FILE,
    load_live_upgrade,
    render_live_upgrade,
)

STEP = {
    "step": "2 -> 3",
    "phase": 3,
    "deploy_ok": True,
    "stack_status": "UPDATE_COMPLETE",
    "update_seconds": 41.25,
    "requests": 120,
    "successes": 118,
    "client_errors": 0,
    "server_errors": 1,
    "network_errors": 1,
    "orders_lost": 0,
    "table_mismatches": [],
    "replaced": [],
    "migrate_check": "migrate-check: safe",
    "service_after": "serves",
}


def test_renders_each_step_with_date_and_commit(tmp_path: Path) -> None:
    path = tmp_path / "live-upgrade.json"
    document = {
        "date": "2026-11-29T08:00:00Z",
        "commit": "abc1234",
        "steps": [STEP],
        "summary": {"orders_written": 321, "problems": []},
    }
    path.write_text(json.dumps(document))
    text = render_live_upgrade(load_live_upgrade(path))
    assert "Last live run: 2026-11-29T08:00:00Z, commit `abc1234`, 321 orders written" in text
    assert "no problem found" in text
    row = next(line for line in text.splitlines() if line.startswith("| 2 -> 3"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells == [
        "2 -> 3",
        "UPDATE_COMPLETE",
        "41.2",
        "120",
        "118",
        "0",
        "2",
        "0",
        "safe",
        "table as template; serves after",
    ]


def test_problems_are_listed(tmp_path: Path) -> None:
    step = {**STEP, "table_mismatches": ["stream: template x, live y"], "service_after": "NOT"}
    document = {
        "date": "d",
        "commit": "c",
        "steps": [step],
        "summary": {"orders_written": 3, "problems": ["2 -> 3: table stream: ..."]},
    }
    text = render_live_upgrade(document)
    assert "1 problem(s):" in text and "- 2 -> 3: table stream: ..." in text
    assert "table differs (1); not serving after" in text


def test_no_recorded_run_says_so(tmp_path: Path) -> None:
    assert load_live_upgrade(tmp_path / "missing.json") is None
    assert "No live run is recorded yet" in render_live_upgrade(None)
    assert "`docs/data/live-upgrade-failed-step.json`" in render_live_upgrade(
        None, FAILED_STEP_FILE
    )


def test_both_recorded_runs_are_reports() -> None:
    """The committed records of the clean and the failed-step run load (``make test-upgrade``)."""
    for path in (LIVE_UPGRADE_FILE, FAILED_STEP_FILE):
        document = load_live_upgrade(path)
        assert document is not None, f"{path} is not recorded"
        assert not document["summary"]["problems"], (path, document["summary"]["problems"])


def test_a_file_that_is_no_report_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "live-upgrade.json"
    path.write_text('{"steps": []}')
    with pytest.raises(ValueError, match="not a live upgrade report"):
        load_live_upgrade(path)
