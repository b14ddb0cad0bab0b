"""The architecture diagrams as inline SVG, drawn when the site is built (no script, no network).

:class:`PhaseDiagrams` reads the architecture graph of every phase's template, lays out the
union of them once (so a node stays in the same place on every phase page), and draws each
phase: what the phase adds highlighted, what it modifies marked, what later phases bring drawn
as a faded outline, and the gaps of a resource (``no PITR``, ``auth NONE``) in its box.

The colours come from ``docs/assets/diagrams.css`` (classes ``okd-*``), which follows the
site's light and dark palettes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from itertools import pairwise
from typing import Any

from docs.gen.architecture import EDGE_KINDS, Edge, Graph, Node, architecture_graph
from docs.gen.graph_layout import Box, Layout, layered_layout

#: Details that name a missing control (drawn as gaps).
_GAP_PREFIXES = ("no ", "not ", "AWS-owned", "kept forever", "auth NONE")
_KIND_HEIGHT, _NAME_HEIGHT, _DETAIL_HEIGHT, _PADDING = 13.0, 16.0, 13.0, 8.0
_LEGEND_HEIGHT = 46.0
#: Node categories (the colour of the box's left bar).
_CATEGORIES = {
    "AWS::ApiGateway::RestApi": "api",
    "AWS::ApiGateway::Method": "api",
    "AWS::Lambda::Function": "compute",
    "AWS::DynamoDB::Table": "data",
    "AWS::SQS::Queue": "data",
    "AWS::KMS::Key": "security",
    "AWS::Logs::LogGroup": "observability",
    "AWS::CloudWatch::Alarm": "observability",
    "AWS::CloudWatch::Dashboard": "observability",
    "AWS::SNS::Topic": "observability",
}
_NODE_STATES = ("present", "added", "changed", "missing", "removed")


def is_gap(detail: str) -> bool:
    """True when ``detail`` names a control the resource lacks."""
    return detail.startswith(_GAP_PREFIXES)


def _text_width(text: str, size: float) -> float:
    # An estimate of a sans-serif string's width; boxes are sized generously from it.
    return len(text) * size * 0.6


def _size(versions: Iterable[Node]) -> tuple[float, float]:
    nodes = list(versions)
    width = max(
        max(_text_width(n.name, 12.5) for n in nodes),
        # The kind line may carry a state (" · CHANGED", " · NOT YET").
        max(_text_width(n.kind.upper() + " · CHANGED", 9.5) for n in nodes),
        max((_text_width(d, 10.5) for n in nodes for d in n.details), default=0.0),
    )
    lines = max(len(n.details) for n in nodes)
    return (
        max(width + 2 * _PADDING + 6, 100.0),
        _KIND_HEIGHT + _NAME_HEIGHT + lines * _DETAIL_HEIGHT + 2 * _PADDING,
    )


@dataclass(frozen=True)
class DiagramState:
    """How each node and edge of the union graph is drawn at one phase."""

    nodes: dict[str, str]
    edges: dict[tuple[str, str, str], str]


def diagram_state(
    union: Graph,
    current: Graph,
    previous: Graph | None,
    modified: Iterable[str] = (),
) -> DiagramState:
    """The state of every node and edge of ``union`` in ``current``.

    Nodes: ``added`` (not in ``previous``), ``changed`` (in ``modified``), ``present``,
    ``missing`` (only in other phases: drawn as a faded outline) or ``removed`` (in
    ``previous``, not in ``current``). Edges: ``added``, ``present``, ``missing`` or
    ``removed``. With ``previous=None`` nothing is highlighted.
    """
    changed = set(modified)
    nodes: dict[str, str] = {}
    for logical_id in union.nodes:
        if logical_id in current.nodes:
            if previous is not None and logical_id not in previous.nodes:
                nodes[logical_id] = "added"
            elif previous is not None and logical_id in changed:
                nodes[logical_id] = "changed"
            else:
                nodes[logical_id] = "present"
        elif previous is not None and logical_id in previous.nodes:
            nodes[logical_id] = "removed"
        else:
            nodes[logical_id] = "missing"
    now, before = current.edge_keys(), (previous.edge_keys() if previous else None)
    edges: dict[tuple[str, str, str], str] = {}
    for key in union.edge_keys():
        if key in now:
            edges[key] = "added" if before is not None and key not in before else "present"
        elif before is not None and key in before:
            edges[key] = "removed"
        else:
            edges[key] = "missing"
    return DiagramState(nodes, edges)


def union_graph(graphs: Iterable[Graph]) -> Graph:
    """All nodes and edges of ``graphs``; a node keeps its latest version."""
    nodes: dict[str, Node] = {}
    edges: dict[tuple[str, str, str], Edge] = {}
    for graph in graphs:
        nodes.update(graph.nodes)
        edges.update({(e.source, e.target, e.kind): e for e in graph.edges})
    kinds = list(EDGE_KINDS)
    ordered = sorted(edges.values(), key=lambda e: (kinds.index(e.kind), e.source, e.target))
    return Graph(nodes, tuple(ordered))


class PhaseDiagrams:
    """The architecture of the reference app at every phase, laid out once.

    Parameters
    ----------
    templates
        Phase -> synthesized template.
    alarm_prefix
        Stripped from alarm names in the node labels.

    Examples
    --------
    >>> diagrams = PhaseDiagrams({0: {"Resources": {"T": {"Type": "AWS::DynamoDB::Table"}}}})
    >>> "<svg" in diagrams.svg(0)
    True
    """

    def __init__(self, templates: Mapping[int, Mapping[str, Any]], alarm_prefix: str = "") -> None:
        if not templates:
            raise ValueError("PhaseDiagrams needs the template of at least one phase")
        self.graphs = {
            phase: architecture_graph(templates[phase], alarm_prefix) for phase in sorted(templates)
        }
        self.union = union_graph(self.graphs.values())
        versions: dict[str, list[Node]] = {}
        for graph in self.graphs.values():
            for logical_id, node in graph.nodes.items():
                versions.setdefault(logical_id, []).append(node)
        sizes = {logical_id: _size(nodes) for logical_id, nodes in versions.items()}
        self.layout = layered_layout(
            list(self.union.nodes),
            [(e.source, e.target) for e in self.union.edges],
            sizes,
        )

    def svg(self, phase: int, modified: Iterable[str] = (), *, highlight: bool = True) -> str:
        """The diagram at ``phase``; with ``highlight``, what changed since the previous phase
        is marked (``modified``: the logical ids the template diff reports as modified)."""
        if phase not in self.graphs:
            raise ValueError(f"no template for phase {phase}; have {sorted(self.graphs)}")
        previous = self.graphs.get(phase - 1) if highlight else None
        changed = self.graphs[phase].nodes_of(modified)
        state = diagram_state(self.union, self.graphs[phase], previous, changed)
        return render_svg(self.union, self.graphs[phase], self.layout, state, f"phase-{phase}")


def _ports(
    union: Graph, layout: Layout, state: DiagramState
) -> dict[tuple[str, str, str], tuple[tuple[float, float], tuple[float, float]]]:
    """Start and end point of every drawn edge, spread along the sides of the boxes."""
    boxes = layout.boxes
    sides: dict[tuple[str, str], list[tuple[float, tuple[str, str, str], int]]] = {}
    for edge in union.edges:
        key = (edge.source, edge.target, edge.kind)
        if key not in state.edges:
            continue
        route = layout.routes[(edge.source, edge.target)]
        source, target = boxes[edge.source], boxes[edge.target]
        rightward = source.x < target.x
        first = route[0][1] if route else target.center_y
        last = route[-1][1] if route else source.center_y
        sides.setdefault((edge.source, "right" if rightward else "left"), []).append(
            (first, key, 0)
        )
        sides.setdefault((edge.target, "left" if rightward else "right"), []).append((last, key, 1))
    ends: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
    for (node, side), items in sides.items():
        box = boxes[node]
        x = box.x + box.width if side == "right" else box.x
        items.sort(key=lambda item: (item[0], item[1]))
        for index, (_, key, end) in enumerate(items):
            y = box.y + box.height * (index + 1) / (len(items) + 1)
            ends.setdefault(key, [(0.0, 0.0), (0.0, 0.0)])[end] = (x, y)
    return {key: (points[0], points[1]) for key, points in ends.items()}


def _path(points: list[tuple[float, float]]) -> str:
    parts = [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
    for (x1, y1), (x2, y2) in pairwise(points):
        half = (x2 - x1) / 2
        parts.append(f"C{x1 + half:.1f},{y1:.1f} {x2 - half:.1f},{y2:.1f} {x2:.1f},{y2:.1f}")
    return " ".join(parts)


def _node_svg(node: Node, box: Box, state: str, current: Node | None) -> str:
    shown = current or node
    category = _CATEGORIES.get(node.type_name, "other")
    tooltip = f"{node.type_name} {node.logical_id}" + (
        " (not deployed at this phase)" if state == "missing" else ""
    )
    x, y, width, height = box.x, box.y, box.width, box.height
    lines = [
        f'<g class="okd-node okd-{category} okd-{state}" '
        f'data-logical-id="{escape(node.logical_id)}">',
        f"<title>{escape(tooltip)}</title>",
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" rx="6"/>',
        f'<rect class="okd-bar" x="{x:.1f}" y="{y:.1f}" width="5" height="{height:.1f}" rx="2"/>',
    ]
    text_x = x + _PADDING + 4
    baseline = y + _PADDING + 9
    kind = shown.kind.upper()
    if state in ("added", "changed", "removed"):
        kind += {"added": " · NEW", "changed": " · CHANGED", "removed": " · REMOVED"}[state]
    elif state == "missing":
        kind += " · NOT YET"
    lines.append(
        f'<text class="okd-kind" x="{text_x:.1f}" y="{baseline:.1f}">{escape(kind)}</text>'
    )
    baseline += _NAME_HEIGHT
    lines.append(
        f'<text class="okd-name" x="{text_x:.1f}" y="{baseline:.1f}">{escape(shown.name)}</text>'
    )
    if current is not None:
        for detail in current.details:
            baseline += _DETAIL_HEIGHT
            css = "okd-detail okd-gap" if is_gap(detail) else "okd-detail"
            lines.append(
                f'<text class="{css}" x="{text_x:.1f}" y="{baseline:.1f}">{escape(detail)}</text>'
            )
    lines.append("</g>")
    return "\n".join(lines)


def _legend(top: float, states: set[str]) -> list[str]:
    lines = [f'<g class="okd-legend" transform="translate(10,{top:.1f})">']
    x = 0.0
    for kind in EDGE_KINDS:
        css = kind.replace(" ", "-")
        lines.append(
            f'<path class="okd-edge okd-e-{css}" d="M{x:.1f},6 h26"/>'
            f'<text x="{x + 30:.1f}" y="10">{escape(kind)}</text>'
        )
        x += 34 + _text_width(kind, 10.5) + 12
    x, y = 0.0, 28.0
    for state, label in (
        ("added", "added by this phase"),
        ("changed", "changed by this phase"),
        ("removed", "removed by this phase"),
        ("missing", "arrives in a later phase"),
    ):
        if state not in states:
            continue
        lines.append(
            f'<rect class="okd-swatch okd-{state}" x="{x:.1f}" y="{y - 9:.1f}" '
            f'width="22" height="12" rx="3"/>'
            f'<text x="{x + 28:.1f}" y="{y + 1:.1f}">{escape(label)}</text>'
        )
        x += 40 + _text_width(label, 10.5) + 16
    if "gap" in states:
        lines.append(
            f'<text class="okd-gap" x="{x:.1f}" y="{y + 1:.1f}">red: a control missing</text>'
        )
    lines.append("</g>")
    return lines


def render_svg(
    union: Graph, current: Graph, layout: Layout, state: DiagramState, diagram_id: str
) -> str:
    """The SVG element (one line per shape, no blank line: it is embedded in Markdown)."""
    states = set(state.nodes.values())
    if any(is_gap(d) for node in current.nodes.values() for d in node.details):
        states.add("gap")
    legend_width = sum(34 + _text_width(k, 10.5) + 12 for k in EDGE_KINDS) + 20
    width = max(layout.width, legend_width)
    height = layout.height + _LEGEND_HEIGHT
    arrow = f"okd-arrow-{diagram_id}"
    lines = [
        f'<svg class="okd-diagram" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'aria-labelledby="{diagram_id}-title">',
        f'<title id="{diagram_id}-title">Architecture of the reference app ({diagram_id}): '
        f"{len(current.nodes)} resources drawn, {len(current.edges)} links</title>",
        "<defs>",
        f'<marker id="{arrow}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        'markerHeight="8" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        '<path class="okd-arrowhead" d="M0,0 L10,5 L0,10 z"/></marker>',
        "</defs>",
    ]
    ends = _ports(union, layout, state)
    for edge in union.edges:
        key = (edge.source, edge.target, edge.kind)
        edge_state = state.edges[key]
        start, end = ends[key]
        points = [start, *layout.routes[(edge.source, edge.target)], end]
        css = edge.kind.replace(" ", "-")
        source, target = union.nodes[edge.source].name, union.nodes[edge.target].name
        lines.append(
            f'<path class="okd-edge okd-e-{css} okd-{edge_state}" d="{_path(points)}" '
            f'marker-end="url(#{arrow})"><title>{escape(f"{source} {edge.kind} {target}")}'
            f"</title></path>"
        )
    for logical_id, node in union.nodes.items():
        lines.append(
            _node_svg(
                node,
                layout.boxes[logical_id],
                state.nodes[logical_id],
                current.nodes.get(logical_id),
            )
        )
    lines += _legend(layout.height + 8, states)
    lines.append("</svg>")
    return "\n".join(lines)


def diagram_block(svg: str, caption: str) -> str:
    """Markdown for a diagram: the SVG in a scrollable figure with a caption."""
    return (
        f'<figure class="okd-figure" markdown="0">\n<div class="okd-scroll">\n{svg}\n</div>\n'
        f"<figcaption>{escape(caption)}</figcaption>\n</figure>\n"
    )


def not_drawn_note(graph: Graph) -> str:
    """A sentence listing the resources the diagram leaves out, by type."""
    listed = ", ".join(f"{count} `{type_name}`" for type_name, count in graph.not_drawn.items())
    if not listed:
        return ""
    count = sum(graph.not_drawn.values())
    return (
        f'??? info "{count} resources of the template are not drawn"\n\n'
        f"    API plumbing, permissions and IAM, drawn as part of what they belong to: {listed}.\n"
    )
