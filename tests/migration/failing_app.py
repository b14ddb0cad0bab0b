#!/usr/bin/env python3
"""The reference app plus one resource that fails half-way through an update (the upgrade test's
injected failure): a log group named ``$ORDER_KIT_UPGRADE_COLLISION``, which the test created
beforehand outside the stack, so CloudFormation's create fails with "already exists" (as on AWS)
after the table update it depends on, and the whole update rolls back."""

import os

from aws_cdk import App
from aws_cdk import aws_logs as logs

from kit.reference_app import build_reference_stack
from kit.service import ProductionOrderService

app = App()
stack = build_reference_stack(app)
service = stack.node.find_child("OrderService")
assert isinstance(service, ProductionOrderService)
collision = logs.CfnLogGroup(
    stack, "InjectedFailure", log_group_name=os.environ["ORDER_KIT_UPGRADE_COLLISION"]
)
# Created after the table (and what the table waits for), so the failure comes half-way.
collision.node.add_dependency(service.table)
app.synth()
