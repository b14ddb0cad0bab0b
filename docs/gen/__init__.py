"""The generated parts of the documentation site, computed from real runs of the kit.

MkDocs loads :mod:`docs.gen.mkdocs_hook`, which calls :func:`docs.gen.site_content.generate_site`:

* :mod:`~docs.gen.phase_templates` synthesizes the reference app at every migration phase;
* :mod:`~docs.gen.template_diff` summarizes what changes from one phase's template to the next;
* :mod:`~docs.gen.feature_notes` reads what each control is (the ``Features`` field comments);
* :mod:`~docs.gen.audit_reports` runs ``order-kit audit`` at every phase and reads its report;
* :mod:`~docs.gen.architecture` reads the architecture graph out of a template
  (:mod:`~docs.gen.template_refs` follows its references); :mod:`~docs.gen.graph_layout` lays
  it out and :mod:`~docs.gen.architecture_svg` draws it as SVG, one picture per phase;
* :mod:`~docs.gen.dashboard` reads the dashboard's widgets and finds the one charting each alarm;
* :mod:`~docs.gen.migration_pages`, :mod:`~docs.gen.runbook` and :mod:`~docs.gen.compliance`
  render the pages and fragments; :mod:`~docs.gen.markdown` holds the table helpers.

Expensive results are cached under ``build/docs/`` keyed by a digest of their inputs
(:mod:`~docs.gen.inputs`), so a rebuild with unchanged sources synthesizes and audits nothing.
"""
