"""The runbook covers every alarm the construct creates, and nothing else."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Stack

from docs.gen.runbook import RunbookError, check_coverage, load_runbook
from kit import ProductionOrderService
from kit.phases import FIRST_PHASE, LAST_PHASE
from kit.reference_app import STACK_NAME, build_reference_app, reference_props

from .conftest import BuiltSite


def construct_alarms(phase: int) -> set[str]:
    """The short names of the alarms ``ProductionOrderService`` creates at ``phase``."""
    stack = Stack(App(), "Orders")
    service = ProductionOrderService(stack, "Service", reference_props(phase))
    return set(service.alarms)


@pytest.fixture(scope="module")
def alarms_by_phase() -> dict[int, set[str]]:
    return {phase: construct_alarms(phase) for phase in range(FIRST_PHASE, LAST_PHASE + 1)}


def test_runbook_has_an_entry_for_every_alarm_of_every_phase(
    alarms_by_phase: dict[int, set[str]],
) -> None:
    documented = set(load_runbook())
    for phase, alarms in alarms_by_phase.items():
        assert alarms <= documented, f"phase {phase}: no runbook entry for {alarms - documented}"


def test_runbook_names_no_alarm_the_construct_does_not_create(
    alarms_by_phase: dict[int, set[str]],
) -> None:
    created = set().union(*alarms_by_phase.values())
    assert created, "the construct created no alarm at any phase"
    assert set(load_runbook()) == created


def test_every_alarm_has_a_section_on_the_runbook_page(
    built_site: BuiltSite, alarms_by_phase: dict[int, set[str]]
) -> None:
    page = built_site.page("runbook/")
    for alarm in alarms_by_phase[LAST_PHASE]:
        assert f'<h2 id="{alarm.lower()}">' in page, f"no runbook section for {alarm}"
        assert f"orders-prod-{alarm}" in page


def _dashboard_widgets(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Title -> widget of the template's dashboard (its ``Fn::Join`` body joined, references
    left as placeholders: only titles and metric names are compared)."""
    (board,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::CloudWatch::Dashboard"
    ]
    parts = board["Properties"]["DashboardBody"]["Fn::Join"][1]
    body = json.loads("".join(p if isinstance(p, str) else "REF" for p in parts))
    return {w["properties"]["title"]: w for w in body["widgets"]}


def _alarm_metric_names(properties: dict[str, Any]) -> set[str]:
    if "MetricName" in properties:
        return {properties["MetricName"]}
    return {
        q["MetricStat"]["Metric"]["MetricName"] for q in properties["Metrics"] if "MetricStat" in q
    }


def test_every_alarm_links_to_the_dashboard_widget_that_charts_its_metric(
    built_site: BuiltSite,
) -> None:
    with tempfile.TemporaryDirectory() as outdir:
        assembly = build_reference_app(outdir, LAST_PHASE).synth()
        template = assembly.get_stack_by_name(STACK_NAME).template
    widgets = _dashboard_widgets(template)
    page = built_site.page("runbook/")
    anchors = dict(
        re.findall(r'<span id="(widget-[a-z0-9-]+)"></span><strong>([^<]+)</strong>', page)
    )
    assert set(anchors.values()) == set(widgets)
    sections = re.split(r'<h2 id="', page)
    alarms = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    ]
    assert alarms
    charted = 0
    for alarm in alarms:
        short = alarm["AlarmName"].removeprefix("orders-prod-")
        (section,) = [s for s in sections if s.startswith(f'{short.lower()}"')]
        links = re.findall(r'<a href="#(widget-[a-z0-9-]+)">([^<]+)</a>', section)
        assert links, f"{short}: no link to the dashboard"
        for anchor, title in links:
            assert anchors[anchor] == title, f"{short}: link to {anchor} is not the widget {title}"
        # The alarm's state is in the alarm widget; its metric in the graph it links first.
        status = [t for _, t in links if widgets[t]["type"] == "alarm"]
        assert status, f"{short}: no link to the alarm status widget"
        graphs = [t for _, t in links if widgets[t]["type"] == "metric"]
        if graphs:
            charted += 1
            shown = {row[1] for row in widgets[graphs[0]]["properties"]["metrics"] if len(row) > 2}
            assert _alarm_metric_names(alarm) <= shown, f"{short}: {graphs[0]} shows {shown}"
    # Every alarm's metric is charted, the business-metric alarm (DependencyAccessDenied) too.
    assert charted == len(alarms)


def test_coverage_check_names_missing_and_unknown_alarms() -> None:
    with pytest.raises(
        RunbookError, match=r"without a runbook entry: DeadLetters.*does not create: Retired"
    ):
        check_coverage({"ApiFunctionErrors", "Retired"}, {"ApiFunctionErrors", "DeadLetters"})
    check_coverage({"A"}, {"A"})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- a list\n", "expected a mapping"),
        ("X:\n  meaning: m\n", "needs exactly 'meaning' and 'first_steps'"),
        ("X:\n  meaning: ''\n  first_steps: [a]\n", "'meaning' must be non-empty"),
        ("X:\n  meaning: m\n  first_steps: []\n", "'first_steps' must be a non-empty list"),
        ("X: [\n", "cannot read the runbook"),
    ],
)
def test_malformed_runbook_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "runbook.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RunbookError, match=message):
        load_runbook(path)
