"""Fixtures of the documentation tests: the site, built once per session.

``built_site`` runs ``mkdocs build --strict`` (what ``make docs`` runs) into a temporary
directory. The generator caches its synthesized templates and audit reports under
``build/docs/`` keyed by the digest of their inputs, so only the first build after a change
of the kit, the handler, the policies or the pins synthesizes and audits every phase.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]

#: Every top-level page of the navigation, as site paths ("" is Home).
NAV_PAGES = (
    "",
    "quick-start/",
    "construct/",
    "architecture/",
    "security/",
    "compliance/",
    "audit-your-app/",
    "compliance-evidence/",
    "migration/",
    "runbook/",
    "performance/",
    "local-development/",
    "faq/",
)


@dataclass(frozen=True)
class BuiltSite:
    """The output directory of a strict build and what the build printed."""

    directory: Path
    log: str
    seconds: float

    def page(self, path: str) -> str:
        """The HTML of the page at ``path`` (``"migration/phase-0/"``, ``""`` for home)."""
        file = self.directory / path / "index.html"
        assert file.is_file(), f"the built site has no page {path!r} ({file})"
        return file.read_text(encoding="utf-8")


def mkdocs_command() -> list[str]:
    """``mkdocs`` of the running interpreter's environment."""
    return [sys.executable, "-m", "mkdocs"]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The site built with ``mkdocs build --strict``; fails with the build's output."""
    directory = tmp_path_factory.mktemp("site")
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    started = time.monotonic()
    completed = subprocess.run(
        [*mkdocs_command(), "build", "--strict", "--site-dir", str(directory)],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    log = completed.stdout + completed.stderr
    assert completed.returncode == 0, f"mkdocs build --strict failed:\n{log[-6000:]}"
    return BuiltSite(directory, log, time.monotonic() - started)
