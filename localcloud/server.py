"""Start, stop and inspect one host-mode LocalStack instance.

An instance is a LocalStack process (``python -m localstack.runtime.main`` from the harness
venv) in its own session and process group, with a PID file, a log and its state in
``<state dir>/instances/<name>``. Lambda runtime processes started by the local-process
executor stay in that process group, so :meth:`LocalStackServer.stop` ends everything by
process group: SIGTERM (LocalStack shuts its services down), then SIGKILL for what is left.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from localcloud.errors import PortInUseError, ProvisionError, StartError
from localcloud.layout import StateLayout
from localcloud.settings import localstack_environment, state_directories

DEFAULT_PORT = 4566
HEALTH_PATH = "/_localstack/health"
_LOG_TAIL_LINES = 40
# LocalStack's graceful shutdown sometimes hangs once Lambda has run (its CloudWatch Logs
# subscriber waits on the gateway that is shutting down). Nothing is persisted, so after a
# short grace period the whole process group is killed.
GRACEFUL_STOP_SECONDS = 5.0


@dataclass(frozen=True)
class ServerStatus:
    """What is known about an instance.

    Parameters
    ----------
    running
        A LocalStack process of this instance is alive.
    healthy
        Its health endpoint answers.
    pid
        Process id (also the process group id), if running.
    port
        Gateway port, if running.
    """

    running: bool
    healthy: bool
    pid: int | None = None
    port: int | None = None

    @property
    def endpoint(self) -> str | None:
        """``http://127.0.0.1:<port>`` of a running instance."""
        return f"http://127.0.0.1:{self.port}" if self.running and self.port else None


def health_url(endpoint: str) -> str:
    """LocalStack's health URL for an endpoint."""
    return endpoint.rstrip("/") + HEALTH_PATH


def is_healthy(endpoint: str, timeout: float = 2.0) -> bool:
    """True when ``GET /_localstack/health`` answers 200 with a JSON document of services."""
    try:
        with urllib.request.urlopen(health_url(endpoint), timeout=timeout) as response:  # noqa: S310
            return response.status == 200 and "services" in json.loads(response.read())
    except (OSError, ValueError):
        return False


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def processes_in_group(pgid: int) -> list[int]:
    """Processes of a process group that still run, read from ``/proc``.

    A process counts until every one of its threads has exited: after SIGKILL the main thread
    of a multi-threaded process can already be a zombie while other threads still hold its
    sockets. Fully exited zombies hold nothing and are left out.
    """
    if not Path("/proc/self/stat").exists():
        return _group_alive_without_proc(pgid)
    members = []
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        fields = _stat_fields(stat_file)
        if fields is None or int(fields[2]) != pgid:
            continue
        if fields[0] != "Z" or any(
            (task := _stat_fields(task_stat)) is not None and task[0] != "Z"
            for task_stat in stat_file.parent.glob("task/[0-9]*/stat")
        ):
            members.append(int(stat_file.parent.name))
    return sorted(members)


