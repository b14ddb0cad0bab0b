"""A small, deterministic layered layout (left to right) for directed graphs.

The classic steps of a layered ("Sugiyama") drawing, each in its simplest form:

1. cycles are broken by reversing the edges a depth-first search finds going back;
2. each node gets the layer of its longest path from a source; a source is then moved right,
   next to its nearest successor;
3. an edge spanning several layers passes through one dummy point per layer, so it never
   runs through a node;
4. nodes are ordered within a layer by the barycenter of their neighbours, sweeping right
   and left, keeping the order with the fewest crossings;
5. each node is placed near the mean height of its neighbours without overlapping the
   others of its layer.

The same input always gives the same output (no randomness, no dict-order dependence
beyond the order of ``nodes``), so the generated pages are stable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

#: Sweeps of the ordering and placement passes (enough for graphs of a few dozen nodes).
_SWEEPS = 12


@dataclass(frozen=True)
class Box:
    """A placed node: top-left corner and size."""

    x: float
    y: float
    width: float
    height: float

    @property
    def center_y(self) -> float:
        """The vertical middle."""
        return self.y + self.height / 2


@dataclass(frozen=True)
class Layout:
    """Where everything goes.

    Attributes
    ----------
    boxes : dict of str to Box
        Node -> its box.
    routes : dict of (str, str) to list of (float, float)
        ``(source, target)`` -> the points an edge passes between the two boxes (one per
        layer it crosses, left to right in the edge's direction); empty for adjacent layers.
    layers : dict of str to int
    width, height : float
        The size of the drawing.
    """

    boxes: dict[str, Box]
    routes: dict[tuple[str, str], list[tuple[float, float]]]
    layers: dict[str, int]
    width: float
    height: float


def _acyclic(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """``edges`` with the back edges of a depth-first search (in ``nodes`` order) reversed."""
    successors: dict[str, list[str]] = {n: [] for n in nodes}
    for source, target in edges:
        successors[source].append(target)
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    back: set[tuple[str, str]] = set()
    for root in nodes:
        if root in state:
            continue
        stack = [(root, iter(successors[root]))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                back.add((node, child))
            elif child not in state:
                state[child] = 1
                stack.append((child, iter(successors[child])))
    return [(t, s) if (s, t) in back else (s, t) for s, t in edges]


def _layers(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> dict[str, int]:
    predecessors: dict[str, list[str]] = {n: [] for n in nodes}
    successors: dict[str, list[str]] = {n: [] for n in nodes}
    for source, target in edges:
        predecessors[target].append(source)
        successors[source].append(target)
    layer: dict[str, int] = {}
    remaining = {n: len(set(predecessors[n])) for n in nodes}
    ready = [n for n in nodes if remaining[n] == 0]
    topological: list[str] = []
    while ready:
        node = ready.pop(0)
        topological.append(node)
        layer[node] = max((layer[p] + 1 for p in predecessors[node]), default=0)
        for child in dict.fromkeys(successors[node]):
            remaining[child] -= 1
            if remaining[child] == 0:
                ready.append(child)
    # Sources sit just left of their nearest successor (a key beside what it encrypts, not
    # in the first column); nodes without any edge go to the last column.
    last = max(layer.values(), default=0)
    for node in reversed(topological):
        if not predecessors[node]:
            layer[node] = min((layer[s] - 1 for s in successors[node]), default=last)
    return layer


def _crossings(order: Sequence[list[str]], edges: Sequence[tuple[str, str]]) -> int:
    position = {node: index for column in order for index, node in enumerate(column)}
    column_of = {node: c for c, column in enumerate(order) for node in column}
    by_column: dict[int, list[tuple[int, int]]] = {}
    for source, target in edges:
        by_column.setdefault(column_of[source], []).append((position[source], position[target]))
    count = 0
    for pairs in by_column.values():
        for i, (a1, b1) in enumerate(pairs):
            for a2, b2 in pairs[i + 1 :]:
                if (a1 - a2) * (b1 - b2) < 0:
                    count += 1
    return count


def _by_barycenter(
    column: list[str], fixed: list[str], neighbours: Mapping[str, list[str]]
) -> list[str]:
    """``column`` sorted by the mean position of each node's neighbours in ``fixed``; a node
    without any keeps its index (a stable sort keeps ties in their current order)."""
    position = {node: i for i, node in enumerate(fixed)}

    def barycenter(item: tuple[int, str]) -> float:
        index, node = item
        placed = [position[n] for n in neighbours.get(node, []) if n in position]
        return sum(placed) / len(placed) if placed else float(index)

    return [n for _, n in sorted(enumerate(column), key=barycenter)]


def _order(columns: list[list[str]], edges: Sequence[tuple[str, str]]) -> list[list[str]]:
    neighbours_left: dict[str, list[str]] = {}
    neighbours_right: dict[str, list[str]] = {}
    for source, target in edges:
        neighbours_left.setdefault(target, []).append(source)
        neighbours_right.setdefault(source, []).append(target)
    best = [list(c) for c in columns]
    best_crossings = _crossings(best, edges)
    current = [list(c) for c in columns]
    for sweep in range(_SWEEPS):
        rightward = sweep % 2 == 0
        indices = range(1, len(current)) if rightward else range(len(current) - 2, -1, -1)
        for c in indices:
            fixed = current[c - 1] if rightward else current[c + 1]
            neighbours = neighbours_left if rightward else neighbours_right
            current[c] = _by_barycenter(current[c], fixed, neighbours)
        crossings = _crossings(current, edges)
        if crossings < best_crossings:
            best, best_crossings = [list(c) for c in current], crossings
    return best


def _place(
    column: list[str],
    desired: Mapping[str, float],
    heights: Mapping[str, float],
    gap: float,
) -> dict[str, float]:
    """Top of each node: as near ``desired`` (a centre) as the order and the gaps allow."""
    if not column:
        return {}
    tops: dict[str, float] = {}
    previous_bottom = float("-inf")
    for node in column:
        top = max(desired[node] - heights[node] / 2, previous_bottom + gap)
        tops[node] = top
        previous_bottom = top + heights[node]
    # Pushing down only drifts the column; shift it back by the mean displacement.
    shift = sum(tops[n] + heights[n] / 2 - desired[n] for n in column) / len(column)
    return {node: top - shift for node, top in tops.items()}


def layered_layout(
    nodes: Sequence[str],
    edges: Sequence[tuple[str, str]],
    sizes: Mapping[str, tuple[float, float]],
    *,
    column_gap: float = 56.0,
    row_gap: float = 14.0,
    margin: float = 10.0,
) -> Layout:
    """Lay out ``nodes`` (in columns, left to right along the ``edges``).

    Parameters
    ----------
    nodes
        The nodes, in the order that breaks ties (the first-pass order within a column).
    edges
        ``(source, target)`` pairs; repeated pairs are drawn once; self-loops are ignored.
    sizes
        Node -> ``(width, height)``.

    Raises
    ------
    ValueError
        When an edge names a node not in ``nodes``.
    """
    known = set(nodes)
    unique = list(dict.fromkeys((s, t) for s, t in edges if s != t))
    unknown = sorted({n for pair in unique for n in pair} - known)
    if unknown:
        raise ValueError(f"edges name nodes that are not in the graph: {', '.join(unknown)}")
    forward = _acyclic(nodes, unique)
    layer = _layers(nodes, forward)

    # Dummy points of the edges that span more than one layer.
    heights = {n: sizes[n][1] for n in nodes}
    chains: dict[tuple[str, str], list[str]] = {}
    segments: list[tuple[str, str]] = []
    for source, target in dict.fromkeys(forward):
        chain = [source]
        for step in range(layer[source] + 1, layer[target]):
            dummy = f"\0{source}\0{target}\0{step}"
            layer[dummy], heights[dummy] = step, 4.0
            chain.append(dummy)
        chain.append(target)
        chains[(source, target)] = chain[1:-1]
        segments += list(pairwise(chain))
    columns: list[list[str]] = [[] for _ in range(max(layer.values(), default=0) + 1)]
    for node in [*nodes, *(d for chain in chains.values() for d in chain)]:
        columns[layer[node]].append(node)
    columns = _order(columns, segments)

    # Vertical placement: start stacked, then pull each node toward its neighbours.
    centre: dict[str, float] = {}
    for column in columns:
        y = 0.0
        for node in column:
            centre[node] = y + heights[node] / 2
            y += heights[node] + row_gap
    neighbours: dict[str, list[str]] = {}
    for source, target in segments:
        neighbours.setdefault(source, []).append(target)
        neighbours.setdefault(target, []).append(source)
    for _ in range(_SWEEPS):
        for column in columns:
            desired = {
                n: (
                    sum(centre[m] for m in neighbours[n]) / len(neighbours[n])
                    if neighbours.get(n)
                    else centre[n]
                )
                for n in column
            }
            for node, top in _place(column, desired, heights, row_gap).items():
                centre[node] = top + heights[node] / 2

    widths = [max((sizes[n][0] for n in column if n in known), default=0.0) for column in columns]
    lefts, x = [], margin
    for width in widths:
        lefts.append(x)
        x += width + column_gap
    top_edge = min(centre[n] - heights[n] / 2 for n in centre) if centre else 0.0
    offset = margin - top_edge
    boxes: dict[str, Box] = {}
    for c, column in enumerate(columns):
        for node in column:
            if node in known:
                width, height = sizes[node]
                left = lefts[c] + (widths[c] - width) / 2
                boxes[node] = Box(left, centre[node] + offset - height / 2, width, height)
    routes: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for source, target in unique:
        reversed_edge = (source, target) not in chains
        chain = chains[(target, source) if reversed_edge else (source, target)]
        points = [(lefts[layer[d]] + widths[layer[d]] / 2, centre[d] + offset) for d in chain]
        routes[(source, target)] = points[::-1] if reversed_edge else points
    bottom = max((b.y + b.height for b in boxes.values()), default=0.0)
    return Layout(
        boxes, routes, {n: layer[n] for n in nodes}, x - column_gap + margin, bottom + margin
    )
