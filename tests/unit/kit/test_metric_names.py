"""The dashboard and alarms use the business metric names the handler really emits."""

from __future__ import annotations

import ast
from pathlib import Path

from kit import metrics
from kit.paths import handler_source_dir


def _string_literals() -> set[str]:
    literals = set()
    for path in Path(handler_source_dir(), "orders").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
    return literals


def test_handler_emits_the_dashboard_metric_names() -> None:
    emitted = _string_literals()
    for name in (
        metrics.ORDERS_CREATED,
        metrics.ORDERS_PROCESSED,
        metrics.ORDERS_ARCHIVED,
        metrics.ORDER_VALUE,
        metrics.DEPENDENCY_ACCESS_DENIED,
    ):
        assert name in emitted, f"handler/orders emits no metric named {name!r}"
