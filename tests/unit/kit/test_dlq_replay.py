"""Given failure records on the dead-letter queue, ``replay-dlq`` re-reads the referenced stream
records and runs the processor again, deleting a record only once its batch is handled.

Fakes stand for SQS, DynamoDB Streams and Lambda (the e2e test in tests/reliability runs the
real thing on the local cloud). The failure record's shape is the one the AWS Lambda Developer
Guide documents for on-failure destinations of DynamoDB stream event sources.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pytest

from kit.cli import build_parser
from kit.dlq_replay import ReplayError, StreamBatch, replay_dead_letters

STREAM_ARN = "arn:aws:dynamodb:eu-west-1:111122223333:table/orders/stream/2026-01-01T00:00:00.000"


def failure_record(start: int, end: int, shard: str = "shard-1") -> dict[str, Any]:
    return {
        "requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": 4},
        "version": "1.0",
        "DDBStreamBatchInfo": {
            "shardId": shard,
            "startSequenceNumber": str(start),
            "endSequenceNumber": str(end),
            "batchSize": end - start + 1,
            "streamArn": STREAM_ARN,
        },
    }


def stream_record(sequence: int) -> dict[str, Any]:
    return {
        "eventID": f"e{sequence}",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "dynamodb": {
            "SequenceNumber": str(sequence),
            "ApproximateCreationDateTime": datetime(2026, 1, 1, tzinfo=timezone.utc),
            "NewImage": {"orderId": {"S": f"o{sequence}"}, "status": {"S": "PENDING"}},
        },
    }


@dataclass
class FakeSqs:
    bodies: list[str]
    deleted: list[str] = field(default_factory=list)
    released: list[str] = field(default_factory=list)

    def receive_message(self, **_: Any) -> dict[str, Any]:
        handled = set(self.deleted)
        return {
            "Messages": [
                {"MessageId": f"m{i}", "ReceiptHandle": f"r{i}", "Body": body}
                for i, body in enumerate(self.bodies)
                if f"r{i}" not in handled
            ]
        }

    def delete_message(self, QueueUrl: str, ReceiptHandle: str) -> None:
        self.deleted.append(ReceiptHandle)

    def change_message_visibility(self, ReceiptHandle: str, **_: Any) -> None:
        self.released.append(ReceiptHandle)


@dataclass
class FakeStreams:
    """A shard holding ``sequences`` (2 records a page); older ones are trimmed."""

    sequences: list[int]
    trimmed: bool = False

    def get_shard_iterator(self, SequenceNumber: str, **_: Any) -> dict[str, str]:
        if self.trimmed:
            error = Exception("trimmed")
            error.response = {"Error": {"Code": "TrimmedDataAccessException"}}  # type: ignore[attr-defined]
            raise error
        first = next((i for i, s in enumerate(self.sequences) if s >= int(SequenceNumber)), None)
        return {"ShardIterator": str(first if first is not None else len(self.sequences))}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        position = int(ShardIterator)
        page = [stream_record(s) for s in self.sequences[position : position + 2]]
        return {"Records": page, "NextShardIterator": str(position + len(page))}


@dataclass
class FakeLambda:
    answer: Callable[[dict[str, Any]], tuple[dict[str, Any] | None, bool]]
    events: list[dict[str, Any]] = field(default_factory=list)

    def invoke(self, FunctionName: str, Payload: bytes) -> dict[str, Any]:
        event = json.loads(Payload)
        self.events.append(event)
        result, function_error = self.answer(event)
        response: dict[str, Any] = {"Payload": io.BytesIO(json.dumps(result).encode())}
        if function_error:
            response["FunctionError"] = "Unhandled"
        return response


def confirm_all(_: dict[str, Any]) -> tuple[dict[str, Any] | None, bool]:
    return {"batchItemFailures": []}, False


def _run(
    sqs: FakeSqs, streams: FakeStreams, lambda_client: FakeLambda, **options: Any
) -> list[Any]:
    clients = {"sqs": sqs, "dynamodbstreams": streams, "lambda": lambda_client}
    return replay_dead_letters(clients.__getitem__, "https://queue", "processor", **options)


def test_a_batch_the_stream_still_has_is_replayed_and_its_record_deleted() -> None:
    sqs = FakeSqs([json.dumps(failure_record(102, 105))])
    lambda_client = FakeLambda(confirm_all)

    (outcome,) = _run(sqs, FakeStreams([100, 101, 102, 103, 104, 105, 106]), lambda_client)

    assert outcome.status == "replayed" and outcome.records == 4
    (event,) = lambda_client.events
    assert [r["dynamodb"]["SequenceNumber"] for r in event["Records"]] == [
        "102",
        "103",
        "104",
        "105",
    ]
    # As the event source mapping delivers them: the stream's ARN, epoch seconds.
    assert all(r["eventSourceARN"] == STREAM_ARN for r in event["Records"])
    assert event["Records"][0]["dynamodb"]["ApproximateCreationDateTime"] == 1767225600.0
    assert sqs.deleted == ["r0"]


@pytest.mark.parametrize(
    "answer",
    [
        lambda event: ({"batchItemFailures": [{"itemIdentifier": "103"}]}, False),
        lambda event: ({"errorMessage": "boom"}, True),
    ],
    ids=["partial-failure", "function-error"],
)
def test_a_batch_that_still_fails_stays_on_the_queue(answer: Any) -> None:
    sqs = FakeSqs([json.dumps(failure_record(102, 103))])

    (outcome,) = _run(sqs, FakeStreams([102, 103]), FakeLambda(answer))

    assert outcome.status == "failed"
    assert sqs.deleted == [] and sqs.released == ["r0"]


@pytest.mark.parametrize(
    "streams",
    [FakeStreams([102, 103], trimmed=True), FakeStreams([104, 105])],
    ids=["shard-trimmed", "first-record-gone"],
)
def test_a_batch_the_stream_no_longer_has_is_reported_expired(streams: FakeStreams) -> None:
    sqs = FakeSqs([json.dumps(failure_record(102, 103))])
    lambda_client = FakeLambda(confirm_all)

    (outcome,) = _run(sqs, streams, lambda_client)

    assert outcome.status == "expired"
    assert lambda_client.events == [] and sqs.deleted == []


def test_other_messages_are_skipped_and_dry_run_changes_nothing() -> None:
    async_failure = json.dumps({"requestContext": {"condition": "RetriesExhausted"}})
    sqs = FakeSqs([async_failure, "not json", json.dumps(failure_record(102, 102))])
    lambda_client = FakeLambda(confirm_all)

    outcomes = _run(sqs, FakeStreams([102]), lambda_client, dry_run=True)

    assert [o.status for o in outcomes] == ["skipped", "skipped", "dry-run"]
    assert lambda_client.events == [] and sqs.deleted == [] and sqs.released == []


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(ReplayError, match="DDBStreamBatchInfo"):
        StreamBatch.from_failure_record({"requestContext": {}})
    with pytest.raises(ReplayError, match="incomplete"):
        StreamBatch.from_failure_record({"DDBStreamBatchInfo": {"shardId": "s"}})
    with pytest.raises(ReplayError, match="max_messages"):
        _run(FakeSqs([]), FakeStreams([]), FakeLambda(confirm_all), max_messages=0)


def test_cli_requires_the_queue_and_the_function(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["replay-dlq", "--queue-url", "https://q"])
    assert exit_info.value.code == 2
    assert "--function" in capsys.readouterr().err
    args = build_parser().parse_args(
        ["replay-dlq", "--queue-url", "https://q", "--function", "f", "--dry-run"]
    )
    assert args.dry_run and args.max_messages == 100
