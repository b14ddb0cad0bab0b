"""The tag changes that bring a resource's live tags to its template's ``Tags``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping


def tag_map(tags: Iterable[Mapping[str, str]] | None) -> dict[str, str]:
    """``[{"Key": k, "Value": v}, ...]`` (a template's ``Tags``, most APIs' tag lists) as a dict."""
    return {tag["Key"]: tag["Value"] for tag in tags or []}


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """A dict of tags as the ``[{"Key": k, "Value": v}, ...]`` list the APIs take."""
    return [{"Key": key, "Value": value} for key, value in tags.items()]


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
