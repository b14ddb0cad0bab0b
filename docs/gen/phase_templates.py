"""The reference app's CloudFormation template at every migration phase, cached."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docs.gen.inputs import BUILD_DIR, input_digest, prune_stale

#: What a synthesized template depends on.
SYNTH_INPUTS = ("kit", "handler", "pyproject.toml", "requirements/dev.txt")

Template = dict[str, Any]


@dataclass(frozen=True)
class PhaseTemplates:
    """The templates of phases 0-5 and how they were obtained.

    Attributes
    ----------
    templates : dict of int to dict
        Phase -> the reference stack's template.
    cache_dir : Path
        Where the templates are stored (``phase-N.template.json``).
    synthesized : bool
        True when this run synthesized them (cache miss), False when read from the cache.
    seconds : float
        Wall time spent obtaining them.
    """

    templates: dict[int, Template]
    cache_dir: Path
    synthesized: bool
    seconds: float


def _template_file(directory: Path, phase: int) -> Path:
    return directory / f"phase-{phase}.template.json"


def synthesize_phase(phase: int) -> Template:
    """Synthesize the reference app at ``phase`` and return its template."""
    # Imported here: the CDK (and its Node process) starts only on a cache miss.
    from kit.reference_app import STACK_NAME, build_reference_app

    with tempfile.TemporaryDirectory(prefix="order-kit-docs-synth-") as outdir:
        assembly = build_reference_app(outdir, phase).synth()
        template: Template = assembly.get_stack_by_name(STACK_NAME).template
        return template


def phase_templates(phases: range, build_dir: Path = BUILD_DIR) -> PhaseTemplates:
    """Return the template of every phase in ``phases``, synthesizing only on a cache miss.

    The cache key covers the kit, the handler code (its asset hash is in the template), the
    package definition, the pinned dependencies and ``CDK_DEFAULT_REGION``.
    """
    started = time.monotonic()
    key = input_digest(SYNTH_INPUTS, os.environ.get("CDK_DEFAULT_REGION", ""))
    cache_dir = build_dir / f"templates-{key}"
    files = {phase: _template_file(cache_dir, phase) for phase in phases}
    synthesized = not all(file.is_file() for file in files.values())
    if synthesized:
        staging = Path(tempfile.mkdtemp(prefix=cache_dir.name + ".", dir=_ensure(build_dir)))
        for phase in phases:
            template = synthesize_phase(phase)
            _template_file(staging, phase).write_text(
                json.dumps(template, indent=1, sort_keys=True), encoding="utf-8"
            )
        # A complete directory appears at once: an interrupted build leaves no half cache.
        shutil.rmtree(cache_dir, ignore_errors=True)
        staging.rename(cache_dir)
        prune_stale(cache_dir)
    templates = {
        phase: json.loads(file.read_text(encoding="utf-8")) for phase, file in files.items()
    }
    return PhaseTemplates(templates, cache_dir, synthesized, time.monotonic() - started)


def _ensure(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    return directory
