"""Given the construct with and without the ``vpc`` prop: the functions' network placement,
security group and VPC endpoints (template level; the local cloud runs no VPC)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk.assertions import Template

from kit import OrderServiceProps, ProductionOrderService
from kit.migration import check_migration
from kit.reference_app import REFERENCE_PROPS

INSIDE_VPC_RULES = {
    "NIST.800.53.R5-LambdaInsideVPC",
    "HIPAA.Security-LambdaInsideVPC",
    "PCI.DSS.321-LambdaInsideVPC",
    "CKV_AWS_117",
}


def _build(
    props: OrderServiceProps, *, with_vpc: bool, **vpc_props: Any
) -> tuple[dict[str, Any], Any]:
    """The template of a stack holding the user's VPC and the service (given the VPC or not)."""
    stack = Stack(App(), "Orders", env=Environment(region="eu-west-1"))
    vpc = ec2.Vpc(
        stack,
        "UserVpc",
        max_azs=2,
        nat_gateways=0,
        subnet_configuration=[
            ec2.SubnetConfiguration(name="app", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
        ],
    )
    if with_vpc:
        props = replace(props, vpc=vpc, **vpc_props)
    service = ProductionOrderService(stack, "Service", props)
    return Template.from_stack(stack).to_json(), service


@pytest.fixture(scope="module")
def plain() -> tuple[dict[str, Any], Any]:
    return _build(REFERENCE_PROPS, with_vpc=False)


@pytest.fixture(scope="module")
def in_vpc() -> tuple[dict[str, Any], Any]:
    return _build(REFERENCE_PROPS, with_vpc=True)


def _of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == kind}


def _functions(template: dict[str, Any]) -> list[dict[str, Any]]:
    return [r["Properties"] for r in _of_type(template, "AWS::Lambda::Function").values()]


def _without_the_vpc_additions(template: dict[str, Any]) -> dict[str, Any]:
    """The template minus what the vpc prop adds: network resources, VpcConfig, the
    network-interface statement, and the acknowledgments that no longer apply."""
    stripped = json.loads(json.dumps(template))
    for logical in list(stripped["Resources"]):
        if logical.startswith("ServiceNetwork"):
            del stripped["Resources"][logical]
    for resource in stripped["Resources"].values():
        properties = resource.get("Properties", {})
        properties.pop("VpcConfig", None)
        document = properties.get("PolicyDocument", {})
        if "Statement" in document:
            document["Statement"] = [
                s
                for s in document["Statement"]
                if s.get("Sid") not in ("AttachToVpc", "DescribeNetworkInterfaces")
            ]
    return stripped


def test_without_a_vpc_the_template_has_no_network_resource(
    plain: tuple[dict[str, Any], Any],
) -> None:
    template, service = plain
    assert service.network is None
    assert all(
        not r["Type"].startswith("AWS::EC2::")
        for k, r in template["Resources"].items()
        if not k.startswith("UserVpc")
    )
    assert all("VpcConfig" not in f for f in _functions(template))
    assert {ack.rule for _, ack in service.acknowledgments} >= INSIDE_VPC_RULES


def test_the_vpc_prop_changes_nothing_but_the_network(
    plain: tuple[dict[str, Any], Any], in_vpc: tuple[dict[str, Any], Any]
) -> None:
    """Byte for byte: the VPC template minus its network additions is the plain template, so
    without the prop nothing changes (and with it, nothing else does)."""
    stripped = _without_the_vpc_additions(in_vpc[0])
    original = json.loads(json.dumps(plain[0]))
    # The only other difference: CKV_AWS_117's skip leaves the functions' checkov metadata.
    for template in (stripped, original):
        for resource in template["Resources"].values():
            resource.get("Metadata", {}).pop("checkov", None)
            if resource.get("Metadata") == {}:
                del resource["Metadata"]
    assert json.dumps(stripped, sort_keys=True) == json.dumps(original, sort_keys=True)


