"""``ProductionOrderService``: the whole order service as one construct."""

from __future__ import annotations

import enum
from dataclasses import asdict, fields
from typing import Any

from aws_cdk import Aws, CfnOutput, Tags
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from kit import __version__, metrics
from kit.acknowledgments import attach_acknowledgments
from kit.alarms import ServiceAlarms
from kit.api import OrdersApi
from kit.archive import OrderArchive
from kit.backup import OrdersBackup
from kit.dashboard import ServiceDashboard
from kit.data import CUSTOMER_INDEX_NAME, OrdersTable, PriceCatalogTable
from kit.encryption import ServiceKey
from kit.lambda_function import OrderFunction
from kit.network import ServiceNetwork
from kit.pending_sweep import (
    PENDING_INDEX_NAME,
    SWEEP_HANDLER,
    PendingSweepSchedule,
    sweep_statements,
)
from kit.processing import DeadLetterQueue, StreamProcessing
from kit.props import AuthorizationMode, OrderServiceProps

#: Value of the ``ManagedBy`` tag.
MANAGED_BY = "production-order-kit"

#: Construct metadata type of the service's record in the cloud assembly: its construct path
#: and props, read by the audit for the OSCAL component definition (kit/audit/oscal_component.py).
SERVICE_METADATA_TYPE = "production-order-kit:service"

API_HANDLER = "orders.api.lambda_handler"
#: The ``purpose`` of the page tokens' KMS encryption context (handler/orders/page_tokens.py).
PAGE_TOKEN_PURPOSE = "orders-page-token"  # noqa: S105 - an encryption-context label
PROCESSOR_HANDLER = "orders.processor.lambda_handler"


