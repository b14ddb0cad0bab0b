"""Recognising event source mappings that read a DynamoDB or Kinesis stream (no checkov import)."""

from __future__ import annotations

from typing import Any

from cfn_values import intrinsic, literal_text

STREAM_ARN_MARKERS = (":kinesis:", "/stream/")


def reads_a_stream(properties: dict[str, Any]) -> bool:
    """Return True if an ``AWS::Lambda::EventSourceMapping`` reads a DynamoDB or Kinesis stream.

    ``StartingPosition`` is required for (and only allowed on) stream sources, so its presence
    decides; otherwise the source ARN is inspected: a ``Fn::GetAtt`` of ``StreamArn`` (how CDK
    refers to a table stream), a Kinesis ARN or a DynamoDB stream ARN (``.../stream/...``).

    Parameters
    ----------
    properties : dict
        The mapping's ``Properties``.

    Returns
    -------
    bool
        Whether failed batches of this mapping are retried from a stream.
    """
    if "StartingPosition" in properties:
        return True
    source = properties.get("EventSourceArn")
    call = intrinsic(source)
    if call is not None and call[0] == "Fn::GetAtt":
        argument = call[1]
        if isinstance(argument, list) and len(argument) == 2:
            attribute = str(argument[1])
        else:
            attribute = str(argument).partition(".")[2]
        # StreamArn (DynamoDB table, Kinesis consumer) or LatestStreamArn (global table).
        return attribute.endswith("StreamArn")
    text = literal_text(source, "")
    return text is not None and any(marker in text for marker in STREAM_ARN_MARKERS)
