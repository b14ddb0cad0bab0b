"""Data access for orders in DynamoDB (a low-level botocore client).

Table: partition key ``orderId``; GSI (``CUSTOMER_INDEX_NAME``): ``customerId`` + ``createdAt``.
Every call translates throttling/unavailability into `DependencyUnavailableError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from orders.aws_errors import error_code, transient_errors_as_unavailable
from orders.dynamodb_codec import deserialize_item, serialize_item
from orders.errors import DependencyUnavailableError
from orders.idempotency import IdempotencyRecord
from orders.models import STATUS_CONFIRMED, STATUS_PENDING, Order

#: Attributes of the customer index's LastEvaluatedKey (table key + index key).
PAGE_KEY_ATTRIBUTES = frozenset({"orderId", "customerId", "createdAt"})


@dataclass(frozen=True)
class CreateOutcome:
    """The result of `OrderRepository.create`.

    Attributes
    ----------
    order : Order
        The order now stored under the id: the new one, or the one that was already there.
    created : bool
        True if this call wrote it; False if an order with the same id already existed.
    retried : bool
        True if the SDK retried the put (its first attempt may have written and lost its
        response): only then can the order already there be this call's own write.
    """

    order: Order
    created: bool
    retried: bool = False

    def is_own_write(self, order: Order) -> bool:
        """True when the stored order is ``order``'s write: written now, or by this call's own
        first attempt (a retried put finding the same id, author, request and time). A put that
        was not retried finding the same order found a concurrent request's write."""
        return self.created or (self.retried and self.order.same_write_as(order))


@dataclass(frozen=True)
class IdempotentCreateOutcome:
    """The result of `OrderRepository.create_idempotent`: exactly one attribute is set.

    Attributes
    ----------
    created : bool
        True if this call wrote the order and its idempotency record.
    existing_record : IdempotencyRecord or None
        The live record of the same caller and key that stopped the claim.
    legacy_order : Order or None
        The order the earlier, key-derived scheme stored under the legacy id.
    """

    created: bool = False
    existing_record: IdempotencyRecord | None = None
    legacy_order: Order | None = None


#: Attempts to claim an idempotency record that expires or disappears while being claimed.
_CLAIM_ATTEMPTS = 3


@dataclass(frozen=True)
class OrderPage:
    """One page of a customer's orders, newest first.

    Attributes
    ----------
    orders : list of Order
        At most the requested number of orders.
    last_evaluated_key : dict or None
        DynamoDB's LastEvaluatedKey (attribute-value form), or None on the last page.
    """

    orders: list[Order]
    last_evaluated_key: dict[str, Any] | None


