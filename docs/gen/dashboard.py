"""The service dashboard as synthesized: its widgets, and which widget shows each alarm's metric.

The dashboard body is read from the template (``Fn::Join`` resolved, references kept as
``${LogicalId}`` placeholders), so the runbook's links and the widget table cannot drift from
what ``ServiceDashboard`` deploys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from docs.gen.markdown import code, table
from docs.gen.template_refs import resolve_text

#: Pixels per dashboard grid unit in the picture (CloudWatch dashboards are 24 units wide).
_UNIT_X, _UNIT_Y = 32.0, 24.0

MetricKey = tuple[str, str, tuple[tuple[str, str], ...]]


class DashboardError(ValueError):
    """The template's dashboard cannot be read, or an alarm is not on it."""


@dataclass(frozen=True)
class Widget:
    """One dashboard widget.

    Attributes
    ----------
    title : str
    kind : str
        ``metric`` (a graph), ``alarm`` (alarm states), ``text``...
    x, y, width, height : int
        Position and size in dashboard grid units.
    metrics : tuple of (namespace, metric name, dimensions)
        The metrics a graph plots (dimension values as ``${LogicalId}`` placeholders).
    labels : tuple of str
        What the graph's legend says, one per metric or expression.
    alarms : tuple of str
        Logical ids of the alarms an alarm widget shows.
    """

    title: str
    kind: str
    x: int
    y: int
    width: int
    height: int
    metrics: tuple[MetricKey, ...] = ()
    labels: tuple[str, ...] = ()
    alarms: tuple[str, ...] = ()

    @property
    def anchor(self) -> str:
        """The id of the widget's row on the runbook page (``widget-api-errors``)."""
        return "widget-" + re.sub(r"[^a-z0-9]+", "-", self.title.lower()).strip("-")


@dataclass(frozen=True)
class Dashboard:
    """The dashboard's name and its widgets, in the body's order."""

    name: str
    widgets: tuple[Widget, ...]


@dataclass(frozen=True)
class AlarmOnDashboard:
    """Where an alarm appears on the dashboard: the graph of its metric and its state."""

    chart: Widget | None
    status: Widget | None


def _metric_key(namespace: str, name: str, dimensions: Mapping[str, str]) -> MetricKey:
    return (namespace, name, tuple(sorted(dimensions.items())))


def _graph_metrics(rows: Sequence[Any]) -> tuple[tuple[MetricKey, ...], tuple[str, ...]]:
    metrics: list[MetricKey] = []
    labels: list[str] = []
    for row in rows:
        options = row[-1] if row and isinstance(row[-1], dict) else {}
        fields = [part for part in row if not isinstance(part, dict)]
        if "expression" in options:
            labels.append(options.get("label") or "metric search expression")
            continue
        if len(fields) < 2 or len(fields) % 2:
            raise DashboardError(f"unreadable metric row in the dashboard: {row!r}")
        namespace, name, *pairs = (str(part) for part in fields)
        dimensions = dict(zip(pairs[::2], pairs[1::2], strict=True))
        metrics.append(_metric_key(namespace, name, dimensions))
        labels.append(options.get("label") or name)
    return tuple(metrics), tuple(labels)


def read_dashboard(template: Mapping[str, Any]) -> Dashboard:
    """The template's CloudWatch dashboard: its name and widgets.

    Raises
    ------
    DashboardError
        When the template has no dashboard or more than one, or its body is not JSON.
    """
    resources = template.get("Resources", {})
    dashboards = [
        (logical_id, r)
        for logical_id, r in resources.items()
        if r.get("Type") == "AWS::CloudWatch::Dashboard"
    ]
    if len(dashboards) != 1:
        raise DashboardError(f"expected one AWS::CloudWatch::Dashboard, found {len(dashboards)}")
    logical_id, dashboard = dashboards[0]
    try:
        body = json.loads(resolve_text(dashboard.get("Properties", {}).get("DashboardBody")))
    except (ValueError, TypeError) as error:
        raise DashboardError(f"{logical_id}: cannot read the dashboard body ({error})") from None
    widgets = []
    for raw in body.get("widgets", []):
        properties = raw.get("properties", {})
        metrics, labels = _graph_metrics(properties.get("metrics", []))
        alarms = tuple(
            match.group(1)
            for arn in properties.get("alarms", [])
            if (match := re.fullmatch(r"\$\{([^.}]+)\.Arn\}", str(arn)))
        )
        widgets.append(
            Widget(
                title=str(properties.get("title", raw.get("type", "?"))),
                kind=str(raw.get("type", "?")),
                x=int(raw.get("x", 0)),
                y=int(raw.get("y", 0)),
                width=int(raw.get("width", 6)),
                height=int(raw.get("height", 6)),
                metrics=metrics,
                labels=labels,
                alarms=alarms,
            )
        )
    name = dashboard.get("Properties", {}).get("DashboardName", logical_id)
    return Dashboard(resolve_text(name), tuple(widgets))


