"""Where the generator reads and writes, and digests of its inputs (the cache keys)."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterable
from pathlib import Path

#: The repository checkout the site documents.
REPO_ROOT = Path(__file__).resolve().parents[2]
#: Cache of synthesized templates and audit reports, and the generated fragments.
BUILD_DIR = REPO_ROOT / "build" / "docs"
#: Generated Markdown fragments the hand-written pages include (pymdownx.snippets).
FRAGMENTS_DIR = BUILD_DIR / "fragments"
#: Hand-written data the generator renders (runbook text, phase notes).
DATA_DIR = REPO_ROOT / "docs" / "data"

_SKIPPED_PARTS = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache"})


def _files_under(path: Path) -> Iterable[Path]:
    if path.is_file():
        yield path
        return
    for child in sorted(path.rglob("*")):
        if (
            child.is_file()
            and not _SKIPPED_PARTS.intersection(child.parts)
            and (child.suffix != ".pyc")
        ):
            yield child


def input_digest(paths: Iterable[str], *extra: str, root: Path = REPO_ROOT) -> str:
    """Digest of the files at ``paths`` (relative to ``root``; directories recursively).

    Parameters
    ----------
    paths
        Files or directories; a missing path contributes its name only, so creating it
        changes the digest.
    extra
        Further strings that the result depends on (an environment variable, a version).
    root
        The directory ``paths`` are relative to.

    Returns
    -------
    str
        16 hexadecimal digits, stable across runs and machines for the same content.
    """
    digest = hashlib.sha256()
    for relative in sorted(paths):
        base = root / relative
        digest.update(f"path:{relative}\n".encode())
        if not base.exists():
            digest.update(b"missing\n")
            continue
        for file in _files_under(base):
            digest.update(f"file:{file.relative_to(root).as_posix()}\n".encode())
            digest.update(hashlib.sha256(file.read_bytes()).digest())
    for value in extra:
        digest.update(f"extra:{value}\n".encode())
    return digest.hexdigest()[:16]


def prune_stale(current: Path) -> None:
    """Delete the other cache directories of the same kind as ``current``.

    ``templates-<digest>`` and ``audits-<digest>`` directories of earlier inputs are never read
    again once the inputs changed; keeping only the current one bounds ``build/docs``.
    """
    kind = current.name.rsplit("-", 1)[0]
    for sibling in current.parent.glob(f"{kind}-*"):
        if sibling != current and sibling.is_dir() and "." not in sibling.name:
            shutil.rmtree(sibling, ignore_errors=True)
