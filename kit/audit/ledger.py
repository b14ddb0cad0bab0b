"""The acknowledgment ledger: every accepted audit finding, with its reason, in one file.

A ledger is a YAML document::

    version: 1
    entries:
      - tool: cdk-nag                      # cdk-nag | checkov | cfn-lint
        rule: AwsSolutions-IAM5[Resource::*]
        resource: ProductionOrderService/OrderService/*Function/Policy/Resource
        reason: X-Ray PutTraceSegments has no resource-level permissions.
        owner: platform-team               # optional
        expires: 2027-06-30                # optional; after this day the entry fails the audit

``rule`` is the exact finding id: a cdk-nag rule with its pack prefix written exactly as the
pack names it (``AwsSolutions-``, ``Serverless-``, ``NIST.800.53.R5-``, ``HIPAA.Security-``,
``PCI.DSS.321-``) and, for granular rules, the finding in brackets; a checkov check id
(``CKV_AWS_117``, ``CKV2_POK_1``); a cfn-lint rule id (``W3005``).

``resource`` is a pattern over the construct path of the CloudFormation resource (the L1
construct, e.g. ``Stack/OrderService/ApiFunction/Function/Resource``; for templates without
CDK path metadata, ``<template stem>/<LogicalId>``). The whole path must match. ``*`` matches
any characters inside one path segment, ``**`` any number of whole segments (``a/**/b``
matches ``a/b`` and ``a/x/y/b``), ``?`` one character inside a segment; everything else is
literal.

An entry without a reason, with an unknown key or tool, or a malformed rule id is refused when
the ledger loads (:class:`LedgerError`). An expired entry is not applied and, like an entry
that matches no finding (stale), fails the audit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from kit.audit.nag_rules import NAG_PACK_PREFIXES, nag_rule_catalogue, split_nag_rule
from kit.path_patterns import compile_resource_pattern

#: The scanners whose findings a ledger entry can acknowledge.
TOOLS = ("cdk-nag", "checkov", "cfn-lint")
LEDGER_VERSION = 1

_REQUIRED_KEYS = ("tool", "rule", "resource", "reason")
_OPTIONAL_KEYS = ("owner", "expires")
_CHECKOV_ID_RE = re.compile(r"^CKV2?_[A-Z0-9]+_[0-9]+$")
_CFN_LINT_ID_RE = re.compile(r"^[EWI][0-9]{4}$")
_PATTERN_CHARS_RE = re.compile(r"^[^\s]+$")


class LedgerError(ValueError):
    """The ledger file cannot be used: it names the file, the entry and what is wrong."""


@dataclass(frozen=True)
class LedgerEntry:
    """One accepted finding.

    Attributes
    ----------
    tool : str
        ``cdk-nag``, ``checkov`` or ``cfn-lint``.
    rule : str
        The exact finding id (see the module docstring).
    resource : str
        Construct path pattern of the resources the acknowledgment covers.
    reason : str
        Why the finding is accepted; printed in every report.
    owner : str or None
        Who answers for the acknowledgment.
    expires : datetime.date or None
        Last day the acknowledgment is valid.
    index : int
        Position in the ledger file (1-based), to name the entry in messages.
    """

    tool: str
    rule: str
    resource: str
    reason: str
    owner: str | None = None
    expires: dt.date | None = None
    index: int = 0

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        return compile_resource_pattern(self.resource)

    def matches(self, tool: str, rule: str, resource_path: str) -> bool:
        """True when this entry acknowledges ``rule`` of ``tool`` on ``resource_path``."""
        return (
            tool == self.tool
            and rule == self.rule
            and self._pattern.fullmatch(resource_path) is not None
        )

    def matches_path(self, resource_path: str) -> bool:
        """True when ``resource_path`` matches this entry's resource pattern."""
        return self._pattern.fullmatch(resource_path) is not None

    def is_expired(self, today: dt.date) -> bool:
        """True when the entry has an expiry date before ``today``."""
        return self.expires is not None and self.expires < today

    @property
    def label(self) -> str:
        """A short name for messages: ``#3 cdk-nag AwsSolutions-L1 @ <pattern>``."""
        return f"#{self.index} {self.tool} {self.rule} @ {self.resource}"

    def as_dict(self) -> dict[str, Any]:
        """The entry as plain data (for the JSON report)."""
        return {
            "index": self.index,
            "tool": self.tool,
            "rule": self.rule,
            "resource": self.resource,
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires.isoformat() if self.expires else None,
        }


@dataclass(frozen=True)
class Ledger:
    """All entries of one ledger file.

    Attributes
    ----------
    entries : tuple of LedgerEntry
        In file order.
    source : str
        Where the ledger came from (file path), for messages.
    """

    entries: tuple[LedgerEntry, ...]
    source: str = "<ledger>"

    def for_tool(self, tool: str) -> tuple[LedgerEntry, ...]:
        """The entries of one tool."""
        return tuple(entry for entry in self.entries if entry.tool == tool)

    def active(self, today: dt.date) -> tuple[LedgerEntry, ...]:
        """The entries that have not expired on ``today``."""
        return tuple(entry for entry in self.entries if not entry.is_expired(today))

    def expired(self, today: dt.date) -> tuple[LedgerEntry, ...]:
        """The entries that expired before ``today``."""
        return tuple(entry for entry in self.entries if entry.is_expired(today))

    def find(
        self, entries: Iterable[LedgerEntry], tool: str, rule: str, resource_path: str
    ) -> LedgerEntry | None:
        """The first of ``entries`` that acknowledges ``rule`` of ``tool`` on the path."""
        for entry in entries:
            if entry.matches(tool, rule, resource_path):
                return entry
        return None


