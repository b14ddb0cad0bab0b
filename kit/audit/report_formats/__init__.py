"""The audit's reports: JSON (machines), Markdown (people), SARIF 2.1.0 (code scanning),
JUnit XML (CI), the control matrix (JSON and Markdown) and OSCAL (auditors and GRC tools:
``oscal/assessment-results.json`` and one ``oscal/component-definition.<service>.json`` per
ProductionOrderService)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from kit.audit.report_formats.json_report import control_matrix_document, json_document
from kit.audit.report_formats.junit_report import junit_document
from kit.audit.report_formats.markdown_report import control_matrix_markdown, markdown_document
from kit.audit.report_formats.oscal_report import OSCAL_DIR, RESULTS_FILE, oscal_documents
from kit.audit.report_formats.sarif_report import sarif_document
from kit.audit.runner import AuditResult

#: Report file names inside the report directory.
REPORT_FILES = {
    "json": "audit.json",
    "markdown": "audit.md",
    "sarif": "audit.sarif",
    "junit": "audit.junit.xml",
    "matrix-json": "control-matrix.json",
    "matrix-markdown": "control-matrix.md",
    "oscal-results": f"{OSCAL_DIR}/{RESULTS_FILE}",
}
#: Prefix of the kinds of the component definitions (``oscal-component:<file name>``).
OSCAL_COMPONENT_KIND = "oscal-component:"


def write_reports(result: AuditResult, directory: Path) -> dict[str, Path]:
    """Write every report of ``result`` into ``directory``.

    Returns
    -------
    dict
        Report kind -> file written (one ``oscal-component:<file name>`` per service).
    """
    directory.mkdir(parents=True, exist_ok=True)
    contents = {
        "json": json.dumps(json_document(result), indent=2),
        "markdown": markdown_document(result),
        "sarif": json.dumps(sarif_document(result, directory), indent=2),
        "junit": junit_document(result),
        "matrix-json": json.dumps(control_matrix_document(result), indent=2),
        "matrix-markdown": control_matrix_markdown(result),
    }
    files = {kind: REPORT_FILES[kind] for kind in contents}
    oscal_dir = directory / OSCAL_DIR
    shutil.rmtree(oscal_dir, ignore_errors=True)
    oscal_dir.mkdir()
    for name, text in oscal_documents(result).items():
        kind = "oscal-results" if name == RESULTS_FILE else OSCAL_COMPONENT_KIND + name
        contents[kind] = text
        files[kind] = f"{OSCAL_DIR}/{name}"
    written = {}
    for kind, text in contents.items():
        path = directory / files[kind]
        path.write_text(text + "\n", encoding="utf-8")
        written[kind] = path
    return written
