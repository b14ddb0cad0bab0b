"""One Lambda function of the service, with the log group and role it needs and nothing more."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import CfnResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct, IConstruct

from kit.network import ServiceNetwork, network_interface_statements
from kit.paths import handler_source_dir
from kit.phases import Features

#: Publisher account of the official Powertools for AWS Lambda layers.
POWERTOOLS_LAYER_ACCOUNT = "017000801446"

_ASSET_EXCLUDES = ["**/__pycache__", "**/*.pyc", "**/.pytest_cache", "**/.mypy_cache"]


def powertools_layer_arn(
    stack: Stack, version: int, architecture: str = "x86_64", runtime: str = "python3.13"
) -> str:
    """ARN of the public Powertools for AWS Lambda (Python) v3 layer for ``runtime`` on
    ``architecture`` (``x86_64`` or ``arm64``): Powertools publishes one layer per runtime and
    instruction set, e.g. ``AWSLambdaPowertoolsPythonV3-python313-arm64``."""
    return (
        f"arn:{stack.partition}:lambda:{stack.region}:{POWERTOOLS_LAYER_ACCOUNT}:layer:"
        f"AWSLambdaPowertoolsPythonV3-{runtime.replace('.', '')}-{architecture}:{version}"
    )


def lambda_runtime(name: str) -> lambda_.Runtime:
    """aws-cdk-lib's :class:`~aws_cdk.aws_lambda.Runtime` named ``name`` (``"python3.13"``).

    Raises
    ------
    ValueError
        aws-cdk-lib knows no runtime of that name.
    """
    for runtime in lambda_.Runtime.ALL:
        if runtime.name == name:
            return runtime
    raise ValueError(f"aws-cdk-lib knows no Lambda runtime {name!r}")


class OrderFunction(Construct):
    """A Python function (``runtime``, python3.13 by default) running code from ``handler/``.

    At full production it gets an explicit log group (retention and KMS, created before the
    function so Lambda never creates an unencrypted one), a role with one customer-managed
    policy (its own log group, X-Ray, the DLQ, the service key, plus ``statements``), active
    X-Ray tracing, JSON log format, environment variables encrypted with the service key and
    the service's dead-letter queue for failed asynchronous invocations. Earlier phases leave
    out what ``features`` says is not deployed yet; phase 0 is the naive function (AWS managed
    basic-execution policy plus ``dynamodb:*`` on ``*``).

    Attributes
    ----------
    function : aws_lambda.Function
    role : aws_iam.Role
    policy : aws_iam.ManagedPolicy or None
        Add statements here to give the function more permissions (``None`` at phase 0).
    log_group : aws_logs.LogGroup or None
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        handler: str,
        description: str,
        features: Features,
        key: kms.IKey | None,
        dead_letter_queue: sqs.IQueue | None,
        environment: Mapping[str, str],
        memory_size: int,
        timeout_seconds: int,
        log_retention: logs.RetentionDays,
        removal_policy: RemovalPolicy,
        statements: Sequence[iam.PolicyStatement] = (),
        reserved_concurrency: int | None = None,
        powertools_layer_version: int | None = None,
        pin_key_use: bool = False,
        network: ServiceNetwork | None = None,
        architecture: str = "x86_64",
        runtime: str = "python3.13",
    ) -> None:
        super().__init__(scope, construct_id)
        self._pin_key_use = pin_key_use
        if network is not None:
            statements = [*statements, *network_interface_statements(network.vpc)]
        self.log_group: logs.LogGroup | None = None
        if features.encrypted_log_groups:
            self.log_group = logs.LogGroup(
                self,
                "LogGroup",
                retention=log_retention if features.log_retention else logs.RetentionDays.INFINITE,
                encryption_key=key,
                removal_policy=removal_policy,
            )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Execution role of {construct_id}",
        )
        self.policy: iam.ManagedPolicy | None = None
        if features.least_privilege_iam:
            self.policy = self._least_privilege_policy(
                construct_id, key, dead_letter_queue, features, statements
            )
        else:
            self._naive_permissions(vpc=network is not None)

        layers = []
        if powertools_layer_version is not None:
            layers.append(
                lambda_.LayerVersion.from_layer_version_arn(
                    self,
                    "PowertoolsLayer",
                    powertools_layer_arn(
                        Stack.of(self), powertools_layer_version, architecture, runtime
                    ),
                )
            )
        self.function = lambda_.Function(
            self,
            "Function",
            runtime=lambda_runtime(runtime),
            architecture=lambda_.Architecture.custom(architecture),
            handler=handler,
            code=lambda_.Code.from_asset(str(handler_source_dir()), exclude=_ASSET_EXCLUDES),
            description=description,
            # Without policy updates: no CDK grant can add a permission behind the kit's back.
            role=self.role.without_policy_updates(),
            memory_size=memory_size,
            timeout=Duration.seconds(timeout_seconds),
            environment=dict(environment),
            environment_encryption=key,
            tracing=lambda_.Tracing.ACTIVE if features.tracing else lambda_.Tracing.DISABLED,
            logging_format=(
                lambda_.LoggingFormat.JSON
                if features.structured_logs
                else lambda_.LoggingFormat.TEXT
            ),
            log_group=self.log_group,
            dead_letter_queue=dead_letter_queue,
            reserved_concurrent_executions=reserved_concurrency,
            layers=layers,
            vpc=network.vpc if network is not None else None,
            vpc_subnets=network.subnets if network is not None else None,
            security_groups=[network.security_group] if network is not None else None,
        )
        # The role is referenced, its managed policy is not: without this the function could
        # be created (and its event source mapping validated) before it may do anything.
        if self.policy is not None:
            self.function.node.add_dependency(self.policy)
        self._drop_redundant_role_dependency()

    def _drop_redundant_role_dependency(self) -> None:
        """Keep the function's DependsOn on its policy only, not on the role it references.

        ``lambda.Function`` makes the function depend on its whole role; the role itself is
        already ordered by the ``Role`` GetAtt, so that DependsOn entry is redundant (cfn-lint
        W3005). The policies are not referenced and stay in DependsOn. This is an override of
        the whole DependsOn list: a dependency added to the function later must be added here.
        """
        policies: list[IConstruct] = [self.policy] if self.policy is not None else []
        default_policy = self.role.node.try_find_child("DefaultPolicy")
        if default_policy is not None:
            policies.append(default_policy)
        logical_ids = []
        for policy in policies:
            resource = policy.node.default_child
            assert isinstance(resource, CfnResource)
            logical_ids.append(resource.logical_id)
        cfn_function = self.function.node.default_child
        assert isinstance(cfn_function, CfnResource)
        cfn_function.add_override("DependsOn", logical_ids)

    def _least_privilege_policy(
        self,
        construct_id: str,
        key: kms.IKey | None,
        dead_letter_queue: sqs.IQueue | None,
        features: Features,
        statements: Sequence[iam.PolicyStatement],
    ) -> iam.ManagedPolicy:
        """One customer-managed policy holds every permission of the function."""
        base = []
        if self.log_group is not None:
            base.append(
                iam.PolicyStatement(
                    sid="WriteOwnLogGroup",
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[self.log_group.log_group_arn],
                )
            )
        if features.tracing:
            # X-Ray accepts trace data only with Resource "*": AWS requires it.
            base.append(
                iam.PolicyStatement(
                    sid="WriteTraces",
                    actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                    resources=["*"],
                )
            )
        if dead_letter_queue is not None:
            base.append(
                iam.PolicyStatement(
                    sid="SendFailedAsyncInvocationsToDlq",
                    actions=["sqs:SendMessage"],
                    resources=[dead_letter_queue.queue_arn],
                )
            )
        if key is not None and self._pin_key_use:
            base.extend(_pinned_key_use(key, dead_letter_queue))
        elif key is not None:
            # Decrypt the environment, and encrypt messages sent to the encrypted DLQ.
            base.append(
                iam.PolicyStatement(
                    sid="UseServiceKey",
                    actions=["kms:Decrypt", "kms:GenerateDataKey"],
                    resources=[key.key_arn],
                )
            )
        return iam.ManagedPolicy(
            self,
            "Policy",
            description=f"Least-privilege permissions of {construct_id}",
            roles=[self.role],
            statements=[*base, *statements],
        )

    def _naive_permissions(self, *, vpc: bool) -> None:
        """Phase 0: what the seed's starting point had (kept to be audited, never as advice)."""
        self.role.add_managed_policy(
            iam.ManagedPolicy.from_aws_managed_policy_name(
                "service-role/AWSLambdaVPCAccessExecutionRole"
                if vpc
                else "service-role/AWSLambdaBasicExecutionRole"
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(sid="NaiveTableAccess", actions=["dynamodb:*"], resources=["*"])
        )


def _pinned_key_use(
    key: kms.IKey, dead_letter_queue: sqs.IQueue | None
) -> list[iam.PolicyStatement]:
    """The service key's use for the environment and the DLQ, each pinned by the encryption
    context the service uses (AWS KMS developer guide, "kms:EncryptionContext:context-key";
    Lambda encrypts environment variables with ``aws:lambda:FunctionArn``, SQS with
    ``aws:sqs:arn``), so the role cannot decrypt anything else under the key."""
    stack = Stack.of(key)
    statements = [
        iam.PolicyStatement(
            sid="DecryptOwnEnvironment",
            actions=["kms:Decrypt"],
            resources=[key.key_arn],
            conditions={
                # The function's own ARN would be a circular reference: its account and region.
                "ArnLike": {
                    "kms:EncryptionContext:aws:lambda:FunctionArn": (
                        f"arn:{stack.partition}:lambda:{stack.region}:{stack.account}:function:*"
                    )
                }
            },
        )
    ]
    if dead_letter_queue is not None:
        statements.append(
            iam.PolicyStatement(
                sid="EncryptDlqMessages",
                actions=["kms:Decrypt", "kms:GenerateDataKey"],
                resources=[key.key_arn],
                conditions={
                    "StringEquals": {
                        "kms:EncryptionContext:aws:sqs:arn": dead_letter_queue.queue_arn
                    }
                },
            )
        )
    return statements
