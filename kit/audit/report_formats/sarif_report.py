"""SARIF 2.1.0 for code scanning: one run per tool, acknowledged findings as suppressed.

Results point at the template file (and line, when the tool reports one) and name the
construct path as the logical location. Ledger problems are results of an extra
``order-kit-ledger`` run that point at the ledger file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from kit.audit.findings import Finding
from kit.audit.runner import ASSEMBLY_DIR, AuditResult

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_TOOL_URIS = {
    "cdk-nag": "https://github.com/cdklabs/cdk-nag",
    "checkov": "https://www.checkov.io",
    "cfn-lint": "https://github.com/aws-cloudformation/cfn-lint",
}


def _template_uri(finding: Finding, report_dir: Path) -> str | None:
    if finding.template is None:
        return None
    return Path(os.path.relpath(report_dir / ASSEMBLY_DIR / finding.template)).as_posix()


def _result(finding: Finding, rule_index: int, report_dir: Path) -> dict[str, Any]:
    location: dict[str, Any] = {
        "logicalLocations": [{"fullyQualifiedName": finding.resource, "kind": "resource"}]
    }
    uri = _template_uri(finding, report_dir)
    if uri is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
        if finding.line:
            physical["region"] = {"startLine": finding.line}
        location["physicalLocation"] = physical
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": "error" if finding.severity == "error" else "warning",
        "message": {"text": f"{finding.message} ({finding.resource})"},
        "locations": [location],
    }
    if not finding.is_open:
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": finding.acknowledgment}
        ]
    return result


def _run(tool: str, findings: list[Finding], report_dir: Path) -> dict[str, Any]:
    rules: dict[str, int] = {}
    descriptions: dict[str, str] = {}
    for finding in findings:
        if finding.rule_id not in rules:
            rules[finding.rule_id] = len(rules)
            descriptions[finding.rule_id] = finding.message
    driver: dict[str, Any] = {
        "name": tool,
        "rules": [
            {"id": rule, "shortDescription": {"text": descriptions[rule] or rule}} for rule in rules
        ],
    }
    if tool in _TOOL_URIS:
        driver["informationUri"] = _TOOL_URIS[tool]
    return {
        "tool": {"driver": driver},
        "results": [_result(f, rules[f.rule_id], report_dir) for f in findings],
    }


def _ledger_locations(source: str) -> list[dict[str, Any]]:
    if source.startswith("<"):  # no ledger file
        return []
    return [{"physicalLocation": {"artifactLocation": {"uri": Path(source).as_posix()}}}]


def sarif_document(result: AuditResult, report_dir: Path) -> dict[str, Any]:
    """The audit as a SARIF 2.1.0 log (paths relative to the working directory)."""
    by_tool: dict[str, list[Finding]] = {tool: [] for tool in result.scans}
    for finding in result.findings:
        by_tool.setdefault(finding.tool, []).append(finding)
    runs = [_run(tool, findings, report_dir) for tool, findings in by_tool.items()]
    ledger_results = [
        {
            "ruleId": f"ledger/{problem.kind.value}",
            "ruleIndex": 0,
            "level": "error",
            "message": {"text": problem.message},
            "locations": _ledger_locations(result.ledger.source),
        }
        for problem in result.problems
    ]
    kinds = sorted({problem.kind.value for problem in result.problems})
    for item in ledger_results:
        item["ruleIndex"] = kinds.index(str(item["ruleId"]).split("/", 1)[1])
    runs.append(
        {
            "tool": {
                "driver": {
                    "name": "order-kit-ledger",
                    "rules": [
                        {"id": f"ledger/{kind}", "shortDescription": {"text": f"ledger {kind}"}}
                        for kind in kinds
                    ],
                }
            },
            "results": ledger_results,
        }
    )
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": runs}
