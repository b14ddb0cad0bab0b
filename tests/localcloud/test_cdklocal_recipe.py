"""The README's `cdk` / `cdklocal` recipe, run as written on the embedded local cloud.

The shell block under "Deploy with `cdk` / `cdklocal`" is taken from README.md and run with
``bash -euo pipefail`` from the repository root, on an instance of its own (``LOCALCLOUD_INSTANCE``,
``LOCALCLOUD_PORT=0``: any free port) and without AWS or LocalStack settings from the caller's
environment: what a new user with a fresh shell types.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from localcloud.layout import REPOSITORY_ROOT, StateLayout

pytestmark = pytest.mark.e2e

HEADING = "### Deploy with `cdk` / `cdklocal`"


def readme_recipe() -> str:
    text = (REPOSITORY_ROOT / "README.md").read_text()
    section = text.split(HEADING, 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.DOTALL)
    assert match, f"no sh block under {HEADING!r} in README.md"
    return match.group(1)


def test_readme_recipe_names_bootstrap_deploy_phase_and_api_url() -> None:
    recipe = readme_recipe()
    for needed in (
        'eval "$(python -m localcloud env)"',
        "cdklocal bootstrap",
        "cdklocal deploy",
        "-c order-kit:phase=",
        "$ORDER_KIT_API_URL/orders",
    ):
        assert needed in recipe, needed


def test_readme_cdklocal_recipe_works_as_written() -> None:
    instance = f"recipe-{os.getpid()}"
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "CDK_", "LOCALSTACK_", "ORDER_KIT_", "LOCALCLOUD_"))
    }
    environment.update(
        LOCALCLOUD_INSTANCE=instance, LOCALCLOUD_PORT="0", CDK_DISABLE_CLI_TELEMETRY="true"
    )
    try:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", readme_recipe()],
            cwd=REPOSITORY_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    finally:
        subprocess.run(
            [sys.executable, "-m", "localcloud", "down", "--instance", instance],
            cwd=REPOSITORY_ROOT,
            capture_output=True,
            check=False,
        )
        shutil.rmtree(StateLayout.default().root / "instances" / instance, ignore_errors=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    assert "Environment aws://000000000000/us-east-1 bootstrapped" in output, output[-3000:]
    assert "ProductionOrderService" in output
    orders = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert orders, f"the signed curl printed no order:\n{result.stdout[-3000:]}"
    assert orders[-1]["status"] == "PENDING"
    assert orders[-1]["customerId"] == "cust-0001"
