"""Building the app to audit and synthesizing it with the cdk-nag packs and the ledger.

The packs are CDK policy-validation plugins and the acknowledgments are construct metadata,
so both must be added in the same process, to the constructed app, before ``synth()``. A
user's app is therefore named as ``module:function`` (``mypkg.app:build``), a function that
takes no argument and returns the :class:`aws_cdk.App` with its stacks added (without calling
``synth()``). The module is imported with the working directory on ``sys.path`` (as
``python -m`` would), so an app in the current project needs no installation. The audit
points ``CDK_OUTDIR`` at its own output directory while the function runs; an app created
with an explicit ``outdir`` keeps it.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import App, Validations

from kit.audit.assembly import CloudAssembly, read_assembly
from kit.audit.ledger import LedgerEntry
from kit.audit.nag_rules import nag_packs
from kit.audit.nag_scan import acknowledgments_in_tree, apply_acknowledgments

_APP_SPEC_RE = re.compile(r"^(?P<module>[A-Za-z_][\w.]*):(?P<function>[A-Za-z_]\w*)$")


class SynthesisError(RuntimeError):
    """The app could not be built or synthesized (not a compliance finding)."""


@dataclass(frozen=True)
class Synthesized:
    """The outcome of synthesizing an app for the audit.

    Attributes
    ----------
    assembly : CloudAssembly
        The cloud assembly, with the packs' ``validation-report.json``.
    outside_ledger : list of (str, str)
        Acknowledgments the app made in its own code: (construct path, id).
    applied : dict
        Ledger entry index -> construct paths it was acknowledged on.
    seconds : float
        Wall time of building and synthesizing the app.
    """

    assembly: CloudAssembly
    outside_ledger: list[tuple[str, str]]
    applied: dict[int, list[str]]
    seconds: float


def load_app_factory(spec: str) -> Callable[[], App]:
    """Import the ``module:function`` named by ``spec``.

    Raises
    ------
    SynthesisError
        When the spec is malformed, the module cannot be imported or has no such function.
    """
    match = _APP_SPEC_RE.match(spec)
    if match is None:
        raise SynthesisError(
            f"--app must be 'module:function' (a function returning an aws_cdk.App), got {spec!r}"
        )
    # The console script does not put the working directory on sys.path; `python -m` does.
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(match.group("module"))
    except ImportError as error:
        raise SynthesisError(
            f"--app {spec}: cannot import {match.group('module')}: {error}"
        ) from error
    factory = getattr(module, match.group("function"), None)
    if not callable(factory):
        raise SynthesisError(
            f"--app {spec}: {match.group('module')} has no function {match.group('function')!r}"
        )
    return factory  # type: ignore[no-any-return]


@contextmanager
def _cdk_outdir(directory: Path) -> Iterator[None]:
    previous = os.environ.get("CDK_OUTDIR")
    os.environ["CDK_OUTDIR"] = str(directory)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("CDK_OUTDIR", None)
        else:
            os.environ["CDK_OUTDIR"] = previous


def synthesize(
    factory: Callable[[], App], outdir: Path, entries: Sequence[LedgerEntry]
) -> Synthesized:
    """Build the app, add the packs and the ledger's acknowledgments, and synthesize it.

    Parameters
    ----------
    factory : callable
        Returns the constructed app.
    outdir : Path
        The cloud assembly directory (emptied first).
    entries : sequence of LedgerEntry
        The active ledger entries.

    Returns
    -------
    Synthesized
        The assembly (findings are read from it by :mod:`kit.audit.nag_scan`).

    Raises
    ------
    SynthesisError
        When the app fails to build or to synthesize for another reason than findings.
    """
    started = time.perf_counter()
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    with _cdk_outdir(outdir):
        try:
            app = factory()
        except Exception as error:
            raise SynthesisError(f"building the app failed: {error}") from error
    if not isinstance(app, App):
        raise SynthesisError(f"the app function returned {type(app).__name__}, not aws_cdk.App")
    outside_ledger = acknowledgments_in_tree(app)
    Validations.of(app).add_plugins(*nag_packs(app))  # type: ignore[arg-type]
    applied = apply_acknowledgments(app, entries)
    try:
        app.synth()
    except RuntimeError as error:
        # Unacknowledged findings make synth() raise after the assembly and the validation
        # report are written; anything else is a real failure.
        if not str(error).startswith("ValidationFailed"):
            raise SynthesisError(f"synthesis failed: {error}") from error
    seconds = time.perf_counter() - started
    return Synthesized(
        assembly=read_assembly(Path(app.outdir)),
        outside_ledger=outside_ledger,
        applied=applied,
        seconds=seconds,
    )
