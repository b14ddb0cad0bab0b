"""cfn-lint on every template, as a library (it is a dependency of the kit).

Errors and warnings are findings; informational matches are not reported. cfn-lint has no
acknowledgment the audit can generate per finding and read back, so ``cfn-lint`` ledger
entries are matched here, by rule id and the construct path of the resource the match is in
(a match outside ``Resources`` is named ``<template stem>``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from cfnlint.api import ManualArgs, lint

from kit.audit.assembly import CloudAssembly
from kit.audit.findings import Finding, FindingStatus, ScanResult
from kit.audit.ledger import LedgerEntry

TOOL = "cfn-lint"
#: The region cfn-lint checks against (the reference stack's region).
DEFAULT_REGION = "us-east-1"


def cfn_lint_scan(assembly: CloudAssembly, entries: Sequence[LedgerEntry]) -> ScanResult:
    """Lint each template of the assembly and classify the matches with the ledger.

    Parameters
    ----------
    assembly : CloudAssembly
        The templates.
    entries : sequence of LedgerEntry
        The active ledger entries (``cfn-lint`` ones apply).

    Returns
    -------
    ScanResult
        One finding per error or warning.
    """
    started = time.perf_counter()
    scan = ScanResult(tool=TOOL)
    lint_entries = [entry for entry in entries if entry.tool == TOOL]
    for template in assembly.templates:
        # The file's own text, so that line numbers point into the template.
        text = template.path.read_text(encoding="utf-8")
        matches = lint(text, config=ManualArgs(regions=[DEFAULT_REGION]))
        for match in matches:
            severity = str(match.rule.severity).lower()
            scan.evaluated_rules.add(match.rule.id)
            if severity not in ("error", "warning"):
                continue
            path = list(match.path or [])
            logical_id = str(path[1]) if len(path) > 1 and path[0] == "Resources" else None
            resource = template.construct_path(logical_id) if logical_id else template.stem
            entry = next(
                (e for e in lint_entries if e.matches(TOOL, match.rule.id, resource)), None
            )
            if entry is not None:
                scan.matched_entries.add(entry.index)
            scan.findings.append(
                Finding(
                    tool=TOOL,
                    rule_id=match.rule.id,
                    resource=resource,
                    message=str(match.message),
                    severity=severity,
                    status=FindingStatus.ACKNOWLEDGED if entry else FindingStatus.OPEN,
                    reason=entry.reason if entry else None,
                    ledger_entry=entry.index if entry else None,
                    acknowledged_by="ledger" if entry else None,
                    template=template.name,
                    logical_id=logical_id,
                    line=match.linenumber,
                )
            )
    scan.seconds = time.perf_counter() - started
    return scan
