"""Create the harness venvs, exactly pinned, and only when their inputs changed.

Two venvs live under the state directory (see :class:`~localcloud.layout.StateLayout`):

- ``localstack-venv`` (Python 3.13): ``localstack-core`` plus its upstream lock
  (``requirements-localstack.txt``) and the project's plugin distribution (``plugins/``);
- ``lambda-python3.13`` (Python 3.13): the python3.13 Lambda runtime
  (``requirements-lambda-runtime.txt``; :data:`localcloud.LAMBDA_RUNTIME`).

Both are installed with ``--no-deps`` from fully pinned files and then checked with
``pip check``, so nothing unpinned slips in. A stamp file in each venv holds a hash of
everything that went into it; when the hash is unchanged, provisioning is a no-op.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from localcloud import LAMBDA_PYTHON_VERSION, LOCALSTACK_VERSION
from localcloud.errors import ProvisionError
from localcloud.interpreters import find_interpreter, interpreter_version
from localcloud.layout import (
    LAMBDA_RUNTIME_REQUIREMENTS,
    LOCALSTACK_REQUIREMENTS,
    PLUGIN_BUILD_REQUIREMENTS,
    PLUGINS_DIR,
    StateLayout,
)

STAMP_NAME = ".localcloud-stamp"
_IGNORED_PLUGIN_PARTS = {"__pycache__", "build", "dist"}


@dataclass(frozen=True)
class VenvResult:
    """Outcome of provisioning one venv.

    Parameters
    ----------
    path
        The venv directory.
    installed
        False when the stamp matched and nothing was done.
    seconds
        Wall time spent.
    """

    path: Path
    installed: bool
    seconds: float


def plugin_files(plugins_dir: Path = PLUGINS_DIR) -> list[Path]:
    """Source files of the plugin distribution, in a stable order (no build leftovers)."""
    return sorted(
        path
        for path in plugins_dir.rglob("*")
        if path.is_file()
        and not _IGNORED_PLUGIN_PARTS.intersection(path.relative_to(plugins_dir).parts)
        and not any(part.endswith(".egg-info") for part in path.parts)
        and path.suffix != ".pyc"
    )


def inputs_digest(files: Sequence[Path], extra: Sequence[str]) -> str:
    """SHA-256 over file names and contents plus ``extra`` strings (e.g. versions)."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for value in extra:
        digest.update(value.encode() + b"\0")
    return digest.hexdigest()


def is_current(venv: Path, digest: str) -> bool:
    """True when ``venv`` was provisioned from inputs with this digest."""
    stamp = venv / STAMP_NAME
    return stamp.is_file() and stamp.read_text().strip() == digest


def provision_localstack(
    layout: StateLayout, python313: Path | None = None, log: Callable[[str], None] = print
) -> VenvResult:
    """Provision the LocalStack venv (Python 3.13).

    Parameters
    ----------
    layout
        Where the venv goes.
    python313
        Interpreter to build it from; found with :func:`~localcloud.interpreters.find_interpreter`
        when omitted.
    log
        Progress messages.

    Raises
    ------
    InterpreterNotFoundError
        No Python 3.13.
    ProvisionError
        An install step failed (its output is in the message).
    """
    python = python313 or find_interpreter("3.13")
    inputs = [LOCALSTACK_REQUIREMENTS, PLUGIN_BUILD_REQUIREMENTS, *plugin_files()]
    digest = inputs_digest(inputs, [LOCALSTACK_VERSION, interpreter_version(python) or "?"])

    def install(venv_python: Path) -> None:
        _pip(venv_python, "install", "--no-deps", "-r", str(PLUGIN_BUILD_REQUIREMENTS))
        _pip(
            venv_python,
            "install",
            "--no-deps",
            f"localstack-core=={LOCALSTACK_VERSION}",
            "-r",
            str(LOCALSTACK_REQUIREMENTS),
        )
        # Built from a copy so that the source tree gets no build/ or egg-info leftovers.
        with tempfile.TemporaryDirectory(prefix="localcloud-plugins-") as scratch:
            source = Path(scratch) / "plugins"
            shutil.copytree(
                PLUGINS_DIR,
                source,
                ignore=shutil.ignore_patterns(*_IGNORED_PLUGIN_PARTS, "*.egg-info"),
            )
            _pip(venv_python, "install", "--no-deps", "--no-build-isolation", str(source))

    return _provision_venv(layout.localstack_venv, python, digest, install, log)


def provision_lambda_runtime(
    layout: StateLayout, lambda_python: Path | None = None, log: Callable[[str], None] = print
) -> VenvResult:
    """Provision the venv that plays the Lambda runtime :data:`localcloud.LAMBDA_RUNTIME`
    (python3.13, from a Python 3.13 interpreter).

    Parameters
    ----------
    layout
        Where the venv goes.
    lambda_python
        Interpreter to build it from (Python :data:`localcloud.LAMBDA_PYTHON_VERSION`); found
        when omitted.
    log
        Progress messages.

    Raises
    ------
    InterpreterNotFoundError
        No Python of the runtime's version.
    ProvisionError
        An install step failed.
    """
    python = lambda_python or find_interpreter(LAMBDA_PYTHON_VERSION)
    digest = inputs_digest([LAMBDA_RUNTIME_REQUIREMENTS], [interpreter_version(python) or "?"])

    def install(venv_python: Path) -> None:
        _pip(venv_python, "install", "--no-deps", "-r", str(LAMBDA_RUNTIME_REQUIREMENTS))

    return _provision_venv(layout.lambda_runtime_venv, python, digest, install, log)


def provision_all(
    layout: StateLayout,
    python313: Path | None = None,
    lambda_python: Path | None = None,
    log: Callable[[str], None] = print,
) -> list[VenvResult]:
    """Provision both venvs (see :func:`provision_localstack`, :func:`provision_lambda_runtime`).

    The interpreters are looked up first, so a missing one is reported before any install.
    """
    python313 = python313 or find_interpreter("3.13")
    lambda_python = lambda_python or find_interpreter(LAMBDA_PYTHON_VERSION)
    return [
        provision_localstack(layout, python313, log),
        provision_lambda_runtime(layout, lambda_python, log),
    ]


def _provision_venv(
    venv: Path,
    python: Path,
    digest: str,
    install: Callable[[Path], None],
    log: Callable[[str], None],
) -> VenvResult:
    started = time.monotonic()
    if is_current(venv, digest):
        return VenvResult(venv, installed=False, seconds=time.monotonic() - started)
    log(f"localcloud: creating {venv} from {python} ...")
    # A half-built or outdated venv is rebuilt from scratch: that is the only exact state.
    shutil.rmtree(venv, ignore_errors=True)
    _run([str(python), "-m", "venv", str(venv)])
    venv_python = venv / "bin" / "python"
    install(venv_python)
    _pip(venv_python, "check")
    (venv / STAMP_NAME).write_text(digest + "\n")
    seconds = time.monotonic() - started
    log(f"localcloud: {venv.name} ready in {seconds:.0f} s")
    return VenvResult(venv, installed=True, seconds=seconds)


def _pip(venv_python: Path, *args: str) -> None:
    _run([str(venv_python), "-m", "pip", "--disable-pip-version-check", "-q", *args])


def _run(argv: list[str]) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines()
        # pip prints one warning per unreachable extra index; keep the lines that matter.
        relevant = [line for line in output if "is ignored: it is neither" not in line]
        raise ProvisionError(
            f"`{' '.join(argv)}` failed with exit code {result.returncode}:\n"
            + "\n".join(relevant[-40:])
        )
