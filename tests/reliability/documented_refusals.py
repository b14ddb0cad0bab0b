"""Refusals of schema-valid requests that the OpenAPI document announces in words.

The document's schemas cannot say everything the API enforces; it states the rest in
descriptions (kit/openapi.json): unit prices have at most 2 decimal places, a sent ``total``
must equal the sum of the lines, text must not contain control characters, tag characters or
noncharacters or be blank, string lengths count UTF-16 code units, and a ``nextToken`` is only
valid if this API issued it for the same customer. A request that satisfies the schemas but
breaks one of these rules is rightly refused with a 400; every other refusal of a schema-valid
request is a defect.

`undocumented_problems` returns the problems of a 400 body that none of these rules explains.
"""

from __future__ import annotations

import re
from typing import Any

_BODY_RULE_MESSAGES = (
    re.compile(r"must have at most 2 decimal places\Z"),
    re.compile(r"does not match the total computed from the items \([0-9.]+\)\Z"),
    re.compile(r"must not contain control characters\Z"),
    re.compile(r"must not contain tag characters or noncharacters\Z"),
    re.compile(r"must not be blank\Z"),
)
#: The line the API adds after its first 50 problems (handler/orders/responses.py): not a
#: problem of its own; the listed ones are judged.
_MORE_PROBLEMS_MESSAGE = re.compile(r"\d+ more problems? (is|are) not listed\Z")
_MAX_LENGTH_MESSAGE = re.compile(r"must be at most (\d+) characters long\Z")
_PATH_STEP = re.compile(r"([A-Za-z]+)|\[(\d+)\]")


def value_at(document: Any, path: str) -> Any:
    """Return the value at a problem path such as ``items[2].name`` (None if absent).

    Examples
    --------
    >>> value_at({"items": [{"name": "Mug"}]}, "items[0].name")
    'Mug'
    >>> value_at({"items": []}, "items[3].name") is None
    True
    """
    current = document
    for name, index in _PATH_STEP.findall(path):
        if name:
            current = current.get(name) if isinstance(current, dict) else None
        else:
            position = int(index)
            in_range = isinstance(current, list) and position < len(current)
            current = current[position] if in_range else None
    return current


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _explained(problem: dict[str, Any], code: str, body: Any) -> bool:
    field, message = str(problem.get("field", "")), str(problem.get("message", ""))
    if code == "INVALID_PAGE_TOKEN":
        return field == "query:nextToken"
    if code != "VALIDATION_FAILED" or field.startswith(("header:", "query:", "path:")):
        return False
    if any(rule.match(message) for rule in _BODY_RULE_MESSAGES):
        return True
    if field == "$" and _MORE_PROBLEMS_MESSAGE.match(message):
        return True
    too_long = _MAX_LENGTH_MESSAGE.match(message)
    value = value_at(body, field)
    # Only the UTF-16 counting is beyond the schema: within maxLength in code points (what a
    # JSON Schema validator counts), over it in UTF-16 code units.
    return (
        too_long is not None
        and isinstance(value, str)
        and len(value) <= int(too_long.group(1)) < _utf16_length(value)
    )


def undocumented_problems(error: Any, request_body: Any) -> list[Any]:
    """Return the problems of the 400 ``error`` body that no documented rule explains.

    Parameters
    ----------
    error : Any
        The parsed response body (the document's ``Error`` schema).
    request_body : Any
        The body that was sent (None for requests without one).

    Examples
    --------
    >>> body = {"items": [{"unitPrice": 0.001}]}
    >>> problem = {"field": "items[0].unitPrice", "message": "must have at most 2 decimal places"}
    >>> error = {"code": "VALIDATION_FAILED", "errors": [problem]}
    >>> undocumented_problems(error, body)
    []
    >>> undocumented_problems({"code": "VALIDATION_FAILED", "errors": []}, body)
    ['no problem listed']
    """
    if not isinstance(error, dict):
        return [error]
    problems = error.get("errors")
    if not isinstance(problems, list) or not problems:
        return ["no problem listed"]
    code = str(error.get("code"))
    return [p for p in problems if not (isinstance(p, dict) and _explained(p, code, request_body))]
