"""What each migration-phase control is: the ``#:`` comment of its ``Features`` field."""

from __future__ import annotations

import ast
import inspect
from types import ModuleType


class FeatureNotesError(ValueError):
    """A ``Features`` field has no ``#:`` description (the docs would have a hole)."""


def feature_notes(module: ModuleType | None = None) -> dict[str, str]:
    """Return ``{field name: description}`` for every field of ``Features``.

    The description is the ``#:`` comment block right above the field in the source of
    :mod:`kit.phases` (the Sphinx convention for attribute docs).

    Parameters
    ----------
    module
        The module that defines ``Features``; :mod:`kit.phases` by default.

    Raises
    ------
    FeatureNotesError
        When a field has no ``#:`` comment.
    """
    if module is None:
        from kit import phases

        module = phases
    source = inspect.getsource(module)
    lines = source.splitlines()
    tree = ast.parse(source)
    features = next(
        (node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Features"),
        None,
    )
    if features is None:
        raise FeatureNotesError(f"{module.__name__} defines no Features class")
    notes: dict[str, str] = {}
    for node in features.body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        comment: list[str] = []
        index = node.lineno - 2  # the line above the field, 0-based
        while index >= 0 and lines[index].strip().startswith("#:"):
            comment.insert(0, lines[index].strip()[2:].strip())
            index -= 1
        if not comment:
            raise FeatureNotesError(
                f"{module.__name__}.Features.{node.target.id} has no '#:' description"
            )
        notes[node.target.id] = " ".join(comment)
    return notes
