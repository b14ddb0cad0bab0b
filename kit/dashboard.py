"""The CloudWatch dashboard of the service's key metrics."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from kit import metrics

_PERIOD = Duration.minutes(1)


class ServiceDashboard(Construct):
    """One dashboard: API requests, errors (dependency access denied among them) and latency
    (p50/p99); function errors, throttles and duration; orders created and processed and order
    value (the handler's business metrics); table throttles; DLQ depth and stream iterator age;
    and the state of every alarm.

    Attributes
    ----------
    dashboard : aws_cloudwatch.Dashboard
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        api_name: str,
        stage_name: str,
        service_name: str,
        api_function: lambda_.Function,
        processor_function: lambda_.Function | None,
        pending_sweep_function: lambda_.Function | None = None,
        table: dynamodb.Table,
        dead_letter_queue: sqs.IQueue | None,
        alarms: list[cloudwatch.Alarm],
    ) -> None:
        super().__init__(scope, construct_id)
        api_dims = {"ApiName": api_name, "Stage": stage_name}

        def api(metric_name: str, statistic: str, label: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="AWS/ApiGateway",
                metric_name=metric_name,
                dimensions_map=api_dims,
                statistic=statistic,
                period=_PERIOD,
                label=label,
            )

        def business(metric_name: str, statistic: str) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace=metrics.NAMESPACE,
                metric_name=metric_name,
                dimensions_map={"service": service_name},
                statistic=statistic,
                period=_PERIOD,
            )

        def graph(title: str, *left: cloudwatch.IMetric) -> cloudwatch.GraphWidget:
            return cloudwatch.GraphWidget(title=title, left=list(left), width=8, height=6)

        functions = [("api", api_function)]
        if processor_function is not None:
            functions.append(("processor", processor_function))
        if pending_sweep_function is not None:
            functions.append(("pending sweep", pending_sweep_function))
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=name)
        self.dashboard.add_widgets(
            graph("API requests", api("Count", "Sum", "Requests")),
            graph(
                "API errors",
                api("4XXError", "Sum", "4XX"),
                api("5XXError", "Sum", "5XX"),
                # the 5XXs that are AWS refusing the function its table or key (the
                # DependencyAccessDenied alarm's metric)
                business(metrics.DEPENDENCY_ACCESS_DENIED, "Sum"),
            ),
            graph(
                "API latency",
                api("Latency", "p50", "p50"),
                api("Latency", "p99", "p99"),
            ),
        )
        self.dashboard.add_widgets(
            graph(
                "Function errors and throttles",
                *[
                    metric
                    for label, fn in functions
                    for metric in (
                        fn.metric_errors(period=_PERIOD, label=f"{label} errors"),
                        fn.metric_throttles(period=_PERIOD, label=f"{label} throttles"),
                    )
                ],
            ),
            graph(
                "Function duration p99",
                *[
                    fn.metric_duration(period=_PERIOD, statistic="p99", label=label)
                    for label, fn in functions
                ],
            ),
            graph(
                "Orders",
                business(metrics.ORDERS_CREATED, "Sum"),
                business(metrics.ORDERS_PROCESSED, "Sum"),
                business(metrics.ORDERS_ARCHIVED, "Sum"),
            ),
        )
        backlog: list[cloudwatch.IMetric] = []
        if dead_letter_queue is not None:
            backlog.append(
                dead_letter_queue.metric_approximate_number_of_messages_visible(
                    period=_PERIOD, statistic="Maximum", label="DLQ messages"
                )
            )
        if processor_function is not None:
            backlog.append(
                processor_function.metric(
                    "IteratorAge", statistic="Maximum", period=_PERIOD, label="iterator age (ms)"
                )
            )
        self.dashboard.add_widgets(
            graph(
                "Order value by currency",
                # One series per currency: the processor publishes the value with a
                # currency dimension, and summing different currencies would mean nothing.
                cloudwatch.MathExpression(
                    expression=(
                        f"SEARCH('{{{metrics.NAMESPACE},currency,service}} "
                        f'MetricName="{metrics.ORDER_VALUE}" service="{service_name}"\', '
                        "'Sum', 60)"
                    ),
                    label="",
                    period=_PERIOD,
                ),
            ),
            graph(
                "Table throttles",
                table.metric("ReadThrottleEvents", statistic="Sum", period=_PERIOD),
                table.metric("WriteThrottleEvents", statistic="Sum", period=_PERIOD),
            ),
            graph("DLQ depth and stream iterator age", *backlog),
        )
        if processor_function is not None:
            self.dashboard.add_widgets(
                graph(
                    "Oldest PENDING order (s)",
                    business(metrics.OLDEST_PENDING_ORDER_AGE, "Maximum"),
                    business(metrics.ORDERS_RECONCILED, "Sum"),
                )
            )
        self.dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=alarms, width=24, height=4)
        )
