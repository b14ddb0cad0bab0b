"""What the scanners report, in one shape: :class:`Finding`, and the ledger's own problems."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any


class FindingStatus(str, enum.Enum):
    """Whether a finding still counts against the audit."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"


@dataclass(frozen=True)
class Finding:
    """One rule violated by one resource.

    Attributes
    ----------
    tool : str
        ``cdk-nag``, ``checkov``, ``cfn-lint`` (or the name of another CDK validation plugin).
    rule_id : str
        The finding id the ledger names (``AwsSolutions-IAM5[Resource::*]``, ``CKV_AWS_117``).
    resource : str
        Construct path of the resource (see :mod:`kit.audit.assembly`).
    message : str
        What the rule says is wrong.
    severity : str
        ``error`` or ``warning``.
    status : FindingStatus
        Open, or acknowledged (by the kit or by a ledger entry).
    reason : str or None
        The acknowledgment's reason.
    acknowledged_by : str or None
        Who gave the reason: ``kit`` (the construct's own acknowledgments,
        :mod:`kit.acknowledgments`), ``ledger`` (the user's ledger), or ``template`` (a
        suppression found in the template that neither made: a ledger problem as well).
    ledger_entry : int or None
        Index of the acknowledging ledger entry.
    template : str or None
        Template name (relative to the assembly), when known.
    logical_id : str or None
        Logical id of the resource in the template, when known.
    line : int or None
        Line in the template, when the tool reports one.
    """

    tool: str
    rule_id: str
    resource: str
    message: str
    severity: str
    status: FindingStatus
    reason: str | None = None
    ledger_entry: int | None = None
    acknowledged_by: str | None = None
    template: str | None = None
    logical_id: str | None = None
    line: int | None = None

    @property
    def acknowledgment(self) -> str:
        """Who acknowledged the finding and why: ``acknowledged by the kit: <reason>``."""
        if self.is_open:
            return ""
        if self.ledger_entry is not None:
            who = f"ledger #{self.ledger_entry}"
        elif self.acknowledged_by == "kit":
            who = "the kit"
        else:
            who = "the template itself"
        return f"acknowledged by {who}: {self.reason or ''}"

    @property
    def is_open(self) -> bool:
        """True when the finding fails the audit."""
        return self.status is FindingStatus.OPEN

    def as_dict(self) -> dict[str, Any]:
        """The finding as plain data."""
        data = asdict(self)
        data["status"] = self.status.value
        data["acknowledgment"] = self.acknowledgment or None
        return data


class ProblemKind(str, enum.Enum):
    """Why the ledger, not a resource, fails the audit."""

    STALE = "stale"
    EXPIRED = "expired"
    OUTSIDE_LEDGER = "outside-ledger"
    NOT_APPLIED = "not-applied"


@dataclass(frozen=True)
class LedgerProblem:
    """A ledger entry (or an acknowledgment made elsewhere) that fails the audit.

    Attributes
    ----------
    kind : ProblemKind
        ``stale``: the entry matches no finding; ``expired``: its date has passed;
        ``outside-ledger``: something was acknowledged without the ledger;
        ``not-applied``: the entry matches a finding the tool still reported as open.
    message : str
        The explanation, naming the entry.
    ledger_entry : int or None
        Index of the entry concerned.
    """

    kind: ProblemKind
    message: str
    ledger_entry: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """The problem as plain data."""
        return {"kind": self.kind.value, "message": self.message, "ledger_entry": self.ledger_entry}


@dataclass
class ScanResult:
    """What one scanner found, and which ledger entries it used.

    Attributes
    ----------
    tool : str
        The scanner (``cdk-nag``, ``checkov``, ``cfn-lint``).
    ran : bool
        False when the scanner could not run on this input (e.g. an assembly without a
        cdk-nag validation report); its ledger entries are then not checked for staleness.
    findings : list of Finding
        Open and acknowledged findings.
    problems : list of LedgerProblem
        Ledger problems the scanner detected (acknowledgments outside the ledger...).
    matched_entries : set of int
        Indices of the ledger entries that matched at least one finding.
    evaluated_rules : set of str
        Rule ids the scanner evaluated (base ids for cdk-nag), for the control matrix.
    seconds : float
        Wall time of the scan.
    """

    tool: str
    ran: bool = True
    findings: list[Finding] = field(default_factory=list)
    problems: list[LedgerProblem] = field(default_factory=list)
    matched_entries: set[int] = field(default_factory=set)
    evaluated_rules: set[str] = field(default_factory=set)
    seconds: float = 0.0
