"""The tables: the orders, and the optional price catalog."""

from __future__ import annotations

from typing import Any

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from constructs import Construct

from kit.pending_sweep import add_pending_index
from kit.phases import Features

#: Name of the global secondary index for customer queries (newest first by ``createdAt``).
CUSTOMER_INDEX_NAME = "customer-orders"
#: Attribute DynamoDB TTL reads (epoch seconds).
TTL_ATTRIBUTE = "ttl"


def _kept_table_settings(
    key: kms.IKey | None, removal_policy: RemovalPolicy, features: Features
) -> dict[str, Any]:
    """What both tables share: on-demand billing, the service key (phase 0: the AWS-owned key,
    the naive default), point-in-time recovery, contributor insights (with the customer
    index's phase), deletion protection whenever the table is retained."""
    return {
        "billing_mode": dynamodb.BillingMode.PAY_PER_REQUEST,
        "encryption": (
            dynamodb.TableEncryption.CUSTOMER_MANAGED
            if key is not None
            else dynamodb.TableEncryption.DEFAULT
        ),
        "encryption_key": key,
        "point_in_time_recovery_specification": dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=features.point_in_time_recovery
        ),
        "contributor_insights_specification": dynamodb.ContributorInsightsSpecification(
            enabled=features.customer_index
        ),
        "deletion_protection": removal_policy
        in (RemovalPolicy.RETAIN, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE),
        "removal_policy": removal_policy,
    }


class OrdersTable(Construct):
    """The DynamoDB table of orders.

    At full production: encrypted with the customer-managed key, point-in-time recovery, TTL
    on ``ttl``, a NEW_AND_OLD_IMAGES stream for the processor, the ``customer-orders`` index
    (``customerId`` / ``createdAt``) with contributor insights, and an on-demand maximum
    throughput when one is given. Always: on-demand billing, and deletion protection when
    retained. From phase 5 the ``pending-orders`` index (``status`` / ``createdAt``) of the
    pending-order sweep. Idempotency records (``orderId`` = ``idempotency#...``) share the
    table: they have no ``customerId`` and no ``status``, so they stay out of both indexes, and
    their ``ttl`` removes them.
    The key schema never changes between phases, so the table is updated in place.

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
        key: kms.IKey | None,
        removal_policy: RemovalPolicy,
        features: Features,
        max_read_request_units: int | None = None,
        max_write_request_units: int | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        # On-demand maximum throughput is a performance control (phase 3, with throttling).
        capped = features.throttling
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name="orderId", type=dynamodb.AttributeType.STRING),
            max_read_request_units=max_read_request_units if capped else None,
            max_write_request_units=max_write_request_units if capped else None,
            time_to_live_attribute=TTL_ATTRIBUTE if features.time_to_live else None,
            stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES if features.streams else None,
            **_kept_table_settings(key, removal_policy, features),
        )
        if features.streams:
            # The pending-order sweep's index (kit.pending_sweep), with the processor.
            add_pending_index(self.table)
        if not features.customer_index:
            return
        self.table.add_global_secondary_index(
            index_name=CUSTOMER_INDEX_NAME,
            partition_key=dynamodb.Attribute(name="customerId", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="createdAt", type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
            contributor_insights_specification=dynamodb.ContributorInsightsSpecification(
                enabled=True
            ),
        )


class PriceCatalogTable(Construct):
    """The price catalog: one item per sku, ``{"sku": S, "prices": {currency: N}}``, written by
    ``order-kit catalog load`` and read by the api function (``orders.catalog``).

    Kept like the orders table: the service key (from phase 1), point-in-time recovery,
    contributor insights (hot skus), on-demand billing, deletion protection when retained; the
    backup plan covers it too. No TTL and no stream: prices never expire on their own and
    nothing consumes their changes (the kit's acknowledgments say so to checkov).

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
        key: kms.IKey | None,
        removal_policy: RemovalPolicy,
        features: Features,
    ) -> None:
        super().__init__(scope, construct_id)
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(name="sku", type=dynamodb.AttributeType.STRING),
            # Hot skus show like the orders table's hot keys (same phase).
            **_kept_table_settings(key, removal_policy, features),
        )
