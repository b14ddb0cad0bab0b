"""The tag changes that bring a resource's live tags to its template's ``Tags``."""

from __future__ import annotations


def tag_changes(wanted: dict[str, str], live: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """Return (keys to untag, tags to set). ``aws:`` tags belong to AWS and are left alone."""
    stale = sorted(key for key in set(live) - set(wanted) if not key.startswith("aws:"))
    changed = {key: value for key, value in wanted.items() if live.get(key) != value}
    return stale, changed
