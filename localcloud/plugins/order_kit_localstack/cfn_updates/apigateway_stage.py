"""``AWS::ApiGateway::Stage`` with its updates applied (LocalStack's ``update()`` is missing).

A CDK REST API gets a new ``AWS::ApiGateway::Deployment`` (new logical id) whenever its methods
change; CloudFormation then updates the stage's ``DeploymentId`` in place and deletes the old
deployment in the cleanup phase. Without this provider the stage keeps pointing at the old
deployment, LocalStack's deployment ``delete()`` deletes the stages that point at it, and the API
answers 404 from the first update on.

The update patches the live stage ("UpdateStage" patch paths of the API Gateway reference):
``/deploymentId``, ``/description``, ``/tracingEnabled``, ``/cacheClusterEnabled``,
``/accessLogSettings/*`` (removed when the template drops it), ``/variables/*``, each method
setting as ``/{resourcePath}/{httpMethod}/...``, and the stage's tags. ``create()`` applies the
``MethodSettings`` too, which LocalStack's create ignores. Deleting a deployment no stage points
at leaves every stage alone (LocalStack's deployment delete only deletes stages whose
``deploymentId`` is the deleted one).
"""

from __future__ import annotations

from typing import Any

from localstack.services.apigateway.resource_providers.aws_apigateway_stage import (
    ApiGatewayStageProvider,
)
from localstack.services.cloudformation.resource_provider import (
    OperationStatus,
    ProgressEvent,
    ResourceRequest,
)

from order_kit_localstack.cfn_updates.tags import sync_tags, tag_map

#: MethodSettings property -> the patch path suffix of UpdateStage.
_METHOD_SETTING_PATHS = {
    "MetricsEnabled": "metrics/enabled",
    "LoggingLevel": "logging/loglevel",
    "DataTraceEnabled": "logging/dataTrace",
    "ThrottlingBurstLimit": "throttling/burstLimit",
    "ThrottlingRateLimit": "throttling/rateLimit",
    "CachingEnabled": "caching/enabled",
    "CacheTtlInSeconds": "caching/ttlInSeconds",
    "CacheDataEncrypted": "caching/dataEncrypted",
}


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def method_setting_operations(method_settings: list[dict]) -> list[dict[str, str]]:
    """``replace`` patch operations for a template's ``MethodSettings``.

    ``ResourcePath`` ``/*`` with ``HttpMethod`` ``*`` is ``/*/*/...``; other paths are escaped
    as JSON pointers (``/orders`` -> ``/~1orders/POST/...``).
    """
    operations = []
    for setting in method_settings:
        resource = setting.get("ResourcePath", "/*").removeprefix("/").replace("/", "~1")
        method = setting.get("HttpMethod", "*")
        for prop, suffix in _METHOD_SETTING_PATHS.items():
            if prop in setting:
                operations.append(
                    {
                        "op": "replace",
                        "path": f"/{resource}/{method}/{suffix}",
                        "value": _text(setting[prop]),
                    }
                )
    return operations


def stage_operations(model: dict, live: dict) -> list[dict[str, str]]:
    """The patch operations that bring the ``live`` stage to the template's ``model``."""
    operations: list[dict[str, str]] = []
    if model.get("DeploymentId") and model["DeploymentId"] != live.get("deploymentId"):
        operations.append(
            {"op": "replace", "path": "/deploymentId", "value": model["DeploymentId"]}
        )
    if model.get("Description", "") != (live.get("description") or ""):
        operations.append(
            {"op": "replace", "path": "/description", "value": model.get("Description", "")}
        )
    for prop, path in (
        ("TracingEnabled", "tracingEnabled"),
        ("CacheClusterEnabled", "cacheClusterEnabled"),
    ):
        if bool(model.get(prop, False)) != bool(live.get(path, False)):
            operations.append(
                {"op": "replace", "path": f"/{path}", "value": _text(bool(model.get(prop, False)))}
            )
    access = model.get("AccessLogSetting") or {}
    live_access = live.get("accessLogSettings") or {}
    if access:
        for prop, path in (("DestinationArn", "destinationArn"), ("Format", "format")):
            if access.get(prop) and access[prop] != live_access.get(path):
                operations.append(
                    {"op": "replace", "path": f"/accessLogSettings/{path}", "value": access[prop]}
                )
    elif live_access:
        operations.append({"op": "remove", "path": "/accessLogSettings"})
    variables = model.get("Variables") or {}
    live_variables = live.get("variables") or {}
    for name in sorted(set(live_variables) - set(variables)):
        operations.append({"op": "remove", "path": f"/variables/{name}"})
    for name, value in sorted(variables.items()):
        if live_variables.get(name) != value:
            operations.append({"op": "replace", "path": f"/variables/{name}", "value": value})
    operations += method_setting_operations(model.get("MethodSettings") or [])
    return operations


def _stage_arn(region: str, rest_api_id: str, stage_name: str) -> str:
    return f"arn:aws:apigateway:{region}::/restapis/{rest_api_id}/stages/{stage_name}"


def _update_tags(apigateway: Any, arn: str, model: dict) -> None:
    sync_tags(
        tag_map(model.get("Tags")),
        lambda: apigateway.get_tags(resourceArn=arn).get("tags", {}),
        lambda keys: apigateway.untag_resource(resourceArn=arn, tagKeys=keys),
        lambda tags: apigateway.tag_resource(resourceArn=arn, tags=tags),
    )


class UpdatableApiGatewayStageProvider(ApiGatewayStageProvider):  # type: ignore[misc]
    """LocalStack's stage provider with ``update()`` implemented (see the module docstring)."""

    def create(self, request: ResourceRequest) -> ProgressEvent:
        event = super().create(request)
        model = event.resource_model
        if event.status == OperationStatus.SUCCESS and (
            operations := method_setting_operations(model.get("MethodSettings") or [])
        ):
            request.aws_client_factory.apigateway.update_stage(
                restApiId=model["RestApiId"],
                stageName=model["StageName"],
                patchOperations=operations,
            )
        return event

    def update(self, request: ResourceRequest) -> ProgressEvent:
        previous = request.previous_state or {}
        model = dict(request.desired_state)
        model.setdefault("StageName", previous.get("StageName"))
        apigateway = request.aws_client_factory.apigateway
        rest_api_id, stage_name = model["RestApiId"], model["StageName"]
        live = apigateway.get_stage(restApiId=rest_api_id, stageName=stage_name)
        if operations := stage_operations(model, live):
            apigateway.update_stage(
                restApiId=rest_api_id, stageName=stage_name, patchOperations=operations
            )
        region = apigateway.meta.region_name
        _update_tags(apigateway, _stage_arn(region, rest_api_id, stage_name), model)
        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=model)
