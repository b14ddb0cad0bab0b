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


def build_reference_stack(app: App, phase: int | None = None) -> Stack:
    """Add the reference stack (the construct with :data:`REFERENCE_PROPS`) to ``app``.

    ``phase`` defaults to the ``order-kit:phase`` context value, else 5.
    """
    if phase is None:
        phase = int(app.node.try_get_context(PHASE_CONTEXT) or LAST_PHASE)
    layer = str(app.node.try_get_context(POWERTOOLS_LAYER_CONTEXT)).lower() != "false"
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
