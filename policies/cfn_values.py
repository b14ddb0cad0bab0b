"""Reading CloudFormation property values as checkov hands them to Python checks.

checkov adds bookkeeping keys (``__file__``, ``__startline__``, ``__endline__``) to every
mapping of a template, so ``{"Ref": "Topic"}`` arrives as a four-key dict; CDK-synthesized
templates are also full of intrinsic functions. These functions look through both.
"""

from __future__ import annotations

from typing import Any

INTRINSIC_FUNCTIONS = frozenset(
    {
        "Ref",
        "Fn::GetAtt",
        "Fn::Join",
        "Fn::Sub",
        "Fn::ImportValue",
        "Fn::If",
        "Fn::Select",
        "Fn::Split",
        "Fn::FindInMap",
        "Fn::Base64",
        "Fn::GetAZs",
        "Fn::Cidr",
    }
)


def template_keys(mapping: dict[str, Any]) -> dict[str, Any]:
    """Return ``mapping`` without checkov's bookkeeping keys (those starting with ``__``).

    Parameters
    ----------
    mapping : dict
        A mapping from a resource configuration.

    Returns
    -------
    dict
        The keys the template author wrote.
    """
    return {key: value for key, value in mapping.items() if not str(key).startswith("__")}


def intrinsic(value: Any) -> tuple[str, Any] | None:
    """Return ``(function name, argument)`` if ``value`` is an intrinsic function call.

    Parameters
    ----------
    value : Any
        A property value.

    Returns
    -------
    tuple or None
        For example ``("Fn::GetAtt", ["Key", "Arn"])``; None for literals.

    Examples
    --------
    >>> intrinsic({"Ref": "Topic", "__startline__": 3})
    ('Ref', 'Topic')
    """
    if not isinstance(value, dict):
        return None
    keys = template_keys(value)
    if len(keys) == 1:
        ((name, argument),) = keys.items()
        if name in INTRINSIC_FUNCTIONS:
            return name, argument
    return None


def is_true(value: Any) -> bool:
    """Return True for ``true`` as CloudFormation accepts it (boolean or the string)."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def as_list(value: Any) -> list[Any]:
    """Return ``value`` as a list (IAM and CloudFormation accept a single item for a list)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def literal_text(value: Any, placeholder: str) -> str | None:
    """Render a string-valued property, replacing unresolvable parts by ``placeholder``.

    Handles plain strings, ``Fn::Join`` (recursively) and ``Fn::Sub`` with a plain template;
    any other intrinsic function becomes ``placeholder``.

    Parameters
    ----------
    value : Any
        A property value.
    placeholder : str
        Text standing in for parts only known at deploy time.

    Returns
    -------
    str or None
        The rendered text, or None if ``value`` is neither a string nor an intrinsic function.

    Examples
    --------
    >>> literal_text({"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":sns"]]}, "X")
    'arn:X:sns'
    """
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    call = intrinsic(value)
    if call is None:
        return None
    name, argument = call
    if name == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
        delimiter, parts = argument
        if isinstance(delimiter, str) and isinstance(parts, list):
            rendered = [literal_text(part, placeholder) for part in parts]
            return delimiter.join(placeholder if text is None else text for text in rendered)
    if name == "Fn::Sub":
        template = argument[0] if isinstance(argument, list) and argument else argument
        if isinstance(template, str):
            return template
    return placeholder


def as_number(value: Any) -> float | None:
    """Return a numeric property value as a float, or None if it is not a plain number.

    checkov substitutes parameter defaults as strings, so ``"500"`` counts as a number.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
