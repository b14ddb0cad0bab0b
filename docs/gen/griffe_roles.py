"""Griffe extension: show the kit docstrings' Sphinx roles as code in the rendered reference.

The kit's docstrings cross-reference with Sphinx roles (``:class:`OrderServiceProps```), which
mkdocstrings would print literally. This turns each into inline code (``OrderServiceProps``),
dropping a leading ``~``. mkdocs.yml loads it with the mkdocstrings ``extensions`` option.
"""

from __future__ import annotations

import re
from typing import Any

from griffe import Extension, GriffeLoader, Object

_ROLE = re.compile(r":(?:py:)?(?:class|data|mod|attr|func|meth|exc|obj|const):`~?([^`]+)`")


def strip_sphinx_roles(text: str) -> str:
    """Replace ``:role:`target``` with ```target``` (reStructuredText inline code).

    Examples
    --------
    >>> strip_sphinx_roles("See :class:`~kit.OrderServiceProps` and :data:`X`.")
    'See ``kit.OrderServiceProps`` and ``X``.'
    """
    return _ROLE.sub(r"``\1``", text)


class SphinxRoles(Extension):
    """Rewrite the roles in every docstring once griffe has loaded the package."""

    def on_object(self, *, obj: Object, loader: GriffeLoader, **kwargs: Any) -> None:
        """Rewrite ``obj``'s docstring in place."""
        if obj.docstring is not None:
            obj.docstring.value = strip_sphinx_roles(obj.docstring.value)
