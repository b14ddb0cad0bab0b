"""A stack operation that fails rolls back as CloudFormation does (LocalStack 2026.3 does not).

LocalStack 2026.3.0's v2 engine (``ChangeSetModelExecutor.execute``) stops at the first resource
that fails, then runs the *cleanup* of the operation anyway (it deletes the resources the new
template removed and the old copies of replaced ones), restores nothing, records the failed
template as the stack's template, and the next change set of the stack leaves it in
``REVIEW_IN_PROGRESS``. AWS CloudFormation instead (AWS CloudFormation User Guide, "Stack
failure options" and "Stack status codes"):

- on a failed **update**, returns every resource the update changed to its previous state,
  deletes the resources the update created (and the new copies of replaced ones), keeps what the
  update would have removed, and ends in ``UPDATE_ROLLBACK_COMPLETE`` with the previous template
  — a state the stack can be updated from — or ``UPDATE_ROLLBACK_FAILED`` when a resource cannot
  be restored;
- on a failed **create**, deletes what it created and ends in ``ROLLBACK_COMPLETE``, or
  ``ROLLBACK_FAILED`` when a resource cannot be deleted. ``DeletionPolicy`` applies
  ("DeletionPolicy attribute"): ``Retain`` keeps the resource, ``RetainExceptOnCreate`` deletes
  it when the operation that created it rolls back and keeps it on every other operation, the
  stack's deletion included.

:func:`patch_rollback` installs that behaviour: the executor keeps a journal of the resources
it created, modified or replaced; on failure it undoes them in reverse order with the same
resource providers (modified ones first, then the deletions, as CloudFormation's cleanup
does), and the stack keeps its previous template, parameters, resources and outputs. Stack
deletion treats ``RetainExceptOnCreate`` as ``Retain`` and skips resources the stack does not
hold (never created, or already deleted by a create rollback), so a ``ROLLBACK_FAILED`` stack
can be deleted, as ``cdk deploy`` does before it creates the stack again.
"""

from __future__ import annotations

import copy
import logging
import threading
from dataclasses import dataclass
from typing import Any

LOG = logging.getLogger(__name__)

