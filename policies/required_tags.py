"""CKV_POK_7: every taggable resource carries the required tag keys.

No built-in CloudFormation check requires specific tags. The keys come from
``POK_REQUIRED_TAGS`` (default ``Environment,Service,ManagedBy``, see ``policy_settings``);
the taggable resource types and their tag property come from ``taggable_resource_types.txt``,
generated from the CloudFormation resource schemas shipped with cfn-lint.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cfn_values import as_list, literal_text, template_keys
from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult
from policy_settings import PolicySettingError, required_tags

TAGGABLE_TYPES_FILE = Path(__file__).with_name("taggable_resource_types.txt")


def load_taggable_types(path: Path = TAGGABLE_TYPES_FILE) -> dict[str, str]:
    """Read ``<resource type> <tag property>`` lines into a mapping (``#`` starts a comment)."""
    types = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("#", 1)[0].split()
        if fields:
            resource_type, tag_property = fields
            types[resource_type] = tag_property
    return types


def tag_keys(tags: Any) -> set[str]:
    """Return the keys of a tag property with a non-empty value.

    CloudFormation writes tags as a list of ``{"Key": ..., "Value": ...}`` for most types and
    as a plain mapping for a few (e.g. ``AWS::SSM::Parameter``).
    """
    if isinstance(tags, dict):
        return {str(key) for key, value in template_keys(tags).items() if _has_value(value)}
    keys = set()
    for tag in as_list(tags):
        if (
            isinstance(tag, dict)
            and isinstance(tag.get("Key"), str)
            and _has_value(tag.get("Value"))
        ):
            keys.add(tag["Key"])
    return keys


def _has_value(value: Any) -> bool:
    text = literal_text(value, "<deploy-time>")
    return text is not None and text.strip() != ""


TAGGABLE_TYPES = load_taggable_types()


class RequiredTags(BaseResourceCheck):
    """Fail a taggable resource that lacks one of the required tag keys."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure every taggable resource carries the required tags",
            id="CKV_POK_7",
            categories=[CheckCategories.CONVENTION],
            supported_resources=sorted(TAGGABLE_TYPES),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        try:
            required = required_tags()
        except PolicySettingError as error:
            # checkov turns a raised exception into a silently dropped result: fail loudly.
            self.logger.error("%s cannot check %s: %s", self.id, self.entity_path, error)
            return CheckResult.FAILED
        properties = conf.get("Properties")
        tags = (
            properties.get(TAGGABLE_TYPES[self.entity_type])
            if isinstance(properties, dict)
            else None
        )
        present = tag_keys(tags)
        return CheckResult.PASSED if all(key in present for key in required) else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return [f"Properties/{TAGGABLE_TYPES.get(self.entity_type, 'Tags')}"]


check = RequiredTags()
