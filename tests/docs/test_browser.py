"""The built site renders in a real browser with the network off: headless Debian Chromium
loads the pages from a local HTTP server, every other host unreachable (a proxy that does not
exist, and no name resolution), and the DOM after its scripts ran has the navigation, the
migration pages with their tables and diagrams, and the architecture diagram as SVG.

Chromium is a required test dependency (``apt-get install -y chromium chromium-driver``;
``make browser`` installs it): without it this test fails, it does not skip.
"""

from __future__ import annotations

import functools
import html
import re
import shutil
import socket
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
    "apt-get install -y chromium chromium-driver (`make browser` does it)"
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


#: No network but the local server: every request goes to a proxy on a closed port (Chromium
#: never sends loopback requests to a proxy), and no host name resolves.
OFFLINE_FLAGS = (
    "--proxy-server=http://127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)


def dump_dom(chromium: str, url: str, profile: Path, *, offline: bool = True) -> str:
    """The DOM of ``url`` after load (scripts given 5 s of virtual time), offline by default."""
    completed = subprocess.run(
        [
            chromium,
            *(OFFLINE_FLAGS if offline else ()),
            "--virtual-time-budget=5000",
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


def test_the_offline_flags_cut_the_network(chromium: str, tmp_path: Path) -> None:
    # A server on every interface, reached by the machine's host name (not a loopback
    # address): without the flags the probe page reaches it, with them it cannot.
    (tmp_path / "ok.txt").write_text("ok", encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("0.0.0.0", 0), handler)  # noqa: S104 - the probe's target
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://{socket.gethostname()}:{server.server_address[1]}/ok.txt"
    page = tmp_path / "probe.html"
    page.write_text(
        "<html><body><p id=out>pending</p><script>"
        f"fetch('{url}', {{mode: 'no-cors'}}).then("
        "() => { out.textContent = 'ONLINE'; }, () => { out.textContent = 'OFFLINE'; });"
        "</script></body></html>",
        encoding="utf-8",
    )
    try:
        online = dump_dom(chromium, page.as_uri(), tmp_path / "online", offline=False)
        offline = dump_dom(chromium, page.as_uri(), tmp_path / "offline")
    finally:
        server.shutdown()
        server.server_close()
    assert ">ONLINE<" in online, "the probe cannot reach its server even with the network on"
    assert ">OFFLINE<" in offline


def svg_texts(dom: str, css_class: str) -> list[str]:
    """The text labels inside the first ``<svg class="...css_class...">`` of ``dom``."""
    match = re.search(rf'<svg[^>]*class="[^"]*\b{css_class}\b[^"]*".*?</svg>', dom, re.S)
    assert match, f"no rendered <svg class={css_class!r}> in the DOM"
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", match.group(0))]


def test_architecture_diagram_is_rendered_svg(chromium: str, site_url: str, tmp_path: Path) -> None:
    dom = dump_dom(chromium, f"{site_url}architecture/", tmp_path)
    labels = svg_texts(dom, "okd-diagram")
    for name in (
        "orders-prod-api",
        "POST /orders",
        "ApiFunction",
        "OrdersTable",
        "ProcessorFunction",
        "DeadLettersQueue",
        "EncryptionKey",
        "AlarmsTopic",
        "DeadLetters",
    ):
        assert name in labels, name
    assert dom.count('class="okd-node ') >= 20
    assert re.search(r'<path class="okd-edge okd-e-stream okd-present" d="M[\d.]+', dom)
    # The diagram is drawn, not diagram source waiting for a script.
    assert "flowchart" not in visible_text(dom)
    assert 'class="mermaid"' not in dom


@pytest.mark.parametrize("phase", range(FIRST_PHASE, LAST_PHASE + 1))
def test_migration_page_shows_the_architecture_at_its_phase(
    chromium: str, site_url: str, tmp_path: Path, phase: int
) -> None:
    dom = dump_dom(chromium, f"{site_url}migration/phase-{phase}/", tmp_path)
    svg_texts(dom, "okd-diagram")
    states = set(re.findall(r'class="okd-node okd-\w+ okd-(\w+)"', dom))
    if phase == FIRST_PHASE:
        # The gaps of the naive start: later resources faded, missing controls in red.
        assert states == {"present", "missing"}
        assert re.search(r'class="okd-detail okd-gap"[^>]*>no PITR<', dom)
        assert re.search(r'class="okd-detail okd-gap"[^>]*>auth NONE<', dom)
    else:
        assert "added" in states or "changed" in states, states
    if phase == LAST_PHASE:
        assert "missing" not in states


def test_runbook_links_each_alarm_to_a_dashboard_widget_on_the_page(
    chromium: str, site_url: str, tmp_path: Path
) -> None:
    dom = dump_dom(chromium, f"{site_url}runbook/", tmp_path)
    assert "API errors" in svg_texts(dom, "okd-dashboard")
    anchors = set(re.findall(r'<span id="(widget-[a-z0-9-]+)">', dom))
    links = re.findall(r'<a href="#(widget-[a-z0-9-]+)">', dom)
    assert links and set(links) <= anchors


def test_home_page_links_every_section(chromium: str, site_url: str, tmp_path: Path) -> None:
    dom = dump_dom(chromium, site_url, tmp_path)
    for target in NAV_PAGES[1:]:
        assert f'href="{target}"' in dom, target
    # Material's search index was built and its script ran (the search box is in the DOM).
    assert 'data-md-component="search"' in dom
