"""The OSCAL documents of the audit: one component definition per ProductionOrderService and
the assessment results of the run, under ``oscal/`` in the report directory.

trestle's models build the documents (and so validate them); see
:mod:`kit.audit.oscal_component` and :mod:`kit.audit.oscal_results`.
"""

from __future__ import annotations

from kit.audit.oscal_component import component_definition, component_file_name
from kit.audit.oscal_document import document_time
from kit.audit.oscal_results import assessment_results
from kit.audit.oscal_statements import services_in
from kit.audit.runner import AuditResult

#: The directory of the OSCAL documents, inside the report directory.
OSCAL_DIR = "oscal"
#: The assessment results' file name, inside :data:`OSCAL_DIR`.
RESULTS_FILE = "assessment-results.json"


def oscal_documents(result: AuditResult) -> dict[str, str]:
    """File name (inside :data:`OSCAL_DIR`) -> OSCAL JSON, for the audit ``result``.

    The component definitions come first, then ``assessment-results.json``.
    """
    moment = document_time(result.started)
    services = services_in(result.assembly) if result.assembly is not None else []
    documents = {
        component_file_name(view): component_definition(
            view, result.findings, result.scans, moment
        ).oscal_serialize_json(pretty=True)
        for view in services
    }
    documents[RESULTS_FILE] = assessment_results(result, services, moment).oscal_serialize_json(
        pretty=True
    )
    return documents
