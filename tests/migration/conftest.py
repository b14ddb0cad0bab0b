"""A local cloud of the upgrade test's own.

The reference stack's name is fixed (``ProductionOrderService``), and the e2e tests deploy it
too; the upgrade deploys and updates it through ``cdklocal`` on an embedded LocalStack instance
that nothing else uses (``upgrade-<pid>``, any free port), one per test, stopped after it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from localcloud.clients import local_client
from localcloud.errors import LocalCloudError
from localcloud.layout import StateLayout
from localcloud.provision import provision_all
from localcloud.server import LocalStackServer


@pytest.fixture()
def own_endpoint() -> Iterator[str]:
    layout = StateLayout.default()
    try:
        provision_all(layout)
        server = LocalStackServer(layout, f"upgrade-{os.getpid()}", port=0)
        endpoint = str(server.start().endpoint)
    except LocalCloudError as error:
        pytest.fail(f"the local cloud cannot be provided: {error}", pytrace=False)
    try:
        yield endpoint
    finally:
        server.stop()
        shutil.rmtree(server.instance_dir, ignore_errors=True)


@pytest.fixture()
def clients(own_endpoint: str) -> Callable[[str], Any]:
    def client(service: str) -> Any:
        return local_client(own_endpoint, service)

    return client
