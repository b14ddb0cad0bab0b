"""Provisioning (stamp-based, exact pins) and the command line."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kit.props import DEFAULT_RUNTIME
from localcloud import LAMBDA_PYTHON_VERSION, LAMBDA_RUNTIME
from localcloud.layout import LAMBDA_RUNTIME_REQUIREMENTS, LOCALSTACK_REQUIREMENTS, StateLayout
from localcloud.provision import inputs_digest, is_current, plugin_files, provision_all

REPOSITORY = Path(__file__).resolve().parents[2]


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("LOCALSTACK_ENDPOINT", "AWS_ENDPOINT_URL")
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "localcloud", *args],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_local_runtime_is_the_kits_default_runtime() -> None:
    # The e2e tests deploy the kit's defaults: the local cloud must play that runtime, in a
    # venv named for it and built from that Python.
    assert LAMBDA_RUNTIME == DEFAULT_RUNTIME == f"python{LAMBDA_PYTHON_VERSION}"
    assert StateLayout(Path("/s")).lambda_runtime_venv == Path(f"/s/lambda-{LAMBDA_RUNTIME}")


def test_digest_changes_with_content(tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("a==1\n")
    before = inputs_digest([requirements], ["3.13"])
    requirements.write_text("a==2\n")

    assert inputs_digest([requirements], ["3.13"]) != before
    assert inputs_digest([requirements], ["3.12"]) != inputs_digest([requirements], ["3.13"])


def test_stamp_must_match(tmp_path: Path) -> None:
    (tmp_path / ".localcloud-stamp").write_text("abc\n")
    assert is_current(tmp_path, "abc")
    assert not is_current(tmp_path, "abd")
    assert not is_current(tmp_path / "missing", "abc")


def test_plugin_files_are_sources_only() -> None:
    names = {path.name for path in plugin_files()}
    assert {"pyproject.toml", "executor.py", "dynamodb_moto.py", "runtime_api.py"} <= names
    assert not any(name.endswith(".pyc") for name in names)


def test_requirement_files_are_exact_pins() -> None:
    for path in (LOCALSTACK_REQUIREMENTS, LAMBDA_RUNTIME_REQUIREMENTS):
        pins = [
            line.split("#")[0].strip()
            for line in path.read_text().splitlines()
            if line.split("#")[0].strip()
        ]
        assert pins, path
        assert all("==" in pin for pin in pins), path
    runtime = LAMBDA_RUNTIME_REQUIREMENTS.read_text()
    assert "aws-lambda-powertools==3.37.0" in runtime and "fastjsonschema==2.22.3" in runtime


@pytest.mark.e2e
def test_provisioning_again_is_a_no_op(local_endpoint: str) -> None:
    # local_endpoint has provisioned the default layout (unless an endpoint is configured).
    layout = StateLayout.default()
    if not layout.localstack_python.exists():
        pytest.fail("the harness venvs were not provisioned (is LOCALSTACK_ENDPOINT set?)")
    started = time.monotonic()
    results = provision_all(layout, log=lambda message: None)

    assert [result.installed for result in results] == [False, False]
    assert time.monotonic() - started < 15


def test_cli_up_without_python313_fails_clearly(tmp_path: Path) -> None:
    result = run_cli(
        "up",
        LOCALCLOUD_STATE_DIR=str(tmp_path),
        LOCALCLOUD_PYTHON313=str(tmp_path / "no-python3.13"),
    )

    assert result.returncode == 1
    assert "LOCALCLOUD_PYTHON313" in result.stderr and "does not run" in result.stderr
    assert "LOCALSTACK_ENDPOINT" in result.stderr
    assert not (tmp_path / "localstack-venv").exists()


def test_cli_up_with_configured_endpoint_starts_nothing(
    tmp_path: Path, local_endpoint: str
) -> None:
    result = run_cli("up", LOCALCLOUD_STATE_DIR=str(tmp_path), LOCALSTACK_ENDPOINT=local_endpoint)

    assert result.returncode == 0, result.stderr
    assert f"Using the configured endpoint {local_endpoint}; nothing started." in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_cli_status_and_env_when_not_running(tmp_path: Path) -> None:
    status = run_cli("status", LOCALCLOUD_STATE_DIR=str(tmp_path))
    env = run_cli("env", LOCALCLOUD_STATE_DIR=str(tmp_path))

    assert status.returncode == 3 and "not running" in status.stdout
    assert env.returncode == 3 and "python -m localcloud up" in env.stderr


def test_cli_env_prints_exports_for_a_configured_endpoint() -> None:
    result = run_cli("env", LOCALSTACK_ENDPOINT="http://127.0.0.1:4599")

    assert result.returncode == 0
    assert "export AWS_ENDPOINT_URL=http://127.0.0.1:4599" in result.stdout.splitlines()
    assert "export LOCALSTACK_ENDPOINT=http://127.0.0.1:4599" in result.stdout.splitlines()
    # cdklocal refuses AWS_ENDPOINT_URL without AWS_ENDPOINT_URL_S3; an IP endpoint means
    # path-style buckets, so no *.localhost.localstack.cloud DNS is needed.
    assert "export AWS_ENDPOINT_URL_S3=http://127.0.0.1:4599" in result.stdout.splitlines()
    # The reference app leaves out the cross-account Powertools layer without a -c option.
    assert "export ORDER_KIT_POWERTOOLS_LAYER=false" in result.stdout.splitlines()
    # Nothing deployed there (nothing answers): no API URL line.
    assert "ORDER_KIT_API_URL" not in result.stdout
