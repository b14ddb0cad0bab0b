"""CloudFormation resource providers that apply the updates the reference app's phases make.

LocalStack 2026.3.0's community providers for these types either leave ``update()``
unimplemented (the engine then logs a warning and reports ``UPDATE_COMPLETE`` without changing
anything) or update them destructively. The subclasses here implement the update with the
service APIs AWS documents for each setting; see each module:

=============================  ==============================================================
``AWS::DynamoDB::Table``       :mod:`.dynamodb_table`
``AWS::ApiGateway::Stage``     :mod:`.apigateway_stage`
``AWS::IAM::ManagedPolicy``    :mod:`.iam`
``AWS::IAM::Policy``           :mod:`.iam`
``AWS::IAM::Role``             :mod:`.iam`
``AWS::Logs::LogGroup``        :mod:`.logs_log_group`
``AWS::CloudWatch::Alarm``     :mod:`.cloudwatch_alarm`
=============================  ==============================================================

LocalStack finds providers by resource type in the ``localstack.cloudformation.resource_providers``
plugin namespace, one plugin per name; a second distribution registering the same name would
race with LocalStack's own entry point. :func:`use_updatable_resource_providers` (an
``on_infra_start`` hook) instead puts these providers in front of the lookup
(``ResourceProviderExecutor.try_load_resource_provider``, used by both CloudFormation engines
and by the v2 engine's replacement check, which reads the same schemas). The same hook corrects
the change-set model's ``Ref`` change type (:mod:`.ref_change`), without which an in-place
update of one resource replaces the resources whose create-only properties refer to it, and
the logs provider's ``TagResource`` (:mod:`.logs_tagging`), which loses the tags of a log group
that had none, and gives failed stack operations CloudFormation's rollback (:mod:`.rollback`).
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from localstack.runtime import hooks

LOG = logging.getLogger(__name__)

#: Resource type -> "module:class" of its provider (imported on first use).
UPDATABLE_PROVIDERS = {
    "AWS::DynamoDB::Table": "dynamodb_table:UpdatableDynamoDBTableProvider",
    "AWS::ApiGateway::Stage": "apigateway_stage:UpdatableApiGatewayStageProvider",
    "AWS::IAM::ManagedPolicy": "iam:UpdatableIAMManagedPolicyProvider",
    "AWS::IAM::Policy": "iam:UpdatableIAMPolicyProvider",
    "AWS::IAM::Role": "iam:UpdatableIAMRoleProvider",
    "AWS::Logs::LogGroup": "logs_log_group:UpdatableLogsLogGroupProvider",
    "AWS::CloudWatch::Alarm": "cloudwatch_alarm:UpdatableCloudWatchAlarmProvider",
}


def provider_class(resource_type: str) -> type | None:
    """The project's provider class for ``resource_type``, or None (LocalStack's own then)."""
    target = UPDATABLE_PROVIDERS.get(resource_type)
    if target is None:
        return None
    module_name, _, class_name = target.partition(":")
    module = importlib.import_module(f"{__name__}.{module_name}")
    return getattr(module, class_name)  # type: ignore[no-any-return]


@hooks.on_infra_start()
def use_updatable_resource_providers() -> None:
    """Answer the resource types of :data:`UPDATABLE_PROVIDERS` with the project's providers."""
    from localstack.services.cloudformation.resource_provider import ResourceProviderExecutor

    from order_kit_localstack.cfn_updates.logs_tagging import patch_log_group_tagging
    from order_kit_localstack.cfn_updates.ref_change import patch_ref_change_type
    from order_kit_localstack.cfn_updates.rollback import patch_rollback

    patch_ref_change_type()
    patch_rollback()
    patch_log_group_tagging()
    original = ResourceProviderExecutor.try_load_resource_provider
    if getattr(original, "order_kit_updatable", False):
        return

    def try_load_resource_provider(resource_type: str) -> Any:
        cls = provider_class(resource_type)
        return cls() if cls is not None else original(resource_type)

    try_load_resource_provider.order_kit_updatable = True  # type: ignore[attr-defined]
    ResourceProviderExecutor.try_load_resource_provider = staticmethod(try_load_resource_provider)
    LOG.info("order-kit: updatable CloudFormation providers for %s", sorted(UPDATABLE_PROVIDERS))
