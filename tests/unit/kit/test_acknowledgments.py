"""The construct's own acknowledgments: one valid data file, attached only where the props in
use produce the finding, only on the construct's own resources, in each tool's own format."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from aws_cdk import App, Stack, Validations
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template

from kit import AuthorizationMode, OrderServiceProps, ProductionOrderService
from kit.acknowledgments import (
    AcknowledgmentsFileError,
    find_kit_acknowledgment,
    kit_acknowledgments,
    parse_acknowledgments,
)
from kit.audit.ledger import _check_rule
from kit.reference_app import REFERENCE_PROPS
from tests.unit.kit.conftest import _synth, resources

USER_POOL = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Example1"


def _rules(service: ProductionOrderService, tool: str) -> set[str]:
    return {ack.rule for _path, ack in service.acknowledgments if ack.tool == tool}


def test_the_data_file_is_valid_and_every_reason_is_real() -> None:
    entries = kit_acknowledgments()

    assert entries
    for ack in entries:
        # The same rule-id checks as a ledger entry (cdk-nag catalogue, checkov/cfn-lint ids).
        _check_rule("kit/acknowledgments.yaml", ack.rule, ack.tool, ack.rule)
        assert len(ack.reason.split()) >= 8, f"{ack.rule}: the reason is too thin"
    keys = [(a.tool, a.rule, a.resource) for a in entries]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "version: 1\nacknowledgments:\n  - {tool: checkov, rule: CKV_AWS_1, resource: X}\n",
            "'reason' must be a non-empty string",
        ),
        (
            "version: 1\nacknowledgments:\n  - {tool: checkov, rule: CKV_AWS_1, resource: X,"
            " reason: r, when: {no_such_prop: true}}\n",
            "neither an OrderServiceProps",
        ),
        (
            "version: 1\nacknowledgments:\n  - {tool: trivy, rule: X, resource: X, reason: r}\n",
            "tool must be one of",
        ),
        ("version: 2\nacknowledgments: []\n", "version: 1"),
    ],
)
def test_a_bad_data_file_is_refused(text: str, message: str) -> None:
    with pytest.raises(AcknowledgmentsFileError, match=message):
        parse_acknowledgments(text)


def test_conditions_follow_the_props_in_use() -> None:
    by_rule = {(a.tool, a.rule): a for a in kit_acknowledgments()}
    waf = by_rule[("cdk-nag", "AwsSolutions-APIG3")]
    cog4 = by_rule[("cdk-nag", "AwsSolutions-COG4")]
    xray_star = by_rule[("cdk-nag", "AwsSolutions-IAM5[Resource::*]")]
    cognito = OrderServiceProps(
        authorization=AuthorizationMode.COGNITO, cognito_user_pool_arn=USER_POOL, price_catalog=True
    )

    assert waf.applies_to(OrderServiceProps()) and not waf.applies_to(
        OrderServiceProps(enable_waf=True)
    )
    assert cog4.applies_to(OrderServiceProps()) and not cog4.applies_to(cognito)
    # The X-Ray "*" statements arrive with tracing, at phase 2.
    assert xray_star.applies_to(OrderServiceProps(phase=2))
    assert not xray_star.applies_to(OrderServiceProps(phase=1))
    # The runtime findings are the kit's only for its default runtime: python3.14 raises none,
    # and python3.12 is the user's own choice (their ledger carries its reason).
    for rule in ("AwsSolutions-L1", "Serverless-LambdaLatestVersion"):
        runtime = by_rule[("cdk-nag", rule)]
        assert runtime.applies_to(OrderServiceProps())
        assert not runtime.applies_to(OrderServiceProps(runtime="python3.12"))
        assert not runtime.applies_to(OrderServiceProps(runtime="python3.14"))


def test_the_construct_attaches_cdk_nag_acknowledgments_with_the_kits_reasons() -> None:
    _template, service = _synth(REFERENCE_PROPS)
    key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    function = service.api_function.node.default_child
    assert function is not None
    recorded: dict[str, Any] = {}
    for entry in function.node.metadata:
        if entry.type == key:
            recorded.update(entry.data)

    assert recorded["AwsSolutions::AwsSolutions-L1"].startswith("python3.13 is the default")
    assert "NIST.800.53.R5::NIST.800.53.R5-LambdaInsideVPC" in recorded
    assert "AwsSolutions-COG4" in _rules(service, "cdk-nag")
    assert "AwsSolutions-APIG3" in _rules(service, "cdk-nag")  # WAF off by default


def test_checkov_skips_are_written_into_the_template_with_the_reason() -> None:
    template, _service = _synth(REFERENCE_PROPS)
    functions = resources(template, "AWS::Lambda::Function")
    stages = resources(template, "AWS::ApiGateway::Stage")

    for function in functions.values():
        skips = function["Metadata"]["checkov"]["skip"]
        assert [s["id"] for s in skips] == ["CKV_AWS_117"]
        assert "VPC" in skips[0]["comment"]
    (stage,) = stages.values()
    assert [s["id"] for s in stage["Metadata"]["checkov"]["skip"]] == ["CKV_AWS_120"]


def test_no_function_depends_on_the_role_it_references() -> None:
    """cfn-lint W3005 fixed, not acknowledged: DependsOn keeps only the unreferenced policy."""
    for phase in (0, 5):
        template, _service = _synth(dataclasses.replace(REFERENCE_PROPS, phase=phase))
        roles = set(resources(template, "AWS::IAM::Role"))
        for function in resources(template, "AWS::Lambda::Function").values():
            depends_on = set(function.get("DependsOn", []))
            assert depends_on and not depends_on & roles, (phase, depends_on)


def test_cognito_and_waf_props_change_what_is_attached() -> None:
    props = dataclasses.replace(
        REFERENCE_PROPS,
        authorization=AuthorizationMode.COGNITO,
        cognito_user_pool_arn=USER_POOL,
        price_catalog=True,
        enable_waf=True,
    )
    _template, service = _synth(props)
    rules = _rules(service, "cdk-nag")

    assert "AwsSolutions-COG4" not in rules
    assert "AwsSolutions-APIG3" not in rules
    assert "NIST.800.53.R5-WAFv2LoggingEnabled" in rules


def test_resources_the_user_adds_get_nothing() -> None:
    app = App()
    stack = Stack(app, "UserStack")
    service = ProductionOrderService(stack, "Orders")
    # A queue of the user's, even inside the construct's scope, added after it was built.
    sqs.Queue(service, "UserQueue", encryption=sqs.QueueEncryption.UNENCRYPTED)
    sqs.Queue(stack, "OtherQueue", encryption=sqs.QueueEncryption.UNENCRYPTED)
    template = Template.from_stack(stack).to_json()["Resources"]

    attached_paths = {path for path, _ack in service.acknowledgments}
    assert not any("Queue" in path and "DeadLetters" not in path for path in attached_paths)
    user_queues = {k: r for k, r in template.items() if "UserQueue" in k or "OtherQueue" in k}
    assert len(user_queues) == 2
    for resource in user_queues.values():
        assert "checkov" not in resource.get("Metadata", {})
        assert "cfn-lint" not in resource.get("Metadata", {})


def test_a_finding_is_the_kits_only_with_the_kits_rule_resource_and_reason() -> None:
    reason = next(a.reason for a in kit_acknowledgments() if a.rule == "CKV_AWS_117")
    path = "Any/Nesting/Orders/ApiFunction/Function/Resource"

    assert find_kit_acknowledgment("checkov", "CKV_AWS_117", path, reason) is not None
    assert find_kit_acknowledgment("checkov", "CKV_AWS_117", path, "my own reason") is None
    assert find_kit_acknowledgment("checkov", "CKV_AWS_117", "S/Queue/Resource", reason) is None
    assert find_kit_acknowledgment("checkov", "CKV_AWS_27", path, reason) is None


def test_cfn_lint_entries_become_directives_cfn_lint_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """No kit entry needs cfn-lint today (W3005 is fixed); the format is still the one
    cfn-lint's own Template.get_directives() reads, merged with checkov's skips."""
    from cfnlint.template import Template as LintTemplate

    import kit.acknowledgments as module

    extra = parse_acknowledgments(
        "version: 1\nacknowledgments:\n"
        "  - {tool: cfn-lint, rule: W3005, resource: ApiFunction/Function/Resource,"
        " reason: A test entry standing in for a real cfn-lint acknowledgment.}\n"
    )
    monkeypatch.setattr(module, "kit_acknowledgments", lambda: (*kit_acknowledgments(), *extra))
    app = App()
    stack = Stack(app, "LintStack")
    service = ProductionOrderService(stack, "Orders")
    template = Template.from_stack(stack).to_json()
    function_id = stack.resolve(service.api_function.node.default_child.logical_id)  # type: ignore[union-attr]

    metadata = template["Resources"][function_id]["Metadata"]
    assert metadata["cfn-lint"] == {"config": {"ignore_checks": ["W3005"]}}
    assert [s["id"] for s in metadata["checkov"]["skip"]] == ["CKV_AWS_117"]
    assert LintTemplate("t.json", template).get_directives() == {"W3005": [function_id]}


def test_a_rule_naming_a_resource_gets_its_logical_id_wherever_the_construct_sits() -> None:
    """The archive's IAM5 finding holds the bucket's logical id, which depends on the
    construct's place in the app: attached with that id, accepted by the audit with any."""
    from aws_cdk import App, Stack

    from kit import ProductionOrderService
    from kit.acknowledgments import find_kit_acknowledgment

    (entry,) = [a for a in kit_acknowledgments() if "{Archive/Bucket/Resource}" in a.rule]
    rules = []
    for construct_id in ("Service", "Shop"):
        stack = Stack(App(), "Stack")
        service = ProductionOrderService(stack, construct_id, OrderServiceProps())
        (rule,) = [r for r in _rules(service, "cdk-nag") if r.endswith("/orders/*]")]
        bucket = service.archive.bucket.node.default_child  # type: ignore[union-attr]
        logical = stack.get_logical_id(bucket)  # type: ignore[arg-type]
        assert rule == f"AwsSolutions-IAM5[Resource::<{logical}.Arn>/orders/*]"
        path = f"Stack/{construct_id}/ProcessorFunction/Policy/Resource"
        assert find_kit_acknowledgment("cdk-nag", rule, path, entry.reason) is entry
        rules.append(rule)
    assert rules[0] != rules[1]
    assert not entry.matches_rule("AwsSolutions-IAM5[Resource::<Other.Arn>/other/*]")
