"""Given the reference construct, the functions and the stream processing are configured as
the seed requires."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from aws_cdk.assertions import Template

from kit import OrderServiceProps
from kit.processing import STREAM_RETRY_ATTEMPTS
from kit.props import OrderServicePropsError
from kit.reference_app import REFERENCE_PROPS, reference_props

from .conftest import logical_id, only, resources, synth


def _functions(template: Template) -> dict[str, dict[str, Any]]:
    by_handler = {}
    for resource in resources(template, "AWS::Lambda::Function").values():
        by_handler[resource["Properties"]["Handler"]] = resource["Properties"]
    assert set(by_handler) == {
        "orders.api.lambda_handler",
        "orders.processor.lambda_handler",
        "orders.pending_sweep.lambda_handler",
    }
    return by_handler


def test_api_function_has_reserved_concurrency_100(template: Template) -> None:
    functions = _functions(template)
    assert functions["orders.api.lambda_handler"]["ReservedConcurrentExecutions"] == 100
    assert functions["orders.processor.lambda_handler"]["ReservedConcurrentExecutions"] == 10


def test_functions_trace_log_json_and_use_python313(template: Template) -> None:
    for properties in _functions(template).values():
        assert properties["TracingConfig"] == {"Mode": "Active"}
        assert properties["Runtime"] == "python3.13"
        assert properties["LoggingConfig"]["LogFormat"] == "JSON"
        # the explicit, encrypted log group, not one Lambda would create itself
        assert "Ref" in properties["LoggingConfig"]["LogGroup"]


def test_functions_have_dlq_and_encrypted_environment(template: Template) -> None:
    queue_id = logical_id(template, "AWS::SQS::Queue")
    key_id = logical_id(template, "AWS::KMS::Key")
    for properties in _functions(template).values():
        assert properties["DeadLetterConfig"] == {"TargetArn": {"Fn::GetAtt": [queue_id, "Arn"]}}
        assert properties["KmsKeyArn"] == {"Fn::GetAtt": [key_id, "Arn"]}


def test_api_function_environment_tells_the_handler_its_resources(template: Template) -> None:
    env = _functions(template)["orders.api.lambda_handler"]["Environment"]["Variables"]
    assert env["TABLE_NAME"] == {"Ref": logical_id(template, "AWS::DynamoDB::Table")}
    assert env["CUSTOMER_INDEX_NAME"] == "customer-orders"
    assert env["ORDER_TTL_DAYS"] == "365"
    assert env["ALLOWED_ORIGINS"] == "https://shop.example.com"
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == "ProductionOrderKit"


def test_powertools_layer_attached_by_default_and_optional() -> None:
    (layer,) = _functions(synth())["orders.api.lambda_handler"]["Layers"]
    assert "AWSLambdaPowertoolsPythonV3-python313-arm64:27" in str(layer)
    assert ":017000801446:layer:" in str(layer)
    local = synth(reference_props(powertools_layer=False))
    assert "Layers" not in _functions(local)["orders.api.lambda_handler"]


def test_stream_mapping_bisects_retries_and_sends_failures_to_dlq(template: Template) -> None:
    mapping = only(template, "AWS::Lambda::EventSourceMapping")["Properties"]
    queue_id = logical_id(template, "AWS::SQS::Queue")
    table_id = logical_id(template, "AWS::DynamoDB::Table")
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [table_id, "StreamArn"]}
    assert mapping["BisectBatchOnFunctionError"] is True
    assert mapping["MaximumRetryAttempts"] == STREAM_RETRY_ATTEMPTS
    assert mapping["MaximumRecordAgeInSeconds"] == 6 * 3600
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["DestinationConfig"] == {
        "OnFailure": {"Destination": {"Fn::GetAtt": [queue_id, "Arn"]}}
    }
    assert mapping["StartingPosition"] == "TRIM_HORIZON"


def test_function_sizes_follow_props() -> None:
    props = OrderServiceProps(memory_size=1024, api_timeout_seconds=20, reserved_concurrency=7)
    functions = _functions(synth(props))
    assert functions["orders.api.lambda_handler"]["MemorySize"] == 1024
    assert functions["orders.api.lambda_handler"]["Timeout"] == 20
    assert functions["orders.api.lambda_handler"]["ReservedConcurrentExecutions"] == 7


def test_functions_run_on_arm64_by_default_and_x86_64_on_request() -> None:
    for function in _functions(synth()).values():
        assert function["Architectures"] == ["arm64"]
    x86 = _functions(synth(replace(REFERENCE_PROPS, architecture="x86_64")))
    for function in x86.values():
        assert function["Architectures"] == ["x86_64"]
    # The layer of the same architecture: an x86 layer on arm64 fails on native code.
    (layer,) = x86["orders.api.lambda_handler"]["Layers"]
    assert "AWSLambdaPowertoolsPythonV3-python313-x86_64:27" in str(layer)


@pytest.mark.parametrize("runtime", ["python3.12", "python3.14"])
def test_runtime_prop_sets_every_function_and_the_layer_build(runtime: str) -> None:
    functions = _functions(synth(replace(REFERENCE_PROPS, runtime=runtime)))
    for function in functions.values():
        assert function["Runtime"] == runtime
        (layer,) = function["Layers"]
        # The layer built for the same Python: its compiled parts are per Python version.
        assert f"AWSLambdaPowertoolsPythonV3-{runtime.replace('.', '')}-arm64:27" in str(layer)


@pytest.mark.parametrize("runtime", ["python3.11", "python3.15", "nodejs22.x", ""])
def test_runtime_prop_refuses_runtimes_without_a_powertools_layer(runtime: str) -> None:
    with pytest.raises(OrderServicePropsError, match=r"runtime must be one of python3\.12"):
        replace(REFERENCE_PROPS, runtime=runtime)


@pytest.mark.parametrize(
    ("context", "variable", "wanted"),
    [
        (None, None, True),
        (None, "false", False),
        (None, "FALSE", False),
        ("true", "false", True),  # the -c option wins over the environment
        ("false", None, False),
        (False, None, False),  # a JSON boolean in cdk.json
    ],
)
def test_powertools_layer_context_then_environment(
    monkeypatch: pytest.MonkeyPatch, context: object, variable: str | None, wanted: bool
) -> None:
    from kit.reference_app import POWERTOOLS_LAYER_VARIABLE, powertools_layer_wanted

    monkeypatch.delenv(POWERTOOLS_LAYER_VARIABLE, raising=False)
    if variable is not None:
        monkeypatch.setenv(POWERTOOLS_LAYER_VARIABLE, variable)
    assert powertools_layer_wanted(context) is wanted


def test_powertools_layer_setting_rejects_other_values(monkeypatch: pytest.MonkeyPatch) -> None:
    from kit.reference_app import POWERTOOLS_LAYER_VARIABLE, powertools_layer_wanted

    monkeypatch.setenv(POWERTOOLS_LAYER_VARIABLE, "no")
    with pytest.raises(ValueError, match="ORDER_KIT_POWERTOOLS_LAYER must be 'true' or 'false'"):
        powertools_layer_wanted(None)
    with pytest.raises(ValueError, match="order-kit:powertools-layer must be"):
        powertools_layer_wanted("off")
