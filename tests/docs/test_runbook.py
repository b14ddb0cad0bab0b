"""The runbook covers every alarm the construct creates, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from aws_cdk import App, Stack

from docs.gen.runbook import RunbookError, check_coverage, load_runbook
from kit import ProductionOrderService
from kit.phases import FIRST_PHASE, LAST_PHASE
from kit.reference_app import reference_props

from .conftest import BuiltSite


def construct_alarms(phase: int) -> set[str]:
    """The short names of the alarms ``ProductionOrderService`` creates at ``phase``."""
    stack = Stack(App(), "Orders")
    service = ProductionOrderService(stack, "Service", reference_props(phase))
    return set(service.alarms)


@pytest.fixture(scope="module")
def alarms_by_phase() -> dict[int, set[str]]:
    return {phase: construct_alarms(phase) for phase in range(FIRST_PHASE, LAST_PHASE + 1)}


def test_runbook_has_an_entry_for_every_alarm_of_every_phase(
    alarms_by_phase: dict[int, set[str]],
) -> None:
    documented = set(load_runbook())
    for phase, alarms in alarms_by_phase.items():
        assert alarms <= documented, f"phase {phase}: no runbook entry for {alarms - documented}"


def test_runbook_names_no_alarm_the_construct_does_not_create(
    alarms_by_phase: dict[int, set[str]],
) -> None:
    created = set().union(*alarms_by_phase.values())
    assert created, "the construct created no alarm at any phase"
    assert set(load_runbook()) == created


def test_every_alarm_has_a_section_on_the_runbook_page(
    built_site: BuiltSite, alarms_by_phase: dict[int, set[str]]
) -> None:
    page = built_site.page("runbook/")
    for alarm in alarms_by_phase[LAST_PHASE]:
        assert f'<h2 id="{alarm.lower()}">' in page, f"no runbook section for {alarm}"
        assert f"orders-prod-{alarm}" in page


def test_coverage_check_names_missing_and_unknown_alarms() -> None:
    with pytest.raises(
        RunbookError, match=r"without a runbook entry: DeadLetters.*does not create: Retired"
    ):
        check_coverage({"ApiFunctionErrors", "Retired"}, {"ApiFunctionErrors", "DeadLetters"})
    check_coverage({"A"}, {"A"})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("- a list\n", "expected a mapping"),
        ("X:\n  meaning: m\n", "needs exactly 'meaning' and 'first_steps'"),
        ("X:\n  meaning: ''\n  first_steps: [a]\n", "'meaning' must be non-empty"),
        ("X:\n  meaning: m\n  first_steps: []\n", "'first_steps' must be a non-empty list"),
        ("X: [\n", "cannot read the runbook"),
    ],
)
def test_malformed_runbook_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "runbook.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RunbookError, match=message):
        load_runbook(path)
