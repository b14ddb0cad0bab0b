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
import sys
from collections.abc import Callable, Mapping
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
    # surrogatepass: a lone surrogate counts as one unit instead of failing to encode.
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


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


#: An extra rule for every string the schema describes: (text, its schema) -> message or None.
StringCheck = Callable[[str, Mapping[str, Any]], "str | None"]


def _exceeds_max_length(value: str, max_length: int) -> bool:
    if len(value) > max_length:
        return True
    # UTF-16 length is at most twice the code points, so short strings need no counting.
    return len(value) * 2 > max_length and utf16_length(value) > max_length


class _CompiledSchema:
    """One schema node, with its keywords looked up once.

    `is_valid` is the fast path for the common case (a valid document): no paths, no messages,
    stops at the first failure. `check` collects every problem with its path.
    """

    def __init__(
        self, schema: Mapping[str, Any], where: str, string_check: StringCheck | None
    ) -> None:
        unknown = set(schema) - SUPPORTED_KEYWORDS - _ANNOTATIONS
        if unknown:
            raise ValueError(f"unsupported JSON Schema keyword(s) {sorted(unknown)} at {where}")
        self.schema = schema
        self.string_check = string_check
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
            name: _CompiledSchema(sub, f"{where}/properties/{name}", string_check)
            for name, sub in schema.get("properties", {}).items()
        }
        self.required: tuple[str, ...] = tuple(schema.get("required", ()))
        additional = schema.get("additionalProperties", True)
        self.additional: bool | _CompiledSchema = (
            additional
            if isinstance(additional, bool)
            else _CompiledSchema(additional, f"{where}/additionalProperties", string_check)
        )
        items = schema.get("items")
        if items is not None and not isinstance(items, Mapping):
            raise ValueError(f"only a single schema is supported for 'items' at {where}")
        self.items = (
            None if items is None else _CompiledSchema(items, f"{where}/items", string_check)
        )
        self.min_items: int | None = schema.get("minItems")
        self.max_items: int | None = schema.get("maxItems")
        self.min_length: int | None = schema.get("minLength")
        self.max_length: int | None = schema.get("maxLength")
        pattern = schema.get("pattern")
        self.pattern_source: str | None = pattern
        self.pattern = None if pattern is None else re.compile(pattern)
        self.enum: list[Any] | None = schema.get("enum")
        # A set for the common all-strings enum, so membership is one hash lookup.
        self.string_enum = (
            frozenset(self.enum)
            if self.enum is not None and all(isinstance(e, str) for e in self.enum)
            else None
        )
        self.minimum = schema.get("minimum")
        self.maximum = schema.get("maximum")
        self.exclusive_minimum = bool(schema.get("exclusiveMinimum", False))
        self.exclusive_maximum = bool(schema.get("exclusiveMaximum", False))
        self.type_message = "must be " + " or ".join(_TYPE_NAMES[t] for t in self.types)
        self.fast_validator = _fast_validator(self)

    def _type_ok(self, value: Any) -> bool:
        return not self.types or any(json_type_matches(value, t) for t in self.types)

    def _enum_ok(self, value: Any) -> bool:
        if self.enum is None:
            return True
        if self.string_enum is not None:
            return isinstance(value, str) and value in self.string_enum
        return any(_json_equal(value, e) for e in self.enum)

    def is_valid(self, value: Any) -> bool:
        """Generic validity test (the compiled `fast_validator` handles the common shapes)."""
        problems: list[Problem] = []
        self.check(value, "$", problems)
        return not problems

    def check(self, value: Any, path: str, problems: list[Problem]) -> None:
        if not self._type_ok(value):
            problems.append(Problem(path, self.type_message))
            return  # the other keywords would only repeat the type error
        if not self._enum_ok(value):
            allowed = ", ".join(str(e) for e in self.enum or ())
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
            return  # the array is refused whole: its members are not worth checking
        if self.items is not None:
            for index, member in enumerate(value):
                self.items.check(member, index_path(path, index), problems)

    def _check_string(self, value: str, path: str, problems: list[Problem]) -> None:
        if self.min_length is not None and len(value) < self.min_length:
            problems.append(Problem(path, f"must be at least {self.min_length} characters long"))
        if self.max_length is not None and _exceeds_max_length(value, self.max_length):
            problems.append(Problem(path, f"must be at most {self.max_length} characters long"))
        if self.pattern is not None and not self.pattern.search(value):
            problems.append(Problem(path, f"must match the pattern {self.pattern_source}"))
        if self.string_check is not None:
            message = self.string_check(value, self.schema)
            if message is not None:
                problems.append(Problem(path, message))

    def _number_ok(self, value: int | float | Decimal) -> bool:
        if self.minimum is not None and not (
            value > self.minimum if self.exclusive_minimum else value >= self.minimum
        ):
            return False
        return self.maximum is None or (
            value < self.maximum if self.exclusive_maximum else value <= self.maximum
        )

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