def alarm_metrics(properties: Mapping[str, Any]) -> list[MetricKey]:
    """The metrics an alarm evaluates (one, or the inputs of its metric math)."""
    found = []
    if "MetricName" in properties:
        found.append((properties.get("Namespace", ""), properties["MetricName"], properties))
    for query in properties.get("Metrics", []):
        metric = query.get("MetricStat", {}).get("Metric")
        if metric:
            found.append((metric.get("Namespace", ""), metric["MetricName"], metric))
    return [
        _metric_key(
            str(namespace),
            str(name),
            {str(d["Name"]): resolve_text(d["Value"]) for d in source.get("Dimensions", [])},
        )
        for namespace, name, source in found
    ]


def alarms_on_dashboard(
    template: Mapping[str, Any], widgets: Sequence[Widget], prefix: str
) -> dict[str, AlarmOnDashboard]:
    """Alarm short name -> the graph showing its metric(s) and the widget showing its state.

    Raises
    ------
    DashboardError
        When an alarm is on no widget of the dashboard at all.
    """
    placed: dict[str, AlarmOnDashboard] = {}
    for logical_id, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::CloudWatch::Alarm":
            continue
        properties = resource.get("Properties", {})
        name = str(properties.get("AlarmName", logical_id)).removeprefix(prefix)
        wanted = set(alarm_metrics(properties))
        chart = next((w for w in widgets if wanted and wanted <= set(w.metrics)), None)
        status = next((w for w in widgets if logical_id in w.alarms), None)
        if chart is None and status is None:
            raise DashboardError(f"alarm {name} is on no widget of the dashboard")
        placed[name] = AlarmOnDashboard(chart, status)
    return placed


def dashboard_link(placement: AlarmOnDashboard) -> str:
    """The runbook's "On the dashboard" cell: links to the widgets of one alarm."""
    parts = []
    if placement.chart is not None:
        parts.append(f"[{placement.chart.title}](#{placement.chart.anchor}) (its metric)")
    else:
        parts.append("its metric is not charted")
    if placement.status is not None:
        parts.append(f"state in [{placement.status.title}](#{placement.status.anchor})")
    return "; ".join(parts)


def _picture(widgets: Sequence[Widget]) -> str:
    width = max((w.x + w.width for w in widgets), default=24) * _UNIT_X
    height = max((w.y + w.height for w in widgets), default=1) * _UNIT_Y
    lines = [
        f'<svg class="okd-diagram okd-dashboard" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width + 2:.0f} {height + 2:.0f}" width="{width + 2:.0f}" '
        'aria-labelledby="dashboard-title">',
        f'<title id="dashboard-title">The dashboard\'s {len(widgets)} widgets</title>',
    ]
    for widget in widgets:
        x, y = widget.x * _UNIT_X + 1, widget.y * _UNIT_Y + 1
        w, h = widget.width * _UNIT_X - 6, widget.height * _UNIT_Y - 6
        shown = widget.labels or (f"state of {len(widget.alarms)} alarms",)
        lines.append(f'<g class="okd-widget"><a href="#{widget.anchor}">')
        lines.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{w:.0f}" height="{h:.0f}" rx="4"/>')
        lines.append(
            f'<text class="okd-widget-title" x="{x + 8:.0f}" y="{y + 17:.0f}">'
            f"{escape(widget.title)}</text>"
        )
        for index, label in enumerate(shown[: int((h - 24) // 14)]):
            lines.append(
                f'<text x="{x + 8:.0f}" y="{y + 34 + 14 * index:.0f}">{escape(label[:48])}</text>'
            )
        lines.append("</a></g>")
    lines.append("</svg>")
    return "\n".join(lines)


def render_dashboard(dashboard: Dashboard, placements: Mapping[str, AlarmOnDashboard]) -> str:
    """The dashboard fragment: a picture of the widgets' layout and a table of what each shows."""
    widgets = dashboard.widgets
    rows = []
    for widget in widgets:
        alarms = sorted(
            name
            for name, p in placements.items()
            if p.chart is widget or (widget.kind == "alarm" and p.status is widget)
        )
        shows = (
            ", ".join(widget.labels)
            if widget.kind == "metric"
            else f"the state of {len(widget.alarms)} alarms"
        )
        rows.append(
            [
                f'<span id="{widget.anchor}"></span>**{widget.title}**',
                f"{widget.width} by {widget.height} at ({widget.x}, {widget.y})",
                shows,
                ", ".join(f"[{name}](#{name.lower()})" for name in alarms) or "—",
            ]
        )
    return (
        f"The dashboard {code(dashboard.name)} as synthesized: {len(widgets)} widgets on "
        "CloudWatch's 24-unit grid (select a widget for what it shows).\n\n"
        f'<figure class="okd-figure" markdown="0">\n<div class="okd-scroll">\n'
        f"{_picture(widgets)}\n</div>\n</figure>\n\n"
        + table(["Widget", "Size and position", "Shows", "Alarms it shows"], rows)
        + "\n"
    )
