"""The upgrade test's report: one row per step, printed as a table and written as JSON."""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from localcloud.layout import REPOSITORY_ROOT

#: Where the last live run's report goes (the docs' migration page reads it).
REPORT_PATH = REPOSITORY_ROOT / "build" / "migration" / "upgrade-report.json"


@dataclass
class StepReport:
    """One stack operation of the upgrade and what the client saw while it ran."""

    step: str
    phase: int
    deploy_ok: bool
    stack_status: str
    update_seconds: float
    requests: int = 0
    successes: int = 0
    client_errors: int = 0
    server_errors: int = 0
    network_errors: int = 0
    orders_written: int = 0
    orders_lost: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    table_mismatches: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    migrate_check: str = ""
    service_after: str = ""
    notes: list[str] = field(default_factory=list)


def _commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        cwd=REPOSITORY_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() or "unknown"


def write_report(steps: list[StepReport], summary: dict[str, Any], path: Path = REPORT_PATH) -> str:
    """Write the JSON report; return the printed table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": _commit(),
        "steps": [asdict(step) for step in steps],
        "summary": summary,
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return format_table(steps)


def format_table(steps: list[StepReport]) -> str:
    header = (
        f"{'step':<22} {'stack':<26} {'s':>6} {'req':>5} {'ok':>5} {'4xx':>4} {'5xx':>4} "
        f"{'net':>4} {'lost':>4}  table / replaced / migrate-check / after"
    )
    lines = [header, "-" * len(header)]
    for s in steps:
        verdict = "; ".join(
            part
            for part in (
                "table as template" if not s.table_mismatches else "; ".join(s.table_mismatches),
                f"REPLACED {', '.join(s.replaced)}" if s.replaced else "",
                s.migrate_check,
                s.service_after,
            )
            if part
        )
        lines.append(
            f"{s.step:<22} {s.stack_status:<26} {s.update_seconds:>6.1f} {s.requests:>5} "
            f"{s.successes:>5} {s.client_errors:>4} {s.server_errors:>4} {s.network_errors:>4} "
            f"{s.orders_lost:>4}  {verdict}"
        )
    return "\n".join(lines)