_NUMBER_TYPES = (int, float, Decimal)
_NO_LIMIT = sys.maxsize


def _fast_validator(node: _CompiledSchema) -> Callable[[Any], bool]:
    """Compile ``node`` into a closure that only answers "valid?", as fast as plain Python goes.

    Specialized closures for the shapes the order schema has (single-type object, array,
    string, integer and number nodes); anything else falls back to the generic `check`. The
    property tests check that both paths always agree.
    """
    if len(node.types) != 1:
        return node.is_valid
    kind = node.types[0]
    if kind == "string":
        return _fast_string(node)
    if kind in ("integer", "number") and node.enum is None:
        return _fast_number(node, integer=kind == "integer")
    if kind == "object" and node.enum is None:
        return _fast_object(node)
    if kind == "array" and node.enum is None:
        return _fast_array(node)
    return node.is_valid


def _fast_string(node: _CompiledSchema) -> Callable[[Any], bool]:
    min_length = node.min_length or 0
    max_length = _NO_LIMIT if node.max_length is None else node.max_length
    search = None if node.pattern is None else node.pattern.search
    allowed = node.string_enum
    general_enum = node.enum is not None and allowed is None
    string_check, schema = node.string_check, node.schema

    def valid(value: Any) -> bool:
        if type(value) is not str:
            return False
        length = len(value)
        if length < min_length or length > max_length:
            return False
        if length * 2 > max_length and utf16_length(value) > max_length:
            return False
        if search is not None and search(value) is None:
            return False
        if allowed is not None and value not in allowed:
            return False
        if general_enum and not node._enum_ok(value):
            return False
        return string_check is None or string_check(value, schema) is None

    return valid


def _fast_number(node: _CompiledSchema, *, integer: bool) -> Callable[[Any], bool]:
    number_ok = node._number_ok

    def valid(value: Any) -> bool:
        if integer:
            if type(value) is not int:
                return False
        elif type(value) not in _NUMBER_TYPES:
            return False
        return number_ok(value)

    return valid


def _fast_object(node: _CompiledSchema) -> Callable[[Any], bool]:
    required = node.required
    members = {name: sub.fast_validator for name, sub in node.properties.items()}
    others: Callable[[Any], bool] | None = (
        node.additional.fast_validator
        if isinstance(node.additional, _CompiledSchema)
        else (lambda _: True)
        if node.additional
        else None
    )

    def valid(value: Any) -> bool:
        if type(value) is not dict:
            return False
        for name in required:
            if name not in value:
                return False
        for name, member in value.items():
            member_valid = members.get(name, others)
            if member_valid is None or not member_valid(member):
                return False
        return True

    return valid


def _fast_array(node: _CompiledSchema) -> Callable[[Any], bool]:
    min_items = node.min_items or 0
    max_items = _NO_LIMIT if node.max_items is None else node.max_items
    member_valid = None if node.items is None else node.items.fast_validator

    def valid(value: Any) -> bool:
        if type(value) is not list or not min_items <= len(value) <= max_items:
            return False
        return member_valid is None or all(member_valid(member) for member in value)

    return valid


class SchemaValidator:
    """Validate parsed JSON against a draft-04 schema and collect every problem.

    Parameters
    ----------
    schema : Mapping
        A draft-04 schema using only `SUPPORTED_KEYWORDS` (plus annotations).
    string_check : callable, optional
        An extra rule applied to every string value the schema describes, called with the text
        and its schema node; it returns a problem message, or None when the text is fine.

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

    def __init__(self, schema: Mapping[str, Any], string_check: StringCheck | None = None) -> None:
        self.schema = schema
        self._root = _CompiledSchema(schema, "#", string_check)

    def is_valid(self, document: Any) -> bool:
        """Tell whether ``document`` is valid (faster than `problems` on valid documents)."""
        return self._root.fast_validator(document)

    def problems(self, document: Any) -> list[Problem]:
        """Return every problem of ``document`` (an empty list when it is valid)."""
        found: list[Problem] = []
        self._root.check(document, "$", found)
        return found
