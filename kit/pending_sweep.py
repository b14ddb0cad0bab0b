"""The pending-order sweep: a scheduled function that confirms orders the stream did not.

A stream batch that fails past its retries reaches the DLQ as a pointer, and the stream keeps
records 24 hours; `order-kit replay-dlq` covers what the stream still has. The sweep covers the
rest: every ``pending_sweep_schedule_minutes`` an EventBridge rule invokes a function
(``handler/orders/pending_sweep.py``) that queries the ``pending-orders`` index for orders
PENDING longer than ``pending_sweep_age_minutes`` and confirms them with the processor's
conditional update. It publishes ``oldestPendingOrderAgeSeconds``, the metric of the
``OldestPendingOrder`` alarm.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

#: Name of the index of orders by ``status`` and ``createdAt`` (the handler uses the same).
PENDING_INDEX_NAME = "pending-orders"
#: Handler of the sweep function.
SWEEP_HANDLER = "orders.pending_sweep.lambda_handler"


def add_pending_index(table: dynamodb.Table) -> None:
    """Add the ``pending-orders`` index (``status`` / ``createdAt``; ``total``, ``currency``).

    Idempotency records have no ``status`` and stay out of it; the sweep reads only the PENDING
    partition. Only the keys, ``total`` and ``currency`` are projected (what the sweep needs to
    confirm and count an order), never addresses.
    """
    table.add_global_secondary_index(
        index_name=PENDING_INDEX_NAME,
        partition_key=dynamodb.Attribute(name="status", type=dynamodb.AttributeType.STRING),
        sort_key=dynamodb.Attribute(name="createdAt", type=dynamodb.AttributeType.STRING),
        projection_type=dynamodb.ProjectionType.INCLUDE,
        non_key_attributes=["total", "currency"],
    )


def sweep_statements(table: dynamodb.ITable) -> list[iam.PolicyStatement]:
    """The sweep's table permissions: query the index, and the conditional update only."""
    return [
        iam.PolicyStatement(
            sid="QueryPendingOrders",
            actions=["dynamodb:Query"],
            resources=[f"{table.table_arn}/index/{PENDING_INDEX_NAME}"],
        ),
        iam.PolicyStatement(
            sid="ConfirmOrders",
            actions=["dynamodb:UpdateItem"],
            resources=[table.table_arn],
        ),
    ]


class PendingSweepSchedule(Construct):
    """The EventBridge rule that invokes the sweep function every ``every_minutes``.

    Attributes
    ----------
    rule : aws_events.Rule
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        function: lambda_.IFunction,
        every_minutes: int,
    ) -> None:
        super().__init__(scope, construct_id)
        self.rule = events.Rule(
            self,
            "Rule",
            description="Confirms orders still PENDING after the sweep age",
            schedule=events.Schedule.rate(Duration.minutes(every_minutes)),
            # A missed run is made up by the next one: no retries, nothing to dead-letter.
            targets=[targets.LambdaFunction(function, retry_attempts=0)],
        )
