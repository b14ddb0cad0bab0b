"""The REST API in front of the api function."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from aws_cdk import Aws, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from kit.paths import order_request_schema_path
from kit.phases import Features
from kit.props import CREATE_ACCOUNT_ROLE, EXISTING_ACCOUNT_ROLE, AuthorizationMode

#: Name of the API Gateway model made from the order request JSON Schema.
ORDER_REQUEST_MODEL_NAME = "OrderRequest"

CORRELATION_HEADER = "X-Correlation-Id"
#: The CommonRuleSet rule that would block valid orders larger than 8 KB.
WAF_BODY_SIZE_RULE = "SizeRestrictions_BODY"
IDEMPOTENCY_HEADER = "Idempotency-Key"

#: One JSON object per request in the access log. It names the caller (``userArn``/``caller``
#: for IAM, ``cognitoSub`` for Cognito: the token's immutable user id) and the request path
#: (``path``, with the ids in it), so it joins the function log on ``requestId``. The
#: validator's ``$context.error.validationErrorString`` is left out: it quotes submitted values
#: (addresses...) into the log; ``errorMessage`` says that the body was refused.
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "extendedRequestId": "$context.extendedRequestId",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "path": "$context.path",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationLatency": "$context.integration.latency",
    "integrationStatus": "$context.integration.status",
    "errorMessage": "$context.error.message",
    "sourceIp": "$context.identity.sourceIp",
    "caller": "$context.identity.caller",
    "userArn": "$context.identity.userArn",
    "cognitoSub": "$context.authorizer.claims.sub",
    "xrayTraceId": "$context.xrayTraceId",
    "wafStatus": "$context.waf.status",
}
#: Claim names AWS documents in ``$context.authorizer.claims.property`` (API Gateway developer
#: guide, "Variables for access logging for API Gateway"): names with ``:``, ``.`` or ``-``
#: (``custom:customer_id``) are not documented there, and a format API Gateway refuses would
#: fail the deployment, so such a claim is named by the function log only.
_PLAIN_CLAIM = re.compile(r"^[A-Za-z0-9_]+$")


def access_log_fields(customer_id_claim: str | None = None) -> dict[str, str]:
    """The access log's fields; with Cognito's ``customer_id_claim`` (other than ``sub``, always
    logged as ``cognitoSub``), ``customerId`` carries that claim when AWS documents its form.

    Examples
    --------
    >>> access_log_fields("customer_no")["customerId"]
    '$context.authorizer.claims.customer_no'
    >>> "customerId" in access_log_fields("custom:customer_id"), "customerId" in access_log_fields()
    (False, False)
    """
    fields = dict(ACCESS_LOG_FIELDS)
    if (
        customer_id_claim is not None
        and customer_id_claim != "sub"
        and _PLAIN_CLAIM.match(customer_id_claim)
    ):
        fields["customerId"] = f"$context.authorizer.claims.{customer_id_claim}"
    return fields


#: Body of the errors API Gateway itself returns (a mapping template, not JSON: AWS documents
#: ``$context.error.messageString`` as the already quoted ``$context.error.message``). The
#: validator's ``$context.error.validationErrorString`` is left out: it quotes submitted
#: values (addresses...) back to the caller.
GATEWAY_ERROR_TEMPLATE = (
    '{"error": "$context.error.responseType", '
    '"message": $context.error.messageString, '
    '"requestId": "$context.requestId"}'
)

#: Request template of the CORS preflight mock integrations: valid JSON (the CDK default,
#: ``{ statusCode: 200 }``, is not).
PREFLIGHT_REQUEST_TEMPLATE = '{"statusCode": 200}'


def load_order_request_schema() -> dict[str, Any]:
    """Return the order request JSON Schema that becomes the API Gateway request model."""
    with order_request_schema_path().open(encoding="utf-8") as stream:
        schema: dict[str, Any] = json.load(stream)
    return schema


class OrdersApi(Construct):
    """API Gateway REST API: ``POST /orders``, ``GET /orders/{orderId}``,
    ``GET /customers/{customerId}/orders``, all proxied to the api function.

    At full production the stage throttles, writes JSON access logs and execution logs to
    KMS-encrypted log groups with retention, and traces with X-Ray. Request bodies are
    validated against the order request model and path parameters are required. Every method
    is authorized (IAM by default); CORS is an allow-list; gateway errors carry CORS headers
    and a JSON body. Earlier phases leave out what ``features`` says is not deployed yet.

    Attributes
    ----------
    api : aws_apigateway.RestApi
    stage : aws_apigateway.Stage
    access_log_group : aws_logs.LogGroup or None
    execution_log_group : aws_logs.LogGroup or None
    account_role : aws_iam.Role or None
        The account's API Gateway CloudWatch role, when this construct creates it
        (``account_role="create"``): account-wide, retained on stack delete.
    request_model : aws_apigateway.CfnModel or None
    web_acl : aws_wafv2.CfnWebACL or None
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        stage_name: str,
        function: lambda_.IFunction,
        key: kms.IKey | None,
        features: Features,
        throttle_rate_limit: int,
        throttle_burst_limit: int,
        log_retention: logs.RetentionDays,
        removal_policy: RemovalPolicy,
        cors_origins: Sequence[str],
        authorization: AuthorizationMode,
        cognito_user_pool_arn: str | None,
        enable_waf: bool,
        cognito_oauth_scopes: Sequence[str] = (),
        customer_id_claim: str | None = None,
        waf_rate_limit: int,
        account_role: str = CREATE_ACCOUNT_ROLE,
    ) -> None:
        super().__init__(scope, construct_id)
        retention = log_retention if features.log_retention else logs.RetentionDays.INFINITE
        cors = None
        if cors_origins:
            cors = apigw.CorsOptions(
                allow_origins=list(cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=[
                    "Content-Type",
                    "Authorization",
                    "X-Amz-Date",
                    "X-Amz-Security-Token",
                    "X-Amz-Content-Sha256",
                    CORRELATION_HEADER,
                    IDEMPOTENCY_HEADER,
                ],
                expose_headers=[CORRELATION_HEADER, "Retry-After", "Idempotent-Replay", "Location"],
            )
        stage_options: dict[str, Any] = {"stage_name": stage_name, "metrics_enabled": True}
        self.access_log_group: logs.LogGroup | None = None
        if features.access_logging:
            self.access_log_group = logs.LogGroup(
                self,
                "AccessLogs",
                retention=retention,
                encryption_key=key,
                removal_policy=removal_policy,
            )
            stage_options.update(
                logging_level=apigw.MethodLoggingLevel.ERROR,
                # Full request/response logging would write order bodies (addresses) to logs.
                data_trace_enabled=False,
                access_log_destination=apigw.LogGroupLogDestination(self.access_log_group),
                access_log_format=apigw.AccessLogFormat.custom(
                    json.dumps(access_log_fields(customer_id_claim))
                ),
            )
        if features.tracing:
            stage_options["tracing_enabled"] = True
        if features.throttling:
            stage_options.update(
                throttling_rate_limit=throttle_rate_limit,
                throttling_burst_limit=throttle_burst_limit,
            )
        self.api = apigw.RestApi(
            self,
            "Api",
            rest_api_name=name,
            description="Order service: create orders, read them back, list a customer's orders",
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=False,
            default_cors_preflight_options=cors,
            deploy_options=apigw.StageOptions(**stage_options),
        )
        self.stage = self.api.deployment_stage
        self.execution_log_group: logs.LogGroup | None = None
        self.account_role: iam.Role | None = None
        if features.access_logging:
            self.execution_log_group = self._execution_logging(
                stage_name, key, retention, removal_policy
            )
            self._account_logging_role(account_role)

        method_options = (
            self._method_authorization(authorization, cognito_user_pool_arn, cognito_oauth_scopes)
            if features.api_authorization
            else {"authorization_type": apigw.AuthorizationType.NONE}  # phase 0: open
        )
        integration = apigw.LambdaIntegration(function, proxy=True)
        create_options: dict[str, Any] = {}
        order_options: dict[str, Any] = {}
        list_options: dict[str, Any] = {}
        self.request_model: apigw.CfnModel | None = None
        if features.request_validation:
            self._gateway_responses(cors_origins)
            body_validator = self.api.add_request_validator(
                "BodyValidator", validate_request_body=True, validate_request_parameters=True
            )
            params_validator = self.api.add_request_validator(
                "ParamsValidator", validate_request_body=False, validate_request_parameters=True
            )
            self.request_model = apigw.CfnModel(
                self,
                "OrderRequestModel",
                rest_api_id=self.api.rest_api_id,
                content_type="application/json",
                name=ORDER_REQUEST_MODEL_NAME,
                description="An order request (the kit's order_request.schema.json)",
                schema=load_order_request_schema(),
            )
            model = apigw.Model.from_model_name(
                self, "OrderRequestModelRef", ORDER_REQUEST_MODEL_NAME
            )
            create_options = {
                "request_validator": body_validator,
                "request_models": {"application/json": model},
            }
            order_options = {
                "request_validator": params_validator,
                "request_parameters": {"method.request.path.orderId": True},
            }
            list_options = {
                "request_validator": params_validator,
                "request_parameters": {
                    "method.request.path.customerId": True,
                    "method.request.querystring.limit": False,
                    "method.request.querystring.nextToken": False,
                },
            }

        orders = self.api.root.add_resource("orders")
        create = orders.add_method("POST", integration, **create_options, **method_options)
        if self.request_model is not None:
            create.node.add_dependency(self.request_model)
        orders.add_resource("{orderId}").add_method(
            "GET", integration, **order_options, **method_options
        )
        if features.customer_index:
            customer_orders = (
                self.api.root.add_resource("customers")
                .add_resource("{customerId}")
                .add_resource("orders")
            )
            customer_orders.add_method("GET", integration, **list_options, **method_options)
        self.web_acl = self._web_acl(name, stage_name, waf_rate_limit) if enable_waf else None
        for method in self.api.methods:
            if method.http_method == "OPTIONS":
                cfn_method = method.node.default_child
                assert isinstance(cfn_method, apigw.CfnMethod)
                cfn_method.add_property_override(
                    "Integration.RequestTemplates.application/json", PREFLIGHT_REQUEST_TEMPLATE
                )

    def _method_authorization(
        self,
        authorization: AuthorizationMode,
        user_pool_arn: str | None,
        oauth_scopes: Sequence[str] = (),
    ) -> dict[str, Any]:
        if authorization is AuthorizationMode.IAM:
            return {"authorization_type": apigw.AuthorizationType.IAM}
        if authorization is AuthorizationMode.COGNITO:
            assert user_pool_arn is not None  # validated by OrderServiceProps
            pool = cognito.UserPool.from_user_pool_arn(self, "UserPool", user_pool_arn)
            authorizer = apigw.CognitoUserPoolsAuthorizer(
                self, "Authorizer", cognito_user_pools=[pool]
            )
            options: dict[str, Any] = {
                "authorization_type": apigw.AuthorizationType.COGNITO,
                "authorizer": authorizer,
            }
            if oauth_scopes:
                # API Gateway then requires an access token carrying one of the scopes.
                options["authorization_scopes"] = list(oauth_scopes)
            return options
        # AuthorizationMode.NONE: an explicit opt-out by the caller, reported by the audit.
        return {"authorization_type": apigw.AuthorizationType.NONE}

    def _execution_logging(
        self,
        stage_name: str,
        key: kms.IKey | None,
        retention: logs.RetentionDays,
        removal_policy: RemovalPolicy,
    ) -> logs.LogGroup:
        """Create the execution log group before API Gateway does (so it has KMS and
        retention)."""
        log_group = logs.LogGroup(
            self,
            "ExecutionLogs",
            log_group_name=(
                # The literal stage name: a Ref to the stage would be a circular dependency.
                f"API-Gateway-Execution-Logs_{self.api.rest_api_id}/{stage_name}"
            ),
            retention=retention,
            encryption_key=key,
            removal_policy=removal_policy,
        )
        self.stage.node.add_dependency(log_group)
        return log_group

    def _account_logging_role(self, account_role: str) -> None:
        """Set (or leave) the account's CloudWatch role, which API Gateway uses to write both
        execution and access logs of every REST API of the account in this region."""
        if account_role == EXISTING_ACCOUNT_ROLE:
            return
        if account_role != CREATE_ACCOUNT_ROLE:  # an ARN, validated by OrderServiceProps
            account = apigw.CfnAccount(self, "Account", cloud_watch_role_arn=account_role)
            account.apply_removal_policy(RemovalPolicy.RETAIN)
            self.stage.node.add_dependency(account)
            return
        assert self.access_log_group is not None  # created with the execution logs
        role = iam.Role(
            self,
            "CloudWatchRole",
            # Confused-deputy prevention: API Gateway acting for another account is refused.
            # ...IfExists: AWS does not document that API Gateway puts aws:SourceAccount in the
            # request context when it assumes the account's logging role; a plain StringEquals
            # would then deny it and every API in the account would silently stop logging.
            assumed_by=iam.ServicePrincipal(
                "apigateway.amazonaws.com",
                conditions={"StringEqualsIfExists": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
            ),
            description=(
                "Account-wide: lets API Gateway write execution logs and this service's access logs"
            ),
        )
        execution_logs = (
            f"arn:{Aws.PARTITION}:logs:{Aws.REGION}:{Aws.ACCOUNT_ID}:"
            "log-group:API-Gateway-Execution-Logs_*"
        )
        log_actions = [
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:DescribeLogGroups",
            "logs:DescribeLogStreams",
            "logs:PutLogEvents",
        ]
        policy = iam.ManagedPolicy(
            self,
            "CloudWatchPolicy",
            description="API Gateway execution logs and this service's access logs",
            roles=[role],
            statements=[
                iam.PolicyStatement(
                    sid="WriteExecutionLogs",
                    actions=log_actions,
                    resources=[execution_logs, f"{execution_logs}:log-stream:*"],
                ),
                # Access logs are written with the same account role, to the stage's
                # destination group (its ARN attribute ends in ":*", covering its streams).
                iam.PolicyStatement(
                    sid="WriteAccessLogs",
                    actions=[a for a in log_actions if a != "logs:CreateLogGroup"],
                    resources=[self.access_log_group.log_group_arn],
                ),
            ],
        )
        account = apigw.CfnAccount(self, "Account", cloud_watch_role_arn=role.role_arn)
        account.node.add_dependency(policy)
        # The setting is account-wide: other APIs may write their logs with this role, so
        # deleting the stack keeps the role, its policy and the setting.
        for resource in (role, policy, account):
            resource.apply_removal_policy(RemovalPolicy.RETAIN)
        self.stage.node.add_dependency(account)
        self.account_role = role

    def _gateway_responses(self, cors_origins: Sequence[str]) -> None:
        """Errors produced by API Gateway itself (auth, validation, throttling) as JSON with
        CORS headers, like the function's own errors."""
        headers = {}
        if cors_origins:
            headers["Access-Control-Allow-Origin"] = f"'{cors_origins[0]}'"
        body = {"application/json": GATEWAY_ERROR_TEMPLATE}
        for response_id, response_type in (
            ("Default4xx", apigw.ResponseType.DEFAULT_4_XX),
            ("Default5xx", apigw.ResponseType.DEFAULT_5_XX),
        ):
            self.api.add_gateway_response(
                response_id, type=response_type, response_headers=headers, templates=body
            )

    def _web_acl(self, name: str, stage_name: str, rate_limit: int) -> wafv2.CfnWebACL:
        def managed(
            priority: int, rule_group: str, counted: Sequence[str] = ()
        ) -> wafv2.CfnWebACL.RuleProperty:
            overrides = [
                wafv2.CfnWebACL.RuleActionOverrideProperty(
                    name=rule, action_to_use=wafv2.CfnWebACL.RuleActionProperty(count={})
                )
                for rule in counted
            ]
            return wafv2.CfnWebACL.RuleProperty(
                name=rule_group,
                priority=priority,
                override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=rule_group, rule_action_overrides=overrides or None
                    )
                ),
                visibility_config=_visibility(rule_group),
            )

        rate_rule = wafv2.CfnWebACL.RuleProperty(
            name="RateLimitPerIp",
            priority=0,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    limit=rate_limit, aggregate_key_type="IP"
                )
            ),
            visibility_config=_visibility("RateLimitPerIp"),
        )
        web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(name),
            rules=[
                rate_rule,
                # SizeRestrictions_BODY blocks bodies over 8 KB, far below the API's own
                # 256 KiB limit (which the api function enforces with a 413): counted only.
                managed(1, "AWSManagedRulesCommonRuleSet", counted=[WAF_BODY_SIZE_RULE]),
                managed(2, "AWSManagedRulesKnownBadInputsRuleSet"),
                managed(3, "AWSManagedRulesAmazonIpReputationList"),
            ],
        )
        stage_arn = (
            f"arn:{Stack.of(self).partition}:apigateway:{Stack.of(self).region}::"
            f"/restapis/{self.api.rest_api_id}/stages/{stage_name}"
        )
        association = wafv2.CfnWebACLAssociation(
            self, "WebAclAssociation", resource_arn=stage_arn, web_acl_arn=web_acl.attr_arn
        )
        association.node.add_dependency(self.stage)
        return web_acl


def _visibility(metric_name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True,
        metric_name=metric_name,
        sampled_requests_enabled=True,
    )
