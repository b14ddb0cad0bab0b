"""Decide, from a synthesized CloudFormation template, whether AWS would allow a request.

The local cloud enforces no IAM, resource or key policy, so the kit checks the policies the way
AWS documents its evaluation (IAM User Guide, "Policy evaluation logic" and "Determining
whether a request is allowed or denied within an account"; AWS KMS Developer Guide, "Key
policies in AWS KMS"):

1. an explicit ``Deny`` in any applicable policy (identity-based, resource-based, key policy)
   wins;
2. a KMS key is used only if its key policy allows the principal directly, or allows the
   account (``arn:...:iam::<account>:root``, "enable IAM policies") and an identity-based
   policy of the principal allows too;
3. otherwise, within one account, an ``Allow`` in either a resource-based policy or an
   identity-based policy of the principal is enough; without one the request is implicitly
   denied. Service principals have no identity-based policies.

Scope: one account (the stack's), the ``Effect``, ``Principal``, ``Action``/``NotAction``,
``Resource``/``NotResource`` and ``Condition`` elements, the string, ARN, ``Bool`` and ``Null``
condition operators with ``...IfExists``. No SCPs, permission boundaries or session policies
(the kit uses none). A policy it cannot read (e.g. an AWS managed policy by ARN) raises
:class:`PolicyEvaluationError` rather than guess.

Examples
--------
>>> template = {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {}}}}
>>> evaluator = TemplateEvaluator(template)
>>> evaluator.decide(Request(
...     principal=ServicePrincipal("cloudwatch.amazonaws.com"), action="sns:Publish",
...     resource=evaluator.resolve({"Ref": "Topic"}))).allowed
False
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: The values the pseudo parameters take when a template is evaluated.
ACCOUNT = "111122223333"
PARTITION = "aws"


class PolicyEvaluationError(ValueError):
    """The template holds something the evaluator cannot decide on (it never guesses)."""


@dataclass(frozen=True)
class ServicePrincipal:
    """An AWS service acting itself, e.g. ``cloudwatch.amazonaws.com``."""

    service: str


@dataclass(frozen=True)
class RolePrincipal:
    """A session of an IAM role of the template, by the role's logical id."""

    logical_id: str


Principal = ServicePrincipal | RolePrincipal


@dataclass(frozen=True)
class Request:
    """One request: who, what, on which resource ARN, with which request context keys."""

    principal: Principal
    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """The outcome and the statements that decided it (``policy#sid``)."""

    allowed: bool
    reason: str


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


