"""The diagram generators on small templates and on the reference app's: the architecture graph,
the layered layout, the per-phase states and the SVG, the dashboard widgets."""

from __future__ import annotations

import copy
import json
import re
import tempfile
from typing import Any

import pytest

from docs.gen.architecture import architecture_graph
from docs.gen.architecture_svg import PhaseDiagrams, diagram_state, union_graph
from docs.gen.dashboard import (
    DashboardError,
    alarms_on_dashboard,
    dashboard_link,
    read_dashboard,
    render_dashboard,
)
from docs.gen.graph_layout import layered_layout
from docs.gen.runbook import RunbookEntry, RunbookError, alarm_facts, render_runbook
from kit.phases import LAST_PHASE
from kit.reference_app import STACK_NAME, build_reference_app


def arn(logical_id: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, "Arn"]}


#: A small service: one method -> function -> table; the table's stream -> processor, whose
#: failures go to a queue; a key encrypting table and queue; an alarm on the queue -> topic.
SMALL: dict[str, Any] = {
    "Resources": {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "shop"}},
        "Orders": {
            "Type": "AWS::ApiGateway::Resource",
            "Properties": {
                "ParentId": arn("Api"),
                "PathPart": "orders",
                "RestApiId": {"Ref": "Api"},
            },
        },
        "Post": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "HttpMethod": "POST",
                "ResourceId": {"Ref": "Orders"},
                "RestApiId": {"Ref": "Api"},
                "AuthorizationType": "NONE",
                "Integration": {
                    "Type": "AWS_PROXY",
                    "Uri": {"Fn::Join": ["", ["arn:...:functions/", arn("Fn"), "/invocations"]]},
                },
            },
        },
        "Preflight": {
            "Type": "AWS::ApiGateway::Method",
            "Properties": {
                "HttpMethod": "OPTIONS",
                "RestApiId": {"Ref": "Api"},
                "Integration": {"Type": "MOCK"},
            },
        },
        "FnRole": {"Type": "AWS::IAM::Role"},
        "Fn": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Role": arn("FnRole"),
                "Environment": {"Variables": {"TABLE_NAME": {"Ref": "Table"}}},
            },
        },
        "Processor": {"Type": "AWS::Lambda::Function", "Properties": {}},
        "Table": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {"SSESpecification": {"KMSMasterKeyId": arn("Key"), "SSEEnabled": True}},
        },
        "Mapping": {
            "Type": "AWS::Lambda::EventSourceMapping",
            "Properties": {
                "EventSourceArn": {"Fn::GetAtt": ["Table", "StreamArn"]},
                "FunctionName": {"Ref": "Processor"},
                "DestinationConfig": {"OnFailure": {"Destination": arn("Queue")}},
            },
        },
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"KmsMasterKeyId": arn("Key")}},
        "Key": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True}},
        "Topic": {"Type": "AWS::SNS::Topic"},
        "QueueDepth": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmName": "shop-QueueDepth",
                "AlarmActions": [{"Ref": "Topic"}],
                "Namespace": "AWS/SQS",
                "MetricName": "ApproximateNumberOfMessagesVisible",
                "Dimensions": [
                    {"Name": "QueueName", "Value": {"Fn::GetAtt": ["Queue", "QueueName"]}}
                ],
            },
        },
    }
}


def without(template: dict[str, Any], *logical_ids: str) -> dict[str, Any]:
    smaller = copy.deepcopy(template)
    for logical_id in logical_ids:
        del smaller["Resources"][logical_id]
    return smaller


def test_graph_has_the_edges_the_template_declares() -> None:
    graph = architecture_graph(SMALL, alarm_prefix="shop-")
    assert graph.edge_keys() == {
        ("Api", "Post", "route"),
        ("Post", "Fn", "integration"),
        ("Fn", "Table", "uses"),
        ("Table", "Processor", "stream"),
        ("Processor", "Queue", "on failure"),
        ("Key", "Table", "encrypts"),
        ("Key", "Queue", "encrypts"),
        ("Queue", "QueueDepth", "watches"),
        ("QueueDepth", "Topic", "notifies"),
    }
    assert graph.nodes["Post"].name == "POST /orders"
    assert graph.nodes["QueueDepth"].name == "QueueDepth"
    assert "auth NONE" in graph.nodes["Post"].details
    # CORS preflight, the path resource and the role are counted, not drawn.
    assert "Preflight" not in graph.nodes
    assert graph.not_drawn == {
        "AWS::ApiGateway::Method (CORS preflight)": 1,
        "AWS::ApiGateway::Resource": 1,
        "AWS::IAM::Role": 1,
        "AWS::Lambda::EventSourceMapping": 1,
    }
    # A change to what is not drawn marks the node it belongs to.
    assert graph.nodes_of(["FnRole", "Mapping", "Orders", "Table"]) == {
        "Fn",
        "Processor",
        "Api",
        "Table",
    }


