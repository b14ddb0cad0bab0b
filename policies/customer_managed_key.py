"""CKV_POK_1: DynamoDB tables, SQS queues and SNS topics are encrypted with a customer-managed key.

The built-in checks (CKV_AWS_119, CKV_AWS_26, CKV_AWS_27) only require *a* key id, so
``alias/aws/dynamodb`` (an AWS-managed key) passes them, and SQS-managed or AWS-owned
encryption is not rejected by them either. The seed requires customer-managed KMS keys, whose
policy and rotation the team controls.
"""

from __future__ import annotations

from typing import Any

from cfn_values import intrinsic, is_true, literal_text, template_keys
from checkov.cloudformation.checks.resource.base_resource_check import BaseResourceCheck
from checkov.common.models.enums import CheckCategories, CheckResult

# Where each resource type names its KMS key.
KEY_PROPERTY = {
    "AWS::DynamoDB::Table": ("SSESpecification", "KMSMasterKeyId"),
    "AWS::SQS::Queue": ("KmsMasterKeyId",),
    "AWS::SNS::Topic": ("KmsMasterKeyId",),
}

# Placeholder for deploy-time parts of a key reference; it never looks like an AWS alias.
UNKNOWN_PART = "<deploy-time>"


def is_customer_managed_key(key: Any) -> bool:
    """Return True if ``key`` refers to a customer-managed KMS key.

    A reference to a template resource (``Ref``/``Fn::GetAtt``) or an imported value counts
    as customer-managed: CDK writes a key created in the stack that way. A literal (or
    joined) id, ARN or alias counts unless it names an AWS-managed alias (``alias/aws/...``).

    Parameters
    ----------
    key : Any
        The value of the key property.

    Returns
    -------
    bool
        Whether the key is customer-managed.
    """
    call = intrinsic(key)
    if call is not None and call[0] in {"Ref", "Fn::GetAtt", "Fn::ImportValue"}:
        return True
    text = literal_text(key, UNKNOWN_PART)
    if text is None or not text.strip():
        return False
    return "alias/aws/" not in text


class CustomerManagedKeyEncryption(BaseResourceCheck):
    """Fail unless the resource is encrypted with a customer-managed KMS key."""

    def __init__(self) -> None:
        super().__init__(
            name="Ensure DynamoDB tables, SQS queues and SNS topics are encrypted with a "
            "customer-managed KMS key",
            id="CKV_POK_1",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=list(KEY_PROPERTY),
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        properties = conf.get("Properties")
        if not isinstance(properties, dict):
            return CheckResult.FAILED
        path = KEY_PROPERTY[self.entity_type]
        if self.entity_type == "AWS::DynamoDB::Table":
            sse = properties.get("SSESpecification")
            if not isinstance(sse, dict) or not is_true(sse.get("SSEEnabled")):
                return CheckResult.FAILED
            # SSEType defaults to KMS; any other explicit value is not a KMS key.
            if sse.get("SSEType", "KMS") != "KMS":
                return CheckResult.FAILED
        value: Any = properties
        for name in path:
            if not isinstance(value, dict) or name not in template_keys(value):
                return CheckResult.FAILED
            value = value[name]
        return CheckResult.PASSED if is_customer_managed_key(value) else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["Properties/" + "/".join(KEY_PROPERTY[self.entity_type])]


check = CustomerManagedKeyEncryption()