class TemplateEvaluator:
    """Evaluates requests against the policies of one synthesized template.

    Parameters
    ----------
    template
        The template as a dict (``Template.to_json()`` or the cdk.out JSON).
    region
        The value of ``AWS::Region``.
    """

    def __init__(self, template: Mapping[str, Any], region: str = "eu-west-1") -> None:
        self.resources: Mapping[str, Any] = template.get("Resources", {})
        self.region = region

    # --- intrinsic functions ------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        """Resolve the intrinsic functions of ``value`` to the strings AWS would produce
        (generated names are the logical ids)."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if len(value) != 1:
            return {key: self.resolve(item) for key, item in value.items()}
        ((name, argument),) = value.items()
        if name == "Ref":
            return self._ref(argument)
        if name == "Fn::GetAtt":
            logical, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
            return self._get_att(logical, attribute)
        if name == "Fn::Join":
            separator, items = argument
            return separator.join(str(self.resolve(item)) for item in items)
        if name == "Fn::Select":
            index, items = argument
            return self.resolve(items)[int(index)]
        if name == "Fn::Split":
            separator, text = argument
            return str(self.resolve(text)).split(separator)
        if name == "Fn::Sub":
            text = argument if isinstance(argument, str) else argument[0]

            def substitute(match: re.Match[str]) -> str:
                reference = match.group(1)
                if "." in reference:
                    return str(self._get_att(*reference.split(".", 1)))
                return str(self._ref(reference))

            return re.sub(r"\$\{([^}!]+)\}", substitute, text)
        if name.startswith("Fn::") or name == "Condition":
            raise PolicyEvaluationError(f"cannot evaluate {name}")
        return {key: self.resolve(item) for key, item in value.items()}

    def _arn(self, service: str, resource: str, region: bool = True) -> str:
        return f"arn:{PARTITION}:{service}:{self.region if region else ''}:{ACCOUNT}:{resource}"

    def _ref(self, logical: str) -> Any:
        pseudo = {
            "AWS::AccountId": ACCOUNT,
            "AWS::Partition": PARTITION,
            "AWS::Region": self.region,
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": "Stack",
        }
        if logical in pseudo:
            return pseudo[logical]
        resource = self._resource(logical)
        kind = resource["Type"]
        if kind == "AWS::SNS::Topic":
            return self._arn("sns", logical)
        if kind == "AWS::SQS::Queue":
            return f"https://sqs.{self.region}.amazonaws.com/{ACCOUNT}/{logical}"
        if kind == "AWS::IAM::ManagedPolicy":
            return f"arn:{PARTITION}:iam::{ACCOUNT}:policy/{logical}"
        if kind == "AWS::Logs::LogGroup":
            return self._log_group_name(logical)
        return logical  # e.g. a bucket's generated name

    def _log_group_name(self, logical: str) -> str:
        name = self._resource(logical).get("Properties", {}).get("LogGroupName")
        return str(self.resolve(name)) if name is not None else logical

    def _get_att(self, logical: str, attribute: str) -> str:
        kind = self._resource(logical)["Type"]
        arns = {
            ("AWS::KMS::Key", "Arn"): lambda: self._arn("kms", f"key/{logical}"),
            ("AWS::KMS::Key", "KeyId"): lambda: logical,
            ("AWS::SNS::Topic", "TopicArn"): lambda: self._arn("sns", logical),
            ("AWS::SQS::Queue", "Arn"): lambda: self._arn("sqs", logical),
            ("AWS::DynamoDB::Table", "Arn"): lambda: self._arn("dynamodb", f"table/{logical}"),
            ("AWS::DynamoDB::Table", "StreamArn"): lambda: self._arn(
                "dynamodb", f"table/{logical}/stream/2026-01-01T00:00:00.000"
            ),
            ("AWS::Logs::LogGroup", "Arn"): lambda: self._arn(
                "logs", f"log-group:{self._log_group_name(logical)}:*"
            ),
            ("AWS::IAM::Role", "Arn"): lambda: f"arn:{PARTITION}:iam::{ACCOUNT}:role/{logical}",
            ("AWS::Lambda::Function", "Arn"): lambda: self._arn("lambda", f"function:{logical}"),
            ("AWS::Events::Rule", "Arn"): lambda: self._arn("events", f"rule/{logical}"),
            # S3 bucket ARNs have neither region nor account.
            ("AWS::S3::Bucket", "Arn"): lambda: f"arn:{PARTITION}:s3:::{logical}",
        }
        if (kind, attribute) not in arns:
            raise PolicyEvaluationError(f"cannot evaluate Fn::GetAtt {logical}.{attribute}")
        return arns[(kind, attribute)]()

    def _resource(self, logical: str) -> Mapping[str, Any]:
        if logical not in self.resources:
            raise PolicyEvaluationError(f"no resource {logical!r} in the template")
        resource: Mapping[str, Any] = self.resources[logical]
        return resource

    # --- which policies apply -----------------------------------------------------------
    def identity_statements(self, role: str) -> list[tuple[str, dict[str, Any]]]:
        """Statements of every identity-based policy of the role ``role`` (logical id)."""
        properties = self._resource(role).get("Properties", {})
        if properties.get("ManagedPolicyArns"):
            raise PolicyEvaluationError(
                f"{role} has managed policies by ARN (their documents are not in the template)"
            )
        found = []
        for policy in properties.get("Policies", []):
            found += self._statements(f"{role}/{policy['PolicyName']}", policy["PolicyDocument"])
        for logical, resource in self.resources.items():
            if resource["Type"] not in ("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy"):
                continue
            roles = resource["Properties"].get("Roles", [])
            if {"Ref": role} in roles:
                found += self._statements(logical, resource["Properties"]["PolicyDocument"])
        return found

    def resource_statements(self, arn: str) -> list[tuple[str, dict[str, Any]]]:
        """Statements of the resource-based policies (topic, queue, trust, key) of ``arn``."""
        found = []
        for logical, resource in self.resources.items():
            kind, properties = resource["Type"], resource.get("Properties", {})
            targets: list[str] = []
            document = None
            if kind == "AWS::SNS::TopicPolicy":
                targets = [self.resolve(t) for t in properties["Topics"]]
                document = properties["PolicyDocument"]
            elif kind == "AWS::SQS::QueuePolicy":
                urls = [self.resolve(q) for q in properties["Queues"]]
                targets = [self._arn("sqs", url.rsplit("/", 1)[-1]) for url in urls]
                document = properties["PolicyDocument"]
            elif kind == "AWS::S3::BucketPolicy":
                # A bucket policy governs the bucket and every object in it.
                bucket = f"arn:{PARTITION}:s3:::{self.resolve(properties['Bucket'])}"
                targets = [arn] if arn == bucket or arn.startswith(f"{bucket}/") else []
                document = properties["PolicyDocument"]
            elif kind == "AWS::IAM::Role":
                targets = [self._get_att(logical, "Arn")]
                document = properties["AssumeRolePolicyDocument"]
            elif kind == "AWS::KMS::Key":
                targets = [self._get_att(logical, "Arn")]
                document = properties["KeyPolicy"]
            elif kind == "AWS::Lambda::Permission":
                # A function's resource policy, one statement per permission, as Lambda
                # writes it (Lambda developer guide, "Viewing resource-based IAM policies in
                # Lambda": Principal.Service, Action, Resource and an ArnLike on
                # AWS:SourceArn when the permission names a source).
                targets = [self.resolve(properties["FunctionName"])]
                statement: dict[str, Any] = {
                    "Effect": "Allow",
                    "Principal": {"Service": properties["Principal"]},
                    "Action": properties["Action"],
                    "Resource": properties["FunctionName"],
                }
                if "SourceArn" in properties:
                    statement["Condition"] = {"ArnLike": {"AWS:SourceArn": properties["SourceArn"]}}
                document = {"Statement": [statement]}
            if arn in targets and document is not None:
                found += self._statements(logical, document)
        return found

    def _statements(
        self, name: str, document: Mapping[str, Any]
    ) -> list[tuple[str, dict[str, Any]]]:
        statements = self.resolve(_as_list(document["Statement"]))
        return [(f"{name}#{s.get('Sid', index)}", s) for index, s in enumerate(statements)]

    def is_key(self, arn: str) -> bool:
        """Whether ``arn`` is a KMS key of the template."""
        return any(
            r["Type"] == "AWS::KMS::Key" and self._get_att(logical, "Arn") == arn
            for logical, r in self.resources.items()
        )

    # --- the decision -------------------------------------------------------------------
    def decide(self, request: Request) -> Decision:
        """Whether AWS would allow ``request`` (see the module docstring for the logic)."""
        principal = request.principal
        identity = (
            self.identity_statements(principal.logical_id)
            if isinstance(principal, RolePrincipal)
            else []
        )
        resource_based = self.resource_statements(request.resource)
        applicable = [
            (name, s, "identity") for name, s in identity if _applies(s, request, None)
        ] + [
            (name, s, "resource")
            for name, s in resource_based
            if _applies(s, request, self._principal_names(principal))
        ]
        denies = [name for name, s, _ in applicable if s["Effect"] == "Deny"]
        if denies:
            return Decision(False, f"explicit deny: {', '.join(denies)}")
        resource_allows = [n for n, s, kind in applicable if kind == "resource"]
        identity_allows = [n for n, s, kind in applicable if kind == "identity"]
        if self.is_key(request.resource):
            if resource_allows:
                return Decision(True, f"key policy: {', '.join(resource_allows)}")
            delegating = [
                name
                for name, s in resource_based
                if s["Effect"] == "Allow"
                and _applies(s, request, {f"arn:{PARTITION}:iam::{ACCOUNT}:root"})
            ]
            if delegating and identity_allows and isinstance(principal, RolePrincipal):
                return Decision(
                    True,
                    f"key policy {', '.join(delegating)} enables IAM policies; "
                    f"identity: {', '.join(identity_allows)}",
                )
            return Decision(False, "the key policy allows neither the principal nor its account")
        if resource_allows or identity_allows:
            return Decision(True, ", ".join(resource_allows + identity_allows))
        return Decision(False, "implicit deny: no statement allows it")

    def _principal_names(self, principal: Principal) -> set[str]:
        if isinstance(principal, ServicePrincipal):
            return {principal.service}
        return {self._get_att(principal.logical_id, "Arn")}