def test_functions_run_in_the_private_subnets_with_https_egress_only(
    in_vpc: tuple[dict[str, Any], Any],
) -> None:
    template, service = in_vpc
    groups = _of_type(template, "AWS::EC2::SecurityGroup")
    function_group = next(k for k in groups if "FunctionSecurityGroup" in k)
    properties = groups[function_group]["Properties"]
    assert properties["SecurityGroupEgress"] == [
        {
            "CidrIp": "0.0.0.0/0",
            "Description": "HTTPS to AWS service endpoints",
            "FromPort": 443,
            "IpProtocol": "tcp",
            "ToPort": 443,
        }
    ]
    assert "SecurityGroupIngress" not in properties
    private = {f"UserVpcappSubnet{n}Subnet" for n in (1, 2)}
    functions = _functions(template)
    assert len(functions) == 3  # api, processor, pending-order sweep
    for function in functions:
        config = function["VpcConfig"]
        assert config["SecurityGroupIds"] == [{"Fn::GetAtt": [function_group, "GroupId"]}]
        assert {ref["Ref"][:-8] for ref in config["SubnetIds"]} == private
    assert not INSIDE_VPC_RULES & {ack.rule for _, ack in service.acknowledgments}


def test_endpoints_are_those_the_functions_call(in_vpc: tuple[dict[str, Any], Any]) -> None:
    template, _ = in_vpc
    endpoints = _of_type(template, "AWS::EC2::VPCEndpoint")
    services = sorted(
        (json.dumps(e["Properties"]["ServiceName"]), e["Properties"].get("VpcEndpointType"))
        for e in endpoints.values()
    )
    assert len(services) == 2
    assert ".dynamodb" in services[0][0] + services[1][0]
    kinds = {e["Properties"].get("VpcEndpointType", "Gateway") for e in endpoints.values()}
    assert kinds == {"Gateway", "Interface"}
    interface = next(
        e["Properties"]
        for e in endpoints.values()
        if e["Properties"].get("VpcEndpointType") == "Interface"
    )
    assert "kms" in json.dumps(interface["ServiceName"])
    assert interface["PrivateDnsEnabled"] is True
    # The endpoint's group admits HTTPS from the functions' group only.
    ingress = _of_type(template, "AWS::EC2::SecurityGroupIngress")
    assert len(ingress) == 1
    rule = next(iter(ingress.values()))["Properties"]
    assert (rule["FromPort"], rule["ToPort"], rule["IpProtocol"]) == (443, 443, "tcp")
    assert "FunctionSecurityGroup" in rule["SourceSecurityGroupId"]["Fn::GetAtt"][0]


def test_optional_endpoints_and_no_kms_endpoint_without_the_key() -> None:
    template, _ = _build(REFERENCE_PROPS, with_vpc=True, vpc_optional_endpoints=("xray", "logs"))
    names = json.dumps(
        [
            e["Properties"]["ServiceName"]
            for e in _of_type(template, "AWS::EC2::VPCEndpoint").values()
        ]
    )
    assert all(service in names for service in (".xray", ".logs", ".kms", ".dynamodb"))
    naive, _ = _build(OrderServiceProps(phase=0), with_vpc=True)
    assert len(_of_type(naive, "AWS::EC2::VPCEndpoint")) == 1  # DynamoDB: no key, no KMS call


def test_adding_a_vpc_to_a_live_service_is_safe(
    plain: tuple[dict[str, Any], Any], in_vpc: tuple[dict[str, Any], Any]
) -> None:
    """migrate-check: the functions are updated in place (VpcConfig is updatable), no
    stateful resource is removed or replaced."""
    assert check_migration(plain[0], in_vpc[0]) == []


def test_the_functions_may_attach_to_the_vpc(in_vpc: tuple[dict[str, Any], Any]) -> None:
    template, _ = in_vpc
    attach = [
        s
        for p in _of_type(template, "AWS::IAM::ManagedPolicy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Sid") == "AttachToVpc"
    ]
    assert len(attach) == 3  # one per function role
    assert "ec2:CreateNetworkInterface" in attach[0]["Action"]
    # Only interfaces, subnets and groups of the user's VPC (checkov CKV_AWS_111).
    (vpc_arn,) = attach[0]["Condition"]["ArnEquals"]["ec2:Vpc"]["Fn::Join"][1][-1:]
    assert vpc_arn == {"Ref": next(k for k in template["Resources"] if k.startswith("UserVpc"))}


def test_vpc_props_are_checked() -> None:
    from kit import OrderServicePropsError

    with pytest.raises(OrderServicePropsError, match="vpc must be"):
        OrderServiceProps(vpc="vpc-123")  # type: ignore[arg-type]
    with pytest.raises(OrderServicePropsError, match="vpc_optional_endpoints"):
        OrderServiceProps(vpc_optional_endpoints=("sns",))
    with pytest.raises(OrderServicePropsError, match="need a vpc"):
        OrderServiceProps(vpc_optional_endpoints=("xray",))
