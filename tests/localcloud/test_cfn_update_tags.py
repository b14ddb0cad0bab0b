"""The tag sync the update providers share (``cfn_updates/tags.py``), with fake tagging calls.

The ``cfn_updates`` package imports LocalStack, which lives in the local cloud's own venv; its
``tags`` module is standard library only and is loaded here from its file.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

TAGS_MODULE = (
    Path(__file__).resolve().parents[2]
    / "localcloud"
    / "plugins"
    / "order_kit_localstack"
    / "cfn_updates"
    / "tags.py"
)


def load_tags() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cfn_update_tags", TAGS_MODULE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tags = load_tags()


class FakeTaggedResource:
    """A resource's tags behind list/untag/tag calls that record what they were asked."""

    def __init__(self, live: dict[str, str]) -> None:
        self.live = dict(live)
        self.calls: list[tuple[str, object]] = []

    def list_tags(self) -> dict[str, str]:
        self.calls.append(("list", None))
        return dict(self.live)

    def untag(self, keys: list[str]) -> None:
        self.calls.append(("untag", keys))
        for key in keys:
            del self.live[key]

    def tag(self, new: dict[str, str]) -> None:
        self.calls.append(("tag", new))
        self.live.update(new)

    def sync(self, wanted: dict[str, str]) -> None:
        tags.sync_tags(wanted, self.list_tags, self.untag, self.tag)


def test_sync_untags_stale_keys_then_sets_new_and_changed_tags() -> None:
    resource = FakeTaggedResource({"team": "a", "old": "x", "older": "y", "same": "1"})
    resource.sync({"team": "b", "same": "1", "new": "n"})
    assert resource.live == {"team": "b", "same": "1", "new": "n"}
    assert resource.calls == [
        ("list", None),
        ("untag", ["old", "older"]),
        ("tag", {"team": "b", "new": "n"}),
    ]


def test_sync_leaves_aws_tags_and_makes_no_call_when_nothing_changes() -> None:
    live = {"aws:cloudformation:stack-name": "s", "team": "a"}
    resource = FakeTaggedResource(live)
    resource.sync({"team": "a"})
    assert resource.live == live
    assert resource.calls == [("list", None)]


def test_sync_only_untags_when_the_template_drops_every_tag() -> None:
    resource = FakeTaggedResource({"team": "a"})
    resource.sync({})
    assert resource.live == {}
    assert resource.calls == [("list", None), ("untag", ["team"])]


def test_sync_only_tags_an_untagged_resource() -> None:
    resource = FakeTaggedResource({})
    resource.sync({"team": "a"})
    assert resource.calls == [("list", None), ("tag", {"team": "a"})]


def test_tag_lists_and_maps_convert_both_ways() -> None:
    listed = [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "orders"}]
    assert tags.tag_map(listed) == {"env": "prod", "team": "orders"}
    assert tags.tag_map(None) == {}
    assert tags.tag_list({"env": "prod", "team": "orders"}) == listed
