"""CloudWatch alarms of the service, all notifying one encrypted SNS topic."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aws_cdk import Aws, Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from kit import metrics

ONE_MINUTE = Duration.minutes(1)
FIVE_MINUTES = Duration.minutes(5)

#: Gateway 4XX responses in 5 minutes that count as a client-error storm.
API_4XX_THRESHOLD = 100
#: Stream records older than this (ms) mean the processor is falling behind.
ITERATOR_AGE_THRESHOLD_MS = 60_000


def alarm_arn_pattern(prefix: str) -> str:
    """ARN pattern of the service's alarms (all named ``<prefix>-<AlarmName>``)."""
    return f"arn:{Aws.PARTITION}:cloudwatch:{Aws.REGION}:{Aws.ACCOUNT_ID}:alarm:{prefix}-*"


def alarm_source_conditions(prefix: str) -> dict[str, dict[str, str]]:
    """Conditions that let CloudWatch act for the service's own alarms only.

    AWS recommends ``aws:SourceAccount`` and ``aws:SourceArn`` on grants to service
    principals (cross-service confused deputy prevention); CloudWatch sets both, the source
    being the alarm's ARN, when it publishes an alarm notification.
    """
    return {
        "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
        "ArnLike": {"aws:SourceArn": alarm_arn_pattern(prefix)},
    }


@dataclass(frozen=True)
class AlarmSpec:
    """What an alarm watches and when it fires."""

    name: str
    description: str
    metric: cloudwatch.IMetric
    threshold: float
    comparison: cloudwatch.ComparisonOperator = (
        cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
    )


