"""``order-kit confirm-pending``: one invocation of the sweep function with a minimum age."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from kit.cli import main
from kit.pending_backfill import BackfillError, confirm_pending


class FakeLambda:
    """Records invocations; answers with ``payload`` (and a FunctionError when ``error``)."""

    def __init__(self, payload: Any, error: bool = False) -> None:
        self.payload, self.error = payload, error
        self.calls: list[dict[str, Any]] = []

    def invoke(self, **request: Any) -> dict[str, Any]:
        self.calls.append(request)
        response: dict[str, Any] = {"Payload": io.BytesIO(json.dumps(self.payload).encode())}
        if self.error:
            response["FunctionError"] = "Unhandled"
        return response


REPORT = {"confirmed": 3, "alreadyHandled": 1, "oldestPendingOrderAgeSeconds": 0.0}


def test_invokes_the_sweep_with_the_minimum_age() -> None:
    client = FakeLambda(REPORT)
    assert confirm_pending(client, "sweep-fn", 0) == REPORT
    (call,) = client.calls
    assert call["FunctionName"] == "sweep-fn"
    assert json.loads(call["Payload"]) == {"minAgeMinutes": 0}


def test_a_failing_function_is_an_error_with_its_message() -> None:
    client = FakeLambda({"errorMessage": "minAgeMinutes must be ..."}, error=True)
    with pytest.raises(BackfillError, match="minAgeMinutes must be"):
        confirm_pending(client, "sweep-fn", 0)


@pytest.mark.parametrize("minutes", [-1, 1441, True])
def test_rejects_an_age_out_of_range(minutes: Any) -> None:
    with pytest.raises(ValueError, match=r"0\.\.1440"):
        confirm_pending(FakeLambda(REPORT), "sweep-fn", minutes)


def test_cli_rejects_a_bad_age(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["confirm-pending", "--function", "f", "--min-age-minutes", "-3"])
    assert exit_info.value.code == 2
    assert "a whole number of minutes from 0 to 1440" in capsys.readouterr().err
