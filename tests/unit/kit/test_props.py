"""OrderServiceProps: safe defaults, and a clear error naming the prop for every bad value."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import RemovalPolicy

from kit import AuthorizationMode, OrderServiceProps, OrderServicePropsError

from .conftest import only, synth


def test_defaults_are_the_production_setup() -> None:
    props = OrderServiceProps()
    assert props.throttle_rate_limit == 500
    assert props.throttle_burst_limit == 1000
    assert props.reserved_concurrency == 100
    assert props.authorization is AuthorizationMode.IAM
    assert props.removal_policy is RemovalPolicy.RETAIN
    assert props.cors_origins == ()
    assert props.enable_waf is False


def test_props_are_immutable() -> None:
    props = OrderServiceProps(tags={"Team": "checkout"})
    with pytest.raises(AttributeError):
        props.throttle_rate_limit = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        props.tags["Team"] = "other"  # type: ignore[index]


@pytest.mark.parametrize(
    ("prop", "value", "message"),
    [
        ("environment_name", "Prod", "environment_name"),
        ("environment_name", "", "environment_name"),
        ("service_name", "a" * 21, "service_name"),
        ("alarm_emails", ("not-an-email",), "alarm_emails"),
        ("throttle_rate_limit", 0, "throttle_rate_limit"),
        ("throttle_rate_limit", 10_001, "throttle_rate_limit"),
        ("throttle_rate_limit", 5.5, "throttle_rate_limit"),
        ("throttle_rate_limit", True, "throttle_rate_limit"),
        ("throttle_burst_limit", -1, "throttle_burst_limit"),
        ("reserved_concurrency", 0, "reserved_concurrency"),
        ("processor_reserved_concurrency", 0, "processor_reserved_concurrency"),
        ("memory_size", 64, "memory_size"),
        ("api_timeout_seconds", 30, "api_timeout_seconds"),
        ("processor_timeout_seconds", 901, "processor_timeout_seconds"),
        ("log_retention_days", 10, "log_retention_days"),
        ("log_retention_days", True, "log_retention_days"),
        ("order_ttl_days", 0, "order_ttl_days"),
        ("removal_policy", RemovalPolicy.SNAPSHOT, "removal_policy"),
        ("removal_policy", "retain", "removal_policy"),
        ("cors_origins", ("*",), "cors_origins"),
        ("cors_origins", ("http://shop.example.com",), "cors_origins"),
        ("cors_origins", ("https://shop.example.com/path",), "cors_origins"),
        ("authorization", "iam", "authorization"),
        ("cognito_user_pool_arn", "arn:aws:cognito-idp:eu-west-1:1:userpool/x", "cognito"),
        ("tags", {"Service": "x"}, "tags"),
        ("tags", {"aws:reserved": "x"}, "tags"),
        ("tags", {"Team": 3}, "tags"),
        ("enable_waf", "yes", "enable_waf"),
        ("waf_rate_limit", 10, "waf_rate_limit"),
        ("api_latency_alarm_ms", 30_000, "api_latency_alarm_ms"),
        ("powertools_layer_version", 0, "powertools_layer_version"),
        ("api_gateway_account_role", "none", "api_gateway_account_role"),
        ("api_gateway_account_role", None, "api_gateway_account_role"),
        ("api_gateway_account_role", "arn:aws:iam::1:role/x", "api_gateway_account_role"),
        (
            "api_gateway_account_role",
            "arn:aws:iam::123456789012:user/x",
            "api_gateway_account_role",
        ),
        ("backup_schedule", "rate(1 day)", "backup_schedule"),
        ("backup_schedule", "cron(0 3 * * ?)", "backup_schedule"),
        ("backup_retention_days", 0, "backup_retention_days"),
        ("backup_vault_lock", "yes", "backup_vault_lock"),
        ("backup_copy_vault_arn", "orders-copies", "backup_copy_vault_arn"),
        ("backup_copy_vault_arn", "arn:aws:backup:eu-west-1:1:backup-vault:x", "backup_copy"),
        ("architecture", "arm", "architecture"),
        ("architecture", "ARM64", "architecture"),
        ("export_prefix", "", "export_prefix"),
        ("export_prefix", "orders_prod", "export_prefix"),
        ("export_prefix", "-orders", "export_prefix"),
        ("export_prefix", "a" * 201, "export_prefix"),
    ],
)
def test_bad_value_raises_naming_the_prop(prop: str, value: Any, message: str) -> None:
    with pytest.raises(OrderServicePropsError, match=message):
        OrderServiceProps(**{prop: value})


def test_cognito_needs_a_user_pool() -> None:
    with pytest.raises(OrderServicePropsError, match="cognito_user_pool_arn"):
        OrderServiceProps(authorization=AuthorizationMode.COGNITO)


def test_local_development_origin_is_allowed() -> None:
    props = OrderServiceProps(cors_origins=("http://localhost:3000", "https://shop.example.com"))
    assert props.cors_origins == ("http://localhost:3000", "https://shop.example.com")


def test_construct_rejects_non_props() -> None:
    from aws_cdk import App, Stack

    from kit import ProductionOrderService

    with pytest.raises(TypeError, match="OrderServiceProps"):
        ProductionOrderService(Stack(App(), "S"), "Service", {"environment_name": "x"})  # type: ignore[arg-type]


def test_destroy_removal_policy_reaches_stateful_resources() -> None:
    template = synth(OrderServiceProps(removal_policy=RemovalPolicy.DESTROY))
    table = only(template, "AWS::DynamoDB::Table")
    assert table["DeletionPolicy"] == "Delete"
    assert table["Properties"]["DeletionProtectionEnabled"] is False
    assert only(template, "AWS::KMS::Key")["DeletionPolicy"] == "Delete"
