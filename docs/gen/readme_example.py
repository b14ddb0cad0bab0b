"""The README's construct example (the block ``tests/unit/kit/test_readme_example.py`` runs)."""

from __future__ import annotations

import re
from pathlib import Path

from docs.gen.inputs import REPO_ROOT

README = REPO_ROOT / "README.md"

_BLOCK = re.compile(
    r"<!-- readme-example:start -->\s*```python\n(.*?)```\s*<!-- readme-example:end -->",
    re.DOTALL,
)


def readme_example(readme: Path = README) -> str:
    """Return the Python code between the ``readme-example`` markers of ``readme``.

    Raises
    ------
    ValueError
        When the README has no such block.
    """
    match = _BLOCK.search(readme.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"{readme}: no <!-- readme-example:start/end --> python block")
    return match.group(1)


def render_readme_example(readme: Path = README) -> str:
    """The example as a fenced code block for the docs."""
    return f"```python\n{readme_example(readme)}```\n"
