"""The local-process execution environment, driven by a stand-in runtime (no LocalStack)."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from order_kit_localstack.local_process import (
    LocalProcessRuntime,
    RuntimeCommand,
    RuntimeInitError,
    RuntimeStartError,
)

FAKE_RUNTIME = Path(__file__).with_name("fake_runtime.py")
ARN = "arn:aws:lambda:us-east-1:000000000000:function:fake"


def make_runtime(tmp_path: Path, timeout: float = 5.0, **env: str) -> LocalProcessRuntime:
    return LocalProcessRuntime(
        RuntimeCommand(
            argv=[sys.executable, str(FAKE_RUNTIME)],
            cwd=tmp_path,
            env={"PATH": os.environ["PATH"], **env},
        ),
        log_path=tmp_path / "output.log",
        timeout_seconds=timeout,
        memory_mb=256,
        startup_timeout_seconds=10,
    )


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[LocalProcessRuntime]:
    environment = make_runtime(tmp_path, timeout=1.0)
    environment.start()
    yield environment
    environment.stop()


def invoke(runtime: LocalProcessRuntime, request_id: str, **event: object):
    return runtime.invoke(request_id, json.dumps(event).encode(), ARN, trace_id="Root=1-abc")


def test_success_returns_payload_and_frames_output(runtime: LocalProcessRuntime) -> None:
    outcome = invoke(runtime, "req-1", action="echo", value=42)

    assert not outcome.is_error
    assert json.loads(outcome.payload)["echo"] == {"action": "echo", "value": 42}
    lines = outcome.logs.splitlines()
    assert lines[0] == "START RequestId: req-1 Version: $LATEST"
    # The init output belongs to the first invocation, as in CloudWatch.
    assert any(line.startswith("init pid=") for line in lines)
    assert f"handling echo for {ARN}" in lines
    assert lines[-2] == "END RequestId: req-1"
    assert lines[-1].startswith("REPORT RequestId: req-1\tDuration: ")
    assert "Memory Size: 256 MB" in lines[-1]
    assert "Init Duration: " in lines[-1]


def test_warm_invocation_reuses_process_without_init_duration(
    runtime: LocalProcessRuntime,
) -> None:
    first = invoke(runtime, "req-1", action="echo")
    second = invoke(runtime, "req-2", action="echo")

    assert json.loads(first.payload)["pid"] == json.loads(second.payload)["pid"]
    assert "Init Duration" not in second.logs
    assert "handling echo" in second.logs and "init pid=" not in second.logs


def test_handler_error_is_an_error_outcome(runtime: LocalProcessRuntime) -> None:
    outcome = invoke(runtime, "req-err", action="fail")

    assert outcome.is_error
    assert json.loads(outcome.payload) == {"errorType": "ValueError", "errorMessage": "bad"}


def test_timeout_kills_process_and_next_invocation_gets_a_fresh_one(
    runtime: LocalProcessRuntime,
) -> None:
    slow_pid = runtime.pid
    outcome = invoke(runtime, "req-slow", action="sleep", seconds=30)

    assert outcome.is_error
    document = json.loads(outcome.payload)
    assert document["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in document["errorMessage"]
    assert "req-slow Task timed out after 1.00 seconds" in outcome.logs
    assert slow_pid is not None and not Path(f"/proc/{slow_pid}").exists()

    after = invoke(runtime, "req-next", action="echo")
    assert not after.is_error
    assert json.loads(after.payload)["pid"] != slow_pid
    assert "Init Duration" in after.logs


def test_crash_is_a_failed_invocation_and_recovers(runtime: LocalProcessRuntime) -> None:
    outcome = invoke(runtime, "req-crash", action="exit")

    assert outcome.is_error
    document = json.loads(outcome.payload)
    assert document["errorType"] == "Runtime.ExitError"
    assert "exit status 7" in document["errorMessage"]
    assert not invoke(runtime, "req-after", action="echo").is_error


def test_init_error_is_raised_with_payload_and_output(tmp_path: Path) -> None:
    environment = make_runtime(tmp_path, FAKE_INIT_ERROR="1")
    try:
        with pytest.raises(RuntimeInitError) as raised:
            environment.start()
    finally:
        environment.stop()

    assert json.loads(raised.value.payload)["errorType"] == "Runtime.ImportModuleError"
    assert "init failing" in raised.value.logs


def test_stop_kills_the_process(tmp_path: Path) -> None:
    environment = make_runtime(tmp_path)
    environment.start()
    pid = environment.pid

    environment.stop()

    assert pid is not None and not Path(f"/proc/{pid}").exists()
    assert environment.pid is None


def test_stop_lets_the_invocation_in_flight_finish(tmp_path: Path) -> None:
    # Lambda completes an invocation that started before an update with the previous code
    # and configuration ("Lambda function states", Lambda Developer Guide); LocalStack stops
    # the previous environment as soon as the update is ready, while it may be invoking.
    environment = make_runtime(tmp_path, timeout=5.0)
    environment.start()
    pid = environment.pid
    outcomes = []
    invoking = threading.Thread(
        target=lambda: outcomes.append(
            invoke(environment, "req-in-flight", action="sleep", seconds=0.5)
        )
    )
    invoking.start()
    time.sleep(0.2)  # the event is with the runtime

    environment.stop()
    invoking.join()

    assert not outcomes[0].is_error, outcomes[0].payload
    assert json.loads(outcomes[0].payload)["pid"] == pid
    assert pid is not None and not Path(f"/proc/{pid}").exists()
    with pytest.raises(RuntimeStartError, match="stopped"):
        invoke(environment, "req-after-stop", action="echo")


def test_stop_kills_an_invocation_that_outlasts_its_timeout(tmp_path: Path) -> None:
    environment = make_runtime(tmp_path, timeout=1.0)
    environment.start()
    outcomes = []
    invoking = threading.Thread(
        target=lambda: outcomes.append(invoke(environment, "req-stuck", action="sleep", seconds=60))
    )
    invoking.start()
    time.sleep(0.2)

    started = time.monotonic()
    environment.stop()
    invoking.join()

    assert time.monotonic() - started < 15
    assert json.loads(outcomes[0].payload)["errorType"] == "Sandbox.Timedout"


def test_rejects_non_positive_timeout(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="timeout_seconds must be positive"):
        make_runtime(tmp_path, timeout=0)
