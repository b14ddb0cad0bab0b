"""Start, stop and status of an embedded LocalStack instance.

The lifecycle tests start their own instance (beside the session's) on a free port.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from localcloud import LAMBDA_RUNTIME
from localcloud.clients import local_client
from localcloud.errors import PortInUseError, ProvisionError, StartError
from localcloud.layout import StateLayout
from localcloud.server import LocalStackServer, processes_in_group


def listening_addresses(port: int) -> set[str]:
    """IPv4/IPv6 addresses that listen on ``port``, read from /proc/net/tcp{,6}."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if int(port_hex, 16) == port and fields[3] == "0A":  # 0A = LISTEN
                addresses.add(address)
    return addresses


def runtime_processes(pgid: int) -> list[int]:
    return [
        pid
        for pid in processes_in_group(pgid)
        if b"awslambdaric" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


@pytest.fixture
def own_instance(local_endpoint: str) -> Iterator[LocalStackServer]:
    # local_endpoint first: it provisions the venvs this instance runs from.
    server = LocalStackServer(StateLayout.default(), f"lifecycle-{os.getpid()}", port=0)
    yield server
    server.stop()
    shutil.rmtree(server.instance_dir, ignore_errors=True)


@pytest.mark.e2e
def test_start_binds_loopback_only_and_stop_leaves_no_process(
    own_instance: LocalStackServer,
) -> None:
    # Given a started instance that has run a Lambda function
    status = own_instance.start()
    assert status.running and status.healthy and status.pid and status.port
    assert listening_addresses(status.port) == {"0100007F"}  # 127.0.0.1, nothing else
    assert own_instance.start().pid == status.pid  # starting again is a no-op
    start_lambda_runtime(str(status.endpoint))
    assert runtime_processes(status.pid), "expected a running awslambdaric process"

    # When it is stopped
    assert own_instance.stop() is True

    # Then no process of its process group is left, and nothing listens any more
    assert processes_in_group(status.pid) == []
    assert listening_addresses(status.port) == set()
    assert not own_instance.pid_file.exists()
    assert own_instance.status().running is False
    assert own_instance.stop() is False


def start_lambda_runtime(endpoint: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return 'ok'\n")
    iam, lambda_client = local_client(endpoint, "iam"), local_client(endpoint, "lambda")
    role = iam.create_role(
        RoleName="lifecycle",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
    )["Role"]["Arn"]
    lambda_client.create_function(
        FunctionName="lifecycle",
        Runtime=LAMBDA_RUNTIME,
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": buffer.getvalue()},
    )
    lambda_client.get_waiter("function_active_v2").wait(FunctionName="lifecycle")
    assert lambda_client.invoke(FunctionName="lifecycle")["Payload"].read() == b'"ok"'


def test_port_in_use_is_reported(tmp_path: Path) -> None:
    layout = fake_layout(tmp_path, "exit 0")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(PortInUseError, match=f"port {port} on 127.0.0.1 is in use"):
            LocalStackServer(layout, "t", port=port).start()


def test_start_failure_reports_exit_code_and_log_tail(tmp_path: Path) -> None:
    layout = fake_layout(tmp_path, 'echo "ImportError: no module named localstack"; exit 3')

    with pytest.raises(StartError) as raised:
        LocalStackServer(layout, "t", port=0).start()

    assert "exited with code 3" in str(raised.value)
    assert "ImportError: no module named localstack" in str(raised.value)


def test_unhealthy_start_times_out_and_is_stopped(tmp_path: Path) -> None:
    layout = fake_layout(tmp_path, "echo still starting; exec sleep 60")
    server = LocalStackServer(layout, "t", port=0, start_timeout=1)

    with pytest.raises(StartError, match="did not become healthy") as raised:
        server.start()

    assert "still starting" in str(raised.value)
    assert server.status().running is False


def test_missing_venv_says_to_provision(tmp_path: Path) -> None:
    with pytest.raises(ProvisionError, match="python -m localcloud provision"):
        LocalStackServer(StateLayout(tmp_path), "t", port=0).start()


def test_stale_pid_file_is_not_trusted(tmp_path: Path) -> None:
    server = LocalStackServer(StateLayout(tmp_path), "t")
    server.instance_dir.mkdir(parents=True)
    # Our own PID: alive, but not a LocalStack of this harness, so never signalled.
    server.pid_file.write_text(json.dumps({"pid": os.getpid(), "port": 1}))

    assert server.status().running is False
    assert not server.pid_file.exists()
    assert server.stop() is False


def test_invalid_port_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="port must be within 0-65535"):
        LocalStackServer(StateLayout(tmp_path), port=70000)


def fake_layout(tmp_path: Path, script: str) -> StateLayout:
    """A layout whose 'LocalStack venv' interpreter is a shell script."""
    layout = StateLayout(tmp_path / "state")
    python = layout.localstack_python
    python.parent.mkdir(parents=True)
    python.write_text(f"#!/bin/sh\n{script}\n")
    python.chmod(python.stat().st_mode | stat.S_IXUSR)
    return layout
