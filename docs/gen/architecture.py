"""The architecture as a graph read from a synthesized template: resources and what links them.

Nodes are the resources a reader of the architecture looks for (the REST API and its methods,
functions, table, queue, topic, key, log groups, alarms, dashboard). Edges are read from the
properties that connect them:

* ``integration``: an API method's integration URI names a function;
* ``route``: a method belongs to the REST API;
* ``uses``: a function's environment names a table, queue or topic;
* ``stream`` and ``on failure``: an event source mapping reads a table's stream into a
  function, and sends what keeps failing to its on-failure destination;
* ``async DLQ``: a function's dead-letter queue (failed asynchronous invocations);
* ``encrypts``: a KMS key named in a resource's encryption settings;
* ``logs``: where a function, the stage or the API writes its logs;
* ``watches`` and ``notifies``: what an alarm's metric measures, and the topic it notifies.

Everything else in the template (IAM roles and policies, permissions, API plumbing such as
deployments and CORS preflight methods) is counted in :attr:`Graph.not_drawn`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from docs.gen.template_refs import referenced_ids, short_name

#: Resource types drawn as nodes, with the words shown above their name; the order is the
#: order of the layout's first pass (API first, so the request path reads left to right).
NODE_KINDS = {
    "AWS::ApiGateway::RestApi": "REST API",
    "AWS::ApiGateway::Method": "API method",
    "AWS::Lambda::Function": "Lambda function",
    "AWS::DynamoDB::Table": "DynamoDB table",
    "AWS::SQS::Queue": "SQS queue",
    "AWS::KMS::Key": "KMS key",
    "AWS::Logs::LogGroup": "log group",
    "AWS::CloudWatch::Alarm": "alarm",
    "AWS::SNS::Topic": "SNS topic",
    "AWS::CloudWatch::Dashboard": "dashboard",
}

#: Edge kinds, in the order of the legend.
EDGE_KINDS = (
    "route",
    "integration",
    "uses",
    "stream",
    "on failure",
    "async DLQ",
    "encrypts",
    "logs",
    "watches",
    "notifies",
)

#: Where a resource that is not drawn names the node it belongs to.
_OWNER_PROPERTIES: dict[str, str | None] = {
    "AWS::KMS::Alias": "TargetKeyId",
    "AWS::SNS::Subscription": "TopicArn",
    "AWS::SNS::TopicPolicy": "Topics",
    "AWS::SQS::QueuePolicy": "Queues",
    "AWS::Lambda::Permission": "FunctionName",
    "AWS::Lambda::EventSourceMapping": "FunctionName",
    "AWS::IAM::Role": None,  # the function whose Role it is
    "AWS::IAM::Policy": "Roles",
    "AWS::IAM::ManagedPolicy": "Roles",
}
_DATA_STORES = ("AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::SNS::Topic")
_ENCRYPTION_PROPERTIES = ("SSESpecification", "KmsMasterKeyId", "KmsKeyId", "KmsKeyArn")


@dataclass(frozen=True)
class Node:
    """A resource drawn in the diagram.

    Attributes
    ----------
    logical_id : str
    type_name : str
        The CloudFormation type.
    kind : str
        What it is, in words (``NODE_KINDS``).
    name : str
        Its name in the diagram.
    details : tuple of str
        Short facts read from its properties; a missing control reads ``no ...``.
    """

    logical_id: str
    type_name: str
    kind: str
    name: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edge:
    """A link from one node to another (``kind`` is one of :data:`EDGE_KINDS`)."""

    source: str
    target: str
    kind: str


@dataclass(frozen=True)
class Graph:
    """The nodes and edges of one template, and what it leaves out."""

    nodes: dict[str, Node]
    edges: tuple[Edge, ...]
    not_drawn: dict[str, int] = field(default_factory=dict)
    #: A resource not drawn -> the node it belongs to (a stage to its API, a role to its
    #: function), so a change to it marks that node as changed.
    represented_by: dict[str, str] = field(default_factory=dict)

    def nodes_of(self, logical_ids: Iterable[str]) -> set[str]:
        """The nodes that draw ``logical_ids`` (themselves, or what they belong to)."""
        found = set()
        for logical_id in logical_ids:
            if logical_id in self.nodes:
                found.add(logical_id)
            elif logical_id in self.represented_by:
                found.add(self.represented_by[logical_id])
        return found

    def edge_keys(self) -> set[tuple[str, str, str]]:
        """``(source, target, kind)`` of every edge."""
        return {(e.source, e.target, e.kind) for e in self.edges}


def _is_cors_preflight(resource: Mapping[str, Any]) -> bool:
    properties = resource.get("Properties", {})
    return (
        properties.get("HttpMethod") == "OPTIONS"
        and properties.get("Integration", {}).get("Type") == "MOCK"
    )


def _path(resources: Mapping[str, Any], resource_id: Any) -> str:
    """The path of an API Gateway resource (``/orders/{orderId}``); the root is ``/``."""
    parts: list[str] = []
    seen: set[str] = set()
    current = next(referenced_ids(resource_id), "")
    while current in resources and current not in seen:
        seen.add(current)
        resource = resources[current]
        if resource.get("Type") != "AWS::ApiGateway::Resource":
            break
        properties = resource.get("Properties", {})
        parts.append(str(properties.get("PathPart", "?")))
        current = next(referenced_ids(properties.get("ParentId")), "")
    return "/" + "/".join(reversed(parts))


def _stage_facts(stages: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    facts: list[str] = []
    for stage in stages:
        properties = stage.get("Properties", {})
        facts.append(f"stage {properties.get('StageName', '?')}")
        throttled = [
            s
            for s in properties.get("MethodSettings", [])
            if "ThrottlingRateLimit" in s or "ThrottlingBurstLimit" in s
        ]
        if throttled:
            limits = throttled[0]
            facts.append(
                f"throttle {limits.get('ThrottlingRateLimit', '?')}/s, "
                f"burst {limits.get('ThrottlingBurstLimit', '?')}"
            )
        else:
            facts.append("no throttling")
        facts.append("access logs" if "AccessLogSetting" in properties else "no access logs")
        facts.append("X-Ray" if properties.get("TracingEnabled") else "no X-Ray")
    return tuple(facts)


def _details(type_name: str, properties: Mapping[str, Any]) -> tuple[str, ...]:
    if type_name == "AWS::ApiGateway::Method":
        validated = "validated" if "RequestValidatorId" in properties else "not validated"
        return (f"auth {properties.get('AuthorizationType', 'NONE')}", validated)
    if type_name == "AWS::Lambda::Function":
        facts = [f"{properties.get('Runtime', '?')}, {properties.get('MemorySize', 128)} MB"]
        reserved = properties.get("ReservedConcurrentExecutions")
        facts.append(f"reserved {reserved}" if reserved is not None else "no reserved concurrency")
        if properties.get("TracingConfig", {}).get("Mode") == "Active":
            facts.append("X-Ray")
        return tuple(facts)
    if type_name == "AWS::DynamoDB::Table":
        pitr = properties.get("PointInTimeRecoverySpecification", {})
        ttl = properties.get("TimeToLiveSpecification", {})
        sse = properties.get("SSESpecification", {})
        indexes = [i.get("IndexName", "?") for i in properties.get("GlobalSecondaryIndexes", [])]
        return (
            "PITR" if pitr.get("PointInTimeRecoveryEnabled") else "no PITR",
            "TTL" if ttl.get("Enabled") else "no TTL",
            "customer-managed key" if "KMSMasterKeyId" in sse else "AWS-owned key",
            f"GSI {', '.join(indexes)}" if indexes else "no GSI",
            "stream" if "StreamSpecification" in properties else "no stream",
        )
    if type_name == "AWS::Logs::LogGroup":
        days = properties.get("RetentionInDays")
        return (f"retention {days} d" if days else "kept forever",)
    if type_name == "AWS::KMS::Key":
        return ("rotation" if properties.get("EnableKeyRotation") else "no rotation",)
    if type_name == "AWS::SQS::Queue":
        days = properties.get("MessageRetentionPeriod")
        return (f"retention {int(days) // 86400} d",) if days else ()
    return ()


def _common_prefix(logical_ids: Iterable[str]) -> str:
    """The longest CamelCase prefix shared by the ids (``OrderService`` for the kit's)."""
    names = [short_name(i) for i in logical_ids]
    if len(names) < 2:
        return ""
    prefix = names[0]
    for name in names[1:]:
        while not name.startswith(prefix):
            prefix = prefix[:-1]
    # Cut back to a word boundary: the prefix ends before an upper-case letter in every name.
    while prefix and not all(n[len(prefix) : len(prefix) + 1].isupper() for n in names):
        prefix = prefix[:-1]
    return prefix


def architecture_graph(template: Mapping[str, Any], alarm_prefix: str = "") -> Graph:
    """The architecture of ``template`` as nodes and edges.

    Parameters
    ----------
    template
        A synthesized CloudFormation template.
    alarm_prefix
        Stripped from alarm names (``orders-prod-``) to name the alarm nodes.

    Returns
    -------
    Graph
        Nodes in :data:`NODE_KINDS` order (then by logical id); edges sorted.
    """
    resources: Mapping[str, Any] = template.get("Resources", {})
    drawn = {
        logical_id: resource
        for logical_id, resource in resources.items()
        if resource.get("Type") in NODE_KINDS and not _is_cors_preflight(resource)
    }
    prefix = _common_prefix(resources)
    stages: dict[str, list[Mapping[str, Any]]] = {}
    for resource in resources.values():
        if resource.get("Type") == "AWS::ApiGateway::Stage":
            api = next(referenced_ids(resource.get("Properties", {}).get("RestApiId")), "")
            stages.setdefault(api, []).append(resource)

    nodes: dict[str, Node] = {}
    order = list(NODE_KINDS)
    for logical_id in sorted(drawn, key=lambda i: (order.index(drawn[i]["Type"]), i)):
        resource = drawn[logical_id]
        type_name = resource["Type"]
        properties = resource.get("Properties", {})
        name = short_name(logical_id, prefix)
        details = _details(type_name, properties)
        if type_name == "AWS::ApiGateway::Method":
            path = _path(resources, properties.get("ResourceId"))
            name = f"{properties.get('HttpMethod', '?')} {path}"
        elif type_name == "AWS::ApiGateway::RestApi":
            name = str(properties.get("Name", name))
            details = _stage_facts(stages.get(logical_id, []))
        elif type_name == "AWS::CloudWatch::Alarm":
            alarm_name = properties.get("AlarmName")
            if isinstance(alarm_name, str):
                name = alarm_name.removeprefix(alarm_prefix)
        elif type_name == "AWS::CloudWatch::Dashboard":
            name = str(properties.get("DashboardName", name))
        nodes[logical_id] = Node(logical_id, type_name, NODE_KINDS[type_name], name, details)

    edges = _edges(resources, nodes)
    not_drawn = Counter(
        resource.get("Type", "?") + (" (CORS preflight)" if _is_cors_preflight(resource) else "")
        for logical_id, resource in resources.items()
        if logical_id not in nodes
    )
    return Graph(
        nodes,
        tuple(sorted(edges, key=_edge_order)),
        dict(sorted(not_drawn.items())),
        _owners(resources, nodes),
    )


def _owners(resources: Mapping[str, Any], nodes: Mapping[str, Node]) -> dict[str, str]:
    role_of = {
        role: logical_id
        for logical_id, node in nodes.items()
        if node.type_name == "AWS::Lambda::Function"
        for role in referenced_ids(resources[logical_id].get("Properties", {}).get("Role"))
    }
    owners: dict[str, str] = {}
    for logical_id, resource in resources.items():
        if logical_id in nodes:
            continue
        type_name = str(resource.get("Type", ""))
        properties = resource.get("Properties", {})
        if type_name.startswith("AWS::ApiGateway::"):
            named = list(referenced_ids(properties.get("RestApiId")))
        elif type_name == "AWS::IAM::Role":
            named = [role_of[logical_id]] if logical_id in role_of else []
        elif type_name in _OWNER_PROPERTIES:
            named = list(referenced_ids(properties.get(_OWNER_PROPERTIES[type_name])))
            named = [role_of.get(n, n) for n in named]
        else:
            named = []
        owner = next((n for n in named if n in nodes), None)
        if owner is not None:
            owners[logical_id] = owner
    return owners


def _edge_order(edge: Edge) -> tuple[int, str, str]:
    return (EDGE_KINDS.index(edge.kind), edge.source, edge.target)


def _edges(resources: Mapping[str, Any], nodes: Mapping[str, Node]) -> set[Edge]:
    edges: set[Edge] = set()

    def of_type(ids: Iterable[str], *types: str) -> list[str]:
        return [i for i in ids if i in nodes and nodes[i].type_name in types]

    api_names = {
        str(resources[i].get("Properties", {}).get("Name")): i
        for i in of_type(nodes, "AWS::ApiGateway::RestApi")
    }
    for logical_id, resource in resources.items():
        type_name = resource.get("Type")
        properties = resource.get("Properties", {})
        if logical_id in nodes:
            keys = of_type(
                (
                    i
                    for name in _ENCRYPTION_PROPERTIES
                    for i in referenced_ids(properties.get(name))
                ),
                "AWS::KMS::Key",
            )
            edges.update(Edge(key, logical_id, "encrypts") for key in keys)
        if type_name == "AWS::ApiGateway::Method" and logical_id in nodes:
            for api in of_type(referenced_ids(properties.get("RestApiId")), *NODE_KINDS):
                edges.add(Edge(api, logical_id, "route"))
            for function in of_type(
                referenced_ids(properties.get("Integration")), "AWS::Lambda::Function"
            ):
                edges.add(Edge(logical_id, function, "integration"))
        elif type_name == "AWS::Lambda::Function":
            variables = properties.get("Environment", {}).get("Variables", {})
            for store in of_type(referenced_ids(variables), *_DATA_STORES):
                edges.add(Edge(logical_id, store, "uses"))
            dlq = properties.get("DeadLetterConfig", {}).get("TargetArn")
            for queue in of_type(referenced_ids(dlq), "AWS::SQS::Queue", "AWS::SNS::Topic"):
                edges.add(Edge(logical_id, queue, "async DLQ"))
            for group in of_type(
                referenced_ids(properties.get("LoggingConfig")), "AWS::Logs::LogGroup"
            ):
                edges.add(Edge(logical_id, group, "logs"))
        elif type_name == "AWS::Lambda::EventSourceMapping":
            functions = of_type(referenced_ids(properties.get("FunctionName")), *NODE_KINDS)
            sources = of_type(referenced_ids(properties.get("EventSourceArn")), *NODE_KINDS)
            failures = of_type(
                referenced_ids(properties.get("DestinationConfig", {}).get("OnFailure")),
                *NODE_KINDS,
            )
            for function in functions:
                edges.update(Edge(source, function, "stream") for source in sources)
                edges.update(Edge(function, dest, "on failure") for dest in failures)
        elif type_name == "AWS::ApiGateway::Stage":
            apis = of_type(referenced_ids(properties.get("RestApiId")), *NODE_KINDS)
            groups = of_type(
                referenced_ids(properties.get("AccessLogSetting")), "AWS::Logs::LogGroup"
            )
            edges.update(Edge(api, group, "logs") for api in apis for group in groups)
        elif type_name == "AWS::Logs::LogGroup" and logical_id in nodes:
            # API Gateway's execution log group is found by its name, which names the API.
            for api in of_type(
                referenced_ids(properties.get("LogGroupName")), "AWS::ApiGateway::RestApi"
            ):
                edges.add(Edge(api, logical_id, "logs"))
        elif type_name == "AWS::CloudWatch::Alarm" and logical_id in nodes:
            actions = [properties.get("AlarmActions"), properties.get("OKActions")]
            for topic in of_type(referenced_ids(actions), "AWS::SNS::Topic"):
                edges.add(Edge(logical_id, topic, "notifies"))
            for watched in _watched(properties, api_names):
                if watched in nodes:
                    edges.add(Edge(watched, logical_id, "watches"))
    return edges


def _watched(properties: Mapping[str, Any], api_names: Mapping[str, str]) -> set[str]:
    """The resources an alarm's metric (or metric math inputs) measure, by its dimensions."""
    dimension_lists = [properties.get("Dimensions", [])]
    for query in properties.get("Metrics", []):
        dimension_lists.append(query.get("MetricStat", {}).get("Metric", {}).get("Dimensions", []))
    found: set[str] = set()
    for dimensions in dimension_lists:
        for dimension in dimensions:
            value = dimension.get("Value")
            found.update(referenced_ids(value))
            if dimension.get("Name") == "ApiName" and isinstance(value, str):
                found.update(i for name, i in api_names.items() if name == value)
    return found
