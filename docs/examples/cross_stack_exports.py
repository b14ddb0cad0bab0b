"""A second stack of the same app reads the order service's outputs through stack exports."""

from aws_cdk import App, CfnOutput, Environment, Fn, Stack

from kit import OrderServiceProps, ProductionOrderService

app = App()
env = Environment(region="eu-west-1")

orders = Stack(app, "Orders", env=env)
ProductionOrderService(
    orders,
    "Service",
    OrderServiceProps(alarm_emails=("oncall@example.com",), export_prefix="orders-prod"),
)

# Another team's stack (same account and region): it imports by export name, so it needs no
# reference to the construct and may live in another app.
consumer = Stack(app, "Storefront", env=env)
consumer.add_dependency(orders)  # deploy order; CloudFormation enforces the import anyway
CfnOutput(consumer, "OrdersApiUrl", value=Fn.import_value("orders-prod-ApiUrl"))
CfnOutput(consumer, "OrdersTable", value=Fn.import_value("orders-prod-TableName"))

assembly = app.synth()
