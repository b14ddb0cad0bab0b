"""The audit's reports: JSON (machines), Markdown (people), SARIF 2.1.0 (code scanning),
JUnit XML (CI) and the control matrix (JSON and Markdown)."""

from __future__ import annotations

import json
from pathlib import Path

from kit.audit.report_formats.json_report import control_matrix_document, json_document
from kit.audit.report_formats.junit_report import junit_document
from kit.audit.report_formats.markdown_report import control_matrix_markdown, markdown_document
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
}


def write_reports(result: AuditResult, directory: Path) -> dict[str, Path]:
    """Write every report of ``result`` into ``directory``.

    Returns
    -------
    dict
        Report kind -> file written.
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
    written = {}
    for kind, text in contents.items():
        path = directory / REPORT_FILES[kind]
        path.write_text(text + "\n", encoding="utf-8")
        written[kind] = path
    return written
