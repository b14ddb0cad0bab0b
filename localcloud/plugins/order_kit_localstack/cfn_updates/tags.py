"""The tag changes that bring a resource's live tags to its template's ``Tags``."""

from __future__ import annotations

from collections.abc import Callable


def tag_changes(wanted: dict[str, str], live: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """Return (keys to untag, tags to set). ``aws:`` tags belong to AWS and are left alone."""
    stale = sorted(key for key in set(live) - set(wanted) if not key.startswith("aws:"))
    changed = {key: value for key, value in wanted.items() if live.get(key) != value}
    return stale, changed


def sync_tags(
    wanted: dict[str, str],
    list_tags: Callable[[], dict[str, str]],
    untag: Callable[[list[str]], object],
    tag: Callable[[dict[str, str]], object],
) -> None:
    """Bring a resource's live tags to ``wanted`` with its service's own tagging calls.

    ``list_tags`` returns the live tags; ``untag`` removes the keys it is given (the stale ones,
    sorted); ``tag`` sets the tags it is given (the new or changed ones). Each of the two is
    called only when it has something to do, ``untag`` first; see :func:`tag_changes`.
    """
    stale, changed = tag_changes(wanted, list_tags())
    if stale:
        untag(stale)
    if changed:
        tag(changed)
