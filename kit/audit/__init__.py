"""``order-kit audit``: prove a deployment compliant, and show exactly why.

The audit synthesizes a CDK app with the five cdk-nag packs (AwsSolutions, Serverless,
NIST 800-53 R5, HIPAA Security, PCI DSS 3.2.1), scans every template with checkov (built-in
checks and the kit's policies) and cfn-lint, and reconciles the findings with one
acknowledgment ledger (:mod:`kit.audit.ledger`). Reports: :mod:`kit.audit.report_formats`.

Examples
--------
>>> from kit.audit import AuditOptions, run_audit  # doctest: +SKIP
>>> result = run_audit(AuditOptions())  # doctest: +SKIP
>>> result.passed  # doctest: +SKIP
True
"""

from kit.audit.findings import Finding, FindingStatus, LedgerProblem, ProblemKind
from kit.audit.ledger import Ledger, LedgerEntry, LedgerError, load_ledger, parse_ledger
from kit.audit.runner import AuditOptions, AuditResult, run_audit

__all__ = [
    "AuditOptions",
    "AuditResult",
    "Finding",
    "FindingStatus",
    "Ledger",
    "LedgerEntry",
    "LedgerError",
    "LedgerProblem",
    "ProblemKind",
    "load_ledger",
    "parse_ledger",
    "run_audit",
]
