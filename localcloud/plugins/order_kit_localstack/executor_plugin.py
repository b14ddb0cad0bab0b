"""Entry point of the ``local-process`` Lambda runtime executor.

Registered in the ``localstack.lambda.runtime_executor`` entry-point group.
"""

from __future__ import annotations

from typing import Any

from localstack.services.lambda_.invocation.plugins import RuntimeExecutorPlugin


class LocalProcessRuntimeExecutorPlugin(RuntimeExecutorPlugin):
    """Selected by ``LAMBDA_RUNTIME_EXECUTOR=local-process``."""

    name = "local-process"

    def load(self, *args: Any, **kwargs: Any) -> Any:
        """Return the executor class (imported late, as LocalStack's own plugins do)."""
        from order_kit_localstack.executor import LocalProcessRuntimeExecutor

        return LocalProcessRuntimeExecutor