def test_a_removed_resource_disappears_with_its_edges() -> None:
    graph = architecture_graph(without(SMALL, "Queue", "QueueDepth"))
    assert "Queue" not in graph.nodes
    assert not [e for e in graph.edges if "Queue" in (e.source, e.target)]
    assert ("Table", "Processor", "stream") in graph.edge_keys()
    # Without the key reference the table reads as AWS-owned encryption: a gap.
    plain = without(SMALL, "Key")
    del plain["Resources"]["Table"]["Properties"]["SSESpecification"]
    assert "AWS-owned key" in architecture_graph(plain).nodes["Table"].details


def test_layout_is_left_to_right_without_overlaps_and_deterministic() -> None:
    nodes = ["a", "b", "c", "d", "e"]
    edges = [("a", "b"), ("b", "c"), ("a", "c"), ("c", "b"), ("d", "c")]
    sizes = {n: (60.0, 30.0) for n in nodes}
    layout = layered_layout(nodes, edges, sizes)
    assert layout == layered_layout(nodes, edges, sizes)
    layers = layout.layers
    assert layers["a"] < layers["b"] < layers["c"]  # the cycle b <-> c is broken, not lost
    assert layers["d"] == layers["c"] - 1  # a source sits next to its successor
    assert layers["e"] == max(layers.values())  # an isolated node goes last
    assert len(layout.routes[("a", "c")]) == 1  # a dummy point in b's layer
    assert layout.routes[("c", "b")] == []
    for first in nodes:
        for second in nodes:
            one, two = layout.boxes[first], layout.boxes[second]
            if first < second and layers[first] == layers[second]:
                assert one.y + one.height <= two.y or two.y + two.height <= one.y
    with pytest.raises(ValueError, match="not in the graph: zz"):
        layered_layout(nodes, [("a", "zz")], sizes)


def test_state_marks_added_changed_missing_and_removed() -> None:
    before = architecture_graph(without(SMALL, "Queue", "QueueDepth", "Topic"))
    after = architecture_graph(without(SMALL, "Processor", "Mapping"))
    union = union_graph([before, after])
    state = diagram_state(union, after, before, modified={"Table"})
    assert state.nodes["Queue"] == "added"
    assert state.nodes["Table"] == "changed"
    assert state.nodes["Fn"] == "present"
    assert state.nodes["Processor"] == "removed"
    assert state.edges[("QueueDepth", "Topic", "notifies")] == "added"
    assert state.edges[("Table", "Processor", "stream")] == "removed"
    first = diagram_state(union, before, None)
    assert first.nodes["Queue"] == "missing"
    assert "added" not in first.nodes.values()


def test_phase_svg_highlights_what_the_phase_adds() -> None:
    naive = without(SMALL, "Queue", "QueueDepth", "Topic", "Key")
    del naive["Resources"]["Table"]["Properties"]["SSESpecification"]
    diagrams = PhaseDiagrams({0: naive, 1: SMALL}, "shop-")
    first, second = diagrams.svg(0), diagrams.svg(1, modified=["Table"])
    # Same layout on both pages: every box at the same place.
    boxes = re.compile(
        r'data-logical-id="(\w+)">\s*<title>[^<]*</title>\s*<rect x="([\d.]+)" y="([\d.]+)"'
    )
    placed = {i: (x, y) for i, x, y in boxes.findall(first)}
    assert len(placed) == len(diagrams.union.nodes) == 9
    assert placed == {i: (x, y) for i, x, y in boxes.findall(second)}
    assert re.search(r'okd-node okd-data okd-missing" data-logical-id="Queue"', first)
    assert re.search(r'okd-\w+ okd-gap"[^>]*>AWS-owned key<', first)
    assert re.search(r'okd-node okd-data okd-added" data-logical-id="Queue"', second)
    assert re.search(r'okd-node okd-data okd-changed" data-logical-id="Table"', second)
    assert 'okd-e-encrypts okd-added"' in second
    assert "\n\n" not in second  # embeddable in Markdown as one HTML block
    with pytest.raises(ValueError, match="no template for phase 7"):
        diagrams.svg(7)


DASHBOARD_BODY = {
    "Fn::Join": [
        "",
        [
            '{"widgets":[{"type":"metric","width":12,"height":6,"x":0,"y":0,"properties":'
            '{"title":"Queue depth","region":"',
            {"Ref": "AWS::Region"},
            '","metrics":[["AWS/SQS","ApproximateNumberOfMessagesVisible","QueueName","',
            {"Fn::GetAtt": ["Queue", "QueueName"]},
            '",{"label":"messages"}]]}},{"type":"alarm","width":24,"height":3,"x":0,"y":6,'
            '"properties":{"title":"Alarms","alarms":["',
            arn("QueueDepth"),
            '"]}}]}',
        ],
    ]
}


