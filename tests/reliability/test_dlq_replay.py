"""No order stays PENDING after a fixed processor fault, on the local cloud: a batch the processor
gave up on reaches the dead-letter queue as a failure record; once the cause is fixed,
``replay-dlq`` re-reads the batch from the stream, runs the confirmation again and deletes the
failure record.

The fault is the one of test_processor_faults.py (the processor's confirmation write is
throttled, injected with fault_endpoint.py); "fix" is leaving its context.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from kit.dlq_replay import replay_dead_letters
from tests.e2e.orders import new_customer_id, order_request, wait_for_status
from tests.e2e.signed_http import SignedApiClient
from tests.e2e.test_order_processing import stream_sequence_number
from tests.reliability.fault_endpoint import (
    ENDPOINT_VARIABLES,
    AwsError,
    Fault,
    FaultyAwsEndpoint,
    function_environment,
)
from tests.reliability.test_processor_faults import wait_for_failure_record

pytestmark = pytest.mark.e2e


def _covers(message: dict[str, Any], sequence_number: int) -> bool:
    batch = json.loads(message["Body"]).get("DDBStreamBatchInfo", {})
    return int(batch["startSequenceNumber"]) <= sequence_number <= int(batch["endSequenceNumber"])


def test_poison_batch_to_dlq_then_fix_then_replay_confirms_the_order(
    api: SignedApiClient,
    aws_client: Callable[[str], Any],
    output: Callable[[str], str],
    local_endpoint: str,
) -> None:
    sqs = aws_client("sqs")
    queue_url, processor = output("DeadLetterQueueUrl"), output("ProcessorFunctionName")
    throttled = Fault(frozenset({"UpdateItem"}), AwsError("ThrottlingException", 400))
    # Given a processor that has caught up with the stream and an empty dead-letter queue
    sentinel = api.post("/orders", order_request(new_customer_id())).body["orderId"]
    wait_for_status(api, sentinel, "CONFIRMED", seconds=240)
    sqs.purge_queue(QueueUrl=queue_url)

    # And an order whose batch the processor gave up on
    with (
        FaultyAwsEndpoint(local_endpoint, throttled) as dynamodb,
        function_environment(
            aws_client("lambda"), processor, {ENDPOINT_VARIABLES["dynamodb"]: dynamodb.url}
        ),
    ):
        created = api.post("/orders", order_request(new_customer_id()))
        assert created.status == 201, created.body
        order_id = created.body["orderId"]
        sequence_number = stream_sequence_number(aws_client, output("TableName"), order_id)
        wait_for_failure_record(sqs, queue_url, sequence_number)
    # (the fault is fixed: the processor writes to the table again)
    assert api.get(f"/orders/{order_id}").body["status"] == "PENDING"

    # When the operator replays the dead-letter queue
    dry_run = replay_dead_letters(aws_client, queue_url, processor, dry_run=True)
    outcomes = replay_dead_letters(aws_client, queue_url, processor)

    # Then the batch was found, replayed, and the order confirmed
    assert [o.status for o in dry_run] and {o.status for o in dry_run} == {"dry-run"}, dry_run
    assert outcomes and {o.status for o in outcomes} == {"replayed"}, outcomes
    assert sum(o.records for o in outcomes) >= 1
    assert api.get(f"/orders/{order_id}").body["status"] == "CONFIRMED"
    # And no failure record for it is left on the queue
    left = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, VisibilityTimeout=0
    ).get("Messages", [])
    assert not [m for m in left if _covers(m, sequence_number)]