def _fail(source: str, where: str, message: str) -> LedgerError:
    return LedgerError(f"{source}: {where}: {message}")


def _check_nag_rule(source: str, where: str, rule: str) -> None:
    pack, base, _finding = split_nag_rule(rule)
    if pack is None:
        for prefix in NAG_PACK_PREFIXES:
            if rule.lower().startswith(prefix.lower() + "-"):
                # cdk-nag compares prefixes case-sensitively: a wrong case silently
                # acknowledges nothing, so it is refused here.
                raise _fail(
                    source,
                    where,
                    f"rule {rule!r}: the pack prefix must be written {prefix!r} (exact case)",
                )
        raise _fail(
            source,
            where,
            f"rule {rule!r} does not start with a cdk-nag pack prefix "
            f"({', '.join(p + '-' for p in NAG_PACK_PREFIXES)})",
        )
    known = nag_rule_catalogue()[pack]
    if base not in known:
        raise _fail(source, where, f"rule {rule!r}: {pack} has no rule {base!r}")


def _check_rule(source: str, where: str, tool: str, rule: str) -> None:
    if tool == "cdk-nag":
        _check_nag_rule(source, where, rule)
    elif tool == "checkov" and not _CHECKOV_ID_RE.match(rule):
        raise _fail(source, where, f"rule {rule!r} is not a checkov check id (CKV_..._<n>)")
    elif tool == "cfn-lint" and not _CFN_LINT_ID_RE.match(rule):
        raise _fail(source, where, f"rule {rule!r} is not a cfn-lint rule id (E/W/I + 4 digits)")


def _parse_expiry(source: str, where: str, value: object) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _fail(source, where, f"expires must be a date (YYYY-MM-DD), got {value!r}")


def _parse_entry(source: str, index: int, raw: object) -> LedgerEntry:
    where = f"entry #{index}"
    if not isinstance(raw, dict):
        raise _fail(source, where, f"must be a mapping, got {type(raw).__name__}")
    unknown = sorted(set(raw) - set(_REQUIRED_KEYS) - set(_OPTIONAL_KEYS))
    if unknown:
        raise _fail(source, where, f"unknown key(s) {', '.join(map(str, unknown))}")
    for key in _REQUIRED_KEYS:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise _fail(source, where, f"{key!r} is required and must be a non-empty string")
    tool, rule, resource = raw["tool"].strip(), raw["rule"].strip(), raw["resource"].strip()
    where = f"entry #{index} ({tool} {rule})"
    if tool not in TOOLS:
        raise _fail(source, where, f"tool must be one of {', '.join(TOOLS)}, got {tool!r}")
    _check_rule(source, where, tool, rule)
    if not _PATTERN_CHARS_RE.match(resource):
        raise _fail(source, where, f"resource pattern {resource!r} must not contain spaces")
    owner = raw.get("owner")
    if owner is not None and (not isinstance(owner, str) or not owner.strip()):
        raise _fail(source, where, "owner must be a non-empty string when given")
    return LedgerEntry(
        tool=tool,
        rule=rule,
        resource=resource,
        reason=" ".join(raw["reason"].split()),
        owner=owner.strip() if isinstance(owner, str) else None,
        expires=_parse_expiry(source, where, raw.get("expires")),
        index=index,
    )


def parse_ledger(text: str, source: str = "<ledger>") -> Ledger:
    """Parse and validate the YAML text of a ledger.

    Parameters
    ----------
    text : str
        The YAML document.
    source : str
        Name of the document in error messages.

    Returns
    -------
    Ledger
        The validated entries.

    Raises
    ------
    LedgerError
        When the document is not a valid ledger.
    """
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise LedgerError(f"{source}: not valid YAML: {error}") from error
    if not isinstance(document, dict):
        raise LedgerError(f"{source}: must be a mapping with 'version' and 'entries'")
    unknown = sorted(set(document) - {"version", "entries"})
    if unknown:
        raise LedgerError(f"{source}: unknown top-level key(s) {', '.join(map(str, unknown))}")
    if document.get("version") != LEDGER_VERSION:
        raise LedgerError(
            f"{source}: 'version' must be {LEDGER_VERSION}, got {document.get('version')!r}"
        )
    raw_entries = document.get("entries")
    if raw_entries is None:
        raw_entries = []
    if not isinstance(raw_entries, list):
        raise LedgerError(f"{source}: 'entries' must be a list")
    entries = tuple(
        _parse_entry(source, index, raw) for index, raw in enumerate(raw_entries, start=1)
    )
    seen: dict[tuple[str, str, str], int] = {}
    for entry in entries:
        key = (entry.tool, entry.rule, entry.resource)
        if key in seen:
            raise LedgerError(
                f"{source}: entry #{entry.index} repeats entry #{seen[key]} "
                f"({entry.tool} {entry.rule} @ {entry.resource})"
            )
        seen[key] = entry.index
    return Ledger(entries=entries, source=source)


def load_ledger(path: Path) -> Ledger:
    """Read and validate the ledger file at ``path`` (see :func:`parse_ledger`)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise LedgerError(f"cannot read the ledger {path}: {error.strerror}") from error
    return parse_ledger(text, source=str(path))


def default_ledger_path() -> Path:
    """The ledger of the reference deployment, shipped with the kit."""
    return Path(__file__).resolve().parent / "ledger.yaml"


def describe_entries(entries: Sequence[LedgerEntry]) -> str:
    """One line per entry, for messages."""
    return "\n".join(f"  {entry.label}" for entry in entries)