class ServiceAlarms(Construct):
    """The alarm topic (KMS, TLS-only, e-mail subscriptions) and one alarm per failure mode.

    Alarms: errors, throttles and p99 duration of each function; API 4XX, 5XX and p99
    latency; DynamoDB read/write throttle events; DLQ depth and stream iterator age (when the
    queue and the processor exist); access denied to a table or key (when the business metrics
    are on: ``business_metrics_service`` names the ``service`` dimension); the oldest PENDING
    order's age (business metrics on and ``oldest_pending_alarm_seconds`` given). Every alarm's
    action and OK action is the topic.

    Attributes
    ----------
    topic : aws_sns.Topic
    alarms : dict[str, aws_cloudwatch.Alarm]
        Keyed by the alarm's short name (e.g. ``ApiFunctionErrors``).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        prefix: str,
        key: kms.IKey,
        emails: Sequence[str],
        api: apigw.RestApi,
        stage_name: str,
        api_function: lambda_.Function,
        api_timeout_seconds: int,
        processor_function: lambda_.Function | None,
        processor_timeout_seconds: int,
        table: dynamodb.Table,
        dead_letter_queue: sqs.IQueue | None,
        oldest_pending_alarm_seconds: int | None = None,
        pending_sweep_function: lambda_.Function | None = None,
        api_latency_alarm_ms: int,
        business_metrics_service: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self,
            "Topic",
            display_name=f"{prefix} alarms",
            master_key=key,
            enforce_ssl=True,
        )
        # enforce_ssl replaces SNS's default topic policy with the TLS Deny alone: without an
        # Allow for CloudWatch, alarms could not publish and no one would be notified.
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions=alarm_source_conditions(prefix),
            )
        )
        for email in emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))

        api_dims = {"ApiName": api.rest_api_name, "Stage": stage_name}

        def api_metric(name: str, statistic: str, period: Duration) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/ApiGateway",
                metric_name=name,
                dimensions_map=api_dims,
                statistic=statistic,
                period=period,
            )

        functions = [("ApiFunction", api_function, api_timeout_seconds)]
        if processor_function is not None:
            functions.append(("ProcessorFunction", processor_function, processor_timeout_seconds))
        specs: list[AlarmSpec] = []
        for label, function, timeout in functions:
            specs += [
                AlarmSpec(
                    f"{label}Errors",
                    f"{label}: at least one invocation failed in a minute",
                    function.metric_errors(period=ONE_MINUTE, statistic="Sum"),
                    1,
                ),
                AlarmSpec(
                    f"{label}Throttles",
                    f"{label}: invocations were throttled (reserved concurrency exhausted)",
                    function.metric_throttles(period=ONE_MINUTE, statistic="Sum"),
                    1,
                ),
                AlarmSpec(
                    f"{label}Duration",
                    f"{label}: p99 duration above 80% of the timeout",
                    function.metric_duration(period=FIVE_MINUTES, statistic="p99"),
                    timeout * 1000 * 0.8,
                    cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                ),
            ]
        specs += [
            AlarmSpec(
                "Api5xx",
                "API: server errors (5XX) returned to callers",
                api_metric("5XXError", "Sum", ONE_MINUTE),
                1,
            ),
            AlarmSpec(
                "Api4xx",
                f"API: more than {API_4XX_THRESHOLD} client errors (4XX) in 5 minutes",
                api_metric("4XXError", "Sum", FIVE_MINUTES),
                API_4XX_THRESHOLD,
                cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            ),
            AlarmSpec(
                "ApiLatency",
                f"API: p99 latency above {api_latency_alarm_ms} ms",
                api_metric("Latency", "p99", FIVE_MINUTES),
                api_latency_alarm_ms,
                cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            ),
            AlarmSpec(
                "TableThrottles",
                "DynamoDB: read or write requests throttled on the orders table",
                cloudwatch.MathExpression(
                    expression="reads + writes",
                    using_metrics={
                        "reads": table.metric(
                            "ReadThrottleEvents", statistic="Sum", period=ONE_MINUTE
                        ),
                        "writes": table.metric(
                            "WriteThrottleEvents", statistic="Sum", period=ONE_MINUTE
                        ),
                    },
                    label="Throttle events",
                    period=ONE_MINUTE,
                ),
                1,
            ),
        ]
        if business_metrics_service is not None:
            specs.append(
                AlarmSpec(
                    "DependencyAccessDenied",
                    "api function: AWS refused it a table or key (IAM or key policy, disabled key)",
                    cloudwatch.Metric(
                        namespace=metrics.NAMESPACE,
                        metric_name=metrics.DEPENDENCY_ACCESS_DENIED,
                        dimensions_map={"service": business_metrics_service},
                        statistic="Sum",
                        period=ONE_MINUTE,
                    ),
                    1,
                )
            )
        if pending_sweep_function is not None:
            specs.append(
                AlarmSpec(
                    "PendingSweepErrors",
                    "pending-order sweep: a run failed (PENDING orders are not being confirmed)",
                    pending_sweep_function.metric_errors(period=ONE_MINUTE, statistic="Sum"),
                    1,
                )
            )
        if business_metrics_service is not None and oldest_pending_alarm_seconds is not None:
            specs.append(
                AlarmSpec(
                    "OldestPendingOrder",
                    f"Orders: one has been PENDING for over {oldest_pending_alarm_seconds} s "
                    "(neither the processor nor the pending-order sweep confirmed it)",
                    cloudwatch.Metric(
                        namespace=metrics.NAMESPACE,
                        metric_name=metrics.OLDEST_PENDING_ORDER_AGE,
                        dimensions_map={"service": business_metrics_service},
                        statistic="Maximum",
                        period=Duration.minutes(5),
                    ),
                    oldest_pending_alarm_seconds,
                    cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                )
            )
        if dead_letter_queue is not None:
            specs.append(
                AlarmSpec(
                    "DeadLetters",
                    "DLQ: failed records or invocations are waiting to be inspected",
                    dead_letter_queue.metric_approximate_number_of_messages_visible(
                        period=ONE_MINUTE, statistic="Maximum"
                    ),
                    1,
                )
            )
        if processor_function is not None:
            specs.append(
                AlarmSpec(
                    "StreamIteratorAge",
                    f"Stream: processor is more than {ITERATOR_AGE_THRESHOLD_MS} ms behind",
                    processor_function.metric(
                        "IteratorAge", statistic="Maximum", period=ONE_MINUTE
                    ),
                    ITERATOR_AGE_THRESHOLD_MS,
                    cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                )
            )

        action = cw_actions.SnsAction(self.topic)
        self.alarms: dict[str, cloudwatch.Alarm] = {}
        for spec in specs:
            alarm = cloudwatch.Alarm(
                self,
                spec.name,
                alarm_name=f"{prefix}-{spec.name}",
                alarm_description=spec.description,
                metric=spec.metric,
                threshold=spec.threshold,
                comparison_operator=spec.comparison,
                evaluation_periods=1,
                datapoints_to_alarm=1,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(action)
            alarm.add_ok_action(action)
            self.alarms[spec.name] = alarm