class ProductionOrderService(Construct):
    """API Gateway REST API -> Lambda -> DynamoDB order service, production-ready.

    Trust model: with ``AuthorizationMode.IAM`` (the default) callers are trusted backend
    services: they may create, read and list any customer's orders and they price the orders;
    each request records the caller's IAM ARN. With ``AuthorizationMode.COGNITO`` callers are
    end users: the api function reads the customer id from the token claim
    ``props.customer_id_claim`` and lets them create, read and list only their own orders.

    Deploys a customer-managed KMS key, the orders table, the api and stream processor
    functions, the dead-letter queue, the REST API, alarms to an SNS topic, a dashboard, tags
    on every resource and stack outputs. See :class:`kit.OrderServiceProps` for the options.

    Parameters
    ----------
    scope, construct_id
        As for any construct; the service is usually the only construct of its stack.
    props
        The configuration; ``OrderServiceProps()`` (the default) is the production setup.

    Attributes
    ----------
    props : OrderServiceProps
    features : kit.phases.Features
        The controls deployed at ``props.phase``. Attributes of controls a phase does not
        deploy are ``None`` (or empty); at phase 5, the default, all are set.
    key : aws_kms.IKey
    cfn_key : aws_kms.CfnKey
    table : aws_dynamodb.Table
    network : kit.network.ServiceNetwork or None
        The functions' security group and VPC endpoints, with the ``vpc`` prop.
    backup : kit.backup.OrdersBackup
        The AWS Backup vault, plan and role of the table.
    archive : kit.archive.OrderArchive or None
        The archive bucket of expired orders and its access-log bucket (phase 5, with
        ``archive_expired_orders``).
    api : aws_apigateway.RestApi
    stage : aws_apigateway.Stage
    api_function, processor_function : aws_lambda.Function
    stream_processing : kit.processing.StreamProcessing
    dead_letter_queue : aws_sqs.Queue
    topic : aws_sns.Topic
    alarms : dict[str, aws_cloudwatch.Alarm]
    dashboard : aws_cloudwatch.Dashboard
    acknowledgments : list of (str, kit.acknowledgments.KitAcknowledgment)
        The kit's reasoned exceptions attached to its resources for these props (construct
        path, acknowledgment); see :mod:`kit.acknowledgments`.

    Examples
    --------
    >>> from aws_cdk import App, Stack
    >>> from kit import OrderServiceProps, ProductionOrderService
    >>> app = App()
    >>> stack = Stack(app, "Orders")
    >>> service = ProductionOrderService(
    ...     stack, "Service", OrderServiceProps(alarm_emails=("oncall@example.com",))
    ... )
    >>> service.table.table_name is not None
    True
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        props: OrderServiceProps | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.props = props = props if props is not None else OrderServiceProps()
        if not isinstance(props, OrderServiceProps):
            raise TypeError(f"props must be an OrderServiceProps, got {type(props).__name__}")
        prefix = props.resource_prefix
        features = self.features = props.features

        self.cfn_key: kms.CfnKey | None = None
        self.key: kms.IKey | None = None
        if features.customer_managed_key:
            service_key = ServiceKey(
                self, "Encryption", alias_name=prefix, removal_policy=props.data_removal_policy
            )
            self.key, self.cfn_key = service_key.key, service_key.cfn_key

        self.table: dynamodb.Table = OrdersTable(
            self,
            "Orders",
            key=self.key,
            removal_policy=props.data_removal_policy,
            features=features,
            max_read_request_units=props.table_max_read_request_units,
            max_write_request_units=props.table_max_write_request_units,
        ).table
        self.price_catalog_table: dynamodb.Table | None = None
        if props.price_catalog:
            self.price_catalog_table = PriceCatalogTable(
                self,
                "PriceCatalog",
                key=self.key,
                removal_policy=props.data_removal_policy,
                features=features,
            ).table
        self.backup: OrdersBackup | None = None
        if features.backup_plan:
            assert self.key is not None  # the key arrives at the same phase
            self.backup = OrdersBackup(
                self,
                "Backup",
                tables=[
                    table for table in (self.table, self.price_catalog_table) if table is not None
                ],
                key=self.key,
                name=prefix,
                schedule=props.backup_schedule,
                retention_days=props.backup_retention_days,
                vault_lock=props.backup_vault_lock,
                copy_vault_arn=props.backup_copy_vault_arn,
                removal_policy=props.data_removal_policy,
            )
        self.dead_letter_queue: sqs.Queue | None = None
        if features.dead_letter_queue:
            assert self.key is not None  # the key arrives in an earlier phase
            self.dead_letter_queue = DeadLetterQueue(
                self, "DeadLetters", key=self.key, removal_policy=props.data_removal_policy
            ).queue

        self.network: ServiceNetwork | None = None
        if props.vpc is not None:
            self.network = ServiceNetwork(
                self,
                "Network",
                vpc=props.vpc,
                subnets=props.vpc_subnets,
                kms_endpoint=self.key is not None,
                optional_endpoints=props.vpc_optional_endpoints,
            )
        common_env = {
            "POWERTOOLS_SERVICE_NAME": props.service_name,
            "POWERTOOLS_LOG_LEVEL": "INFO",
            "TABLE_NAME": self.table.table_name,
        }
        if features.custom_metrics:
            common_env["POWERTOOLS_METRICS_NAMESPACE"] = metrics.NAMESPACE
        else:
            common_env["POWERTOOLS_METRICS_DISABLED"] = "true"
        function_options: dict[str, Any] = {
            "features": features,
            "key": self.key,
            "dead_letter_queue": self.dead_letter_queue,
            "memory_size": props.memory_size,
            "log_retention": props.log_retention,
            "removal_policy": props.data_removal_policy,
            "powertools_layer_version": props.powertools_layer_version,
            "network": self.network,
            "architecture": props.architecture,
            "runtime": props.runtime,
        }
        api_env = {
            **common_env,
            "ORDER_TTL_DAYS": str(props.order_ttl_days),
            "IDEMPOTENCY_WINDOW_HOURS": str(props.idempotency_window_hours),
            "ALLOWED_ORIGINS": ",".join(props.cors_origins),
            # Who the handler trusts: the mode the gateway authorizes with (phase 0: open).
            "AUTHORIZATION_MODE": (
                props.authorization.value if features.api_authorization else "none"
            ),
        }
        if props.authorization is AuthorizationMode.COGNITO:
            api_env["CUSTOMER_ID_CLAIM"] = props.customer_id_claim
        table_resources = [self.table.table_arn]
        if features.customer_index:
            api_env["CUSTOMER_INDEX_NAME"] = CUSTOMER_INDEX_NAME
            table_resources.append(f"{self.table.table_arn}/index/{CUSTOMER_INDEX_NAME}")
        api_statements = [
            iam.PolicyStatement(
                sid="ReadWriteOrders",
                actions=["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Query"],
                resources=table_resources,
            )
        ]
        if self.price_catalog_table is not None:
            api_env["PRICE_CATALOG_TABLE"] = self.price_catalog_table.table_name
            api_statements.append(
                iam.PolicyStatement(
                    sid="ReadPriceCatalog",
                    actions=["dynamodb:BatchGetItem", "dynamodb:GetItem"],
                    resources=[self.price_catalog_table.table_arn],
                )
            )
        if self.key is not None:
            api_env["PAGE_TOKEN_KEY_ID"] = self.key.key_arn
            # The encrypted pagination tokens (table encryption goes through DynamoDB).
            api_statements.append(
                iam.PolicyStatement(
                    sid="EncryptPageTokens",
                    actions=["kms:Encrypt", "kms:Decrypt"],
                    resources=[self.key.key_arn],
                    # Only under the page tokens' encryption context (orders/page_tokens.py).
                    conditions={
                        "StringEquals": {"kms:EncryptionContext:purpose": PAGE_TOKEN_PURPOSE}
                    },
                )
            )
            api_statements.append(
                table_key_statement(
                    self.key,
                    [t for t in (self.table, self.price_catalog_table) if t is not None],
                )
            )
        api_fn = OrderFunction(
            self,
            "ApiFunction",
            handler=API_HANDLER,
            description="Order API: validates, creates and reads orders",
            environment=api_env,
            statements=api_statements,
            timeout_seconds=props.api_timeout_seconds,
            reserved_concurrency=(
                props.reserved_concurrency if features.reserved_concurrency else None
            ),
            pin_key_use=True,
            **function_options,
        )
        self.api_function: lambda_.Function = api_fn.function

        self.processor_function: lambda_.Function | None = None
        self.stream_processing: StreamProcessing | None = None
        self.pending_sweep_function: lambda_.Function | None = None
        self.archive: OrderArchive | None = None
        if features.order_archive and props.archive_expired_orders:
            assert self.key is not None  # the key arrives in an earlier phase
            self.archive = OrderArchive(
                self,
                "Archive",
                key=self.key,
                storage_class=props.archive_storage_class,
                transition_days=props.archive_transition_days,
                retention_days=props.archive_retention_days,
                object_lock=props.archive_object_lock,
                log_retention_days=props.log_retention_days,
                removal_policy=props.removal_policy,
            )
        if features.streams:
            processor_env = dict(common_env)
            # The key only through DynamoDB for the table (the stream and the updates) and
            # through S3 for the archive, like the api function's.
            processor_statements = self._table_key_statements()
            if self.archive is not None:
                assert self.key is not None
                processor_env["ARCHIVE_BUCKET"] = self.archive.bucket.bucket_name
                processor_statements += self.archive.writer_statements(self.key)
            processor_fn = OrderFunction(
                self,
                "ProcessorFunction",
                handler=PROCESSOR_HANDLER,
                description=(
                    "Order stream processor: confirms new orders, archives expired ones, "
                    "emits business metrics"
                ),
                environment=processor_env,
                statements=processor_statements,
                pin_key_use=True,
                timeout_seconds=props.processor_timeout_seconds,
                reserved_concurrency=(
                    props.processor_reserved_concurrency if features.reserved_concurrency else None
                ),
                **function_options,
            )
            assert processor_fn.policy is not None and self.dead_letter_queue is not None
            self.processor_function = processor_fn.function
            self.stream_processing = StreamProcessing(
                self,
                "StreamProcessing",
                table=self.table,
                function=self.processor_function,
                policy=processor_fn.policy,
                dead_letter_queue=self.dead_letter_queue,
            )
            sweep_fn = OrderFunction(
                self,
                "PendingSweepFunction",
                handler=SWEEP_HANDLER,
                description="Pending-order sweep: confirms orders the stream did not",
                environment={
                    **common_env,
                    "PENDING_INDEX_NAME": PENDING_INDEX_NAME,
                    "PENDING_MIN_AGE_MINUTES": str(props.pending_sweep_age_minutes),
                },
                statements=[*sweep_statements(self.table), *self._table_key_statements()],
                timeout_seconds=props.processor_timeout_seconds,
                # One run at a time: a slow run and the next scheduled one never overlap.
                reserved_concurrency=1 if features.reserved_concurrency else None,
                pin_key_use=True,
                **function_options,
            )
            self.pending_sweep_function = sweep_fn.function
            PendingSweepSchedule(
                self,
                "PendingSweepSchedule",
                function=self.pending_sweep_function,
                every_minutes=props.pending_sweep_schedule_minutes,
            )

        self.orders_api = OrdersApi(
            self,
            "Api",
            name=f"{prefix}-api",
            stage_name=props.environment_name,
            function=self.api_function,
            key=self.key,
            features=features,
            throttle_rate_limit=props.throttle_rate_limit,
            throttle_burst_limit=props.throttle_burst_limit,
            log_retention=props.log_retention,
            removal_policy=props.data_removal_policy,
            cors_origins=props.cors_origins,
            authorization=props.authorization,
            cognito_user_pool_arn=props.cognito_user_pool_arn,
            cognito_oauth_scopes=props.cognito_oauth_scopes,
            customer_id_claim=(
                props.customer_id_claim
                if props.authorization is AuthorizationMode.COGNITO
                else None
            ),
            enable_waf=props.enable_waf,
            waf_rate_limit=props.waf_rate_limit,
            account_role=props.api_gateway_account_role,
        )
        self.api: apigw.RestApi = self.orders_api.api
        self.stage: apigw.Stage = self.orders_api.stage

        self.topic: sns.Topic | None = None
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        self.dashboard: cloudwatch.Dashboard | None = None
        if features.alarms_and_dashboard:
            assert self.key is not None  # the key arrives in an earlier phase
            service_alarms = ServiceAlarms(
                self,
                "Alarms",
                prefix=prefix,
                key=self.key,
                emails=props.alarm_emails,
                api=self.api,
                stage_name=props.environment_name,
                api_function=self.api_function,
                api_timeout_seconds=props.api_timeout_seconds,
                processor_function=self.processor_function,
                processor_timeout_seconds=props.processor_timeout_seconds,
                table=self.table,
                dead_letter_queue=self.dead_letter_queue,
                # The sweep confirms after the age, within one schedule period (two of slack).
                oldest_pending_alarm_seconds=(
                    60
                    * (props.pending_sweep_age_minutes + 2 * props.pending_sweep_schedule_minutes)
                    if self.pending_sweep_function is not None
                    else None
                ),
                pending_sweep_function=self.pending_sweep_function,
                api_latency_alarm_ms=props.api_latency_alarm_ms,
                business_metrics_service=(props.service_name if features.custom_metrics else None),
            )
            self.topic = service_alarms.topic
            self.alarms = service_alarms.alarms
            self.dashboard = ServiceDashboard(
                self,
                "Dashboard",
                name=prefix,
                api_name=self.api.rest_api_name,
                stage_name=props.environment_name,
                service_name=props.service_name,
                api_function=self.api_function,
                processor_function=self.processor_function,
                pending_sweep_function=self.pending_sweep_function,
                table=self.table,
                dead_letter_queue=self.dead_letter_queue,
                alarms=list(self.alarms.values()),
            ).dashboard

        if features.tagging:
            self._tag(props)
        self._outputs(prefix, props.export_prefix)
        # Last: the kit's reasoned exceptions, on the resources built above and no others.
        self.acknowledgments = attach_acknowledgments(self, props)
        self.node.add_metadata(SERVICE_METADATA_TYPE, service_record(props))

    def _table_key_statements(self) -> list[iam.PolicyStatement]:
        """The orders table's key through DynamoDB, for a function that reads or writes it."""
        return [] if self.key is None else [table_key_statement(self.key, [self.table])]

    def _tag(self, props: OrderServiceProps) -> None:
        tags = Tags.of(self)
        tags.add("Service", props.service_name)
        tags.add("Environment", props.environment_name)
        tags.add("ManagedBy", MANAGED_BY)
        for key, value in props.tags.items():
            tags.add(key, value)

    def _outputs(self, prefix: str, export_prefix: str | None) -> None:
        outputs = {
            "ApiUrl": (self.api.url, "Base URL of the order API stage"),
            "TableName": (self.table.table_name, "Orders table"),
            "ApiFunctionName": (self.api_function.function_name, "api function"),
        }
        if self.key is not None:
            outputs["KeyArn"] = (self.key.key_arn, "Customer-managed KMS key")
        if self.topic is not None:
            outputs["AlarmTopicArn"] = (self.topic.topic_arn, "SNS topic of the alarms")
            outputs["DashboardUrl"] = (
                f"https://{Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region="
                f"{Aws.REGION}#dashboards:name={prefix}",
                "CloudWatch dashboard",
            )
        if self.dead_letter_queue is not None:
            outputs["DeadLetterQueueUrl"] = (self.dead_letter_queue.queue_url, "Dead-letter queue")
        if self.price_catalog_table is not None:
            outputs["PriceCatalogTableName"] = (
                self.price_catalog_table.table_name,
                "Price catalog table (order-kit catalog load --table)",
            )
        if self.processor_function is not None:
            outputs["ProcessorFunctionName"] = (
                self.processor_function.function_name,
                "stream processor function",
            )
        if self.pending_sweep_function is not None:
            outputs["PendingSweepFunctionName"] = (
                self.pending_sweep_function.function_name,
                "pending-order sweep function (order-kit confirm-pending invokes it)",
            )
        if self.archive is not None:
            outputs["ArchiveBucketName"] = (
                self.archive.bucket.bucket_name,
                "S3 archive of expired orders",
            )
        for output_id, (value, description) in outputs.items():
            output = CfnOutput(
                self,
                output_id,
                value=value,
                description=description,
                export_name=f"{export_prefix}-{output_id}" if export_prefix else None,
            )
            # Stable output names users can script against (one service per stack).
            output.override_logical_id(output_id)


