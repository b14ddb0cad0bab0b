"""JUnit XML for CI: one test suite per tool, one test case per finding or ledger problem.

Open findings and ledger problems are failures; acknowledged findings are skipped test cases
(the reason is the skip message), so CI shows them without failing.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from kit.audit.runner import AuditResult

LEDGER_SUITE = "ledger"


def junit_document(result: AuditResult) -> str:
    """The audit as a JUnit XML document."""
    root = ET.Element("testsuites", name=f"order-kit audit: {result.target}")
    suites: dict[str, ET.Element] = {}

    def suite(name: str) -> ET.Element:
        if name not in suites:
            suites[name] = ET.SubElement(root, "testsuite", name=name)
        return suites[name]

    for tool, scan in result.scans.items():
        suite(tool).set("time", f"{scan.seconds:.3f}")
    for finding in result.findings:
        case = ET.SubElement(
            suite(finding.tool),
            "testcase",
            classname=f"{finding.tool}.{finding.rule_id}",
            name=finding.resource,
        )
        if finding.is_open:
            failure = ET.SubElement(case, "failure", message=finding.message, type=finding.severity)
            failure.text = f"{finding.rule_id} on {finding.resource}: {finding.message}"
        else:
            ET.SubElement(case, "skipped", message=finding.acknowledgment)
    for problem in result.problems:
        case = ET.SubElement(
            suite(LEDGER_SUITE),
            "testcase",
            classname=f"{LEDGER_SUITE}.{problem.kind.value}",
            name=f"entry {problem.ledger_entry}" if problem.ledger_entry else problem.kind.value,
        )
        ET.SubElement(case, "failure", message=problem.message, type=problem.kind.value)
    for element in suites.values():
        cases = element.findall("testcase")
        element.set("tests", str(len(cases)))
        element.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
        element.set("skipped", str(sum(1 for c in cases if c.find("skipped") is not None)))
        element.set("errors", "0")
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True)
