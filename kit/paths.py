"""Where the kit finds the files it ships: the Lambda code and the checkov policies.

Installed from a wheel, ``handler/`` and ``policies/`` travel inside the package as
``kit/_lambda`` and ``kit/_policies`` (see ``[tool.setuptools]`` in pyproject.toml). In a
repository checkout (or an editable install) they are the top-level directories beside ``kit/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_REPO_DIR = _PACKAGE_DIR.parent


def _first_existing(packaged: Path, checkout: Path) -> Path:
    for candidate in (packaged, checkout):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"neither {packaged} (installed wheel) nor {checkout} (repository checkout) exists; "
        "reinstall production-order-kit"
    )


def handler_source_dir() -> Path:
    """Return the directory zipped as the Lambda asset (the ``handler/`` tree).

    Examples
    --------
    >>> (handler_source_dir() / "orders").is_dir()
    True
    """
    return _first_existing(_PACKAGE_DIR / "_lambda", _REPO_DIR / "handler")


def policies_dir() -> Path:
    """Return the directory of the kit's checkov custom policies (``policies/``)."""
    return _first_existing(_PACKAGE_DIR / "_policies", _REPO_DIR / "policies")


def order_request_schema_path() -> Path:
    """Return the JSON Schema (draft-04) of the order request: the single source of truth."""
    return handler_source_dir() / "orders" / "schema" / "order_request.schema.json"
