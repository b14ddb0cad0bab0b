"""Who may act: every service-to-resource path the order service relies on, and a few it must
refuse, evaluated against a synthesized template with :mod:`kit.policy_evaluation`.

The local cloud enforces none of these policies; a path that AWS would deny fails silently in
production (alarms reach no one, logs are never written). ``order_service_paths`` names each
path once; ``evaluate`` says, for a template, whether AWS would allow it; ``markdown_table``
is the table on the Architecture page (``python -m kit.access_paths`` prints it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kit.policy_evaluation import (
    ACCOUNT,
    PARTITION,
    Decision,
    Principal,
    Request,
    RolePrincipal,
    ServicePrincipal,
    TemplateEvaluator,
)

OTHER_ACCOUNT = "444455556666"


@dataclass(frozen=True)
class AccessPath:
    """One (principal, action, resource, context) the service needs allowed — or denied."""

    who: str
    what: str
    on: str
    principal: Principal
    actions: tuple[str, ...]
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)
    expected: bool = True

    def requests(self) -> list[Request]:
        return [Request(self.principal, a, self.resource, self.context) for a in self.actions]


@dataclass(frozen=True)
class Outcome:
    """A path and what AWS would decide for each of its actions."""

    path: AccessPath
    decisions: tuple[Decision, ...]

    @property
    def as_expected(self) -> bool:
        return all(d.allowed is self.path.expected for d in self.decisions)


def _only(resources: Mapping[str, Any], kind: str, **properties: Any) -> str:
    found = [
        logical
        for logical, resource in resources.items()
        if resource["Type"] == kind
        and all(resource.get("Properties", {}).get(k) == v for k, v in properties.items())
    ]
    if len(found) != 1:
        raise ValueError(f"expected one {kind} {properties or ''}, found {sorted(found)}")
    return found[0]


def _function_of(evaluator: TemplateEvaluator, handler: str) -> str:
    return _only(evaluator.resources, "AWS::Lambda::Function", Handler=handler)


def _role_of(evaluator: TemplateEvaluator, handler: str) -> str:
    function = evaluator.resources[_function_of(evaluator, handler)]
    role: str = function["Properties"]["Role"]["Fn::GetAtt"][0]
    return role


def order_service_paths(evaluator: TemplateEvaluator) -> list[AccessPath]:
    """The paths of a full-production ``ProductionOrderService`` (phase 5) template."""
    from kit.pending_sweep import SWEEP_HANDLER
    from kit.service import API_HANDLER, PAGE_TOKEN_PURPOSE, PROCESSOR_HANDLER

    resources = evaluator.resources
    region = evaluator.region
    arn = evaluator.resolve
    key = arn({"Fn::GetAtt": [_only(resources, "AWS::KMS::Key"), "Arn"]})
    topic = arn({"Ref": _only(resources, "AWS::SNS::Topic")})
    table_id = _orders_table(resources)
    table = arn({"Fn::GetAtt": [table_id, "Arn"]})
    stream = arn({"Fn::GetAtt": [table_id, "StreamArn"]})
    queue = arn({"Fn::GetAtt": [_only(resources, "AWS::SQS::Queue"), "Arn"]})
    api_role = _role_of(evaluator, API_HANDLER)
    processor_role = _role_of(evaluator, PROCESSOR_HANDLER)
    sweep_role = _role_of(evaluator, SWEEP_HANDLER)
    alarm = next(
        arn(r["Properties"]["AlarmName"])
        for r in resources.values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
    )
    alarm_arn = f"arn:{PARTITION}:cloudwatch:{region}:{ACCOUNT}:alarm:{alarm}"
    stage = next(r for r in resources.values() if r["Type"] == "AWS::ApiGateway::Stage")
    access_logs = arn(stage["Properties"]["AccessLogSetting"]["DestinationArn"]).removesuffix(":*")
    execution_logs_name = next(
        arn(r["Properties"]["LogGroupName"])
        for r in resources.values()
        if r["Type"] == "AWS::Logs::LogGroup"
        and "API-Gateway-Execution-Logs_" in json.dumps(r["Properties"].get("LogGroupName"))
    )
    execution_logs = f"arn:{PARTITION}:logs:{region}:{ACCOUNT}:log-group:{execution_logs_name}"
    tls = {"aws:SecureTransport": "true"}
    from_alarm = {**tls, "aws:SourceAccount": ACCOUNT, "aws:SourceArn": alarm_arn}
    cloudwatch = ServicePrincipal("cloudwatch.amazonaws.com")
    api = RolePrincipal(api_role)
    processor = RolePrincipal(processor_role)
    via = {
        service: {**tls, "kms:ViaService": f"{service}.{region}.amazonaws.com"}
        for service in ("dynamodb", "sqs", "lambda")
    }
    # The encryption contexts the services send with each KMS request (AWS KMS developer guide,
    # "Encryption context"; DynamoDB: aws:dynamodb:tableName + aws:dynamodb:subscriberId; Lambda
    # environment variables: aws:lambda:FunctionArn; SQS: aws:sqs:arn; page tokens: the
    # handler's own purpose, orders/page_tokens.py).
    table_context = {
        **via["dynamodb"],
        "kms:EncryptionContext:aws:dynamodb:tableName": arn({"Ref": table_id}),
        "kms:EncryptionContext:aws:dynamodb:subscriberId": ACCOUNT,
    }
    api_function_arn = arn({"Fn::GetAtt": [_function_of(evaluator, API_HANDLER), "Arn"]})
    environment_context = {
        **via["lambda"],
        "kms:EncryptionContext:aws:lambda:FunctionArn": api_function_arn,
    }
    page_token_context = {**tls, "kms:EncryptionContext:purpose": PAGE_TOKEN_PURPOSE}
    paths = [
        AccessPath(
            "CloudWatch alarms",
            "notify",
            "alarm topic",
            cloudwatch,
            ("sns:Publish",),
            topic,
            from_alarm,
        ),
        AccessPath(
            "CloudWatch alarms (through SNS)",
            "encrypt notifications",
            "service key",
            cloudwatch,
            ("kms:GenerateDataKey", "kms:Decrypt"),
            key,
            from_alarm,
        ),
    ]
    labels = {
        access_logs: "the API access logs",
        execution_logs: "the API execution logs",
        _function_log_group(evaluator, api_role): "the api function's logs",
        _function_log_group(evaluator, processor_role): "the stream processor's logs",
        _function_log_group(evaluator, sweep_role): "the pending-order sweep's logs",
    }
    for logical, resource in resources.items():
        if resource["Type"] != "AWS::Logs::LogGroup":
            continue
        group = arn({"Fn::GetAtt": [logical, "Arn"]}).removesuffix(":*")
        paths.append(
            AccessPath(
                "CloudWatch Logs",
                f"encrypt {labels.get(group, logical)}",
                "service key",
                ServicePrincipal(f"logs.{region}.amazonaws.com"),
                ("kms:GenerateDataKey", "kms:Decrypt"),
                key,
                {**tls, "kms:EncryptionContext:aws:logs:arn": group},
            )
        )
    account = next((r for r in resources.values() if r["Type"] == "AWS::ApiGateway::Account"), None)
    role_arn = account["Properties"]["CloudWatchRoleArn"] if account else None
    if isinstance(role_arn, Mapping) and "Fn::GetAtt" in role_arn:
        account_role = role_arn["Fn::GetAtt"][0]
        gateway = RolePrincipal(account_role)
        paths += [
            AccessPath(
                "API Gateway",
                "assume the account's CloudWatch role",
                "account role",
                ServicePrincipal("apigateway.amazonaws.com"),
                ("sts:AssumeRole",),
                arn(role_arn),
                {**tls, "aws:SourceAccount": ACCOUNT},
            ),
            AccessPath(
                "API Gateway (account role)",
                "write access logs",
                "access-log group",
                gateway,
                ("logs:CreateLogStream", "logs:PutLogEvents"),
                f"{access_logs}:log-stream:stream",
            ),
            AccessPath(
                "API Gateway (account role)",
                "write execution logs",
                "execution-log group",
                gateway,
                ("logs:CreateLogStream", "logs:PutLogEvents"),
                f"{execution_logs}:log-stream:stream",
            ),
            AccessPath(
                "API Gateway",
                "assume the account role without aws:SourceAccount in the request",
                "account role",
                ServicePrincipal("apigateway.amazonaws.com"),
                ("sts:AssumeRole",),
                arn(role_arn),
                dict(tls),
            ),
            AccessPath(
                "Another account's API Gateway",
                "assume the account role (must fail)",
                "account role",
                ServicePrincipal("apigateway.amazonaws.com"),
                ("sts:AssumeRole",),
                arn(role_arn),
                {**tls, "aws:SourceAccount": OTHER_ACCOUNT},
                expected=False,
            ),
        ]
    for name, role in (
        ("api function", api_role),
        ("stream processor", processor_role),
        ("pending-order sweep", sweep_role),
    ):
        paths.append(
            AccessPath(
                "Lambda",
                f"run the {name}",
                f"{name} role",
                ServicePrincipal("lambda.amazonaws.com"),
                ("sts:AssumeRole",),
                arn({"Fn::GetAtt": [role, "Arn"]}),
                tls,
            )
        )
    paths += [
        AccessPath(
            "api function",
            "create and read orders",
            "orders table",
            api,
            ("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"),
            table,
            tls,
        ),
        AccessPath(
            "api function (through DynamoDB)",
            "use the table's key",
            "service key",
            api,
            ("kms:Decrypt", "kms:GenerateDataKey"),
            key,
            table_context,
        ),
        AccessPath(
            "api function",
            "encrypt and read page tokens",
            "service key",
            api,
            ("kms:Encrypt", "kms:Decrypt"),
            key,
            page_token_context,
        ),
        AccessPath(
            "api function",
            "decrypt anything else under the key (must fail)",
            "service key",
            api,
            ("kms:Decrypt",),
            key,
            tls,
            expected=False,
        ),
        AccessPath(
            "api function (through Lambda)",
            "decrypt its environment",
            "service key",
            api,
            ("kms:Decrypt",),
            key,
            environment_context,
        ),
        AccessPath(
            "event source mapping (processor role)",
            "read the stream",
            "table stream",
            processor,
            ("dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords"),
            stream,
            tls,
        ),
        AccessPath(
            "event source mapping (processor role)",
            "list streams",
            "*",
            processor,
            ("dynamodb:ListStreams",),
            "*",
            tls,
        ),
        AccessPath(
            "event source mapping (processor role)",
            "send failed batches",
            "dead-letter queue",
            processor,
            ("sqs:SendMessage",),
            queue,
            tls,
        ),
        AccessPath(
            "event source mapping (processor role, through SQS)",
            "encrypt failed batches",
            "service key",
            processor,
            ("kms:GenerateDataKey", "kms:Decrypt"),
            key,
            {**via["sqs"], "kms:EncryptionContext:aws:sqs:arn": queue},
        ),
        AccessPath(
            "stream processor",
            "decrypt anything else under the key (must fail)",
            "service key",
            processor,
            ("kms:Decrypt",),
            key,
            tls,
            expected=False,
        ),
        AccessPath(
            "stream processor",
            "confirm orders",
            "orders table",
            processor,
            ("dynamodb:UpdateItem",),
            table,
            tls,
        ),
        AccessPath(
            "stream processor (through DynamoDB)",
            "use the table's key",
            "service key",
            processor,
            ("kms:Decrypt", "kms:GenerateDataKey"),
            key,
            table_context,
        ),
        AccessPath(
            "CloudWatch alarms without TLS",
            "publish (must fail)",
            "alarm topic",
            cloudwatch,
            ("sns:Publish",),
            topic,
            {**from_alarm, "aws:SecureTransport": "false"},
            expected=False,
        ),
        AccessPath(
            "stream processor without TLS",
            "send (must fail)",
            "dead-letter queue",
            processor,
            ("sqs:SendMessage",),
            queue,
            {"aws:SecureTransport": "false"},
            expected=False,
        ),
        AccessPath(
            "Another account's alarm",
            "notify (must fail)",
            "alarm topic",
            cloudwatch,
            ("sns:Publish",),
            topic,
            {
                **tls,
                "aws:SourceAccount": OTHER_ACCOUNT,
                "aws:SourceArn": alarm_arn.replace(ACCOUNT, OTHER_ACCOUNT),
            },
            expected=False,
        ),
        AccessPath(
            "api function",
            "update orders (must fail: only the processor confirms)",
            "orders table",
            api,
            ("dynamodb:UpdateItem",),
            table,
            tls,
            expected=False,
        ),
    ]
    paths += _sweep_paths(evaluator, RolePrincipal(sweep_role), table, key, table_context)
    paths += _catalog_paths(evaluator, api, key, via["dynamodb"])
    paths += _backup_paths(evaluator, table, key)
    if any(r["Type"] == "AWS::S3::Bucket" for r in resources.values()):
        paths += _archive_paths(evaluator, processor, key)
    for name, role in (
        ("api function", api_role),
        ("stream processor", processor_role),
        ("pending-order sweep", sweep_role),
    ):
        group = _function_log_group(evaluator, role)
        paths.append(
            AccessPath(
                name,
                "write its logs",
                "its log group",
                RolePrincipal(role),
                ("logs:CreateLogStream", "logs:PutLogEvents"),
                f"{group}:log-stream:stream",
                tls,
            )
        )
    return paths


def _sweep_paths(
    evaluator: TemplateEvaluator,
    sweep: RolePrincipal,
    table: str,
    key: str,
    table_context: dict[str, str],
) -> list[AccessPath]:
    """The pending-order sweep: its schedule invokes it; it queries the pending index and
    confirms, and may do nothing else to the table."""
    from kit.pending_sweep import PENDING_INDEX_NAME, SWEEP_HANDLER

    tls = {"aws:SecureTransport": "true"}
    function = evaluator.resolve({"Fn::GetAtt": [_function_of(evaluator, SWEEP_HANDLER), "Arn"]})
    rule_id = _only(evaluator.resources, "AWS::Events::Rule")
    rule = evaluator.resolve({"Fn::GetAtt": [rule_id, "Arn"]})
    events = ServicePrincipal("events.amazonaws.com")
    return [
        AccessPath(
            "EventBridge schedule",
            "invoke",
            "pending-order sweep",
            events,
            ("lambda:InvokeFunction",),
            function,
            {**tls, "aws:SourceArn": rule},
        ),
        AccessPath(
            "Another EventBridge rule",
            "invoke (must fail)",
            "pending-order sweep",
            events,
            ("lambda:InvokeFunction",),
            function,
            {**tls, "aws:SourceArn": rule.replace(rule.rsplit("/", 1)[-1], "other-rule")},
            expected=False,
        ),
        AccessPath(
            "pending-order sweep",
            "find PENDING orders",
            "pending-orders index",
            sweep,
            ("dynamodb:Query",),
            f"{table}/index/{PENDING_INDEX_NAME}",
            tls,
        ),
        AccessPath(
            "pending-order sweep",
            "confirm orders",
            "orders table",
            sweep,
            ("dynamodb:UpdateItem",),
            table,
            tls,
        ),
        AccessPath(
            "pending-order sweep (through DynamoDB)",
            "use the table's key",
            "service key",
            sweep,
            ("kms:Decrypt", "kms:GenerateDataKey"),
            key,
            table_context,
        ),
        AccessPath(
            "pending-order sweep",
            "decrypt anything else under the key (must fail)",
            "service key",
            sweep,
            ("kms:Decrypt",),
            key,
            tls,
            expected=False,
        ),
        AccessPath(
            "pending-order sweep",
            "read, write or delete orders (must fail: it only confirms)",
            "orders table",
            sweep,
            ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:Scan"),
            table,
            tls,
            expected=False,
        ),
    ]


def _orders_table(resources: Mapping[str, Any]) -> str:
    return _only_keyed(resources, "orderId")


def _only_keyed(resources: Mapping[str, Any], partition_key: str) -> str:
    """The one table whose partition key is ``partition_key``."""
    found = [
        logical
        for logical, resource in resources.items()
        if resource["Type"] == "AWS::DynamoDB::Table"
        and resource["Properties"]["KeySchema"][0]["AttributeName"] == partition_key
    ]
    if len(found) != 1:
        raise ValueError(f"expected one table keyed on {partition_key}, found {sorted(found)}")
    return found[0]


def _catalog_paths(
    evaluator: TemplateEvaluator, api: RolePrincipal, key: str, via_dynamodb: dict[str, str]
) -> list[AccessPath]:
    """The price catalog (``price_catalog=True``): the api function reads prices and cannot
    change them (only operators load them); nothing when the template has no catalog."""
    has_catalog = any(
        r["Type"] == "AWS::DynamoDB::Table"
        and r["Properties"]["KeySchema"][0]["AttributeName"] == "sku"
        for r in evaluator.resources.values()
    )
    if not has_catalog:
        return []
    catalog_id = _only_keyed(evaluator.resources, "sku")
    catalog = evaluator.resolve({"Fn::GetAtt": [catalog_id, "Arn"]})
    tls = {"aws:SecureTransport": "true"}
    return [
        AccessPath(
            "api function",
            "read prices",
            "price catalog",
            api,
            ("dynamodb:BatchGetItem", "dynamodb:GetItem"),
            catalog,
            tls,
        ),
        AccessPath(
            "api function (through DynamoDB)",
            "use the catalog's key",
            "service key",
            api,
            ("kms:Decrypt",),
            key,
            {
                **via_dynamodb,
                "kms:EncryptionContext:aws:dynamodb:tableName": evaluator.resolve(
                    {"Ref": catalog_id}
                ),
                "kms:EncryptionContext:aws:dynamodb:subscriberId": ACCOUNT,
            },
        ),
        AccessPath(
            "api function",
            "change prices (must fail: operators load them)",
            "price catalog",
            api,
            ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"),
            catalog,
            tls,
            expected=False,
        ),
    ]


def _backup_paths(evaluator: TemplateEvaluator, table: str, key: str) -> list[AccessPath]:
    """AWS Backup's paths: the backup role (selection's ``IamRoleArn``) backs up the table
    into the vault encrypted with the service key. AWS documents the permissions in "Access
    control" / "Encryption for backups in AWS Backup" (AWS Backup Developer Guide): the role
    needs the table actions and, for the vault key, kms:CreateGrant for AWS resources plus
    the data-key actions through AWS Backup."""
    selection = evaluator.resources[_only(evaluator.resources, "AWS::Backup::BackupSelection")]
    role_arn = selection["Properties"]["BackupSelection"]["IamRoleArn"]
    role = RolePrincipal(role_arn["Fn::GetAtt"][0])
    tls = {"aws:SecureTransport": "true"}
    via_backup = {**tls, "kms:ViaService": f"backup.{evaluator.region}.amazonaws.com"}
    return [
        AccessPath(
            "AWS Backup",
            "assume the backup role",
            "backup role",
            ServicePrincipal("backup.amazonaws.com"),
            ("sts:AssumeRole",),
            evaluator.resolve(role_arn),
            tls,
        ),
        AccessPath(
            "AWS Backup (backup role)",
            "back up the table",
            "orders table",
            role,
            ("dynamodb:DescribeTable", "dynamodb:StartAwsBackupJob", "dynamodb:CreateBackup"),
            table,
            tls,
        ),
        AccessPath(
            "AWS Backup (backup role, through AWS Backup)",
            "encrypt recovery points",
            "service key",
            role,
            ("kms:GenerateDataKey", "kms:Decrypt", "kms:DescribeKey"),
            key,
            via_backup,
        ),
        AccessPath(
            "AWS Backup (backup role)",
            "grant AWS Backup the key",
            "service key",
            role,
            ("kms:CreateGrant",),
            key,
            {**tls, "kms:GrantIsForAWSResource": "true"},
        ),
        AccessPath(
            "backup role",
            "grant the key to anyone else (must fail)",
            "service key",
            role,
            ("kms:CreateGrant",),
            key,
            {**tls, "kms:GrantIsForAWSResource": "false"},
            expected=False,
        ),
        AccessPath(
            "backup role",
            "decrypt outside AWS Backup and DynamoDB (must fail)",
            "service key",
            role,
            ("kms:Decrypt",),
            key,
            tls,
            expected=False,
        ),
        AccessPath(
            "backup role",
            "read or write orders (must fail)",
            "orders table",
            role,
            ("dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteTable"),
            table,
            tls,
            expected=False,
        ),
    ]


def _archive_paths(
    evaluator: TemplateEvaluator, processor: RolePrincipal, key: str
) -> list[AccessPath]:
    """The archive's paths: the stream processor creates archived orders under ``orders/``
    and nothing else; S3 encrypts them with the service key on its behalf, with the bucket
    ARN as encryption context (an S3 Bucket Key: S3 user guide, "Reducing the cost of SSE-KMS
    with Amazon S3 Bucket Keys"); S3's logging service delivers the bucket's access logs
    (S3 user guide, "Permissions for log delivery")."""
    resources = evaluator.resources
    archive_id = next(
        logical
        for logical, r in resources.items()
        if r["Type"] == "AWS::S3::Bucket" and "LoggingConfiguration" in r.get("Properties", {})
    )
    archive = evaluator.resolve({"Fn::GetAtt": [archive_id, "Arn"]})
    logging = resources[archive_id]["Properties"]["LoggingConfiguration"]
    log_bucket = f"arn:{PARTITION}:s3:::{evaluator.resolve(logging['DestinationBucketName'])}"
    log_object = f"{log_bucket}/{logging['LogFilePrefix']}2026-01-01-00-00-00-0000000000000000"
    order_object = f"{archive}/orders/2026/01/01/order-1.json"
    tls = {"aws:SecureTransport": "true"}
    through_s3 = {
        **tls,
        "kms:ViaService": f"s3.{evaluator.region}.amazonaws.com",
        "kms:EncryptionContext:aws:s3:arn": archive,
    }
    logging_service = ServicePrincipal("logging.s3.amazonaws.com")
    from_archive = {**tls, "aws:SourceArn": archive, "aws:SourceAccount": ACCOUNT}
    return [
        AccessPath(
            "stream processor",
            "archive expired orders",
            "archive bucket (orders/)",
            processor,
            ("s3:PutObject",),
            order_object,
            tls,
        ),
        AccessPath(
            "stream processor (through S3)",
            "encrypt archived orders",
            "service key",
            processor,
            ("kms:GenerateDataKey",),
            key,
            through_s3,
        ),
        AccessPath(
            "stream processor",
            "write outside orders/ (must fail)",
            "archive bucket",
            processor,
            ("s3:PutObject",),
            f"{archive}/other/object.json",
            tls,
            expected=False,
        ),
        AccessPath(
            "stream processor",
            "read, delete or lift the lock of archived orders (must fail)",
            "archive bucket (orders/)",
            processor,
            ("s3:GetObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectRetention"),
            order_object,
            tls,
            expected=False,
        ),
        AccessPath(
            "stream processor without TLS",
            "archive (must fail)",
            "archive bucket (orders/)",
            processor,
            ("s3:PutObject",),
            order_object,
            {"aws:SecureTransport": "false"},
            expected=False,
        ),
        AccessPath(
            "stream processor (through S3)",
            "encrypt for another bucket (must fail)",
            "service key",
            processor,
            ("kms:GenerateDataKey",),
            key,
            {**through_s3, "kms:EncryptionContext:aws:s3:arn": f"arn:{PARTITION}:s3:::other"},
            expected=False,
        ),
        AccessPath(
            "S3 server access logging",
            "deliver the archive's access logs",
            "access-log bucket",
            logging_service,
            ("s3:PutObject",),
            log_object,
            from_archive,
        ),
        AccessPath(
            "S3 server access logging for another bucket",
            "deliver logs (must fail)",
            "access-log bucket",
            logging_service,
            ("s3:PutObject",),
            log_object,
            {**from_archive, "aws:SourceArn": f"arn:{PARTITION}:s3:::other"},
            expected=False,
        ),
    ]


def _function_log_group(evaluator: TemplateEvaluator, role: str) -> str:
    function = next(
        r
        for r in evaluator.resources.values()
        if r["Type"] == "AWS::Lambda::Function"
        and r["Properties"]["Role"] == {"Fn::GetAtt": [role, "Arn"]}
    )
    logical = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    group: str = evaluator.resolve({"Fn::GetAtt": [logical, "Arn"]})
    return group.removesuffix(":*")


def evaluate(template: Mapping[str, Any], region: str = "eu-west-1") -> list[Outcome]:
    """What AWS would decide for every path of ``template``."""
    evaluator = TemplateEvaluator(template, region)
    return [
        Outcome(path, tuple(evaluator.decide(request) for request in path.requests()))
        for path in order_service_paths(evaluator)
    ]


def markdown_table(outcomes: Sequence[Outcome]) -> str:
    """The "Who may act" table: one row per path, with what allows (or refuses) it."""
    rows = [
        "| who | does what | on | actions | expected | allowed by / refused by |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for outcome in outcomes:
        path = outcome.path
        reasons = sorted({_short(d.reason) for d in outcome.decisions})
        rows.append(
            f"| {path.who} | {path.what} | {path.on} | "
            f"{', '.join(f'`{a}`' for a in path.actions)} | "
            f"{'allow' if path.expected else 'deny'} | {'; '.join(reasons)} |"
        )
    return "\n".join(rows) + "\n"


def _short(reason: str) -> str:
    # Logical ids carry a CDK hash suffix; the statement ids say what matched.
    return re.sub(r"Service([A-Za-z]+?)[0-9A-F]{8}", r"\1", reason)


def reference_outcomes(region: str = "eu-west-1") -> list[Outcome]:
    """The paths of the reference configuration (``REFERENCE_PROPS``), evaluated."""
    from aws_cdk import App, Environment, Stack
    from aws_cdk.assertions import Template

    from kit.reference_app import REFERENCE_PROPS
    from kit.service import ProductionOrderService

    stack = Stack(App(), "Stack", env=Environment(region=region))
    ProductionOrderService(stack, "Service", REFERENCE_PROPS)
    return evaluate(Template.from_stack(stack).to_json(), region)


if __name__ == "__main__":  # pragma: no cover - prints the docs table
    print(markdown_table(reference_outcomes()), end="")
