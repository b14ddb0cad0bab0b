"""Find the Python interpreter the harness needs: 3.13, for LocalStack and the Lambda runtime."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from localcloud.errors import CONTAINER_HINT, InterpreterNotFoundError

#: What each Python version is needed for.
PURPOSES = {
    "3.13": "LocalStack (localstack-core needs Python >= 3.12; its lock is compiled for 3.13)"
    " and the python3.13 Lambda runtime of the local-process executor",
}


def override_variable(version: str) -> str:
    """The variable that names the interpreter, e.g. ``LOCALCLOUD_PYTHON313``."""
    return "LOCALCLOUD_PYTHON" + version.replace(".", "")


def candidate_paths(version: str, environ: Mapping[str, str]) -> list[Path]:
    """Where to look for a Python ``version`` when no override is set.

    pyenv installs (``$PYENV_ROOT`` or ``~/.pyenv``), newest patch release first, then
    ``pythonX.Y`` on ``PATH``.
    """
    pyenv_root = Path(environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    found = sorted(
        (pyenv_root / "versions").glob(f"{version}.*/bin/python"),
        key=lambda path: [
            int(part) for part in path.parent.parent.name.split(".") if part.isdigit()
        ],
        reverse=True,
    )
    on_path = shutil.which(f"python{version}", path=environ.get("PATH"))
    return found + ([Path(on_path)] if on_path else [])


def interpreter_version(python: Path) -> str | None:
    """Return ``"X.Y"`` for an interpreter, or None if it does not run."""
    try:
        result = subprocess.run(
            [str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def find_interpreter(
    version: str,
    environ: Mapping[str, str] | None = None,
    candidates: Iterable[Path] | None = None,
) -> Path:
    """Return a Python ``version`` interpreter.

    Parameters
    ----------
    version
        ``"3.13"``, say.
    environ
        Environment to read the override (``LOCALCLOUD_PYTHON313``, say)
        and ``PYENV_ROOT`` / ``PATH`` from; defaults to the process environment.
    candidates
        Paths to try instead of the default search (used when no override is set).

    Returns
    -------
    Path
        An interpreter that runs and reports ``version``.

    Raises
    ------
    InterpreterNotFoundError
        The override points at something that is not a Python ``version``, or none was found;
        the message says what was tried, how to fix it, and how to use a container instead.
    """
    environ = os.environ if environ is None else environ
    variable = override_variable(version)
    purpose = PURPOSES.get(version, f"Python {version}")
    if override := environ.get(variable):
        actual = interpreter_version(Path(override))
        if actual == version:
            return Path(override)
        problem = "does not run" if actual is None else f"is Python {actual}"
        raise InterpreterNotFoundError(
            f"{variable}={override} {problem}, but Python {version} is needed for {purpose}."
            f" Point {variable} at a Python {version} interpreter. {CONTAINER_HINT}"
        )
    tried = list(candidates) if candidates is not None else candidate_paths(version, environ)
    for path in tried:
        if interpreter_version(path) == version:
            return path
    looked_at = ", ".join(str(path) for path in tried) or "no candidates"
    raise InterpreterNotFoundError(
        f"No Python {version} found, needed for {purpose} (looked at: {looked_at})."
        f" Install it (e.g. `pyenv install {version}`) or set {variable}=/path/to/python{version}."
        f" {CONTAINER_HINT}"
    )
