"""The site builds strictly, with every page of the nav, and the generated pages carry the
numbers of real runs: a fresh synthesis here must agree with what the pages say."""

from __future__ import annotations

import html
import re
import tempfile
from typing import Any

import pytest

from docs.gen.template_diff import diff_templates
from kit.acknowledgments import kit_acknowledgments
from kit.migration import check_migration
from kit.phases import FIRST_PHASE, LAST_PHASE, PHASE_TITLES, introduced_at
from kit.reference_app import STACK_NAME, build_reference_app

from .conftest import NAV_PAGES, BuiltSite

PHASES = range(FIRST_PHASE, LAST_PHASE + 1)


def has_phrase(text: str, *parts: object) -> bool:
    """True when ``parts`` appear in order in ``text``, separated only by punctuation/space."""
    pattern = r"(?<!\w)" + r"\W+".join(re.escape(str(part)) for part in parts)
    return re.search(pattern, text) is not None


def text_of(page_html: str) -> str:
    """The visible text of a page (tags dropped, entities decoded, spaces collapsed)."""
    without_tags = re.sub(r"<[^>]+>", " ", page_html)
    return re.sub(r"\s+", " ", html.unescape(without_tags))


@pytest.fixture(scope="module")
def templates() -> dict[int, dict[str, Any]]:
    found = {}
    for phase in PHASES:
        with tempfile.TemporaryDirectory() as outdir:
            assembly = build_reference_app(outdir, phase).synth()
            found[phase] = assembly.get_stack_by_name(STACK_NAME).template
    return found


def test_strict_build_reports_the_generated_content(built_site: BuiltSite) -> None:
    assert re.search(rf"order-kit docs: {len(PHASES)} pages, \d+ fragments", built_site.log)
    assert "WARNING" not in built_site.log


@pytest.mark.parametrize("path", NAV_PAGES)
def test_every_nav_page_is_built(built_site: BuiltSite, path: str) -> None:
    assert "<h1" in built_site.page(path)


@pytest.mark.parametrize("phase", PHASES)
def test_migration_page_shows_the_real_template_change(
    built_site: BuiltSite, templates: dict[int, dict[str, Any]], phase: int
) -> None:
    page = text_of(built_site.page(f"migration/phase-{phase}/"))
    assert f"Phase {phase}: {PHASE_TITLES[phase]}" in page
    for control in introduced_at(phase):
        assert control in page
    resources = len(templates[phase]["Resources"])
    assert has_phrase(page, resources, "resources")
    if phase == FIRST_PHASE:
        assert "Template at phase 0" in page
        return
    diff = diff_templates(templates[phase - 1], templates[phase])
    assert has_phrase(
        page,
        len(diff.added),
        "added",
        len(diff.removed),
        "removed",
        len(diff.modified),
        "modified",
    )
    for summary in diff.by_type:
        assert summary.type_name in page
    assert not check_migration(templates[phase - 1], templates[phase])
    assert "Safe for live data" in page


def test_phase_0_fails_the_audit_and_phase_5_passes(built_site: BuiltSite) -> None:
    first = text_of(built_site.page("migration/phase-0/"))
    last = text_of(built_site.page("migration/phase-5/"))
    open_at_start = re.search(r"audit --phase 0\W+fails\W+(\d+) open findings", first)
    assert open_at_start, "phase 0 page has no failing audit verdict"
    assert int(open_at_start.group(1)) > 0
    assert has_phrase(last, "audit --phase 5", "passes", "0 open findings")


def test_migration_overview_lists_every_phase(built_site: BuiltSite) -> None:
    page = built_site.page("migration/")
    for phase in PHASES:
        assert f'href="phase-{phase}/"' in page
    assert text_of(page).count(" safe ") >= LAST_PHASE


def test_compliance_page_has_the_matrix_and_the_ledger(built_site: BuiltSite) -> None:
    page = text_of(built_site.page("compliance/"))
    assert has_phrase(page, "reference app, phase 5", "passes", "0 open findings")
    for control in ("SEC-1", "REL-1", "MON-1", "PERF-1", "OPS-1"):
        assert control in page
    assert "kit/audit/ledger.yaml" in page
    assert "kit/acknowledgments.yaml" in page
    assert "AwsSolutions-L1" in page


def test_compliance_evidence_page_has_a_sample_of_the_reference_apps_oscal(
    built_site: BuiltSite,
) -> None:
    page = text_of(built_site.page("compliance-evidence/"))
    assert "component-definition.ProductionOrderService-OrderService.json" in page
    assert "assessment-results.json" in page
    for framework in ("NIST SP 800-53 Rev. 5", "HIPAA Security Rule", "PCI DSS 3.2.1"):
        assert framework in page
    # Statements generated from the reference app's resources and props, not boilerplate.
    assert "alias/orders-prod" in page and "365 days" in page
    assert "orders-prod-DeadLetters" in page
    assert has_phrase(page, "control-id", "au-11")
    assert has_phrase(page, "status", "deviation-approved")
    assert has_phrase(page, "target-id", "cp-9")
    assert has_phrase(page, "state", "not-satisfied")
    assert "trestle validate -a" in page


def test_audit_your_app_page_lists_every_kit_acknowledgment(built_site: BuiltSite) -> None:
    page = text_of(built_site.page("audit-your-app/"))
    assert "pip install 'production-order-kit[audit]'" in page
    assert "upload-sarif" in page  # the copy-ready workflow is included
    for ack in kit_acknowledgments():
        assert ack.rule in page, ack.rule


def test_construct_reference_is_rendered_from_the_docstrings(built_site: BuiltSite) -> None:
    page = text_of(built_site.page("construct/"))
    # Parameters of the props docstring and attributes of the construct docstring.
    for name in ("throttle_rate_limit", "powertools_layer_version", "dead_letter_queue"):
        assert name in page
    assert "Migration phase, 0-5" in page
    # The docstrings' Sphinx roles are shown as code, not as ":class:" text.
    assert not re.search(r":(class|data|mod|attr):", page)
    assert "Configuration of kit.ProductionOrderService" in page


def test_architecture_page_draws_the_synthesized_template(
    built_site: BuiltSite, templates: dict[int, dict[str, Any]]
) -> None:
    page = built_site.page("architecture/")
    assert '<svg class="okd-diagram"' in page
    assert 'class="mermaid"' not in page
    # Every drawn box is a resource of a fresh synthesis of the reference app.
    resources = templates[LAST_PHASE]["Resources"]
    drawn = re.findall(r'data-logical-id="(\w+)"', page)
    assert len(drawn) >= 20
    assert set(drawn) <= set(resources)
    for type_name in (
        "AWS::ApiGateway::RestApi",
        "AWS::Lambda::Function",
        "AWS::DynamoDB::Table",
        "AWS::SQS::Queue",
        "AWS::KMS::Key",
        "AWS::SNS::Topic",
        "AWS::CloudWatch::Alarm",
    ):
        of_type = {i for i, r in resources.items() if r["Type"] == type_name}
        assert of_type <= set(drawn), type_name


def test_no_page_loads_anything_from_another_host(built_site: BuiltSite) -> None:
    # The site works offline: scripts, styles, images and fonts all come from the site itself.
    external = re.compile(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="(?:https?:)?//', re.I)
    for page in sorted(built_site.directory.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        match = external.search(text)
        assert match is None, f"{page}: {match.group(0) if match else ''}"
    for sheet in sorted(built_site.directory.rglob("*.css")):
        assert not re.search(r"url\((['\"]?)https?://", sheet.read_text(encoding="utf-8")), sheet