def with_dashboard(template: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(template)
    result["Resources"]["Board"] = {
        "Type": "AWS::CloudWatch::Dashboard",
        "Properties": {"DashboardName": "shop", "DashboardBody": copy.deepcopy(DASHBOARD_BODY)},
    }
    return result


def test_dashboard_widgets_and_the_alarm_that_each_one_charts() -> None:
    template = with_dashboard(SMALL)
    dashboard = read_dashboard(template)
    assert dashboard.name == "shop"
    depth, alarms = dashboard.widgets
    assert (depth.title, depth.kind, depth.anchor) == (
        "Queue depth",
        "metric",
        "widget-queue-depth",
    )
    assert depth.metrics == (
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible", (("QueueName", "${Queue.QueueName}"),)),
    )
    assert alarms.alarms == ("QueueDepth",)
    placed = alarms_on_dashboard(template, dashboard.widgets, "shop-")
    assert placed["QueueDepth"].chart == depth
    assert placed["QueueDepth"].status == alarms
    assert dashboard_link(placed["QueueDepth"]) == (
        "[Queue depth](#widget-queue-depth) (its metric); state in [Alarms](#widget-alarms)"
    )
    page = render_dashboard(dashboard, placed)
    assert '<span id="widget-queue-depth"></span>**Queue depth**' in page
    assert '<a href="#widget-queue-depth">' in page
    assert "[QueueDepth](#queuedepth)" in page


def test_an_alarm_missing_from_the_dashboard_is_an_error() -> None:
    template = with_dashboard(SMALL)
    body = template["Resources"]["Board"]["Properties"]["DashboardBody"]["Fn::Join"][1]
    # Another queue on the graph, and no alarm widget: the alarm is nowhere on the dashboard.
    body[3] = {"Fn::GetAtt": ["OtherQueue", "QueueName"]}
    body[4] = body[4].split(',{"type":"alarm"')[0] + "]}"
    del body[5:]
    with pytest.raises(DashboardError, match="alarm QueueDepth is on no widget"):
        alarms_on_dashboard(template, read_dashboard(template).widgets, "shop-")
    template["Resources"]["Board"]["Properties"]["DashboardBody"] = "{not json"
    with pytest.raises(DashboardError, match="cannot read the dashboard body"):
        read_dashboard(template)
    with pytest.raises(DashboardError, match="expected one AWS::CloudWatch::Dashboard, found 0"):
        read_dashboard(SMALL)


def test_runbook_refuses_an_alarm_without_a_dashboard_placement() -> None:
    facts = alarm_facts({2: SMALL}, "shop-")
    entries = {"QueueDepth": RunbookEntry("QueueDepth", "m", ("look",))}
    with pytest.raises(RunbookError, match="missing from the dashboard: QueueDepth"):
        render_runbook(entries, facts, {})
    template = with_dashboard(SMALL)
    placed = alarms_on_dashboard(template, read_dashboard(template).widgets, "shop-")
    assert "| On the dashboard | [Queue depth](#widget-queue-depth)" in render_runbook(
        entries, facts, placed
    )


@pytest.fixture(scope="module")
def reference_template() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as outdir:
        assembly = build_reference_app(outdir, LAST_PHASE).synth()
        template: dict[str, Any] = assembly.get_stack_by_name(STACK_NAME).template
        return json.loads(json.dumps(template))


def test_reference_architecture_has_the_documented_links(
    reference_template: dict[str, Any],
) -> None:
    graph = architecture_graph(reference_template, "orders-prod-")
    by_name = {node.name: logical_id for logical_id, node in graph.nodes.items()}
    edges = graph.edge_keys()
    api_fn, processor = by_name["ApiFunction"], by_name["ProcessorFunction"]
    table, queue = by_name["OrdersTable"], by_name["DeadLettersQueue"]
    key, topic = by_name["EncryptionKey"], by_name["AlarmsTopic"]
    for route in ("POST /orders", "GET /orders/{orderId}", "GET /customers/{customerId}/orders"):
        assert (by_name[route], api_fn, "integration") in edges, route
    assert (table, processor, "stream") in edges
    assert (processor, queue, "on failure") in edges
    for logical_id, node in graph.nodes.items():
        if node.type_name == "AWS::CloudWatch::Alarm":
            assert (logical_id, topic, "notifies") in edges, node.name
        if node.type_name in ("AWS::Logs::LogGroup", "AWS::DynamoDB::Table", "AWS::SQS::Queue"):
            assert (key, logical_id, "encrypts") in edges, node.name
    assert (key, topic, "encrypts") in edges


def test_reference_dashboard_charts_the_alarms(reference_template: dict[str, Any]) -> None:
    dashboard = read_dashboard(reference_template)
    placed = alarms_on_dashboard(reference_template, dashboard.widgets, "orders-prod-")
    titles = {name: p.chart.title for name, p in placed.items() if p.chart is not None}
    assert titles["ApiFunctionErrors"] == "Function errors and throttles"
    assert titles["Api5xx"] == "API errors"
    assert titles["TableThrottles"] == "Table throttles"  # metric math: both inputs charted
    assert titles["DeadLetters"] == "DLQ depth and stream iterator age"
    assert all(p.status is not None and p.status.title == "Alarms" for p in placed.values())
