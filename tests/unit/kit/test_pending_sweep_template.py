"""The pending-order sweep in the template: index, function, schedule, permissions and alarm,
on from phase 5 with the processor, shaped by its two props."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from kit import OrderServiceProps
from kit.pending_sweep import PENDING_INDEX_NAME, SWEEP_HANDLER
from kit.props import OrderServicePropsError
from kit.reference_app import REFERENCE_PROPS, reference_props

from .conftest import only, resources, synth


def sweep_function(template: Any) -> dict[str, Any]:
    found = [
        r
        for r in resources(template, "AWS::Lambda::Function").values()
        if r["Properties"]["Handler"] == SWEEP_HANDLER
    ]
    assert len(found) == 1
    return found[0]


def test_table_has_the_pending_index_without_addresses() -> None:
    table = only(synth(), "AWS::DynamoDB::Table")["Properties"]
    (index,) = [i for i in table["GlobalSecondaryIndexes"] if i["IndexName"] == PENDING_INDEX_NAME]
    assert index["KeySchema"] == [
        {"AttributeName": "status", "KeyType": "HASH"},
        {"AttributeName": "createdAt", "KeyType": "RANGE"},
    ]
    assert index["Projection"] == {
        "ProjectionType": "INCLUDE",
        "NonKeyAttributes": ["total", "currency"],
    }


def test_function_gets_the_age_and_index_and_runs_one_at_a_time() -> None:
    function = sweep_function(synth())["Properties"]
    variables = function["Environment"]["Variables"]
    assert variables["PENDING_INDEX_NAME"] == PENDING_INDEX_NAME
    assert variables["PENDING_MIN_AGE_MINUTES"] == "15"
    assert function["ReservedConcurrentExecutions"] == 1


def test_schedule_invokes_the_sweep_every_five_minutes_by_default() -> None:
    template = synth()
    rule = only(template, "AWS::Events::Rule")["Properties"]
    assert rule["ScheduleExpression"] == "rate(5 minutes)"
    (target,) = rule["Targets"]
    assert target["RetryPolicy"] == {"MaximumRetryAttempts": 0}
    assert target["Arn"]["Fn::GetAtt"][1] == "Arn"
    assert (
        template.to_json()["Resources"][target["Arn"]["Fn::GetAtt"][0]]["Properties"]["Handler"]
        == SWEEP_HANDLER
    )


def test_sweep_policy_is_query_on_the_index_and_update_only() -> None:
    template = synth()
    role = sweep_function(template)["Properties"]["Role"]["Fn::GetAtt"][0]
    (policy,) = [
        p
        for p in resources(template, "AWS::IAM::ManagedPolicy").values()
        if {"Ref": role} in p["Properties"].get("Roles", [])
    ]
    by_sid = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    assert by_sid["QueryPendingOrders"]["Action"] == "dynamodb:Query"
    assert by_sid["QueryPendingOrders"]["Resource"]["Fn::Join"][1][-1] == (
        f"/index/{PENDING_INDEX_NAME}"
    )
    assert by_sid["ConfirmOrders"]["Action"] == "dynamodb:UpdateItem"
    table_actions = {
        action
        for s in by_sid.values()
        for action in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        if action.startswith("dynamodb:")
    }
    assert table_actions == {"dynamodb:Query", "dynamodb:UpdateItem"}


def test_props_shape_the_schedule_age_and_alarm() -> None:
    props = dataclasses.replace(
        REFERENCE_PROPS, pending_sweep_age_minutes=30, pending_sweep_schedule_minutes=10
    )
    template = synth(props)
    assert only(template, "AWS::Events::Rule")["Properties"]["ScheduleExpression"] == (
        "rate(10 minutes)"
    )
    variables = sweep_function(template)["Properties"]["Environment"]["Variables"]
    assert variables["PENDING_MIN_AGE_MINUTES"] == "30"
    (alarm,) = [
        a["Properties"]
        for a in resources(template, "AWS::CloudWatch::Alarm").values()
        if a["Properties"]["AlarmName"].endswith("-OldestPendingOrder")
    ]
    assert alarm["MetricName"] == "oldestPendingOrderAgeSeconds"
    assert alarm["Statistic"] == "Maximum"
    assert alarm["Threshold"] == 60 * (30 + 2 * 10)
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"


def test_sweep_arrives_with_the_processor_at_phase_5() -> None:
    for phase, expected in ((4, False), (5, True)):
        template = synth(reference_props(phase))
        handlers = {
            r["Properties"]["Handler"]
            for r in resources(template, "AWS::Lambda::Function").values()
        }
        assert (SWEEP_HANDLER in handlers) is expected, phase
        assert bool(resources(template, "AWS::Events::Rule")) is expected, phase


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("pending_sweep_age_minutes", 0),
        ("pending_sweep_age_minutes", 1441),
        ("pending_sweep_schedule_minutes", 0),
        ("pending_sweep_schedule_minutes", "5"),
    ],
)
def test_bad_sweep_props_are_refused(field: str, value: object) -> None:
    with pytest.raises(OrderServicePropsError, match=field):
        OrderServiceProps(**{field: value})  # type: ignore[arg-type]
