"""Finding a Python version (3.13 for the harness), and the error when one is missing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from localcloud.errors import InterpreterNotFoundError
from localcloud.interpreters import find_interpreter, override_variable

THIS_VERSION = f"{sys.version_info[0]}.{sys.version_info[1]}"


def test_override_variable_names() -> None:
    assert override_variable("3.13") == "LOCALCLOUD_PYTHON313"
    assert override_variable("3.12") == "LOCALCLOUD_PYTHON312"


def test_override_is_used_when_it_has_the_right_version() -> None:
    found = find_interpreter(
        THIS_VERSION, environ={override_variable(THIS_VERSION): sys.executable}
    )
    assert found == Path(sys.executable)


def test_missing_interpreter_error_says_what_and_how(tmp_path: Path) -> None:
    with pytest.raises(InterpreterNotFoundError) as raised:
        find_interpreter("3.13", environ={}, candidates=[tmp_path / "python3.13"])

    message = str(raised.value)
    assert "No Python 3.13 found" in message
    assert str(tmp_path / "python3.13") in message
    assert "LOCALCLOUD_PYTHON313" in message
    assert "LOCALSTACK_ENDPOINT" in message and "container" in message


def test_override_with_wrong_version_is_refused() -> None:
    wrong = "3.12" if THIS_VERSION != "3.12" else "3.13"
    variable = override_variable(wrong)
    with pytest.raises(InterpreterNotFoundError, match=f"is Python {THIS_VERSION}"):
        find_interpreter(wrong, environ={variable: sys.executable})


def test_override_that_does_not_run_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InterpreterNotFoundError, match="does not run"):
        find_interpreter("3.12", environ={"LOCALCLOUD_PYTHON312": str(tmp_path / "nope")})


def test_first_matching_candidate_wins(tmp_path: Path) -> None:
    found = find_interpreter(
        THIS_VERSION, environ={}, candidates=[tmp_path / "missing", Path(sys.executable)]
    )
    assert found == Path(sys.executable)
