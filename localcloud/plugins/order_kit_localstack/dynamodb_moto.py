"""DynamoDB and DynamoDB Streams providers backed by moto.

LocalStack's own providers forward every request to DynamoDB Local, a Java program that it
downloads at run time. These providers instead serve the generated APIs through LocalStack's
``MotoFallbackDispatcher``: every operation that the (empty) provider class does not implement
is handled by moto's in-memory backends, as LocalStack itself does for SWF or Support. moto's
DynamoDB backend also records stream events, which the Streams provider serves from the same
process, so event source mappings work.
"""

from __future__ import annotations

from abc import ABC
from typing import Any

from localstack.aws.api.dynamodb import DynamodbApi
from localstack.aws.api.dynamodbstreams import DynamodbstreamsApi
from localstack.services.plugins import Service, aws_provider
from localstack.state import StateVisitor


class MotoDynamoDBProvider(DynamodbApi, ABC):
    """DynamoDB API whose operations all fall through to moto."""

    service = "dynamodb"

    def accept_state_visitor(self, visitor: StateVisitor) -> None:
        """Expose moto's DynamoDB backends to LocalStack's state reset and persistence."""
        from moto.dynamodb.models import dynamodb_backends

        visitor.visit(dynamodb_backends)


class MotoDynamoDBStreamsProvider(DynamodbstreamsApi, ABC):
    """DynamoDB Streams API whose operations all fall through to moto."""

    service = "dynamodbstreams"

    def accept_state_visitor(self, visitor: StateVisitor) -> None:
        """Expose moto's DynamoDB Streams backends to LocalStack's state reset."""
        from moto.dynamodbstreams.models import dynamodbstreams_backends

        visitor.visit(dynamodbstreams_backends)


@aws_provider(api="dynamodb", name="moto")
def dynamodb_moto() -> Any:
    """Create the ``dynamodb:moto`` service (``PROVIDER_OVERRIDE_DYNAMODB=moto``)."""
    from localstack.services.moto import MotoFallbackDispatcher

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