def table_key_statement(key: kms.IKey, tables: list[dynamodb.Table]) -> iam.PolicyStatement:
    """The service key as DynamoDB uses it for ``tables`` on a function's behalf: only through
    DynamoDB (``kms:ViaService``), only under the encryption context DynamoDB sends for these
    tables (AWS KMS developer guide, "How Amazon DynamoDB uses AWS KMS" -> "DynamoDB encryption
    context": ``aws:dynamodb:tableName``; it protects the table's stream too)."""
    return iam.PolicyStatement(
        sid="UseTableKeyThroughDynamoDB",
        actions=["kms:Decrypt", "kms:GenerateDataKey"],
        resources=[key.key_arn],
        conditions={
            "StringEquals": {
                "kms:ViaService": f"dynamodb.{Aws.REGION}.amazonaws.com",
                "kms:EncryptionContext:aws:dynamodb:tableName": (
                    tables[0].table_name
                    if len(tables) == 1
                    else [table.table_name for table in tables]
                ),
            }
        },
    )


def service_record(props: OrderServiceProps) -> dict[str, Any]:
    """The service's props (enums by name) and deployed controls, as the assembly records them.

    Examples
    --------
    >>> service_record(OrderServiceProps())["props"]["authorization"]
    'IAM'
    """
    values: dict[str, Any] = {}
    for prop in fields(props):
        value = getattr(props, prop.name)
        if isinstance(value, enum.Enum):
            value = value.name
        elif isinstance(value, tuple):
            value = list(value)
        elif prop.name == "tags":
            value = dict(value)
        elif isinstance(value, Construct):
            # a construct the user owns (the vpc): its path, not the object tree
            value = value.node.path
        elif value is not None and not isinstance(value, (str, int, float, bool, list, dict)):
            # e.g. a subnet selection: its type (a repr would carry object addresses, and the
            # record must be the same for the same app)
            value = type(value).__name__
        values[prop.name] = value
    return {
        "kit": MANAGED_BY,
        "kit_version": __version__,
        "props": values,
        "features": asdict(props.features),
    }
