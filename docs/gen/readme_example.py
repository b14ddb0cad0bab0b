"""Code the pages show: the README's construct example (the block
``tests/unit/kit/test_readme_example.py`` runs) and the files of ``docs/examples/`` (which
``tests/docs/test_examples.py`` runs), as fenced blocks for the fragments."""

from __future__ import annotations

import re
from pathlib import Path

from docs.gen.inputs import REPO_ROOT

README = REPO_ROOT / "README.md"
#: Example programs shown in the pages; each is executed by the docs tests.
EXAMPLES_DIR = REPO_ROOT / "docs" / "examples"

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


def render_example(path: Path) -> str:
    """The example program at ``path`` as a fenced code block."""
    return f"```python\n{path.read_text(encoding='utf-8')}```\n"
