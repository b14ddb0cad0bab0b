"""DynamoDB and DynamoDB Streams providers backed by moto.

LocalStack's own providers forward every request to DynamoDB Local, a Java program that it
downloads at run time. These providers instead serve the generated APIs through LocalStack's
``MotoFallbackDispatcher``: every operation that the (empty) provider class does not implement
is handled by moto's in-memory backends, as LocalStack itself does for SWF or Support. moto's
DynamoDB backend also records stream events, which the Streams provider serves from the same
process, so event source mappings work. moto does not expire items: the provider starts the
TTL sweep of :mod:`order_kit_localstack.ttl_sweep` (DynamoDB's deletions, stream records
included).
"""

from __future__ import annotations

import threading
from abc import ABC
from typing import Any

from localstack.aws.api import RequestContext, handler
from localstack.aws.api.dynamodb import DynamodbApi
from localstack.aws.api.dynamodbstreams import DynamodbstreamsApi
from localstack.services.plugins import Service, aws_provider
from localstack.state import StateVisitor

from order_kit_localstack.ttl_sweep import forward_user_identity, start_sweeping


class MotoDynamoDBProvider(DynamodbApi, ABC):
    """DynamoDB API whose operations all fall through to moto."""

    service = "dynamodb"

    def accept_state_visitor(self, visitor: StateVisitor) -> None:
        """Expose moto's DynamoDB backends to LocalStack's state reset and persistence."""
        from moto.dynamodb.models import dynamodb_backends

        visitor.visit(dynamodb_backends)

    @handler("UpdateTable", expand=False)
    def update_table(self, context: RequestContext, request: dict[str, Any]) -> Any:  # type: ignore[override]
        """moto's ``UpdateTable``, plus the ``SSESpecification`` it ignores."""
        from localstack.services.moto import call_moto

        from order_kit_localstack.dynamodb_table_settings import apply_sse_specification

        response = call_moto(context)
        if (sse := request.get("SSESpecification")) is not None:
            description = apply_sse_specification(
                context.account_id, context.region, request["TableName"], sse
            )
            response["TableDescription"].pop("SSEDescription", None)
            if description:
                response["TableDescription"]["SSEDescription"] = description
        return response

    @handler("UpdateContributorInsights", expand=False)
    def update_contributor_insights(  # type: ignore[override]
        self, context: RequestContext, request: dict[str, Any]
    ) -> Any:
        """Record the contributor-insights setting of a table or index (moto has none)."""
        from order_kit_localstack.dynamodb_table_settings import CONTRIBUTOR_INSIGHTS

        return CONTRIBUTOR_INSIGHTS.update(
            context.account_id,
            context.region,
            request["TableName"],
            request.get("IndexName"),
            request["ContributorInsightsAction"],
        )

    @handler("DescribeContributorInsights", expand=False)
    def describe_contributor_insights(  # type: ignore[override]
        self, context: RequestContext, request: dict[str, Any]
    ) -> Any:
        """The contributor-insights setting of a table or index (``DISABLED`` until enabled)."""
        from order_kit_localstack.dynamodb_table_settings import CONTRIBUTOR_INSIGHTS

        return CONTRIBUTOR_INSIGHTS.describe(
            context.account_id, context.region, request["TableName"], request.get("IndexName")
        )


class MotoDynamoDBStreamsProvider(DynamodbstreamsApi, ABC):
    """DynamoDB Streams API whose operations all fall through to moto."""

    service = "dynamodbstreams"

    def accept_state_visitor(self, visitor: StateVisitor) -> None:
        """Expose moto's DynamoDB Streams backends to LocalStack's state reset."""
        from moto.dynamodbstreams.models import dynamodbstreams_backends

        visitor.visit(dynamodbstreams_backends)


#: moto's table operations are not thread-safe: ``transact_write_items`` deep-copies the table
#: for its rollback, and queries and scans iterate over the items, while other requests write
#: to it ("dictionary changed size during iteration"). DynamoDB makes single-item writes atomic,
#: serializes transactions and never fails a read because of a concurrent write ("Amazon
#: DynamoDB Transactions: How it works", isolation levels); one lock over moto's reads and
#: writes gives the emulator the same guarantee.
_TABLE_OPERATIONS = (
    "put_item",
    "update_item",
    "delete_item",
    "transact_write_items",
    "batch_write_item",
    "get_item",
    "query",
    "scan",
    "batch_get_item",
    "transact_get_items",
)
_TABLE_LOCK = threading.RLock()


def _serialize_moto_table_operations() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    for name in _TABLE_OPERATIONS:
        original = getattr(DynamoDBBackend, name, None)
        if original is None or getattr(original, "_order_kit_serialized", False):
            continue

        def serialized(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with _TABLE_LOCK:
                return _original(*args, **kwargs)

        serialized._order_kit_serialized = True  # type: ignore[attr-defined]
        setattr(DynamoDBBackend, name, serialized)


@aws_provider(api="dynamodb", name="moto")
def dynamodb_moto() -> Any:
    """Create the ``dynamodb:moto`` service (``PROVIDER_OVERRIDE_DYNAMODB=moto``)."""
    from localstack.services.moto import MotoFallbackDispatcher

    _serialize_moto_table_operations()
    start_sweeping(_TABLE_LOCK)
    forward_user_identity()

    return Service.for_provider(
        MotoDynamoDBProvider(), dispatch_table_factory=MotoFallbackDispatcher
    )


@aws_provider(api="dynamodbstreams", name="moto")
def dynamodbstreams_moto() -> Any:
    """Create the ``dynamodbstreams:moto`` service (``PROVIDER_OVERRIDE_DYNAMODBSTREAMS=moto``)."""
    from localstack.services.moto import MotoFallbackDispatcher

    return Service.for_provider(
        MotoDynamoDBStreamsProvider(), dispatch_table_factory=MotoFallbackDispatcher
    )
