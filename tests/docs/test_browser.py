"""The built site renders in a real browser: headless Debian Chromium loads the pages from a
local HTTP server, and the DOM after its scripts ran has the navigation, the migration pages
and their tables.

Chromium is a required test dependency (``apt-get install -y chromium chromium-driver``;
``make docs-deps`` installs it): without it this test fails, it does not skip.
"""

from __future__ import annotations

import functools
import html
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from kit.phases import FIRST_PHASE, LAST_PHASE, PHASE_TITLES

from .conftest import NAV_PAGES, BuiltSite

CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = (
    "Debian's chromium is required for the docs browser test: "
    "apt-get install -y chromium chromium-driver (the Makefile's docs-deps target does it)"
)
NAV_LABELS = (
    "Home",
    "Quick start",
    "Using the construct",
    "Architecture",
    "Compliance",
    "Migration guide",
    "Operations runbook",
    "Local development",
    "FAQ",
)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output clean."""


@pytest.fixture(scope="module")
def site_url(built_site: BuiltSite) -> Iterator[str]:
    """The built site served on 127.0.0.1 (a free port) for the module's tests."""
    handler = functools.partial(_QuietHandler, directory=str(built_site.directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def chromium() -> str:
    if not Path(CHROMIUM).is_file() and shutil.which("chromium") is None:
        pytest.fail(INSTALL_HINT)
    return CHROMIUM if Path(CHROMIUM).is_file() else str(shutil.which("chromium"))


def dump_dom(chromium: str, url: str, profile: Path) -> str:
    """The DOM of ``url`` after load, as headless Chromium serializes it."""
    completed = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, f"chromium failed on {url}:\n{completed.stderr[-3000:]}"
    assert "<html" in completed.stdout, f"chromium returned no DOM for {url}"
    return completed.stdout


def visible_text(dom: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", dom)))


@pytest.mark.parametrize("phase", range(FIRST_PHASE, LAST_PHASE + 1))
def test_migration_page_renders_with_navigation(
    chromium: str, site_url: str, tmp_path: Path, phase: int
) -> None:
    dom = dump_dom(chromium, f"{site_url}migration/phase-{phase}/", tmp_path)
    text = visible_text(dom)
    # The page itself: its title, the tables the generator wrote, the audit verdict.
    assert re.search(rf"<h1[^>]*>Phase {phase}: {PHASE_TITLES[phase]}", dom)
    assert dom.count("<table") >= 2
    assert re.search(rf"audit --phase {phase}\W+(passes|fails)", text)
    if phase > FIRST_PHASE:
        assert "Safe for live data" in text
    # The navigation: every section, every phase page, the current one marked active.
    for label in NAV_LABELS:
        assert re.search(rf'class="md-nav__link[^"]*"[^>]*>\s*(<[^>]+>\s*)*{label}', dom), label
    for other in range(FIRST_PHASE, LAST_PHASE + 1):
        if other != phase:
            assert f'href="../phase-{other}/"' in dom, f"no navigation link to phase {other}"
    active = re.findall(r'<a href="[^"]*"\s+class="md-nav__link md-nav__link--active"', dom)
    assert active, "no active navigation entry"


def test_home_page_links_every_section(chromium: str, site_url: str, tmp_path: Path) -> None:
    dom = dump_dom(chromium, site_url, tmp_path)
    for target in NAV_PAGES[1:]:
        assert f'href="{target}"' in dom, target
    # Material's search index was built and its script ran (the search box is in the DOM).
    assert 'data-md-component="search"' in dom