class OrderRepository:
    """Read and write orders.

    Parameters
    ----------
    client : botocore client
        A DynamoDB client.
    table_name : str
        The orders table.
    customer_index_name : str
        The GSI keyed by ``customerId`` and ``createdAt``.
    """

    def __init__(self, client: Any, table_name: str, customer_index_name: str = "") -> None:
        self._client = client
        self._table_name = table_name
        self._customer_index_name = customer_index_name

    def create(self, order: Order) -> CreateOutcome:
        """Store ``order`` unless an order with its id exists; never overwrite.

        The put is conditional on ``attribute_not_exists(orderId)``, so of any number of
        concurrent creates with the same id exactly one writes. The others get the stored item
        back from the failed condition (``ReturnValuesOnConditionCheckFailure``), which is the
        winner's order, without a second read that could race a TTL deletion.
        """
        try:
            with transient_errors_as_unavailable("dynamodb"):
                self._client.put_item(
                    TableName=self._table_name,
                    Item=serialize_item(order.to_item()),
                    ConditionExpression="attribute_not_exists(orderId)",
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
        except ClientError as error:
            if error_code(error) != "ConditionalCheckFailedException":
                raise
            existing = error.response.get("Item")
            stored = (
                Order.from_item(deserialize_item(existing))
                if existing
                else self.get(order.order_id)
            )
            if stored is None:
                # Deleted (TTL) between the failed condition and the read: a retry will write.
                raise DependencyUnavailableError("dynamodb") from error
            retries = error.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
            return CreateOutcome(order=stored, created=False, retried=retries > 0)
        return CreateOutcome(order=order, created=True)

    def create_idempotent(
        self, order: Order, record: IdempotencyRecord, legacy_order_id: str | None, now: int
    ) -> IdempotentCreateOutcome:
        """Claim the (caller, key) with ``record``, then store ``order``; or return what
        already holds the key: a live record of the same caller and key, or the legacy order
        ``legacy_order_id``.

        Conditional writes, no transaction: the record put is conditional on no live record
        (absent, or expired: ``ttl`` before ``now``, since TTL deletion is lazy), so of any
        number of concurrent requests with one caller and key exactly one claims it; the
        order put is conditional on its id being free. The record fixes the order id, so a
        request that finds a record whose order is not written yet (its writer failed in
        between) writes that same order id (`OrderService` does), and there is never a second
        order. Legacy orders are never written any more, so a plain read finds them.
        """
        if legacy_order_id is not None:
            legacy = self.get(legacy_order_id)
            if legacy is not None:
                return IdempotentCreateOutcome(legacy_order=legacy)
        for _ in range(_CLAIM_ATTEMPTS):
            try:
                with transient_errors_as_unavailable("dynamodb"):
                    self._client.put_item(
                        TableName=self._table_name,
                        Item=serialize_item(record.to_item()),
                        ConditionExpression="attribute_not_exists(orderId) OR #ttl < :now",
                        ExpressionAttributeNames={"#ttl": "ttl"},
                        ExpressionAttributeValues={":now": {"N": str(now)}},
                        ReturnValuesOnConditionCheckFailure="ALL_OLD",
                    )
            except ClientError as error:
                if error_code(error) != "ConditionalCheckFailedException":
                    raise
                existing = self._live_record(record.key, now, error.response.get("Item"))
                if existing is not None:
                    return IdempotentCreateOutcome(existing_record=existing)
                continue  # expired or deleted meanwhile: claim it again
            outcome = self.create(order)
            if outcome.is_own_write(order):
                # (the second: this request's own write, whose lost response the SDK retried)
                return IdempotentCreateOutcome(created=True)
            stored = outcome.order
            if (stored.request_hash, stored.created_by) == (order.request_hash, order.created_by):
                # A concurrent request with this caller, key and body found the record before
                # the order existed and wrote the order under the claimed id first (see
                # `OrderService`): this request replays it.
                return IdempotentCreateOutcome(existing_record=record)
            raise DependencyUnavailableError("dynamodb")  # a random UUID collided: retryable
        raise DependencyUnavailableError("dynamodb")

    def find_record(self, key: str, now: int) -> IdempotencyRecord | None:
        """Return the unexpired idempotency record ``key`` (strongly consistent), or None."""
        return self._live_record(key, now, None)

    def _live_record(
        self, key: str, now: int, item: dict[str, Any] | None
    ) -> IdempotencyRecord | None:
        """Return the unexpired record ``key`` (from ``item`` when the cancellation carried
        it, else a strongly consistent read), or None."""
        if not item:
            with transient_errors_as_unavailable("dynamodb"):
                item = self._client.get_item(
                    TableName=self._table_name, Key={"orderId": {"S": key}}, ConsistentRead=True
                ).get("Item")
        if not item:
            return None
        record = IdempotencyRecord.from_item(deserialize_item(item))
        return record if record.ttl >= now else None

    def get(self, order_id: str) -> Order | None:
        """Return the order with ``order_id`` (strongly consistent read), or None."""
        with transient_errors_as_unavailable("dynamodb"):
            response = self._client.get_item(
                TableName=self._table_name,
                Key={"orderId": {"S": order_id}},
                ConsistentRead=True,
            )
        item = response.get("Item")
        return None if item is None else Order.from_item(deserialize_item(item))

    def list_by_customer(
        self, customer_id: str, limit: int, start_key: dict[str, Any] | None = None
    ) -> OrderPage:
        """Return up to ``limit`` of the customer's orders, newest first, from ``start_key``."""
        request: dict[str, Any] = {
            "TableName": self._table_name,
            "IndexName": self._customer_index_name,
            "KeyConditionExpression": "customerId = :customerId",
            "ExpressionAttributeValues": {":customerId": {"S": customer_id}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start_key is not None:
            request["ExclusiveStartKey"] = start_key
        with transient_errors_as_unavailable("dynamodb"):
            response = self._client.query(**request)
        orders = [Order.from_item(deserialize_item(item)) for item in response.get("Items", [])]
        return OrderPage(orders=orders, last_evaluated_key=response.get("LastEvaluatedKey"))

    def confirm(self, order_id: str, confirmed_at: str) -> bool:
        """Move the order from PENDING to CONFIRMED; return False if it was not PENDING.

        Conditional on the current status, so replaying the same stream record is a no-op, and
        an order that was deleted (e.g. by TTL) is not recreated.
        """
        try:
            with transient_errors_as_unavailable("dynamodb"):
                self._client.update_item(
                    TableName=self._table_name,
                    Key={"orderId": {"S": order_id}},
                    UpdateExpression="SET #status = :confirmed, confirmedAt = :confirmedAt",
                    ConditionExpression="#status = :pending",
                    ExpressionAttributeNames={"#status": "status"},
                    ExpressionAttributeValues={
                        ":confirmed": {"S": STATUS_CONFIRMED},
                        ":pending": {"S": STATUS_PENDING},
                        ":confirmedAt": {"S": confirmed_at},
                    },
                )
        except ClientError as error:
            if error_code(error) == "ConditionalCheckFailedException":
                return False
            raise
        return True
