"""Strict parsing of a JSON request body: media type, size, UTF-8, numbers, duplicate keys.

Python's ``json`` module is lenient where an order API must not be: it accepts ``NaN`` and
``Infinity``, silently keeps the last of duplicate keys, and turns decimals into binary floats.
`parse_json_body` refuses the first two and parses every non-integer number as `Decimal`, so
money is exact from the wire to DynamoDB.

JSON bounds neither the digits nor the exponent of a number, but Python does: ``int()`` of a
long literal costs quadratic time (and is refused beyond 4300 digits on 3.11+), and ``Decimal``
cannot hold an exponent beyond about 10**18. Such a number is still valid JSON, so it is not a
malformed body: it parses to a *stand-in* of the same sign that lies beyond every bound an order
can have (`OUT_OF_RANGE_INTEGER`, `OUT_OF_RANGE_EXPONENT`), and the validator then refuses it
by the rule it breaks, naming its field ("must be at most 1000"). Zero stays zero.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from orders.errors import MalformedBodyError, PayloadTooLargeError, UnsupportedMediaTypeError

#: Largest accepted body. A maximal valid order (100 items of 200-character names in
#: ``\\uXXXX`` escapes, two full addresses) is about 160 KiB, so every valid order fits.
MAX_BODY_BYTES = 256 * 1024
#: Longest integer literal parsed exactly. Longer ones cannot be valid anywhere in an order, and
#: converting a huge literal to ``int`` costs quadratic time on Python 3.10.
MAX_INTEGER_DIGITS = 30
#: Stand-in magnitude of a longer integer literal (which is at least this large: JSON has no
#: leading zeros).
OUT_OF_RANGE_INTEGER = 10**MAX_INTEGER_DIGITS
#: Stand-in exponent of a number ``Decimal`` cannot hold. Such a literal is 0, or beyond
#: ``1E+(10**17)``, or closer to 0 than ``1E-(10**17)`` (its exponent is beyond about 10**18 and
#: a body has at most `MAX_BODY_BYTES` digits to move it back); ``1E+999999`` and ``1E-999999``
#: keep its relation to every bound of an order and its having more than 2 decimal places, and
#: stay within the default decimal context (``-x`` of a larger exponent raises Overflow).
OUT_OF_RANGE_EXPONENT = 999_999
_NUMBER_LITERAL = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?(?:[eE]([+-]?)[0-9]+)?\Z")
_MAX_BASE64_CHARS = (MAX_BODY_BYTES + 2) // 3 * 4
_JSON_WHITESPACE = re.compile(r"[ \t\n\r]*")


def check_json_media_type(content_type: str | None) -> None:
    """Accept ``application/json`` (optionally ``; charset=utf-8``), refuse anything else.

    Raises
    ------
    UnsupportedMediaTypeError
        For a missing header, another media type, or a charset other than UTF-8.

    Examples
    --------
    >>> check_json_media_type("application/json; charset=UTF-8")
    >>> check_json_media_type("text/plain")
    Traceback (most recent call last):
    ...
    orders.errors.UnsupportedMediaTypeError: Content-Type must be application/json
    """
    if content_type is None:
        raise UnsupportedMediaTypeError("Content-Type must be application/json")
    media_type, *parameters = (part.strip() for part in content_type.split(";"))
    if media_type.lower() != "application/json":
        raise UnsupportedMediaTypeError("Content-Type must be application/json")
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            raise UnsupportedMediaTypeError("the only supported charset is utf-8")


def decode_event_body(body: str | None, is_base64_encoded: bool) -> bytes:
    """Return the raw bytes of an API Gateway proxy event body.

    Raises
    ------
    MalformedBodyError
        If the body is missing or ``isBase64Encoded`` is set on text that is not base64.
    PayloadTooLargeError
        If the body is larger than `MAX_BODY_BYTES`.
    """
    if body is None or body == "":
        raise MalformedBodyError("the request body is empty; send the order as JSON")
    if is_base64_encoded:
        # Refuse before decoding: base64 text is 4/3 the size of the bytes it carries.
        if len(body) > _MAX_BASE64_CHARS:
            raise PayloadTooLargeError(f"the request body must be at most {MAX_BODY_BYTES} bytes")
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as error:
            raise MalformedBodyError("the request body is not valid base64") from error
    else:
        # surrogatepass: a lone surrogate in the event text then fails UTF-8 decoding later
        # as a 400, instead of raising here as an unexpected error.
        raw = body.encode("utf-8", errors="surrogatepass")
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLargeError(f"the request body must be at most {MAX_BODY_BYTES} bytes")
    return raw


def _reject_constant(name: str) -> Any:
    raise _StrictJSONError(f"{name} is not a valid JSON number")


def _parse_integer(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INTEGER_DIGITS:
        return -OUT_OF_RANGE_INTEGER if literal.startswith("-") else OUT_OF_RANGE_INTEGER
    return int(literal)


def _parse_decimal(literal: str) -> Decimal:
    try:
        return Decimal(literal)
    except InvalidOperation:
        return out_of_range_stand_in(literal)


def out_of_range_stand_in(literal: str) -> Decimal:
    """Return the stand-in of a JSON number literal whose exponent ``Decimal`` cannot hold.

    Examples
    --------
    >>> out_of_range_stand_in("-2.5e99999999999999999999")
    Decimal('-1E+999999')
    >>> out_of_range_stand_in("1e-99999999999999999999")
    Decimal('1E-999999')
    >>> out_of_range_stand_in("0.0e99999999999999999999")
    Decimal('0')
    """
    match = _NUMBER_LITERAL.match(literal)
    if match is None:  # the JSON scanner only passes number literals
        raise _StrictJSONError(f"{literal[:20]!r} is not a JSON number")
    sign, integer, fraction, exponent_sign = match.groups()
    if not (integer + (fraction or "")).strip("0"):
        return Decimal(0)
    direction = "-" if exponent_sign == "-" else "+"
    return Decimal(f"{sign}1E{direction}{OUT_OF_RANGE_EXPONENT}")


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _StrictJSONError("an object has the same key more than once")
    return result


class _StrictJSONError(ValueError):
    """Raised inside the JSON decoder hooks; becomes a MalformedBodyError."""


_DECODER = json.JSONDecoder(
    parse_float=_parse_decimal,
    parse_int=_parse_integer,
    parse_constant=_reject_constant,
    object_pairs_hook=_object_without_duplicates,
)


def parse_json_body(raw: bytes) -> Any:
    """Parse ``raw`` as strict UTF-8 JSON; non-integer numbers become `Decimal`.

    Parameters
    ----------
    raw : bytes
        The body as received.

    Returns
    -------
    Any
        dict, list, str, int, Decimal, bool or None.

    Raises
    ------
    PayloadTooLargeError
        If ``raw`` is larger than `MAX_BODY_BYTES`.
    MalformedBodyError
        For invalid UTF-8, invalid JSON, NaN/Infinity, duplicate keys or nesting too deep to
        parse. (Numbers too long or too large for Python become stand-ins, see the module.)

    Examples
    --------
    >>> parse_json_body(b'{"price": 19.99, "n": 2}')
    {'price': Decimal('19.99'), 'n': 2}
    """
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLargeError(f"the request body must be at most {MAX_BODY_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MalformedBodyError("the request body is not valid UTF-8") from error
    try:
        document, end = _DECODER.raw_decode(text, _skip_whitespace(text, 0))
    except _StrictJSONError as error:
        raise MalformedBodyError(f"the request body is not valid JSON: {error}") from error
    except json.JSONDecodeError as error:
        raise MalformedBodyError(
            f"the request body is not valid JSON: {error.msg} at line {error.lineno} "
            f"column {error.colno}"
        ) from error
    except RecursionError as error:
        raise MalformedBodyError("the request body is nested too deeply") from error
    if _skip_whitespace(text, end) != len(text):
        raise MalformedBodyError("the request body has extra data after the JSON value")
    return document


def _skip_whitespace(text: str, position: int) -> int:
    # JSON whitespace only (RFC 8259): str.isspace() would also skip e.g. U+00A0.
    match = _JSON_WHITESPACE.match(text, position)
    return match.end() if match else position
