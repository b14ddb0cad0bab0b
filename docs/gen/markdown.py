"""Small Markdown builders shared by the page generators."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

_CELL_ESCAPES = str.maketrans({"|": "\\|", "\n": " "})


def cell(value: object) -> str:
    """``value`` as the text of one table cell (pipes escaped, on one line)."""
    return str(value).translate(_CELL_ESCAPES)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table; ``rows`` must have as many cells as ``headers``.

    Examples
    --------
    >>> print(table(["a", "b"], [[1, "x|y"]]))
    | a | b |
    | --- | --- |
    | 1 | x\\|y |
    """
    lines = [
        "| " + " | ".join(cell(h) for h in headers) + " |",
        "| " + " | ".join("---" for _ in headers) + " |",
    ]
    for row in rows:
        if len(row) != len(headers):
            raise ValueError(f"table row {row!r} has {len(row)} cells, expected {len(headers)}")
        lines.append("| " + " | ".join(cell(value) for value in row) + " |")
    return "\n".join(lines)


def code(value: object) -> str:
    """``value`` as inline code (backticks inside are doubled-up safely)."""
    text = str(value)
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}" if fence == "`" else f"{fence} {text} {fence}"


def rst_to_markdown(text: str) -> str:
    """Turn the reStructuredText inline code (````x````) of kit docstrings into Markdown."""
    return text.replace("``", "`")