def _applies(statement: Mapping[str, Any], request: Request, principals: set[str] | None) -> bool:
    """Whether a statement matches the request (``principals`` is ``None`` for an
    identity-based policy, which has no Principal element)."""
    if principals is not None and not _principal_matches(statement, principals):
        return False
    if "Action" in statement:
        if not _any_match(statement["Action"], request.action, ignore_case=True):
            return False
    elif _any_match(statement["NotAction"], request.action, ignore_case=True):
        return False
    if "Resource" in statement:
        if not any(_resource_matches(p, request.resource) for p in _as_list(statement["Resource"])):
            return False
    elif any(
        _resource_matches(p, request.resource) for p in _as_list(statement.get("NotResource", []))
    ):
        return False
    return _conditions_hold(statement.get("Condition", {}), request.context)


def _principal_matches(statement: Mapping[str, Any], names: set[str]) -> bool:
    if "NotPrincipal" in statement:
        raise PolicyEvaluationError("NotPrincipal is not supported")
    principal = statement.get("Principal")
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return False
    listed = {str(p) for values in principal.values() for p in _as_list(values)}
    return "*" in listed or bool(listed & names)


def _glob(pattern: str, value: str, ignore_case: bool = False) -> bool:
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    # fnmatch's [] classes are not IAM wildcards: escape them.
    pattern = pattern.replace("[", "[[]")
    return fnmatch.fnmatchcase(value, pattern)


