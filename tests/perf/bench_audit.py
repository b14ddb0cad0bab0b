"""Wall time of ``order-kit audit`` on the reference app (synthesis with the five cdk-nag packs,
checkov and cfn-lint, ledger, reports), run as a user runs it, in a fresh process each time."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


def measure(runs: int) -> dict[str, Any]:
    """Run the audit ``runs`` times; return each wall time and the median (seconds).

    Raises
    ------
    RuntimeError
        If an audit does not pass (exit code other than 0): its time would not be comparable.
    """
    seconds = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-audit-") as out:
            started = time.perf_counter()
            result = subprocess.run(
                [sys.executable, "-m", "kit.cli", "audit", "--out", out],
                cwd=REPO,
                capture_output=True,
                text=True,
                check=False,
            )
            elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise RuntimeError(
                f"order-kit audit exited {result.returncode}:\n{result.stdout[-2000:]}"
                f"\n{result.stderr[-2000:]}"
            )
        seconds.append(round(elapsed, 1))
    return {"runs_s": seconds, "median_s": round(statistics.median(seconds), 1)}
