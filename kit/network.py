"""VPC placement of the functions: a security group that allows only HTTPS out, and the VPC
endpoints of the AWS services the function code calls.

The function code calls DynamoDB (both functions) and KMS (the api function encrypts its page
tokens). Everything else a function's record reaches is sent by the Lambda service itself,
outside the VPC: logs written to stdout, the asynchronous-invocation DLQ, the stream's
on-failure destination, the environment's decryption. X-Ray trace segments and direct
CloudWatch Logs API calls are the user's choice (:data:`OPTIONAL_ENDPOINTS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import Aws
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from constructs import Construct

#: Interface endpoints the user may add (``OrderServiceProps.vpc_optional_endpoints``).
OPTIONAL_ENDPOINTS = {
    "xray": ec2.InterfaceVpcEndpointAwsService.XRAY,
    "logs": ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
}

#: What Lambda needs to attach a function to the VPC (the write actions of the AWS managed
#: policy AWSLambdaVPCAccessExecutionRole), limited to network interfaces, subnets and security
#: groups of the user's VPC with the ``ec2:Vpc`` condition key.
NETWORK_INTERFACE_ACTIONS = (
    "ec2:AssignPrivateIpAddresses",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:UnassignPrivateIpAddresses",
)


def network_interface_statements(vpc: ec2.IVpc) -> list[iam.PolicyStatement]:
    """The statements that let Lambda manage the function's network interfaces in ``vpc``.

    ``ec2:DescribeNetworkInterfaces`` supports no resource or condition: AWS requires "*".
    """
    vpc_arn = f"arn:{Aws.PARTITION}:ec2:{Aws.REGION}:{Aws.ACCOUNT_ID}:vpc/{vpc.vpc_id}"
    return [
        iam.PolicyStatement(
            sid="AttachToVpc",
            actions=list(NETWORK_INTERFACE_ACTIONS),
            resources=["*"],
            conditions={"ArnEquals": {"ec2:Vpc": vpc_arn}},
        ),
        iam.PolicyStatement(
            sid="DescribeNetworkInterfaces",
            actions=["ec2:DescribeNetworkInterfaces"],
            resources=["*"],
        ),
    ]


def is_vpc(value: Any) -> bool:
    """Whether ``value`` behaves as an ``aws_ec2.IVpc`` (jsii interfaces refuse isinstance)."""
    return all(hasattr(value, name) for name in ("vpc_id", "select_subnets", "vpc_cidr_block"))


class ServiceNetwork(Construct):
    """The functions' security group and the VPC endpoints they call, in the user's VPC.

    Parameters
    ----------
    vpc
        The user's VPC.
    subnets
        The subnets of the functions (and of the interface endpoints); ``None``: the VPC's
        private subnets (the CDK default for Lambda).
    kms_endpoint
        Create a KMS interface endpoint (the api function calls KMS when the key exists).
    optional_endpoints
        Names in :data:`OPTIONAL_ENDPOINTS`.

    Attributes
    ----------
    security_group : aws_ec2.SecurityGroup
        The functions' group: no ingress, egress only to TCP 443.
    endpoints : dict[str, aws_ec2.IVpcEndpoint]
        By service name: ``dynamodb`` (gateway) and the interface endpoints.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        vpc: ec2.IVpc,
        subnets: ec2.SubnetSelection | None,
        kms_endpoint: bool,
        optional_endpoints: Sequence[str],
    ) -> None:
        super().__init__(scope, construct_id)
        self.vpc = vpc
        self.subnets = subnets
        self.security_group = ec2.SecurityGroup(
            self,
            "FunctionSecurityGroup",
            vpc=vpc,
            description="Order service functions: HTTPS to AWS service endpoints only",
            allow_all_outbound=False,
        )
        self.security_group.add_egress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to AWS service endpoints"
        )
        self.endpoints: dict[str, ec2.IVpcEndpoint] = {
            "dynamodb": ec2.GatewayVpcEndpoint(
                self,
                "DynamoDbEndpoint",
                vpc=vpc,
                service=ec2.GatewayVpcEndpointAwsService.DYNAMODB,
                subnets=[subnets] if subnets is not None else None,
            )
        }
        interface = {"kms": ec2.InterfaceVpcEndpointAwsService.KMS} if kms_endpoint else {}
        interface.update({name: OPTIONAL_ENDPOINTS[name] for name in optional_endpoints})
        if not interface:
            return
        endpoint_group = ec2.SecurityGroup(
            self,
            "EndpointSecurityGroup",
            vpc=vpc,
            description="Order service VPC endpoints: HTTPS from the functions only",
            allow_all_outbound=False,
        )
        endpoint_group.add_ingress_rule(
            self.security_group, ec2.Port.tcp(443), "HTTPS from the order service functions"
        )
        for name, service in interface.items():
            self.endpoints[name] = ec2.InterfaceVpcEndpoint(
                self,
                f"{name.capitalize()}Endpoint",
                vpc=vpc,
                service=service,
                subnets=subnets,
                private_dns_enabled=True,
                security_groups=[endpoint_group],
                open=False,
            )
