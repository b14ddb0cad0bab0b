"""The pending-order sweep end to end: an order whose stream record is gone gets confirmed."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from kit.pending_sweep import SWEEP_HANDLER
from tests.e2e.orders import new_customer_id, order_request, wait_for_status
from tests.e2e.signed_http import SignedApiClient

pytestmark = pytest.mark.e2e


@contextmanager
def schedule_paused(
    aws_client: Callable[[str], Any], stack_name: str, template: dict[str, Any]
) -> Iterator[None]:
    """Disable the sweep's schedule for the block, so the only sweep run is the test's own."""
    (logical,) = [
        name for name, r in template["Resources"].items() if r["Type"] == "AWS::Events::Rule"
    ]
    events = aws_client("events")
    rule = aws_client("cloudformation").describe_stack_resource(
        StackName=stack_name, LogicalResourceId=logical
    )["StackResourceDetail"]["PhysicalResourceId"]
    events.disable_rule(Name=rule)
    try:
        yield
    finally:
        events.enable_rule(Name=rule)


def test_sweep_confirms_an_order_whose_stream_record_is_gone(
    api: SignedApiClient,
    aws_client: Callable[[str], Any],
    output: Callable[[str], str],
    template: dict[str, Any],
    deployed: Any,
) -> None:
    created = api.post("/orders", order_request(new_customer_id())).body
    order_id = created["orderId"]
    wait_for_status(api, order_id, "CONFIRMED", seconds=120)
    with schedule_paused(aws_client, deployed.stack_name, template):
        # Given the order PENDING and two hours old with no INSERT record left to process: a MODIFY
        # (which the processor ignores) puts it back, as if its stream record had expired.
        two_hours_ago = datetime.now(timezone.utc) - timedelta(hours=2)
        aws_client("dynamodb").update_item(
            TableName=output("TableName"),
            Key={"orderId": {"S": order_id}},
            UpdateExpression="SET #status = :pending, createdAt = :created REMOVE confirmedAt",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":pending": {"S": "PENDING"},
                ":created": {"S": two_hours_ago.strftime("%Y-%m-%dT%H:%M:%S.000Z")},
            },
        )
        assert api.get(f"/orders/{order_id}").body["status"] == "PENDING"
        (logical,) = [
            name
            for name, r in template["Resources"].items()
            if r["Type"] == "AWS::Lambda::Function" and r["Properties"]["Handler"] == SWEEP_HANDLER
        ]
        function_name = aws_client("cloudformation").describe_stack_resource(
            StackName=deployed.stack_name, LogicalResourceId=logical
        )["StackResourceDetail"]["PhysicalResourceId"]

        # When the sweep runs (as its schedule would invoke it)
        response = aws_client("lambda").invoke(FunctionName=function_name, Payload=b"{}")
        result = json.loads(response["Payload"].read())

        # Then the order is CONFIRMED and the run reports it
        assert "FunctionError" not in response, result
        assert result["confirmed"] >= 1
        order = api.get(f"/orders/{order_id}").body
        assert order["status"] == "CONFIRMED"
        assert order["confirmedAt"] >= order["createdAt"]
