"""A JSON Schema draft-04 validator for the keywords the order schema uses, reporting every error.

Why not a library: ``fastjsonschema`` (the Powertools validation extra, and in the Powertools
layer) stops at the first error, while the API promises a 400 body that lists every problem;
``jsonschema`` reports all errors but is not in the Lambda runtime or the Powertools layer. The
subset here is small, compiled once per schema, and checked in the tests against ``jsonschema``'s
``Draft4Validator`` on generated documents. A schema that uses any keyword outside the subset is
refused at construction, so the schema file cannot silently grow a rule the handler ignores.

One deliberate difference: ``maxLength`` is counted in UTF-16 code units, which is never less than
the code-point count draft-04 specifies. Whichever way API Gateway's validator counts, the handler
is then never more lenient than it, so API Gateway cannot reject an order the handler accepts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from orders.errors import Problem

#: Keywords that carry no validation (annotations) and are accepted anywhere.
_ANNOTATIONS = frozenset({"$schema", "title", "description"})
#: Validation keywords this module implements, with draft-04 semantics.
SUPPORTED_KEYWORDS = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
        "pattern",
        "enum",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
    }
)
_TYPE_NAMES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}
#: Property names that are echoed into error paths; anything else is not (it is client input).
_ECHOABLE_NAME = re.compile(r"[A-Za-z0-9_]{1,64}\Z")


def json_type_matches(value: Any, type_name: str) -> bool:
    """Tell whether a parsed JSON value has the draft-04 type ``type_name``.

    Draft-04 defines an integer as a number without a fraction or exponent part, so only a
    Python ``int`` (never ``bool``, never ``Decimal("1.0")``) is an integer.

    Examples
    --------
    >>> json_type_matches(3, "integer"), json_type_matches(Decimal("3.0"), "integer")
    (True, False)
    >>> json_type_matches(True, "number")
    False
    """
    if type_name == "object":
        return isinstance(value, dict)
    if type_name == "array":
        return isinstance(value, list)
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "number":
        return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
    if type_name == "boolean":
        return isinstance(value, bool)
    if type_name == "null":
        return value is None
    raise ValueError(f"unknown JSON Schema type {type_name!r}")


def utf16_length(text: str) -> int:
    """Return the length of ``text`` in UTF-16 code units (astral characters count twice).

    Examples
    --------
    >>> utf16_length("abc"), utf16_length("\\U0001F600")
    (3, 2)
    """
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def _json_equal(left: Any, right: Any) -> bool:
    # JSON equality: true is not 1, and 1 equals 1.0.
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    return bool(left == right)


def child_path(parent: str, name: str) -> str:
    """Return the path of property ``name`` under ``parent`` (``"$"`` is the root).

    Examples
    --------
    >>> child_path("$", "items"), child_path("items[0]", "sku")
    ('items', 'items[0].sku')
    """
    return name if parent == "$" else f"{parent}.{name}"


def index_path(parent: str, index: int) -> str:
    """Return the path of array element ``index`` under ``parent``.

    Examples
    --------
    >>> index_path("items", 3)
    'items[3]'
    """
    return f"{parent}[{index}]"


class _CompiledSchema:
    """One schema node, with its keywords looked up once."""

    def __init__(self, schema: Mapping[str, Any], where: str) -> None:
        unknown = set(schema) - SUPPORTED_KEYWORDS - _ANNOTATIONS
        if unknown:
            raise ValueError(f"unsupported JSON Schema keyword(s) {sorted(unknown)} at {where}")
        declared = schema.get("type")
        self.types: tuple[str, ...] = (
            ()
            if declared is None
            else (declared,)
            if isinstance(declared, str)
            else tuple(declared)
        )
        for type_name in self.types:
            if type_name not in _TYPE_NAMES:
                raise ValueError(f"unknown type {type_name!r} at {where}")
        self.properties = {
            name: _CompiledSchema(sub, f"{where}/properties/{name}")
            for name, sub in schema.get("properties", {}).items()
        }
        self.required: tuple[str, ...] = tuple(schema.get("required", ()))
        additional = schema.get("additionalProperties", True)
        self.additional: bool | _CompiledSchema = (
            additional
            if isinstance(additional, bool)
            else _CompiledSchema(additional, f"{where}/additionalProperties")
        )
        items = schema.get("items")
        if items is not None and not isinstance(items, Mapping):
            raise ValueError(f"only a single schema is supported for 'items' at {where}")
        self.items = None if items is None else _CompiledSchema(items, f"{where}/items")
        self.min_items: int | None = schema.get("minItems")
        self.max_items: int | None = schema.get("maxItems")
        self.min_length: int | None = schema.get("minLength")
        self.max_length: int | None = schema.get("maxLength")
        pattern = schema.get("pattern")
        self.pattern_source: str | None = pattern
        self.pattern = None if pattern is None else re.compile(pattern)
        self.enum: list[Any] | None = schema.get("enum")
        self.minimum = schema.get("minimum")
        self.maximum = schema.get("maximum")
        self.exclusive_minimum = bool(schema.get("exclusiveMinimum", False))
        self.exclusive_maximum = bool(schema.get("exclusiveMaximum", False))
        self.type_message = "must be " + " or ".join(_TYPE_NAMES[t] for t in self.types)

    def check(self, value: Any, path: str, problems: list[Problem]) -> None:
        if self.types and not any(json_type_matches(value, t) for t in self.types):
            problems.append(Problem(path, self.type_message))
            return  # the other keywords would only repeat the type error
        if self.enum is not None and not any(_json_equal(value, e) for e in self.enum):
            allowed = ", ".join(str(e) for e in self.enum)
            problems.append(Problem(path, f"must be one of: {allowed}"))
        if isinstance(value, dict):
            self._check_object(value, path, problems)
        elif isinstance(value, list):
            self._check_array(value, path, problems)
        elif isinstance(value, str):
            self._check_string(value, path, problems)
        elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            self._check_number(value, path, problems)

    def _check_object(self, value: dict[str, Any], path: str, problems: list[Problem]) -> None:
        for name in self.required:
            if name not in value:
                problems.append(Problem(child_path(path, name), "is required"))
        for name, member in value.items():
            sub = self.properties.get(name)
            if sub is not None:
                sub.check(member, child_path(path, name), problems)
            elif self.additional is False:
                if _ECHOABLE_NAME.match(name):
                    problems.append(Problem(child_path(path, name), "is not an allowed field"))
                else:
                    problems.append(Problem(path, "contains a field that is not allowed"))
            elif isinstance(self.additional, _CompiledSchema):
                self.additional.check(member, child_path(path, name), problems)

    def _check_array(self, value: list[Any], path: str, problems: list[Problem]) -> None:
        if self.min_items is not None and len(value) < self.min_items:
            noun = "item" if self.min_items == 1 else "items"
            problems.append(Problem(path, f"must have at least {self.min_items} {noun}"))
        if self.max_items is not None and len(value) > self.max_items:
            problems.append(Problem(path, f"must have at most {self.max_items} items"))
        if self.items is not None:
            for index, member in enumerate(value):
                self.items.check(member, index_path(path, index), problems)

    def _check_string(self, value: str, path: str, problems: list[Problem]) -> None:
        if self.min_length is not None and len(value) < self.min_length:
            problems.append(Problem(path, f"must be at least {self.min_length} characters long"))
        if self.max_length is not None and (
            len(value) > self.max_length or utf16_length(value) > self.max_length
        ):
            problems.append(Problem(path, f"must be at most {self.max_length} characters long"))
        if self.pattern is not None and not self.pattern.search(value):
            problems.append(Problem(path, f"must match the pattern {self.pattern_source}"))

    def _check_number(
        self, value: int | float | Decimal, path: str, problems: list[Problem]
    ) -> None:
        if self.minimum is not None:
            if self.exclusive_minimum and not value > self.minimum:
                problems.append(Problem(path, f"must be greater than {self.minimum}"))
            elif not self.exclusive_minimum and not value >= self.minimum:
                problems.append(Problem(path, f"must be at least {self.minimum}"))
        if self.maximum is not None:
            if self.exclusive_maximum and not value < self.maximum:
                problems.append(Problem(path, f"must be less than {self.maximum}"))
            elif not self.exclusive_maximum and not value <= self.maximum:
                problems.append(Problem(path, f"must be at most {self.maximum}"))


class SchemaValidator:
    """Validate parsed JSON against a draft-04 schema and collect every problem.

    Parameters
    ----------
    schema : Mapping
        A draft-04 schema using only `SUPPORTED_KEYWORDS` (plus annotations).

    Raises
    ------
    ValueError
        If the schema uses a keyword this validator does not implement.

    Examples
    --------
    >>> validator = SchemaValidator({"type": "object", "required": ["a"],
    ...                              "properties": {"a": {"type": "integer", "maximum": 3}}})
    >>> [p.to_dict() for p in validator.problems({"a": 5})]
    [{'field': 'a', 'message': 'must be at most 3'}]
    """

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema
        self._root = _CompiledSchema(schema, "#")

    def problems(self, document: Any) -> list[Problem]:
        """Return every problem of ``document`` (an empty list when it is valid)."""
        found: list[Problem] = []
        self._root.check(document, "$", found)
        return found
