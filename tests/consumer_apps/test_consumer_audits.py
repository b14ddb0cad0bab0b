"""Apps the kit was not designed around audit clean: with ``order-kit audit``, and with the bare
tools a user runs in their own pipeline (checkov, cfn-lint, the five cdk-nag packs added by
the test itself), with no kit code in the loop. What the user adds next to the construct still
fails, named precisely; the early migration phases still fail.

One synthesis per app, shared by the tests (session fixtures): ``matrix`` holds every passing
placement and prop combination (two stacks with WAF off/on, a nested construct with Cognito
and custom concurrency and retention, a ``Stage`` with Cognito and WAF).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import Validations
from cdk_nag import (
    AwsSolutionsChecks,
    HIPAASecurityChecks,
    NIST80053R5Checks,
    PCIDSS321Checks,
    ServerlessChecks,
)

from kit import ProductionOrderService
from tests.audit.conftest import CliRun, run_cli
from tests.consumer_apps import apps

pytestmark = pytest.mark.slow

APPS = "tests.consumer_apps.apps"
#: Where each placement of the construct sits in ``apps.matrix``.
PLACEMENTS = (
    "Shop-staging/Orders/",
    "Shop-prod/Orders/",
    "Storefront/Web/Backend/",
    "Eu/Orders/Service/",
)
TIMEOUT = 600


def _open(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["status"] == "open"]


@pytest.fixture(scope="session")
def matrix_run(tmp_path_factory: pytest.TempPathFactory, checkov_executable: Path) -> CliRun:
    return run_cli(tmp_path_factory.mktemp("matrix"), "--app", f"{APPS}:matrix")


@pytest.fixture(scope="session")
def queue_run(tmp_path_factory: pytest.TempPathFactory, checkov_executable: Path) -> CliRun:
    return run_cli(tmp_path_factory.mktemp("queue"), "--app", f"{APPS}:shop_with_unencrypted_queue")


@pytest.fixture(scope="session")
def phase4_run(tmp_path_factory: pytest.TempPathFactory, checkov_executable: Path) -> CliRun:
    return run_cli(tmp_path_factory.mktemp("phase4"), "--app", f"{APPS}:phase4")


@dataclass(frozen=True)
class NaggedApp:
    """``apps.matrix`` synthesized here with the five packs and nothing of the audit."""

    report: dict[str, Any]
    services: list[ProductionOrderService]


@pytest.fixture(scope="session")
def nagged_matrix() -> NaggedApp:
    app = apps.matrix()
    packs = [
        AwsSolutionsChecks(app),
        ServerlessChecks(app),
        NIST80053R5Checks(app),
        HIPAASecurityChecks(app),
        PCIDSS321Checks(app),
    ]
    Validations.of(app).add_plugins(*packs)
    services = [c for c in app.node.find_all() if isinstance(c, ProductionOrderService)]
    try:
        app.synth()
    except RuntimeError as error:  # pragma: no cover - shown when a finding is open
        pytest.fail(f"the five packs found open findings: {error}"[:5000])
    report = json.loads((Path(app.outdir) / "validation-report.json").read_text())
    return NaggedApp(report=report, services=services)


def test_every_placement_and_prop_combination_passes_the_audit(matrix_run: CliRun) -> None:
    report = matrix_run.report()

    assert matrix_run.returncode == 0, matrix_run.stdout[-4000:] + matrix_run.stderr[-2000:]
    assert _open(report) == []
    assert report["ledger"]["problems"] == []
    acknowledged = [f for f in report["findings"] if f["status"] == "acknowledged"]
    for placement in PLACEMENTS:
        assert any(f["resource"].startswith(placement) for f in acknowledged), placement
    assert all(f["acknowledged_by"] == "kit" for f in acknowledged)
    assert all(f["acknowledgment"].startswith("acknowledged by the kit: ") for f in acknowledged)
    assert "acknowledged by the kit" in (matrix_run.out / "audit.md").read_text()


def test_the_five_packs_added_by_the_user_see_only_acknowledged_findings(
    nagged_matrix: NaggedApp,
) -> None:
    plugins = {p["pluginName"]: p for p in nagged_matrix.report["pluginReports"]}

    assert set(plugins) == {
        "AwsSolutions",
        "Serverless",
        "NIST.800.53.R5",
        "HIPAA.Security",
        "PCI.DSS.321",
    }
    for name, plugin in plugins.items():
        assert plugin.get("violations", []) == [], name
        for suppressed in plugin["suppressedViolations"]:
            assert len(suppressed["reason"].split()) >= 8, suppressed
    # The Stage's stack is validated too, and its acknowledgments hold there.
    suppressed_paths = {
        c["constructPath"]
        for p in plugins.values()
        for s in p["suppressedViolations"]
        for c in s["violatingConstructs"]
    }
    for placement in PLACEMENTS:
        assert any(path.startswith(placement) for path in suppressed_paths), placement


def test_every_cdk_nag_acknowledgment_the_construct_attaches_is_used(
    nagged_matrix: NaggedApp,
) -> None:
    """The kit attaches nothing for a finding the props in use do not produce."""
    suppressed = {
        (s["ruleName"], c["constructPath"])
        for p in nagged_matrix.report["pluginReports"]
        for s in p["suppressedViolations"]
        for c in s["violatingConstructs"]
    }
    attached = {
        (ack.rule, path)
        for service in nagged_matrix.services
        for path, ack in service.acknowledgments
        if ack.tool == "cdk-nag"
    }

    assert len(nagged_matrix.services) == len(PLACEMENTS)
    assert attached and attached - suppressed == set()


def _templates(run: CliRun) -> Path:
    return run.out / "templates" / "raw"


def test_bare_checkov_on_the_templates_finds_nothing_open(
    matrix_run: CliRun, checkov_executable: Path, nagged_matrix: NaggedApp
) -> None:
    completed = subprocess.run(
        [
            str(checkov_executable),
            "--skip-download",
            "--framework",
            "cloudformation",
            "--directory",
            str(_templates(matrix_run)),
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    reports = json.loads(completed.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    failed = [c for r in reports for c in r["results"]["failed_checks"]]
    skipped = [c for r in reports for c in r["results"]["skipped_checks"]]

    assert failed == [], [(c["check_id"], c["resource"]) for c in failed]
    # (CKV_AWS_18: the archive's access-log bucket logs nowhere itself)
    assert {c["check_id"] for c in skipped} == {"CKV_AWS_117", "CKV_AWS_120", "CKV_AWS_18"}
    assert all(c["check_result"]["suppress_comment"] for c in skipped)
    # Every skip the construct writes is one checkov needs (same apps, same props); bare checkov
    # does not load the kit's own policies (CKV2_POK_*: policies/), so their skips are not here.
    attached = [
        ack
        for s in nagged_matrix.services
        for _path, ack in s.acknowledgments
        if ack.tool == "checkov" and not ack.rule.startswith("CKV2_POK_")
    ]
    assert len(skipped) == len(attached)


def test_bare_cfn_lint_on_the_templates_finds_nothing(matrix_run: CliRun) -> None:
    templates = sorted(str(p) for p in _templates(matrix_run).rglob("*.template.json"))
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), *templates, "--regions", "us-east-1"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )

    assert len(templates) == len(PLACEMENTS)
    assert completed.returncode == 0, completed.stdout[-4000:]


def test_a_users_unencrypted_queue_next_to_the_construct_still_fails(queue_run: CliRun) -> None:
    report = queue_run.report()
    open_findings = _open(report)

    assert queue_run.returncode == 1
    assert open_findings
    assert {f["resource"] for f in open_findings} == {apps.UNENCRYPTED_QUEUE_PATH}
    rules = {(f["tool"], f["rule_id"]) for f in open_findings}
    assert ("cdk-nag", "AwsSolutions-SQS2") in rules  # no server-side encryption
    assert ("checkov", "CKV_AWS_27") in rules  # SQS queue encryption
    assert f"OPEN  cdk-nag AwsSolutions-SQS2  {apps.UNENCRYPTED_QUEUE_PATH}" in queue_run.stdout


def test_phase4_in_a_users_app_still_fails(phase4_run: CliRun) -> None:
    report = phase4_run.report()

    assert phase4_run.returncode == 1
    # Phase 4 lacks the phase-5 controls: the stream processor and its dead-letter queue.
    assert ("checkov", "CKV_AWS_116") in {(f["tool"], f["rule_id"]) for f in _open(report)}
