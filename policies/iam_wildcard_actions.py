"""CKV_POK_6: no IAM policy allows every action (``*``) or every action of a service (``s3:*``).

CKV_AWS_63 only rejects a bare ``*`` and does not look at ``AWS::IAM::ManagedPolicy``; the seed's
naive implementation granted ``dynamodb:*``. An ``Allow`` with ``NotAction`` is rejected too: it
grants everything but the listed actions. Narrow prefixes such as ``kms:ReEncrypt*`` (which CDK
grants emit) are accepted. Resource policies (key, queue, topic policies) are out of scope.
"""

from __future__ import annotations

import re
from typing import Any

from cfn_values import as_list, template_keys
from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

SERVICE_WILDCARD = re.compile(r"^[A-Za-z0-9\-]+:\*+$")


def is_wildcard_action(action: Any) -> bool:
    """Return True for ``*`` or ``<service>:*`` (intrinsic-valued actions are never wildcards)."""
    return isinstance(action, str) and (
        set(action.strip()) == {"*"} or bool(SERVICE_WILDCARD.match(action.strip()))
    )


def wildcard_findings(document: Any) -> list[str]:
    """Describe every ``Allow`` statement of a policy document that grants wildcard actions.

    Parameters
    ----------
    document : Any
        A ``PolicyDocument`` value.

    Returns
    -------
    list of str
        One message per offending statement; empty when the document is acceptable.
    """
    if not isinstance(document, dict):
        return []
    findings = []
    for index, statement in enumerate(as_list(document.get("Statement"))):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        label = statement.get("Sid") or f"Statement[{index}]"
        if "NotAction" in template_keys(statement):
            findings.append(f"{label}: Allow with NotAction")
        wildcards = [a for a in as_list(statement.get("Action")) if is_wildcard_action(a)]
        if wildcards:
            findings.append(f"{label}: Allow {', '.join(wildcards)}")
    return findings


def policy_documents(resource_type: str, properties: dict[str, Any]) -> list[Any]:
    """Return the permission policy documents of an IAM resource (not trust policies)."""
    if resource_type in {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}:
        return [properties.get("PolicyDocument")]
    return [
        policy.get("PolicyDocument")
        for policy in as_list(properties.get("Policies"))
        if isinstance(policy, dict)
    ]


class NoWildcardIamActions(BaseResourceCheck):
    """Fail an IAM resource whose policies allow ``*`` or ``<service>:*`` actions."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure IAM policies allow no wildcard ('*' or 'service:*') actions",
            id="CKV_POK_6",
            categories=[CheckCategories.IAM],
            supported_resources=[
                "AWS::IAM::Policy",
                "AWS::IAM::ManagedPolicy",
                "AWS::IAM::Role",
                "AWS::IAM::User",
                "AWS::IAM::Group",
            ],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        properties = conf.get("Properties")
        if not isinstance(properties, dict):
            properties = {}
        findings = [
            finding
            for document in policy_documents(self.entity_type, properties)
            for finding in wildcard_findings(document)
        ]
        return CheckResult.FAILED if findings else CheckResult.PASSED

    def get_evaluated_keys(self) -> list[str]:
        if self.entity_type in {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}:
            return ["Properties/PolicyDocument/Statement"]
        return ["Properties/Policies"]


check = NoWildcardIamActions()
