"""The orders table."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from constructs import Construct

#: Name of the global secondary index for customer queries (newest first by ``createdAt``).
CUSTOMER_INDEX_NAME = "customer-orders"
#: Attribute DynamoDB TTL reads (epoch seconds).
TTL_ATTRIBUTE = "ttl"


class OrdersTable(Construct):
    """The DynamoDB table of orders.

    Encrypted with the customer-managed key, point-in-time recovery, TTL on ``ttl``, a
    NEW_AND_OLD_IMAGES stream for the processor, the ``customer-orders`` index
    (``customerId`` / ``createdAt``), contributor insights, on-demand billing and deletion
    protection when retained.

    Attributes
    ----------
    table : aws_dynamodb.Table
        The table (escape hatch).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        key: kms.IKey,
        removal_policy: RemovalPolicy,
    ) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name="orderId", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
            encryption_key=key,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute=TTL_ATTRIBUTE,
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
            contributor_insights_specification=dynamodb.ContributorInsightsSpecification(
                enabled=True
            ),
            deletion_protection=removal_policy == RemovalPolicy.RETAIN,
            removal_policy=removal_policy,
        )
        self.table.add_global_secondary_index(
            index_name=CUSTOMER_INDEX_NAME,
            partition_key=dynamodb.Attribute(name="customerId", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="createdAt", type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
            contributor_insights_specification=dynamodb.ContributorInsightsSpecification(
                enabled=True
            ),
        )
