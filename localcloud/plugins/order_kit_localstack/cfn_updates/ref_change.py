"""A ``Ref`` to a resource updated in place is unchanged (LocalStack says it is modified).

CloudFormation's ``Ref`` of most resources is the physical id, which an in-place update keeps
("Update behaviors of stack resources": only a *replacement* gives a resource a new physical
id). LocalStack 2026.3.0's v2 change-set model (``_resolve_intrinsic_function_ref``, marked
"TODO: this should check the replacement flag") reports a ``Ref`` as modified whenever the
referenced resource is modified. A create-only property holding such a ``Ref`` then looks
changed and the referencing resource is REPLACED: at phase 4 of the migration path a tag on
the REST API re-creates the stage (``RestApiId``), and the API execution log group
(``LogGroupName`` joins the API id), which fails with "log group already exists".

:func:`patch_ref_change_type` makes the ``Ref`` unchanged when the referenced resource is
modified without replacement, as on AWS; added, removed and replaced resources are unaffected.
"""

from __future__ import annotations

from typing import Any


def patch_ref_change_type() -> None:
    """Install the corrected ``Ref`` change type into the v2 change-set model (idempotent)."""
    from localstack.services.cloudformation.engine.v2 import change_set_model as model

    original = model.ChangeSetModel._resolve_intrinsic_function_ref
    if getattr(original, "order_kit_patched", False):
        return

    def resolve_ref(self: Any, arguments: Any) -> Any:
        change_type = original(self, arguments)
        if (
            change_type != model.ChangeType.MODIFIED
            or not isinstance(arguments, model.TerminalValue)
            or arguments.change_type != model.ChangeType.UNCHANGED
        ):
            return change_type
        logical_id = arguments.value
        if not isinstance(logical_id, str) or logical_id.startswith("AWS::"):
            return change_type
        if isinstance(
            self._retrieve_condition_if_exists(condition_name=logical_id), model.NodeCondition
        ) or isinstance(
            self._retrieve_parameter_if_exists(parameter_name=logical_id), model.NodeParameter
        ):
            return change_type
        resource = self._retrieve_or_visit_resource(resource_name=logical_id)
        return change_type if resource.requires_replacement else model.ChangeType.UNCHANGED

    resolve_ref.order_kit_patched = True  # type: ignore[attr-defined]
    model.ChangeSetModel._resolve_intrinsic_function_ref = resolve_ref
