"""``TagResource`` on a log group that has no tags yet keeps the tags.

LocalStack 2026.3.0's logs provider stores ``TagResource`` / ``TagLogGroup`` tags with
``store.TAGS.get(arn, {}).update(tags)``: for a log group created without tags the update goes
to a throw-away dict and the call answers success with nothing stored. A log group created bare
and tagged by a later stack update (phase 4 of the migration path) would never show its tags.
:func:`patch_log_group_tagging` stores them (``setdefault``), as CloudWatch Logs does.
"""

from __future__ import annotations

from typing import Any


def patch_log_group_tagging() -> None:
    """Make the logs provider's ``tag_resource`` keep tags of untagged resources (idempotent)."""
    from localstack.services.logs import provider as logs

    original = logs.LogsProvider.tag_resource
    if getattr(original, "order_kit_patched", False):
        return

    def tag_resource(
        self: Any, context: Any, resource_arn: str, tags: dict[str, str], **kwargs: Any
    ) -> None:
        self._check_resource_arn_tagging(resource_arn)
        store = logs.logs_stores[context.account_id][context.region]
        store.TAGS.setdefault(resource_arn, {}).update(tags or {})

    tag_resource.order_kit_patched = True  # type: ignore[attr-defined]
    # The dispatch table resolves handlers by method name on the provider instance.
    logs.LogsProvider.tag_resource = tag_resource
