"""One local cloud per test session, shared by every conftest that asks for it.

Several conftest files (``tests/e2e``, ``tests/localcloud``) define session fixtures that need
the local cloud; each of them calls :func:`acquire_endpoint` / :func:`release_endpoint`, so in
one pytest process the embedded LocalStack starts once and stops after the last user.
Each pytest process gets its own instance (``pytest-<pid>``, any free port), so parallel runs
and a developer's ``make local`` instance do not collide; instances left by a test run that
was killed are stopped on the next start.
"""

from __future__ import annotations

import os
import shutil
import threading

from localcloud.layout import StateLayout
from localcloud.provision import provision_all
from localcloud.server import LocalStackServer
from localcloud.target import check_reachable, configured_endpoint

INSTANCE_PREFIX = "pytest-"

_lock = threading.Lock()
_users = 0
_endpoint: str | None = None
_server: LocalStackServer | None = None


def acquire_endpoint(layout: StateLayout | None = None) -> str:
    """Return the session's endpoint, starting the embedded LocalStack on first use.

    Raises
    ------
    LocalCloudError
        The endpoint cannot be provided (missing interpreter, failed install or start,
        unreachable configured endpoint); the message says why.
    """
    global _users, _endpoint, _server
    with _lock:
        if _endpoint is None:
            configured = configured_endpoint()
            if configured is not None:
                check_reachable(configured)
                _endpoint = configured
            else:
                layout = layout or StateLayout.default()
                stop_orphaned_instances(layout)
                provision_all(layout)
                server = LocalStackServer(layout, f"{INSTANCE_PREFIX}{os.getpid()}", port=0)
                status = server.start()
                _server, _endpoint = server, status.endpoint
        _users += 1
        assert _endpoint is not None
        return _endpoint


def release_endpoint() -> None:
    """Give the endpoint back; the last user stops the embedded LocalStack (if one started)."""
    global _users, _endpoint, _server
    with _lock:
        _users = max(0, _users - 1)
        if _users == 0 and _server is not None:
            _server.stop()
            shutil.rmtree(_server.instance_dir, ignore_errors=True)
            _server, _endpoint = None, None
        elif _users == 0:
            _endpoint = None


def stop_orphaned_instances(layout: StateLayout) -> list[str]:
    """Stop test instances whose pytest process is gone; return their names."""
    stopped = []
    instances = layout.root / "instances"
    for directory in sorted(instances.glob(f"{INSTANCE_PREFIX}*")) if instances.exists() else []:
        owner = directory.name.removeprefix(INSTANCE_PREFIX)
        if owner.isdigit() and _alive(int(owner)):
            continue
        LocalStackServer(layout, directory.name).stop()
        shutil.rmtree(directory, ignore_errors=True)
        stopped.append(directory.name)
    return stopped


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
