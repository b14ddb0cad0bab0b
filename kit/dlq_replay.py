"""Replay the stream batches the processor gave up on (``order-kit replay-dlq``).

When a stream batch still fails after the event source mapping's bounded retries, Lambda sends
the dead-letter queue a *failure record*, not the records: the batch's shard and first and
last sequence numbers (``DDBStreamBatchInfo``, as the AWS Lambda Developer Guide documents for
on-failure destinations of stream event sources). Those orders stay ``PENDING`` until someone
runs the confirmation again. This module reads each failure record, re-reads the referenced
records from the table's stream (which keeps them 24 hours), invokes the processor function
with them as the event source mapping would, and deletes the failure record once every record
is handled. A record the stream no longer has is reported ``expired`` and left on the queue.

Examples
--------
>>> record = {"DDBStreamBatchInfo": {"shardId": "shard-1", "startSequenceNumber": "100",
...     "endSequenceNumber": "120", "streamArn": "arn:aws:dynamodb:eu-west-1:1:table/t/stream/x"}}
>>> StreamBatch.from_failure_record(record).end
120
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

#: Seconds a failure record stays invisible to other readers while it is being replayed.
REPLAY_VISIBILITY_SECONDS = 300
#: Empty GetRecords answers in a row after which an open shard has nothing more to give.
EMPTY_READS_TO_STOP = 3

ClientFactory = Callable[[str], Any]


class ReplayError(ValueError):
    """A failure record or the stream cannot be used for a replay."""


@dataclass(frozen=True)
class StreamBatch:
    """The batch a failure record points at."""

    stream_arn: str
    shard_id: str
    start: int
    end: int

    @classmethod
    def from_failure_record(cls, record: Mapping[str, Any]) -> StreamBatch:
        """Read ``DDBStreamBatchInfo``; raise :class:`ReplayError` if it is not there."""
        info = record.get("DDBStreamBatchInfo")
        if not isinstance(info, Mapping):
            raise ReplayError("not a stream failure record (no DDBStreamBatchInfo)")
        try:
            return cls(
                stream_arn=str(info["streamArn"]),
                shard_id=str(info["shardId"]),
                start=int(info["startSequenceNumber"]),
                end=int(info["endSequenceNumber"]),
            )
        except (KeyError, ValueError) as error:
            raise ReplayError(f"incomplete DDBStreamBatchInfo: {error}") from None


@dataclass(frozen=True)
class ReplayOutcome:
    """What happened to one message of the queue.

    ``status``: ``replayed`` (confirmed again, message deleted), ``failed`` (the processor
    still fails; message kept), ``expired`` (the stream no longer has the records; message
    kept: reconcile those orders another way), ``skipped`` (not a stream failure record, e.g.
    a failed asynchronous invocation), ``dry-run`` (records found, nothing invoked).
    """

    message_id: str
    status: str
    detail: str
    records: int = 0


def read_batch(streams: Any, batch: StreamBatch) -> list[dict[str, Any]]:
    """The batch's records, read from the stream (raise :class:`ReplayError` if the stream no
    longer has its first record)."""
    try:
        iterator = streams.get_shard_iterator(
            StreamArn=batch.stream_arn,
            ShardId=batch.shard_id,
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=str(batch.start),
        )["ShardIterator"]
    except Exception as error:  # TrimmedDataAccessException, ResourceNotFoundException...
        code = getattr(error, "response", {}).get("Error", {}).get("Code", type(error).__name__)
        raise ReplayError(f"the stream no longer has the batch ({code})") from None
    records: list[dict[str, Any]] = []
    empty_reads = 0
    past_end = False
    while iterator and empty_reads < EMPTY_READS_TO_STOP and not past_end:
        response = streams.get_records(ShardIterator=iterator, Limit=1000)
        page = response.get("Records", [])
        empty_reads = 0 if page else empty_reads + 1
        for record in page:
            sequence = int(record["dynamodb"]["SequenceNumber"])
            past_end = sequence > batch.end
            if past_end:
                break
            if sequence >= batch.start:
                records.append(record)
        iterator = response.get("NextShardIterator")
    if not records or int(records[0]["dynamodb"]["SequenceNumber"]) != batch.start:
        raise ReplayError("the stream no longer has the batch's first record")
    return records


def stream_event(records: list[dict[str, Any]], batch: StreamBatch) -> dict[str, Any]:
    """The records as the event source mapping delivers them to the function."""

    def lambda_record(record: Mapping[str, Any]) -> dict[str, Any]:
        dynamodb = dict(record["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            dynamodb["ApproximateCreationDateTime"] = created.timestamp()
        return {**record, "dynamodb": dynamodb, "eventSourceARN": batch.stream_arn}

    return {"Records": [lambda_record(r) for r in records]}


def _invoke(lambda_client: Any, function_name: str, event: Mapping[str, Any]) -> str | None:
    """Invoke the processor; ``None`` if every record was handled, else why not."""
    response = lambda_client.invoke(
        FunctionName=function_name, Payload=json.dumps(event).encode("utf-8")
    )
    payload = response["Payload"].read()
    if response.get("FunctionError"):
        return f"the processor failed: {payload.decode('utf-8', 'replace')[:500]}"
    result = json.loads(payload or b"null")
    failures = (result or {}).get("batchItemFailures") if isinstance(result, dict) else None
    if failures:
        return f"the processor reported {len(failures)} record(s) failed: {failures}"
    return None


def replay_dead_letters(
    clients: ClientFactory,
    queue_url: str,
    function_name: str,
    *,
    max_messages: int = 100,
    dry_run: bool = False,
) -> list[ReplayOutcome]:
    """Replay up to ``max_messages`` failure records of the dead-letter queue ``queue_url``
    through the processor function ``function_name``; ``clients("sqs")`` etc. give boto3
    clients."""
    if max_messages < 1:
        raise ReplayError("max_messages must be at least 1")
    sqs, streams, lambda_client = clients("sqs"), clients("dynamodbstreams"), clients("lambda")
    outcomes: list[ReplayOutcome] = []
    seen: set[str] = set()
    while len(outcomes) < max_messages:
        messages = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=min(10, max_messages - len(outcomes)),
            WaitTimeSeconds=2,
            # A dry run hides nothing from other readers.
            VisibilityTimeout=0 if dry_run else REPLAY_VISIBILITY_SECONDS,
        ).get("Messages", [])
        fresh = [m for m in messages if m["MessageId"] not in seen]
        if not fresh:
            break
        for message in fresh:
            seen.add(message["MessageId"])
            outcome = _replay_one(streams, lambda_client, function_name, message, dry_run)
            outcomes.append(outcome)
            if outcome.status == "replayed":
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            elif not dry_run:  # back on the queue for the next attempt or another reader
                sqs.change_message_visibility(
                    QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
    return outcomes


def _replay_one(
    streams: Any, lambda_client: Any, function_name: str, message: Mapping[str, Any], dry_run: bool
) -> ReplayOutcome:
    message_id = str(message["MessageId"])
    try:
        body = json.loads(message["Body"])
        batch = StreamBatch.from_failure_record(body if isinstance(body, dict) else {})
    except (ValueError, ReplayError) as error:
        return ReplayOutcome(message_id, "skipped", str(error))
    where = f"shard {batch.shard_id}, sequence numbers {batch.start}-{batch.end}"
    try:
        records = read_batch(streams, batch)
    except ReplayError as error:
        return ReplayOutcome(message_id, "expired", f"{where}: {error}")
    if dry_run:
        return ReplayOutcome(message_id, "dry-run", where, len(records))
    problem = _invoke(lambda_client, function_name, stream_event(records, batch))
    if problem is not None:
        return ReplayOutcome(message_id, "failed", f"{where}: {problem}", len(records))
    return ReplayOutcome(message_id, "replayed", where, len(records))
