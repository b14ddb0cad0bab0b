"""The migration path on live data: phase 0 deployed with ``cdklocal``, then the SAME stack
updated to phases 1..5 while a client keeps creating and reading orders.

Per step the report (printed, and build/migration/upgrade-report.json) gives the requests,
successes, client and server errors, orders lost and the update's wall time. After each step:
the template's table settings are in effect on the live table (described, not trusted from the
stack status), no acknowledged order is missing from the table, the table and (from phase 1)
the key keep their ARN and creation time, and ``order-kit migrate-check`` on the two templates
agrees (it calls the step safe, and nothing data-bearing was replaced). One step is first run
with an injected failure half-way (tests/migration/failing_app.py): it must roll back with
every order intact, and the same step run again must succeed. At phase 5 every order written at
any phase is read back through the API with its original data, and the orders written before
the stream processor existed are confirmed by ``order-kit confirm-pending``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kit.cli import main as order_kit
from localcloud.deploy import deployed_api_url
from tests.e2e.orders import without_processor_fields
from tests.e2e.signed_http import SignedApiClient
from tests.migration.cdk_cli import CdkLocal, CliRun
from tests.migration.live_state import (
    Identity,
    key_identity,
    physical_id,
    table_identity,
    table_mismatches,
)
from tests.migration.report import REPORT_PATH, StepReport, write_report
from tests.migration.traffic import OrderTraffic, StepCounts

pytestmark = pytest.mark.e2e

STACK = "ProductionOrderService"
#: The step the failed-step run first runs with an injected failure (its table update adds the
#: customer index).
FAILING_PHASE = 3
#: Orders written at phase 0 before the first update.
INITIAL_ORDERS = 10
FAILING_APP = f"{sys.executable} tests/migration/failing_app.py"
COLLISION_LOG_GROUP = "/order-kit/upgrade-test/injected-failure"


def _stack_status(clients: Callable[[str], Any]) -> str:
    return str(
        clients("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"]
    )


def _template(outdir: Path) -> dict[str, Any]:
    return dict(json.loads((outdir / f"{STACK}.template.json").read_text()))


def _lost(clients: Callable[[str], Any], table: str, traffic: OrderTraffic) -> list[str]:
    """Acknowledged orders the table does not hold (strongly consistent reads)."""
    dynamodb = clients("dynamodb")
    return [
        order_id
        for order_id in list(traffic.written)
        if "Item"
        not in dynamodb.get_item(
            TableName=table, Key={"orderId": {"S": order_id}}, ConsistentRead=True
        )
    ]


def _service_check(traffic: OrderTraffic) -> str:
    """One signed create and read after the step: does the service answer?"""
    counts = StepCounts()
    client = traffic.client(signed=True)
    order_id = traffic.create(client, counts, "after")
    if order_id is not None:
        traffic.read(client, order_id, counts)
    return "serves" if counts.successes == 2 else f"NOT serving ({'; '.join(counts.samples)})"


def _migrate_check(old: Path, new: Path) -> str:
    code = order_kit(
        ["migrate-check", str(old / f"{STACK}.template.json"), str(new / f"{STACK}.template.json")]
    )
    return "migrate-check: safe" if code == 0 else "migrate-check: UNSAFE"


def _step(
    label: str,
    phase: int,
    run: CliRun,
    counts: StepCounts,
    clients: Callable[[str], Any],
) -> StepReport:
    return StepReport(
        step=label,
        phase=phase,
        deploy_ok=run.ok,
        stack_status=_stack_status(clients),
        update_seconds=round(run.seconds, 1),
        requests=counts.requests,
        successes=counts.successes,
        client_errors=counts.client_errors,
        server_errors=counts.server_errors,
        network_errors=counts.network_errors,
        orders_written=counts.created,
        statuses=dict(counts.statuses),
        notes=list(counts.samples) + ([] if run.ok else [run.tail(15)]),
    )


@pytest.mark.parametrize(
    "failing_phase",
    [0, FAILING_PHASE],
    ids=["clean", "failed-step"],
)
def test_upgrade_phase_0_to_5_with_traffic(
    own_endpoint: str,
    clients: Callable[[str], Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    failing_phase: int,
) -> None:
    report_path = (
        REPORT_PATH
        if not failing_phase
        else REPORT_PATH.with_name("upgrade-report-failed-step.json")
    )
    report_path.unlink(missing_ok=True)  # no stale report stands for this run
    cdk = CdkLocal(own_endpoint)
    bootstrap = cdk.bootstrap()
    assert bootstrap.ok, bootstrap.tail()
    steps: list[StepReport] = []
    problems: list[str] = []

    # Phase 0: the naive start, created, with orders written through the open API.
    created = cdk.deploy(0, tmp_path / "phase0")
    assert created.ok, created.tail()
    api_url = deployed_api_url(clients, own_endpoint, STACK)
    assert api_url is not None
    traffic = OrderTraffic(api_url)
    counts = StepCounts()
    unsigned = traffic.client(signed=False)
    for _ in range(INITIAL_ORDERS):
        order_id = traffic.create(unsigned, counts, "phase 0")
        if order_id is not None:
            traffic.read(unsigned, order_id, counts)
    first = _step("create phase 0", 0, created, counts, clients)
    steps.append(first)
    table = physical_id(clients, STACK, "AWS::DynamoDB::Table")
    assert table is not None
    table_id = table_identity(clients, table)
    key_id: Identity | None = None
    key_arn: str | None = None
    first.table_mismatches = table_mismatches(
        clients, table, _template(tmp_path / "phase0"), key_arn
    )
    problems.extend(f"create phase 0: table {m}" for m in first.table_mismatches)
    previous = tmp_path / "phase0"

    def check_after(report: StepReport, template_dir: Path, label: str) -> None:
        nonlocal key_id, key_arn
        lost = _lost(clients, table, traffic)
        report.orders_lost = len(lost)
        if lost:
            problems.append(f"{label}: {len(lost)} acknowledged orders missing: {lost[:5]}")
        if table_identity(clients, table) != table_id:
            report.replaced.append("table")
        key = physical_id(clients, STACK, "AWS::KMS::Key")
        if key is not None:
            current = key_identity(clients, key)
            key_id = key_id or current
            key_arn = current.arn
            if current != key_id:
                report.replaced.append("key")
        report.table_mismatches = table_mismatches(clients, table, _template(template_dir), key_arn)
        report.service_after = _service_check(traffic)
        problems.extend(f"{label}: table {m}" for m in report.table_mismatches)
        problems.extend(f"{label}: {what} replaced" for what in report.replaced)
        if report.service_after != "serves":
            problems.append(f"{label}: after the update the API is {report.service_after}")

    for phase in range(1, 6):
        outdir = tmp_path / f"phase{phase}"
        if phase == failing_phase:
            clients("logs").create_log_group(logGroupName=COLLISION_LOG_GROUP)
            cdk.environment["ORDER_KIT_UPGRADE_COLLISION"] = COLLISION_LOG_GROUP
            label = f"{phase - 1} -> {phase} (failing)"
            with traffic.running(signed=True, label=label) as counts:
                run = cdk.deploy(phase, tmp_path / f"phase{phase}-failing", app=FAILING_APP)
            report = _step(label, phase, run, counts, clients)
            report.migrate_check = "(injected failure)"
            steps.append(report)
            if run.ok or report.stack_status != "UPDATE_ROLLBACK_COMPLETE":
                problems.append(
                    f"{label}: expected a rollback to UPDATE_ROLLBACK_COMPLETE, got "
                    f"{report.stack_status} (deploy exit {run.returncode})"
                )
            # After the rollback the table is as the previous phase left it.
            check_after(report, previous, label)
            clients("logs").delete_log_group(logGroupName=COLLISION_LOG_GROUP)
        label = f"{phase - 1} -> {phase}" + (" (again)" if phase == failing_phase else "")
        with traffic.running(signed=True, label=label) as counts:
            run = cdk.deploy(phase, outdir)
        report = _step(label, phase, run, counts, clients)
        report.migrate_check = _migrate_check(previous, outdir)
        steps.append(report)
        if not run.ok or report.stack_status != "UPDATE_COMPLETE":
            problems.append(f"{label}: {report.stack_status}: {run.tail(15)}")
        check_after(report, outdir, label)
        if report.migrate_check.endswith("safe") and report.replaced:
            problems.append(f"{label}: migrate-check called it safe but {report.replaced} changed")
        previous = outdir

    # At phase 5: every order ever acknowledged, read through the API with its original data.
    api = SignedApiClient(api_url)
    unreadable = []
    for order_id, written in traffic.written.items():
        response = api.get(f"/orders/{order_id}")
        if response.status != 200 or without_processor_fields(
            response.body
        ) != without_processor_fields(written.body):
            unreadable.append(f"{order_id} ({written.phase_label}): {response.status}")
    problems.extend(f"at phase 5 not readable as written: {entry}" for entry in unreadable[:20])

    # The orders written before the processor existed: confirmed by the one-off backfill.
    outputs = clients("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]["Outputs"]
    sweep = {o["OutputKey"]: o["OutputValue"] for o in outputs}.get("PendingSweepFunctionName")
    if sweep is None:
        problems.append("no PendingSweepFunctionName output: phase 5 is not deployed")
        _finish(steps, traffic, [], list(traffic.written), problems, report_path)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    backfill_code = order_kit(
        [
            "confirm-pending",
            "--function",
            str(sweep),
            "--endpoint-url",
            own_endpoint,
            "--region",
            "us-east-1",
        ]
    )
    # Orders of the last step are the processor's (from their stream records): allow a minute.
    deadline = time.monotonic() + 60
    while True:
        pending = [
            order_id
            for order_id in traffic.written
            if (api.get(f"/orders/{order_id}").body or {}).get("status") != "CONFIRMED"
        ]
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(2.0)
    if backfill_code != 0 or pending:
        problems.append(
            f"confirm-pending exit {backfill_code}; {len(pending)} orders still not CONFIRMED"
        )

    _finish(steps, traffic, unreadable, pending, problems, report_path)


def _finish(
    steps: list[StepReport],
    traffic: OrderTraffic,
    unreadable: list[str],
    pending: list[str],
    problems: list[str],
    report_path: Path,
) -> None:
    """Print and write the report; fail with every problem found."""
    summary = {
        "orders_written": len(traffic.written),
        "orders_unreadable_at_phase_5": len(unreadable),
        "orders_not_confirmed_after_backfill": len(pending),
        "problems": problems,
    }
    print("\n" + write_report(steps, summary, report_path))
    assert not problems, "\n".join(problems)
