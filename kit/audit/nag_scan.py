"""cdk-nag: the ledger's acknowledgments on the construct tree, and the findings of the report.

During synthesis the five packs run as CDK policy-validation plugins. Each ``cdk-nag`` ledger
entry becomes ``Validations.of(resource).acknowledge(...)`` on every L1 resource whose
construct path matches the entry, with the id qualified by its pack
(``AwsSolutions::AwsSolutions-IAM5[Resource::*]``): that form is accepted for granular ids
containing ``::``, and CDK then lists the acknowledged finding, with the reason and the
acknowledging construct, under ``suppressedViolations`` in ``validation-report.json``.

The construct acknowledges its own design decisions the same way (:mod:`kit.acknowledgments`);
a suppressed violation whose rule, resource and reason match the kit's data file is reported
as acknowledged by the kit.

Reading the report back, a violation a ledger entry matches is a failure of the
acknowledgment itself (``not-applied``), and a suppressed violation no entry matches was
acknowledged outside the ledger; both fail the audit. For an assembly synthesized elsewhere
(``--assembly``) the ledger is matched against the report's violations instead.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import Any

from aws_cdk import Acknowledgment, App, CfnResource, Validations

from kit.acknowledgments import find_kit_acknowledgment
from kit.audit.assembly import CloudAssembly
from kit.audit.findings import Finding, FindingStatus, LedgerProblem, ProblemKind, ScanResult
from kit.audit.ledger import LedgerEntry
from kit.audit.nag_rules import nag_rule_catalogue, qualified_nag_id, split_nag_rule

TOOL = "cdk-nag"


def acknowledgments_in_tree(app: App) -> list[tuple[str, str]]:
    """Every acknowledgment already recorded in the construct tree: (construct path, id).

    Called before the ledger is applied, this finds acknowledgments made in the app's code,
    which bypass the ledger.
    """
    key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    found: list[tuple[str, str]] = []
    for construct in app.node.find_all():
        path = construct.node.path
        for entry in construct.node.metadata:
            if entry.type == key and isinstance(entry.data, dict):
                found.extend(
                    (path, str(rule_id))
                    for rule_id, reason in entry.data.items()
                    if not _made_by_kit(str(rule_id), path, reason)
                )
    return found


def _made_by_kit(acknowledged_id: str, path: str, reason: object) -> bool:
    # The construct acknowledges "<pack>::<rule>" with the reason of its data file.
    rule = acknowledged_id.split("::", 1)[1] if "::" in acknowledged_id else acknowledged_id
    text = reason if isinstance(reason, str) else None
    return find_kit_acknowledgment(TOOL, rule, path, text) is not None


def apply_acknowledgments(app: App, entries: Iterable[LedgerEntry]) -> dict[int, list[str]]:
    """Acknowledge each cdk-nag ledger entry on the L1 resources its pattern matches.

    Parameters
    ----------
    app : App
        The app, fully constructed but not synthesized.
    entries : iterable of LedgerEntry
        The active ledger entries (entries of other tools are ignored).

    Returns
    -------
    dict
        Entry index -> construct paths acknowledged.
    """
    nag_entries = [entry for entry in entries if entry.tool == TOOL]
    applied: dict[int, list[str]] = {entry.index: [] for entry in nag_entries}
    if not nag_entries:
        return applied
    resources = [c for c in app.node.find_all() if CfnResource.is_cfn_resource(c)]
    for entry in nag_entries:
        acknowledgment = Acknowledgment(id=qualified_nag_id(entry.rule), reason=entry.reason)
        for resource in resources:
            if entry.matches_path(resource.node.path):
                Validations.of(resource).acknowledge(acknowledgment)
                applied[entry.index].append(resource.node.path)
    return applied


def _tool_of(plugin_name: str) -> str:
    return TOOL if plugin_name in nag_rule_catalogue() else plugin_name


def _finding(
    assembly: CloudAssembly,
    tool: str,
    violation: dict[str, Any],
    construct_path: str,
    status: FindingStatus,
    reason: str | None,
    entry: LedgerEntry | None,
    acknowledged_by: str | None = None,
) -> Finding:
    located = assembly.locate(construct_path)
    severity = "warning" if violation.get("severity") == "warning" else "error"
    return Finding(
        tool=tool,
        rule_id=str(violation.get("ruleName")),
        resource=construct_path,
        message=str(violation.get("description", "")),
        severity=severity,
        status=status,
        reason=reason,
        ledger_entry=entry.index if entry else None,
        acknowledged_by=acknowledged_by,
        template=located[0].name if located else None,
        logical_id=located[1] if located else None,
    )


def _first_match(
    entries: Sequence[LedgerEntry], tool: str, rule: str, path: str
) -> LedgerEntry | None:
    return next((entry for entry in entries if entry.matches(tool, rule, path)), None)


def nag_scan(
    assembly: CloudAssembly,
    entries: Sequence[LedgerEntry],
    *,
    acknowledged_in_synth: bool,
    outside_ledger: Sequence[tuple[str, str]] = (),
    seconds: float = 0.0,
) -> ScanResult:
    """Turn the assembly's ``validation-report.json`` into findings.

    Parameters
    ----------
    assembly : CloudAssembly
        The synthesized assembly.
    entries : sequence of LedgerEntry
        The active ledger entries.
    acknowledged_in_synth : bool
        True when :func:`apply_acknowledgments` ran before synthesis (the audit synthesized
        the app); False for an assembly synthesized elsewhere.
    outside_ledger : sequence of (str, str)
        Acknowledgments found in the tree before the ledger was applied.
    seconds : float
        Time the packs took (part of synthesis), for the report.

    Returns
    -------
    ScanResult
        ``ran`` is False when the assembly has no validation report.
    """
    started = time.perf_counter()
    result = ScanResult(tool=TOOL, seconds=seconds)
    for path, rule_id in outside_ledger:
        result.problems.append(
            LedgerProblem(
                ProblemKind.OUTSIDE_LEDGER,
                f"{path}: {rule_id!r} is acknowledged in the app's code, not in the ledger",
            )
        )
    report = assembly.validation_report
    if report is None:
        result.ran = False
        return result
    nag_entries = [entry for entry in entries if entry.tool == TOOL]
    catalogue = nag_rule_catalogue()
    for plugin in report.get("pluginReports", []):
        plugin_name = str(plugin.get("pluginName", ""))
        tool = _tool_of(plugin_name)
        result.evaluated_rules.update(catalogue.get(plugin_name, ()))
        for violation in plugin.get("violations", []):
            rule = str(violation.get("ruleName"))
            for construct in violation.get("violatingConstructs", []):
                path = str(construct.get("constructPath", ""))
                entry = _first_match(nag_entries, tool, rule, path)
                if entry is None:
                    result.findings.append(
                        _finding(assembly, tool, violation, path, FindingStatus.OPEN, None, None)
                    )
                    continue
                result.matched_entries.add(entry.index)
                if acknowledged_in_synth:
                    # The ledger asked CDK to acknowledge this finding and CDK did not.
                    result.findings.append(
                        _finding(assembly, tool, violation, path, FindingStatus.OPEN, None, entry)
                    )
                    result.problems.append(
                        LedgerProblem(
                            ProblemKind.NOT_APPLIED,
                            f"ledger {entry.label}: the acknowledgment did not suppress "
                            f"{rule} on {path}",
                            entry.index,
                        )
                    )
                else:
                    result.findings.append(
                        _finding(
                            assembly,
                            tool,
                            violation,
                            path,
                            FindingStatus.ACKNOWLEDGED,
                            entry.reason,
                            entry,
                            "ledger",
                        )
                    )
        for suppressed in plugin.get("suppressedViolations", []):
            rule = str(suppressed.get("ruleName"))
            for construct in suppressed.get("violatingConstructs", []):
                path = str(construct.get("constructPath", ""))
                entry = _first_match(nag_entries, tool, rule, path)
                reason = str(suppressed.get("reason", "")) or None
                by_kit = find_kit_acknowledgment(tool, rule, path, reason) is not None
                if entry is not None:
                    result.matched_entries.add(entry.index)
                elif not by_kit:
                    result.problems.append(
                        LedgerProblem(
                            ProblemKind.OUTSIDE_LEDGER,
                            f"{path}: {suppressed.get('acknowledgedId', rule)!r} was acknowledged "
                            f"at {suppressed.get('acknowledgedAt', '?')}, not by the ledger",
                        )
                    )
                result.findings.append(
                    _finding(
                        assembly,
                        tool,
                        suppressed,
                        path,
                        FindingStatus.ACKNOWLEDGED,
                        entry.reason if entry else reason,
                        entry,
                        "ledger" if entry else "kit" if by_kit else "template",
                    )
                )
    result.seconds += time.perf_counter() - started
    return result


def base_rule(rule_id: str) -> str:
    """The rule a (possibly granular) cdk-nag finding id belongs to."""
    return split_nag_rule(rule_id)[1]
