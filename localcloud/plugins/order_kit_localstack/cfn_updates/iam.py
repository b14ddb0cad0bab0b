"""IAM resources whose updates are applied in place, as CloudFormation does.

- ``AWS::IAM::ManagedPolicy``: a changed ``PolicyDocument`` becomes a new default policy version
  (``CreatePolicyVersion(SetAsDefault=true)``, the oldest non-default version deleted first when
  the policy already has the five versions IAM allows); ``Roles`` / ``Users`` / ``Groups`` are
  attached and detached to match. LocalStack's ``update()`` is not implemented.
- ``AWS::IAM::Policy`` (inline policy): written to every listed role, user and group, and
  deleted from those the update no longer lists (LocalStack's update only writes).
- ``AWS::IAM::Role``: the trust policy, description, maximum session duration, managed policy
  ARNs, inline ``Policies`` and tags are updated on the SAME role. LocalStack's update deletes
  and re-creates the role when its managed policies change, which drops every policy other
  resources attached to it.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from localstack.services.cloudformation.resource_provider import (
    OperationStatus,
    ProgressEvent,
    ResourceRequest,
)
from localstack.services.iam.resource_providers.aws_iam_managedpolicy import (
    IAMManagedPolicyProvider,
)
from localstack.services.iam.resource_providers.aws_iam_policy import IAMPolicyProvider
from localstack.services.iam.resource_providers.aws_iam_role import IAMRoleProvider

from order_kit_localstack.cfn_updates.tags import sync_tags, tag_list, tag_map

#: IAM keeps at most five versions of a managed policy ("IAM and AWS STS quotas").
MAX_POLICY_VERSIONS = 5

_PRINCIPALS = (
    ("Roles", "role", "RoleName"),
    ("Users", "user", "UserName"),
    ("Groups", "group", "GroupName"),
)


def _document(document: Any) -> str:
    return document if isinstance(document, str) else json.dumps(document)


def _parsed(document: Any) -> Any:
    if isinstance(document, str):
        from urllib.parse import unquote

        text = unquote(document)
        try:
            return json.loads(text)
        except ValueError:
            return text
    return document


class UpdatableIAMManagedPolicyProvider(IAMManagedPolicyProvider):  # type: ignore[misc]
    """Managed policies updated with policy versions (see the module docstring)."""

    def update(self, request: ResourceRequest) -> ProgressEvent:
        iam = request.aws_client_factory.iam
        previous = request.previous_state or {}
        model = dict(request.desired_state)
        model.setdefault("ManagedPolicyName", previous.get("ManagedPolicyName"))
        arn = previous["Id"]
        model["Id"] = arn
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
        default = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
        if _parsed(default["PolicyVersion"]["Document"]) != _parsed(model["PolicyDocument"]):
            versions = iam.list_policy_versions(PolicyArn=arn)["Versions"]
            if len(versions) >= MAX_POLICY_VERSIONS:
                oldest = min(
                    (v for v in versions if not v["IsDefaultVersion"]),
                    key=lambda v: v["CreateDate"],
                )
                iam.delete_policy_version(PolicyArn=arn, VersionId=oldest["VersionId"])
            iam.create_policy_version(
                PolicyArn=arn, PolicyDocument=_document(model["PolicyDocument"]), SetAsDefault=True
            )
        for prop, kind, name_key in _PRINCIPALS:
            before, after = set(previous.get(prop) or []), set(model.get(prop) or [])
            for name in sorted(before - after):
                getattr(iam, f"detach_{kind}_policy")(**{name_key: name, "PolicyArn": arn})
            for name in sorted(after - before):
                getattr(iam, f"attach_{kind}_policy")(**{name_key: name, "PolicyArn": arn})
        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=model)


class UpdatableIAMPolicyProvider(IAMPolicyProvider):  # type: ignore[misc]
    """Inline policies written to the listed principals and removed from the others."""

    def update(self, request: ResourceRequest) -> ProgressEvent:
        iam = request.aws_client_factory.iam
        previous = request.previous_state or {}
        model = dict(request.desired_state)
        document = _document(model["PolicyDocument"])
        old_name, new_name = previous.get("PolicyName"), model["PolicyName"]
        for prop, kind, name_key in _PRINCIPALS:
            before, after = set(previous.get(prop) or []), set(model.get(prop) or [])
            for name in sorted(before - after if old_name == new_name else before):
                delete = getattr(iam, f"delete_{kind}_policy")
                with contextlib.suppress(iam.exceptions.NoSuchEntityException):
                    delete(**{name_key: name, "PolicyName": old_name})
            for name in sorted(after):
                getattr(iam, f"put_{kind}_policy")(
                    **{name_key: name, "PolicyName": new_name, "PolicyDocument": document}
                )
        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model={**previous, **model})


class UpdatableIAMRoleProvider(IAMRoleProvider):  # type: ignore[misc]
    """Roles updated in place (see the module docstring)."""

    def update(self, request: ResourceRequest) -> ProgressEvent:
        iam = request.aws_client_factory.iam
        previous = request.previous_state or {}
        model = dict(request.desired_state)
        name = previous["RoleName"]
        if model.get("RoleName", name) != name:
            return ProgressEvent(
                status=OperationStatus.FAILED,
                resource_model=previous,
                message="RoleName is create-only: the role must be replaced, not updated",
            )
        model["RoleName"] = name
        role = iam.get_role(RoleName=name)["Role"]
        if _parsed(role.get("AssumeRolePolicyDocument")) != _parsed(
            model["AssumeRolePolicyDocument"]
        ):
            iam.update_assume_role_policy(
                RoleName=name, PolicyDocument=_document(model["AssumeRolePolicyDocument"])
            )
        settings: dict[str, Any] = {}
        if model.get("Description", "") != role.get("Description", ""):
            settings["Description"] = model.get("Description", "")
        if "MaxSessionDuration" in model and int(model["MaxSessionDuration"]) != role.get(
            "MaxSessionDuration"
        ):
            settings["MaxSessionDuration"] = int(model["MaxSessionDuration"])
        if settings:
            iam.update_role(RoleName=name, **settings)

        attached = {
            policy["PolicyArn"]
            for policy in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
        }
        before = set(previous.get("ManagedPolicyArns") or [])
        wanted = set(model.get("ManagedPolicyArns") or [])
        # Only the ARNs this resource manages: AWS::IAM::ManagedPolicy resources attach theirs.
        for arn in sorted((before - wanted) & attached):
            iam.detach_role_policy(RoleName=name, PolicyArn=arn)
        for arn in sorted(wanted - attached):
            iam.attach_role_policy(RoleName=name, PolicyArn=arn)

        old_inline = {p["PolicyName"] for p in previous.get("Policies") or []}
        new_inline = {p["PolicyName"]: p["PolicyDocument"] for p in model.get("Policies") or []}
        for policy_name in sorted(old_inline - set(new_inline)):
            iam.delete_role_policy(RoleName=name, PolicyName=policy_name)
        for policy_name, document in sorted(new_inline.items()):
            iam.put_role_policy(
                RoleName=name, PolicyName=policy_name, PolicyDocument=_document(document)
            )

        sync_tags(
            tag_map(model.get("Tags")),
            lambda: tag_map(iam.list_role_tags(RoleName=name)["Tags"]),
            lambda stale: iam.untag_role(RoleName=name, TagKeys=stale),
            lambda changed: iam.tag_role(RoleName=name, Tags=tag_list(changed)),
        )

        model["Arn"], model["RoleId"] = role["Arn"], role["RoleId"]
        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=model)
