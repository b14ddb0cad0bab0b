"""Patterns over construct paths, shared by the kit's acknowledgments and the audit's ledger.

``*`` matches any characters inside one path segment, ``**`` any number of whole segments
(``a/**/b`` matches ``a/b`` and ``a/x/y/b``), ``?`` one character inside a segment; everything
else is literal. A pattern matches whole paths.
"""

from __future__ import annotations

import re


def compile_resource_pattern(pattern: str) -> re.Pattern[str]:
    """Translate a construct path pattern (``*``, ``**``, ``?``) into a regular expression.

    Parameters
    ----------
    pattern : str
        The pattern; see the module docstring.

    Returns
    -------
    re.Pattern
        An expression that matches whole construct paths.

    Examples
    --------
    >>> bool(compile_resource_pattern("S/*Function/Resource").fullmatch("S/ApiFunction/Resource"))
    True
    >>> bool(compile_resource_pattern("S/*/Resource").fullmatch("S/A/B/Resource"))
    False
    >>> bool(compile_resource_pattern("S/**/Resource").fullmatch("S/A/B/Resource"))
    True
    """
    segments = pattern.split("/")
    parts: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            # Zero or more whole segments, each followed by "/" (or the end, when last).
            parts.append(".*" if last else "(?:[^/]+/)*")
            continue
        translated = "".join(
            "[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char)
            for char in segment
        )
        parts.append(translated if last else translated + "/")
    return re.compile("".join(parts))
