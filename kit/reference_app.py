"""The reference deployment: the app ``cdk synth`` and ``order-kit audit`` build by default."""

from __future__ import annotations

import os

from aws_cdk import App, Environment, Stack

from kit.props import OrderServiceProps
from kit.service import ProductionOrderService

#: Name of the reference stack.
STACK_NAME = "ProductionOrderService"

#: Context key: set to "false" to attach no Powertools layer (the local emulator provides it).
POWERTOOLS_LAYER_CONTEXT = "order-kit:powertools-layer"

REFERENCE_PROPS = OrderServiceProps(
    environment_name="prod",
    alarm_emails=("oncall@example.com",),
    cors_origins=("https://shop.example.com",),
    tags={"CostCenter": "orders"},
)


def build_reference_stack(app: App) -> Stack:
    """Add the reference stack (the construct with :data:`REFERENCE_PROPS`) to ``app``."""
    props = REFERENCE_PROPS
    if str(app.node.try_get_context(POWERTOOLS_LAYER_CONTEXT)).lower() == "false":
        props = OrderServiceProps(**{**props.__dict__, "powertools_layer_version": None})
    # An explicit region (account-agnostic) makes the Powertools layer ARN concrete.
    stack = Stack(
        app,
        STACK_NAME,
        env=Environment(region=os.environ.get("CDK_DEFAULT_REGION", "us-east-1")),
        description="production-order-kit reference deployment",
    )
    ProductionOrderService(stack, "OrderService", props)
    return stack


def build_reference_app(outdir: str | None = None) -> App:
    """Return an :class:`aws_cdk.App` holding the reference stack."""
    app = App(outdir=outdir) if outdir else App()
    build_reference_stack(app)
    return app