#: Statuses a stack can be updated from without a review (a change set leaves them as they are).
UPDATABLE_STATUSES = frozenset(
    {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE"}
)

#: The final status of a rolled-back operation, per worker thread: the provider's direct
#: ``CreateStack`` / ``UpdateStack`` paths overwrite the stack status after the executor returns
#: (with CREATE_/UPDATE_COMPLETE); the wrapped worker puts the rollback's status back.
_outcome = threading.local()


@dataclass
class JournalEntry:
    """One resource the failed operation changed, and what undoing it needs."""

    kind: str  # "created" | "modified" | "replaced"
    logical_id: str
    resource_type: str
    #: The resource's properties after the operation (created, replaced: the new resource).
    current: dict[str, Any]
    #: Its properties before (modified: what to restore).
    previous: dict[str, Any] | None = None
    #: Its ``DeletionPolicy`` as the engine resolved it (created: whether a rollback keeps it).
    deletion_policy: str = "Delete"


def failure_message(event: Any) -> str:
    """The event's message, with the service's own error when the engine wrapped it (AWS shows
    the service's message, e.g. DynamoDB's refusal to delete a protected table)."""
    message = str(event.message or "")
    cause = (event.custom_context or {}).get("exception")
    return f"{message}: {cause}" if cause is not None and str(cause) not in message else message


class Rollback:
    """Undo the journal of one failed executor run (see the module docstring)."""

    def __init__(self, executor: Any, reason: str, is_update: bool) -> None:
        self.executor = executor
        self.change_set = executor._change_set
        self.stack = self.change_set.stack
        self.reason = reason
        self.is_update = is_update
        self.failures: list[str] = []

    def _event(
        self, logical_id: str, resource_type: str, status: str, reason: str | None = None
    ) -> None:
        if status == "DELETE_COMPLETE" and logical_id not in self.stack.resource_states:
            return
        physical = (self.executor.resources.get(logical_id) or {}).get("PhysicalResourceId") or (
            self.stack.resolved_resources.get(logical_id) or {}
        ).get("PhysicalResourceId")
        self.stack.set_resource_status(
            logical_resource_id=logical_id,
            physical_resource_id=physical,
            resource_type=resource_type,
            status=status,
            resource_status_reason=reason,
        )

    def _provider(
        self, action: str, entry: JournalEntry, before: dict | None, after: dict | None
    ) -> Any:
        from localstack.aws.api.cloudformation import ChangeAction
        from localstack.services.cloudformation.engine.v2.change_set_model_preproc import (
            PreprocProperties,
        )

        return self.executor._execute_resource_action(
            action=ChangeAction(action),
            logical_resource_id=entry.logical_id,
            resource_type=entry.resource_type,
            before_properties=PreprocProperties(copy.deepcopy(before)) if before else None,
            after_properties=PreprocProperties(copy.deepcopy(after)) if after else None,
            part_of_replacement=action == "Remove",
        )

    def _restore(self, entry: JournalEntry, resources: dict[str, Any]) -> None:
        self._event(entry.logical_id, entry.resource_type, "UPDATE_IN_PROGRESS")
        event = self._provider("Modify", entry, entry.current, entry.previous)
        if event.status.name == "SUCCESS":
            self._event(entry.logical_id, entry.resource_type, "UPDATE_COMPLETE")
            if entry.logical_id in resources and event.resource_model:
                resources[entry.logical_id]["Properties"] = event.resource_model
        else:
            message = failure_message(event)
            self._event(entry.logical_id, entry.resource_type, "UPDATE_FAILED", message)
            self.failures.append(f"{entry.logical_id}: {message}")

    def _delete(self, entry: JournalEntry, resources: dict[str, Any]) -> None:
        if entry.kind == "created" and entry.deletion_policy == "Retain":
            self._event(entry.logical_id, entry.resource_type, "DELETE_SKIPPED")
            resources.pop(entry.logical_id, None)
            return
        self._event(entry.logical_id, entry.resource_type, "DELETE_IN_PROGRESS")
        event = self._provider("Remove", entry, entry.current, None)
        if event.status.name == "SUCCESS":
            if entry.kind == "created":
                self._event(entry.logical_id, entry.resource_type, "DELETE_COMPLETE")
                resources.pop(entry.logical_id, None)
            else:  # the new copy of a replaced resource: the old one is the stack's again
                self._event(entry.logical_id, entry.resource_type, "UPDATE_COMPLETE")
            return
        message = failure_message(event)
        self._event(entry.logical_id, entry.resource_type, "DELETE_FAILED", message)
        self.failures.append(f"{entry.logical_id}: {message}")
        if entry.kind == "created":
            failed = dict(self.executor.resources.get(entry.logical_id) or {})
            failed.update(ResourceStatus="DELETE_FAILED", ResourceStatusReason=message)
            resources[entry.logical_id] = failed

    def run(self, journal: list[JournalEntry]) -> dict[str, Any]:
        """Undo ``journal``; set the stack's final status; return the stack's resources."""
        from localstack.aws.api.cloudformation import StackStatus

        self.stack.set_stack_status(
            StackStatus.UPDATE_ROLLBACK_IN_PROGRESS
            if self.is_update
            else StackStatus.ROLLBACK_IN_PROGRESS,
            self.reason,
        )
        resources: dict[str, Any] = (
            copy.deepcopy(self.stack.resolved_resources) if self.is_update else {}
        )
        for entry in reversed(journal):
            if entry.kind == "modified":
                self._restore(entry, resources)
        if self.is_update and not self.failures:
            self.stack.set_stack_status(StackStatus.UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS)
        for entry in reversed(journal):
            if entry.kind in ("created", "replaced"):
                self._delete(entry, resources)
        # The resources that failed before anything was made: nothing to delete.
        journaled = {entry.logical_id for entry in journal}
        for logical_id, resource in self.executor.resources.items():
            if logical_id not in journaled and str(resource.get("ResourceStatus", "")).endswith(
                "_FAILED"
            ):
                self._event(logical_id, resource.get("Type", ""), "DELETE_COMPLETE")
        if self.is_update:
            final = (
                StackStatus.UPDATE_ROLLBACK_FAILED
                if self.failures
                else StackStatus.UPDATE_ROLLBACK_COMPLETE
            )
        else:
            final = StackStatus.ROLLBACK_FAILED if self.failures else StackStatus.ROLLBACK_COMPLETE
        self.stack.set_stack_status(final, "; ".join(self.failures) or None)
        _outcome.status = (self.stack, final)
        if self.is_update:
            # The stack keeps the template it had; the engine copies these onto the stack.
            self.change_set.template = self.stack.template
            self.change_set.template_body = self.stack.template_body
            self.change_set.processed_template = self.stack.processed_template
            self.change_set.resolved_parameters = self.stack.resolved_parameters
        else:
            self.change_set.processed_template = remaining_template(
                self.change_set.processed_template or self.change_set.template or {}, resources
            )
        return resources


def remaining_template(template: dict[str, Any], resources: dict[str, Any]) -> dict[str, Any]:
    """What a rolled-back create still holds, as the template its deletion starts from.

    LocalStack deletes a stack by preprocessing its template, which fails on a ``Ref`` to a
    resource the rollback already deleted (the table's key, say). The resources left (those the
    rollback could not delete) are described by their resolved properties instead, with their
    deletion and replace policies (``GetTemplate`` keeps showing the submitted template).
    """
    declared = template.get("Resources", {})
    kept: dict[str, Any] = {}
    for logical_id, resource in resources.items():
        policies = {
            key: declared.get(logical_id, {})[key]
            for key in ("DeletionPolicy", "UpdateReplacePolicy")
            if key in declared.get(logical_id, {})
        }
        kept[logical_id] = {
            "Type": resource.get("Type") or declared.get(logical_id, {}).get("Type"),
            "Properties": copy.deepcopy(resource.get("Properties") or {}),
            **policies,
        }
    parameters = {"Parameters": template["Parameters"]} if "Parameters" in template else {}
    return {**parameters, "Resources": kept}


def _journal(executor: Any) -> list[JournalEntry]:
    journal: list[JournalEntry] = executor.__dict__.setdefault("_order_kit_journal", [])
    return journal


def patch_rollback() -> None:
    """Install rollbacks into LocalStack's v2 CloudFormation engine (idempotent)."""
    from localstack.services.cloudformation.engine.v2 import change_set_model_executor as executor
    from localstack.services.cloudformation.engine.v2.change_set_model import is_nothing
    from localstack.services.cloudformation.engine.v2.change_set_model_preproc import (
        DeletionPolicy,
    )
    from localstack.services.cloudformation.v2 import entities, provider

    cls = executor.ChangeSetModelExecutor
    if getattr(cls.execute, "order_kit_rollback", False):
        return
    original_execute = cls.execute
    original_change = cls._execute_resource_change

    def execute_resource_change(self: Any, name: str, before: Any, after: Any) -> None:
        stack = self._change_set.stack
        if is_nothing(after) and not is_nothing(before):
            if name not in stack.resolved_resources:
                return  # the stack does not hold it: nothing to delete
            if before.deletion_policy == DeletionPolicy.RetainExceptOnCreate:
                before.deletion_policy = DeletionPolicy.Retain
            return original_change(self, name, before, after)
        original_change(self, name, before, after)
        if is_nothing(after):
            return
        resource = self.resources.get(name) or {}
        status = str(resource.get("ResourceStatus", ""))
        properties = dict(resource.get("Properties") or {})
        if is_nothing(before):
            if status == "CREATE_COMPLETE":
                _journal(self).append(
                    JournalEntry(
                        "created",
                        name,
                        after.resource_type,
                        properties,
                        deletion_policy=str(after.deletion_policy or "Delete"),
                    )
                )
        elif before.resource_type == after.resource_type and not after.requires_replacement:
            previous = dict((stack.resolved_resources.get(name) or {}).get("Properties") or {})
            current = properties if status == "UPDATE_COMPLETE" and properties else previous
            _journal(self).append(
                JournalEntry("modified", name, after.resource_type, current, previous)
            )
        elif status.endswith("_COMPLETE"):
            _journal(self).append(JournalEntry("replaced", name, after.resource_type, properties))

    def execute(self: Any) -> Any:
        from localstack.aws.api.cloudformation import StackStatus

        # Decided before the run: a failing resource sets the stack status to its own. (The
        # change set type does not tell: LocalStack's UpdateStack runs a CREATE change set.)
        operation = self._change_set.stack.status
        is_deletion = operation == StackStatus.DELETE_IN_PROGRESS
        failure: Exception | None = None
        try:
            self.process()
        except Exception as error:  # the engine turns any failure into a rollback
            failure = error
        if failure is None or is_deletion:
            # Success, or a stack deletion: LocalStack's own ending (cleanup, statuses).
            def replay() -> None:
                if failure is not None:
                    raise failure

            self.process = replay
            return original_execute(self)
        reason = getattr(failure, "reason", None) or str(failure)
        rollback = Rollback(self, reason, is_update=operation == StackStatus.UPDATE_IN_PROGRESS)
        resources = rollback.run(_journal(self))
        outputs = list(self._change_set.stack.resolved_outputs or []) if rollback.is_update else []
        return executor.ChangeSetModelExecutorResult(
            resources=resources, outputs=outputs, failure_message=reason
        )

    execute.order_kit_rollback = True  # type: ignore[attr-defined]
    cls.execute = execute
    cls._execute_resource_change = execute_resource_change

    original_set_status = entities.Stack.set_stack_status

    def set_stack_status(self: Any, status: Any, reason: Any = None) -> None:
        # A change set for an existing stack leaves its status alone (AWS); LocalStack moves
        # every stack not in CREATE_/UPDATE_COMPLETE to REVIEW_IN_PROGRESS, which then refuses
        # the update of an UPDATE_ROLLBACK_COMPLETE stack.
        if status == "REVIEW_IN_PROGRESS" and str(self.status) in UPDATABLE_STATUSES:
            return
        original_set_status(self, status, reason)

    entities.Stack.set_stack_status = set_stack_status

    original_worker = provider.start_worker_thread

    def start_worker_thread(method: Any, params: Any = None, name: str | None = None) -> Any:
        def run(*arguments: Any, **keywords: Any) -> Any:
            _outcome.status = None
            try:
                return method(*arguments, **keywords)
            finally:
                outcome = getattr(_outcome, "status", None)
                _outcome.status = None
                if outcome is not None and outcome[0].status != outcome[1]:
                    outcome[0].set_stack_status(outcome[1])

        return original_worker(run, params, name)

    provider.start_worker_thread = start_worker_thread
    LOG.info("order-kit: CloudFormation rollbacks on failed stack operations")
