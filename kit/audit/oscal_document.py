"""What every OSCAL document of the audit is made of: stable UUIDs, the document time, props,
metadata.

Every UUID is a version-5 UUID of stable inputs (the kind of object and what identifies it:
a construct path, a rule id, a control id), so two audits of the same app produce the same
UUIDs and their documents diff cleanly. The only values that change from run to run are the
timestamps (``last-modified``, a result's ``start``/``end``, an observation's ``collected``):
they are the audit's start time, or ``SOURCE_DATE_EPOCH`` (seconds since the epoch, the
reproducible-builds convention) when it is set, which makes two documents byte-identical.

trestle (compliance-trestle) supplies the OSCAL models: building a document validates it
against the OSCAL schema's types, patterns and required fields.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterable

from trestle.oscal import OSCAL_VERSION
from trestle.oscal import common as oscal

from kit import __version__

#: The namespace of the kit's own OSCAL property names (``ns`` of every prop it writes).
PROPS_NAMESPACE = "urn:production-order-kit:oscal"
_UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, PROPS_NAMESPACE)
SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"


class OscalError(ValueError):
    """The audit cannot build an OSCAL document (e.g. an invalid ``SOURCE_DATE_EPOCH``)."""


def stable_uuid(*parts: str) -> str:
    """A version-5 UUID of ``parts`` (the same parts always give the same UUID).

    Examples
    --------
    >>> stable_uuid("observation", "cdk-nag", "AwsSolutions-L1") == stable_uuid(
    ...     "observation", "cdk-nag", "AwsSolutions-L1")
    True
    """
    return str(uuid.uuid5(_UUID_NAMESPACE, "\x1f".join(parts)))


def document_time(started: dt.datetime | None) -> dt.datetime:
    """The timestamp of the documents: ``SOURCE_DATE_EPOCH`` if set, else ``started``.

    Raises
    ------
    OscalError
        When ``SOURCE_DATE_EPOCH`` is not a non-negative integer.
    """
    epoch = os.environ.get(SOURCE_DATE_EPOCH)
    if epoch is not None:
        if not epoch.strip().isdigit():
            raise OscalError(f"{SOURCE_DATE_EPOCH} must be seconds since the epoch, got {epoch!r}")
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    moment = started or dt.datetime.now(dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0)


def prop(name: str, value: object) -> oscal.Property:
    """A prop in the kit's namespace (the value on one line, trimmed)."""
    text = " ".join(str(value).split())
    return oscal.Property(name=name, value=text or "-", ns=PROPS_NAMESPACE)


def props(pairs: Iterable[tuple[str, object]]) -> list[oscal.Property] | None:
    """Props of ``(name, value)`` pairs; ``None`` when there is none (OSCAL forbids ``[]``)."""
    made = [prop(name, value) for name, value in pairs]
    return made or None


def metadata(title: str, moment: dt.datetime) -> oscal.Metadata:
    """Document metadata: title, time, the kit's version and the OSCAL version."""
    return oscal.Metadata(
        title=title,
        last_modified=moment,
        version=__version__,
        oscal_version=OSCAL_VERSION,
    )