def _group_alive_without_proc(pgid: int) -> list[int]:
    """Fallback for systems without ``/proc`` (macOS): signal 0 tells if the group has members."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return []
    except PermissionError:
        pass  # members exist but belong to someone else
    return [pgid]


def _command_line(pid: int) -> list[str]:
    """Arguments of a running process (``/proc``, else ``ps``); empty if it is gone."""
    try:
        return [
            part.decode(errors="replace")
            for part in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        ]
    except OSError:
        pass
    if Path("/proc/self").exists():
        return []
    result = subprocess.run(
        ["ps", "-o", "command=", "-p", str(pid)],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.split() if result.returncode == 0 else []


def _stat_fields(stat_file: Path) -> list[str] | None:
    """Fields of a ``/proc/.../stat`` file after the command name (state first), or None."""
    try:
        stat = stat_file.read_text()
    except OSError:
        return None  # the process ended while we looked
    # The command name is in parentheses and may contain spaces: split after it.
    return stat[stat.rfind(")") + 2 :].split()


class LocalStackServer:
    """One LocalStack instance of the embedded local cloud.

    Parameters
    ----------
    layout
        Harness state directory (venvs and instances).
    instance
        Instance name; its state lives in ``layout.instance_dir(instance)``.
    port
        Gateway port on 127.0.0.1; ``0`` picks a free port at start.
    start_timeout
        Seconds to wait for the health endpoint.

    Examples
    --------
    >>> server = LocalStackServer(StateLayout.default(), port=0)  # doctest: +SKIP
    >>> server.start().endpoint  # doctest: +SKIP
    'http://127.0.0.1:39231'
    >>> server.stop()  # doctest: +SKIP
    True
    """

    def __init__(
        self,
        layout: StateLayout,
        instance: str = "default",
        port: int = DEFAULT_PORT,
        start_timeout: float = 90.0,
    ) -> None:
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be within 0-65535, got {port}")
        self.layout = layout
        self.instance = instance
        self.instance_dir = layout.instance_dir(instance)
        self.port = port
        self.start_timeout = start_timeout
        # Kept when this process started LocalStack, to reap it (a zombie leader would
        # otherwise look alive).
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid_file(self) -> Path:
        """JSON file with ``pid``, ``port`` and ``owner_pid`` of the running instance."""
        return self.instance_dir / "localstack.pid"

    @property
    def log_file(self) -> Path:
        """LocalStack's combined stdout/stderr."""
        return self.instance_dir / "localstack.log"

    def status(self) -> ServerStatus:
        """Report whether the instance runs and answers; removes a stale PID file."""
        record = self._read_pid_file()
        if record is None:
            return ServerStatus(running=False, healthy=False)
        pid, port = int(record["pid"]), int(record["port"])
        if not self._is_our_localstack(pid):
            self.pid_file.unlink(missing_ok=True)
            return ServerStatus(running=False, healthy=False)
        return ServerStatus(
            running=True, healthy=is_healthy(f"http://127.0.0.1:{port}"), pid=pid, port=port
        )

    def start(self) -> ServerStatus:
        """Start LocalStack and wait until it is healthy (no-op if already running).

        Returns
        -------
        ServerStatus
            The running, healthy instance.

        Raises
        ------
        ProvisionError
            The LocalStack venv is missing (run ``python -m localcloud provision``).
        PortInUseError
            The port is taken by another program.
        StartError
            LocalStack exited or did not become healthy in time; it is stopped and the
            message ends with the tail of its log.
        """
        current = self.status()
        if current.running and current.healthy:
            return current
        if current.running:
            self.stop()
        python = self.layout.localstack_python
        if not python.exists():
            raise ProvisionError(
                f"the LocalStack venv {self.layout.localstack_venv} does not exist;"
                " run `python -m localcloud provision` first"
            )
        port = self.port or free_port()
        if not port_is_free(port):
            raise PortInUseError(
                f"port {port} on 127.0.0.1 is in use by another program; stop it, choose"
                " another port (`python -m localcloud up --port N`, LOCALCLOUD_PORT=N, or 0 for"
                " any free port), or point LOCALSTACK_ENDPOINT at a LocalStack already running"
            )
        for directory in state_directories(self.instance_dir):
            directory.mkdir(parents=True, exist_ok=True)
        environment = localstack_environment(self.instance_dir, port, self.layout.lambda_python)
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(
                [str(python), "-m", "localstack.runtime.main"],
                cwd=self.instance_dir,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # own process group: stop() ends all it started
            )
        self._write_pid_file(self._process.pid, port)
        self._wait_until_healthy(self._process, port)
        return ServerStatus(running=True, healthy=True, pid=self._process.pid, port=port)

    def stop(self, timeout: float = GRACEFUL_STOP_SECONDS) -> bool:
        """Stop the instance and every process in its process group.

        Parameters
        ----------
        timeout
            Seconds to wait after SIGTERM before SIGKILL.

        Returns
        -------
        bool
            True if an instance was running.
        """
        record = self._read_pid_file()
        if record is None:
            return False
        pid = int(record["pid"])
        was_running = self._is_our_localstack(pid)
        if was_running:
            self._signal_group(pid, signal.SIGTERM)
            if not self._wait_for_group_exit(pid, timeout):
                self._signal_group(pid, signal.SIGKILL)
                self._wait_for_group_exit(pid, 10.0)
        self.pid_file.unlink(missing_ok=True)
        self._process = None
        return was_running

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        """The last ``lines`` lines of the LocalStack log."""
        if not self.log_file.exists():
            return "(no log written)"
        return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])

    def _wait_until_healthy(self, process: subprocess.Popen[bytes], port: int) -> None:
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                self.pid_file.unlink(missing_ok=True)
                raise StartError(
                    f"LocalStack exited with code {process.returncode} during start-up."
                    f" Last lines of {self.log_file}:\n{self.log_tail()}"
                )
            if is_healthy(endpoint, timeout=1.0):
                return
            time.sleep(0.2)
        tail = self.log_tail()
        self.stop()
        raise StartError(
            f"LocalStack did not become healthy at {health_url(endpoint)} within"
            f" {self.start_timeout:.0f} s and was stopped. Last lines of {self.log_file}:\n{tail}"
        )

    def _is_our_localstack(self, pid: int) -> bool:
        """True when ``pid`` is alive and runs LocalStack from this harness's venv.

        Guards against a recycled PID after a reboot or a crash: we never signal a process we
        did not start.
        """
        if self._process is not None and self._process.pid == pid:
            return self._process.poll() is None
        arguments = _command_line(pid)
        return "localstack.runtime.main" in arguments and any(
            str(self.layout.localstack_venv) in argument for argument in arguments
        )

    def _signal_group(self, pgid: int, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signum)

    def _wait_for_group_exit(self, pgid: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None:
                self._process.poll()  # reap our own child so it does not linger as a zombie
            if not processes_in_group(pgid):
                return True
            time.sleep(0.1)
        return False

    def _read_pid_file(self) -> dict[str, int] | None:
        try:
            record = json.loads(self.pid_file.read_text())
        except (OSError, ValueError):
            return None
        return record if isinstance(record, dict) and "pid" in record else None

    def _write_pid_file(self, pid: int, port: int) -> None:
        self.pid_file.write_text(
            json.dumps({"pid": pid, "port": port, "owner_pid": os.getpid()}) + "\n"
        )