def _any_match(patterns: Any, value: str, ignore_case: bool = False) -> bool:
    return any(_glob(str(p), value, ignore_case) for p in _as_list(patterns))


def _resource_matches(pattern: str, arn: str) -> bool:
    # In a key policy "*" means the key; elsewhere it matches everything too.
    return pattern == "*" or _arn_like(pattern, arn)


def _arn_like(pattern: str, arn: str) -> bool:
    """ArnLike: each of the six colon-separated ARN parts matched on its own."""
    pattern_parts, arn_parts = pattern.split(":", 5), arn.split(":", 5)
    if len(pattern_parts) != 6 or len(arn_parts) != 6:
        return False
    return all(_glob(p, a) for p, a in zip(pattern_parts, arn_parts, strict=True))


_OPERATORS = {
    "StringEquals": lambda p, v: p == v,
    "StringEqualsIgnoreCase": lambda p, v: p.lower() == v.lower(),
    "StringLike": lambda p, v: _glob(p, v),
    "ArnEquals": lambda p, v: p == v,
    "ArnLike": _arn_like,
    "Bool": lambda p, v: p.lower() == v.lower(),
}
_NEGATED = {
    "StringNotEquals": "StringEquals",
    "StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
    "StringNotLike": "StringLike",
    "ArnNotEquals": "ArnEquals",
    "ArnNotLike": "ArnLike",
}


def _conditions_hold(conditions: Mapping[str, Any], context: Mapping[str, str]) -> bool:
    """Every operator, every key of it (AND); any value of a key (OR)."""
    for operator, keys in conditions.items():
        for key, values in keys.items():
            if not _condition_holds(operator, key, [str(v) for v in _as_list(values)], context):
                return False
    return True


def _condition_holds(
    operator: str, key: str, values: Sequence[str], context: Mapping[str, str]
) -> bool:
    if operator.startswith(("ForAnyValue:", "ForAllValues:")):
        raise PolicyEvaluationError(f"multivalued operator {operator} is not supported")
    present = _lookup(context, key)
    if operator == "Null":
        # "true": the key must be absent; "false": present.
        return any((present is None) == (v.lower() == "true") for v in values)
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    if present is None:
        # IAM: a missing key does not match, except ...IfExists and negated operators.
        return if_exists or base in _NEGATED
    if base in _NEGATED:
        match = _OPERATORS[_NEGATED[base]]
        return not any(match(v, present) for v in values)
    if base not in _OPERATORS:
        raise PolicyEvaluationError(f"condition operator {operator} is not supported")
    return any(_OPERATORS[base](v, present) for v in values)


def _lookup(context: Mapping[str, str], key: str) -> str | None:
    # Condition keys are case-insensitive.
    for name, value in context.items():
        if name.lower() == key.lower():
            return value
    return None
