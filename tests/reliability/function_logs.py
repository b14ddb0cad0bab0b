"""Reading a deployed function's JSON log lines and EMF metrics back from the local cloud."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any


def json_log_lines(
    logs_client: Any, function_name: str, since_ms: int, until: Callable[[list[dict]], bool]
) -> list[dict[str, Any]]:
    """The function's JSON log lines written after ``since_ms``, polled for up to 30 s until
    ``until(lines)`` holds (LocalStack forwards function output to CloudWatch Logs with a delay).

    LocalStack writes function logs to ``/aws/lambda/<name>`` (see tests/e2e/test_observability).
    """
    group = f"/aws/lambda/{function_name}"
    deadline = time.monotonic() + 30
    lines: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        try:
            pages = logs_client.get_paginator("filter_log_events").paginate(
                logGroupName=group, startTime=since_ms
            )
            events = [event for page in pages for event in page["events"]]
        except logs_client.exceptions.ResourceNotFoundException:
            events = []
        lines = []
        for event in events:
            text = event["message"].strip()
            if text.startswith("{"):
                try:
                    lines.append(json.loads(text))
                except ValueError:
                    continue
        if until(lines):
            break
        time.sleep(0.5)
    return lines


def emf_metric_values(lines: list[dict[str, Any]], name: str) -> list[float]:
    """Values of the Embedded Metric Format metric ``name`` in ``lines`` (what CloudWatch turns
    into the metric on AWS); a line may carry one value or a list of them.

    Examples
    --------
    >>> directive = {"CloudWatchMetrics": [{"Metrics": [{"Name": "errors"}]}]}
    >>> emf_metric_values([{"_aws": directive, "errors": [1, 1]}, {"errors": 5}], "errors")
    [1.0, 1.0]
    """
    values: list[float] = []
    for line in lines:
        if "_aws" in line and any(
            metric["Name"] == name
            for directive in line["_aws"]["CloudWatchMetrics"]
            for metric in directive["Metrics"]
        ):
            value = line[name]
            values.extend(float(v) for v in (value if isinstance(value, list) else [value]))
    return values


def now_ms() -> int:
    """Current time in epoch milliseconds (CloudWatch Logs' clock)."""
    return int(time.time() * 1000)
