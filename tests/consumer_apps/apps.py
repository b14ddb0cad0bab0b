"""Apps a user of the kit might write, not designed with the kit's audit in mind.

Each function takes no argument and returns an unsynthesized :class:`aws_cdk.App`, so each is
usable as ``order-kit audit --app tests.consumer_apps.apps:<function>``. Between them they
place the construct in two stacks, below a user's own construct, inside a ``Stage``, and cover
every prop that changes which findings the construct produces: authorization IAM/COGNITO, WAF
on/off, custom reserved concurrency and log retention, and the migration phases.
"""

from __future__ import annotations

from aws_cdk import App, Environment, Stack, Stage
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from kit import AuthorizationMode, OrderServiceProps, ProductionOrderService

REGION = Environment(region="us-east-1")
USER_POOL_ARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Example1"
#: Name of the user's own, non-compliant queue in :func:`shop_with_unencrypted_queue`.
UNENCRYPTED_QUEUE_PATH = "Shop-prod/LegacyQueue/Resource"


def _shop_props(env: str) -> OrderServiceProps:
    return OrderServiceProps(
        environment_name=env,
        alarm_emails=(f"orders-{env}@example.com",),
        cors_origins=("https://shop.example.com",),
        enable_waf=(env == "prod"),
    )


def shop() -> App:
    """The issue's two-stack app: ``Shop-staging`` without WAF, ``Shop-prod`` with WAF."""
    app = App()
    for env in ("staging", "prod"):
        stack = Stack(app, f"Shop-{env}", env=REGION)
        ProductionOrderService(stack, "Orders", _shop_props(env))
    return app


def shop_with_unencrypted_queue() -> App:
    """:func:`shop` plus an unencrypted SQS queue of the user's next to the construct."""
    app = shop()
    prod = app.node.find_child("Shop-prod")
    assert isinstance(prod, Stack)
    sqs.Queue(prod, "LegacyQueue", encryption=sqs.QueueEncryption.UNENCRYPTED)
    return app


class Storefront(Construct):
    """A user's own construct that nests the order service one level down."""

    def __init__(self, scope: Construct, construct_id: str, props: OrderServiceProps) -> None:
        super().__init__(scope, construct_id)
        self.orders = ProductionOrderService(self, "Backend", props)


def add_nested_cognito(app: App) -> None:
    """Add the construct inside a user construct: Cognito authorization, custom concurrency and
    retention, WAF off."""
    Storefront(
        Stack(app, "Storefront", env=REGION),
        "Web",
        OrderServiceProps(
            environment_name="dev",
            service_name="checkout",
            authorization=AuthorizationMode.COGNITO,
            cognito_user_pool_arn=USER_POOL_ARN,
            price_catalog=True,
            reserved_concurrency=20,
            processor_reserved_concurrency=2,
            log_retention_days=30,
        ),
    )


def nested_cognito() -> App:
    """:func:`add_nested_cognito` in an app of its own."""
    app = App()
    add_nested_cognito(app)
    return app


class ShopStage(Stage):
    """A deployment stage (as CDK Pipelines builds them) holding one order service stack."""

    def __init__(self, scope: Construct, construct_id: str, props: OrderServiceProps) -> None:
        super().__init__(scope, construct_id, env=REGION)
        stack = Stack(self, "Orders")
        ProductionOrderService(stack, "Service", props)


def add_staged_cognito_waf(app: App) -> None:
    """Add the construct in a stack inside a ``Stage``: Cognito authorization with WAF on."""
    ShopStage(
        app,
        "Eu",
        OrderServiceProps(
            environment_name="eu",
            authorization=AuthorizationMode.COGNITO,
            cognito_user_pool_arn=USER_POOL_ARN,
            price_catalog=True,
            enable_waf=True,
        ),
    )


def staged_cognito_waf() -> App:
    """:func:`add_staged_cognito_waf` in an app of its own."""
    app = App()
    add_staged_cognito_waf(app)
    return app


def matrix() -> App:
    """Every passing placement and prop combination in one app (one synthesis for the tests):
    :func:`shop`'s two stacks, :func:`add_nested_cognito`'s nesting and
    :func:`add_staged_cognito_waf`'s stage."""
    app = shop()
    add_nested_cognito(app)
    add_staged_cognito_waf(app)
    return app


def phase(number: int) -> App:
    """A user's single stack at migration phase ``number`` (0-4 must fail, 5 must pass)."""
    app = App()
    stack = Stack(app, f"Phase{number}", env=REGION)
    ProductionOrderService(stack, "Orders", OrderServiceProps(phase=number))
    return app


def phase0() -> App:
    """:func:`phase` 0, the naive start."""
    return phase(0)


def phase4() -> App:
    """:func:`phase` 4, the last phase that is still meant to fail."""
    return phase(4)
