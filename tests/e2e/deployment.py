"""One deployment of the reference app per test process, shared by every conftest that needs it.

``tests/e2e`` and ``tests/reliability`` both need the deployed app. Each conftest that imports
the fixtures gets its own fixture definition, so a session-scoped fixture alone would deploy once
per directory; this module deploys once per endpoint and process and hands the same result (and
the cloud assembly it came from) to every caller.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from localcloud.deploy import DeployResult, deploy


@dataclass(frozen=True)
class Deployment:
    """The deployed stack and the cloud assembly directory it was synthesized into."""

    result: DeployResult
    assembly_dir: Path


_lock = threading.Lock()
_deployments: dict[str, Deployment] = {}


def shared_deployment(endpoint: str, assembly_dir: Path) -> Deployment:
    """Deploy the reference app to ``endpoint`` on first call; return the same deployment after.

    Parameters
    ----------
    endpoint : str
        The local cloud endpoint.
    assembly_dir : Path
        Where to synthesize on the first call (later calls keep the first directory).

    Raises
    ------
    DeployError
        The deployment failed (raised again on every call until one succeeds).
    """
    with _lock:
        if endpoint not in _deployments:
            (result,) = deploy(endpoint, assembly_dir, log=lambda message: None)
            _deployments[endpoint] = Deployment(result, assembly_dir)
        return _deployments[endpoint]
