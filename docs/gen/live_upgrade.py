"""The migration guide's live numbers: the last recorded run of the live upgrade test.

``make test-upgrade`` (tests/migration/test_live_upgrade.py) deploys phase 0 with ``cdklocal``,
updates the same stack to phases 1..5 with client traffic and writes its report; the make
target copies it to ``docs/data/live-upgrade.json``, which this module renders (with the run's
date and commit) next to the template verdicts of the overview. The test's second run, with a
failure injected half-way through one step, is recorded the same way in
``docs/data/live-upgrade-failed-step.json``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docs.gen.inputs import DATA_DIR
from docs.gen.markdown import table

#: The committed copy of the last live run's report.
LIVE_UPGRADE_FILE = DATA_DIR / "live-upgrade.json"
#: The same for the run whose step to phase 3 first fails half-way (and rolls back).
FAILED_STEP_FILE = DATA_DIR / "live-upgrade-failed-step.json"


def load_live_upgrade(path: Path = LIVE_UPGRADE_FILE) -> dict[str, Any] | None:
    """The recorded report, or ``None`` when no run was recorded.

    Raises
    ------
    ValueError
        The file is not a report (no ``date``, ``commit`` and ``steps``).
    """
    if not path.is_file():
        return None
    document = json.loads(path.read_text())
    if not isinstance(document, dict) or not {"date", "commit", "steps"} <= set(document):
        raise ValueError(f"{path} is not a live upgrade report (date, commit, steps)")
    return document


def _verdict(step: Mapping[str, Any]) -> str:
    parts = []
    mismatches = step.get("table_mismatches") or []
    parts.append("table as template" if not mismatches else f"table differs ({len(mismatches)})")
    if step.get("replaced"):
        parts.append("replaced: " + ", ".join(step["replaced"]))
    if step.get("service_after"):
        parts.append("serves after" if step["service_after"] == "serves" else "not serving after")
    return "; ".join(parts)


def render_live_upgrade(document: Mapping[str, Any] | None, path: Path = LIVE_UPGRADE_FILE) -> str:
    """Markdown: the per-step table of the run, or a note that none is recorded in ``path``."""
    if document is None:
        return (
            "No live run is recorded yet: `make test-upgrade` runs one and records it in "
            f"`docs/data/{path.name}`.\n"
        )
    rows = [
        [
            step["step"],
            step["stack_status"],
            f"{step['update_seconds']:.1f}",
            step["requests"],
            step["successes"],
            step["client_errors"],
            step["server_errors"] + step.get("network_errors", 0),
            step["orders_lost"],
            step.get("migrate_check", "").removeprefix("migrate-check: ") or "—",
            _verdict(step),
        ]
        for step in document["steps"]
    ]
    summary = document.get("summary", {})
    problems = summary.get("problems", [])
    lines = [
        f"Last live run: {document['date']}, commit `{document['commit']}`, "
        f"{summary.get('orders_written', '?')} orders written; "
        + ("no problem found." if not problems else f"{len(problems)} problem(s):"),
        "",
    ]
    lines += [f"- {problem}" for problem in problems[:15]]
    if problems:
        lines.append("")
    lines.append(
        table(
            [
                "Step",
                "Stack",
                "Update s",
                "Requests",
                "OK",
                "4xx",
                "5xx / no answer",
                "Orders lost",
                "migrate-check",
                "Live table and service",
            ],
            rows,
        )
    )
    return "\n".join(lines) + "\n"
