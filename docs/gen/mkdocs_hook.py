"""MkDocs hook (``hooks:`` in mkdocs.yml): add the generated pages and write the fragments.

Runs :func:`docs.gen.site_content.generate_site` once per build, before pages are read, so
the hand-written pages can include the fragments and the nav can list the phase pages.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

# MkDocs puts only this file's directory on sys.path, and only while loading it. The
# generator (docs.gen) and the kit it documents are packages of the repository checkout.
_REPO_ROOT = str(Path(__file__).resolve().parents[2])


def _import_path() -> None:
    if _REPO_ROOT not in sys.path:
        sys.path.insert(0, _REPO_ROOT)


_import_path()
from docs.gen.site_content import GENERATION_ERRORS, generate_site  # noqa: E402

log = logging.getLogger("mkdocs.hooks.order_kit_docs")


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Generate the site content and add the generated pages to the build."""
    _import_path()
    try:
        site = generate_site()
    except GENERATION_ERRORS as error:
        raise PluginError(f"docs generation failed: {error}") from error
    for src_uri, content in site.pages.items():
        files.append(File.generated(config, src_uri, content=content))
    timings = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in site.timings.items())
    log.info(
        "order-kit docs: %d pages, %d fragments (%s)", len(site.pages), len(site.fragments), timings
    )
    for what, how in site.cache.items():
        log.info("order-kit docs: %s %s", what, how)
    return files
