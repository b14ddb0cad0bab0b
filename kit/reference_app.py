"""The reference deployment: the app ``cdk synth`` and ``order-kit audit`` build by default."""

from __future__ import annotations

import dataclasses
import os

from aws_cdk import App, Environment, Stack

from kit.phases import LAST_PHASE
from kit.props import OrderServiceProps
from kit.service import ProductionOrderService

#: Name of the reference stack.
STACK_NAME = "ProductionOrderService"

#: Context key: set to "false" to attach no Powertools layer (the local emulator provides it).
POWERTOOLS_LAYER_CONTEXT = "order-kit:powertools-layer"
#: Environment variable read when the context key is not set; ``python -m localcloud env``
#: exports it as "false", so ``cdklocal deploy`` needs no extra ``-c`` option.
POWERTOOLS_LAYER_VARIABLE = "ORDER_KIT_POWERTOOLS_LAYER"
#: Context key: the migration phase to build (0-5, default 5): ``cdk synth -c order-kit:phase=2``.
PHASE_CONTEXT = "order-kit:phase"

REFERENCE_PROPS = OrderServiceProps(
    environment_name="prod",
    alarm_emails=("oncall@example.com",),
    cors_origins=("https://shop.example.com",),
    tags={"CostCenter": "orders"},
)


def reference_props(phase: int = LAST_PHASE, *, powertools_layer: bool = True) -> OrderServiceProps:
    """:data:`REFERENCE_PROPS` at ``phase``, optionally without the Powertools layer."""
    layer_version = REFERENCE_PROPS.powertools_layer_version if powertools_layer else None
    return dataclasses.replace(REFERENCE_PROPS, phase=phase, powertools_layer_version=layer_version)


def powertools_layer_wanted(context_value: object) -> bool:
    """Whether to attach the Powertools layer (context value, else the environment variable).

    ``"false"`` (any case) turns it off; ``"true"`` or unset leaves it on.

    Raises
    ------
    ValueError
        The value is neither ``true`` nor ``false``.
    """
    value = (
        context_value if context_value is not None else os.environ.get(POWERTOOLS_LAYER_VARIABLE)
    )
    if value is None:
        return True
    text = str(value).strip().lower()
    if text not in ("true", "false"):
        source = (
            POWERTOOLS_LAYER_CONTEXT if context_value is not None else POWERTOOLS_LAYER_VARIABLE
        )
        raise ValueError(f"{source} must be 'true' or 'false', got {value!r}")
    return text == "true"


def build_reference_stack(app: App, phase: int | None = None) -> Stack:
    """Add the reference stack (the construct with :data:`REFERENCE_PROPS`) to ``app``.

    ``phase`` defaults to the ``order-kit:phase`` context value, else 5.
    """
    if phase is None:
        phase = int(app.node.try_get_context(PHASE_CONTEXT) or LAST_PHASE)
    layer = powertools_layer_wanted(app.node.try_get_context(POWERTOOLS_LAYER_CONTEXT))
    props = reference_props(phase, powertools_layer=layer)
    # An explicit region (account-agnostic) makes the Powertools layer ARN concrete.
    stack = Stack(
        app,
        STACK_NAME,
        env=Environment(region=os.environ.get("CDK_DEFAULT_REGION", "us-east-1")),
        description="production-order-kit reference deployment",
    )
    ProductionOrderService(stack, "OrderService", props)
    return stack


def build_reference_app(outdir: str | None = None, phase: int | None = None) -> App:
    """Return an :class:`aws_cdk.App` holding the reference stack at ``phase``."""
    app = App(outdir=outdir) if outdir else App()
    build_reference_stack(app, phase)
    return app
