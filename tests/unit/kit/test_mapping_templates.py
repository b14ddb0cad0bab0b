"""Given the synthesized API, every gateway response and integration mapping template renders,
the way API Gateway renders it, to JSON that carries the CORS header and no submitted value.

The local cloud does not render gateway response templates, so the templates are rendered here
with a Velocity engine (``airspeed``, the engine LocalStack uses for mapping templates) and the
values AWS documents for each ``$context`` variable:

- "Gateway responses for REST APIs in API Gateway" and "Gateway response types for API Gateway"
  (the response types and the messages API Gateway sends with them);
- "Variables for data transformations for API Gateway" — ``$context variables for data models,
  authorizers, mapping templates, and access logging``: ``$context.error.message`` is the
  message string, ``$context.error.messageString`` *the quoted value of*
  ``$context.error.message``, namely ``"$context.error.message"``, and
  ``$context.error.validationErrorString`` the validator's detailed errors.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import airspeed
import pytest

from kit import OrderServiceProps
from kit.reference_app import REFERENCE_PROPS

from .conftest import resources, synth

#: A value a caller submits (an address): it must never come back in an error body.
SUBMITTED = "221B Baker Street"
REQUEST_ID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


@dataclass(frozen=True)
class GatewayError:
    """One gateway error as AWS documents it: response type, status and message."""

    response_type: str
    status: int
    message: str
    validation_errors: str = ""


#: What API Gateway answers the kit's callers with (AWS's "Gateway response types" page).
GATEWAY_ERRORS = [
    GatewayError(
        "BAD_REQUEST_BODY",
        400,
        "Invalid request body",
        f'[instance value ("{SUBMITTED}") not found in enum (possible values: ["EUR","USD"])]',
    ),
    GatewayError(
        "BAD_REQUEST_PARAMETERS",
        400,
        "Missing required request parameters: [orderId]",
        "[Missing required request parameters: [orderId]]",
    ),
    GatewayError("MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token"),
    GatewayError(
        "ACCESS_DENIED",
        403,
        "User: arn:aws:iam::123456789012:user/caller is not authorized to perform: "
        "execute-api:Invoke on resource: "
        "arn:aws:execute-api:eu-west-1:123456789012:abc/prod/POST/orders",
    ),
    # Signature errors quote the canonical request: quotes and newlines inside the message.
    GatewayError(
        "INVALID_SIGNATURE",
        403,
        "The request signature we calculated does not match the signature you provided.\n"
        "The Canonical String for this request should have been\n'POST\n/prod/orders\n'",
    ),
    GatewayError("EXPIRED_TOKEN", 403, "The security token included in the request is expired"),
    GatewayError("WAF_FILTERED", 403, "Forbidden"),
    GatewayError("REQUEST_TOO_LARGE", 413, "Request Too Long"),
    GatewayError("UNSUPPORTED_MEDIA_TYPE", 415, "Unsupported Media Type"),
    GatewayError("THROTTLED", 429, "Too Many Requests"),
    GatewayError("QUOTA_EXCEEDED", 429, "Limit Exceeded"),
    GatewayError("DEFAULT_5XX", 500, "Internal server error"),
    GatewayError("INTEGRATION_FAILURE", 504, "Endpoint request timed out"),
]


def documented_context(error: GatewayError) -> dict[str, Any]:
    """``$context`` as AWS documents it for a request that ended in ``error``."""
    return {
        "requestId": REQUEST_ID,
        "extendedRequestId": "KQyb9EVSjoEFcWA=",
        "httpMethod": "POST",
        "resourcePath": "/orders",
        "stage": "prod",
        "status": error.status,
        "error": {
            "message": error.message,
            # "The quoted value of $context.error.message": a JSON string literal.
            "messageString": json.dumps(error.message),
            "responseType": error.response_type,
            "validationErrorString": error.validation_errors,
        },
        "identity": {"sourceIp": "203.0.113.7", "caller": "AIDACKCEVSQ6C2EXAMPLE"},
        "responseOverride": {"header": _HeaderMap(), "status": None},
    }


class _HeaderMap(dict[str, str]):
    """``$context.responseOverride.header``: a Java map (``put`` renders nothing)."""

    def put(self, name: str, value: str) -> str:
        self[name] = value
        return ""


def _input(body: str, origin: str) -> dict[str, Any]:
    """``$input`` of a request from ``origin`` whose body carries the submitted value."""
    params = {"header": {"Origin": origin}, "path": {}, "querystring": {}}
    return {
        "body": body,
        "json": lambda _path="$": body,
        "path": lambda _path="$": body,
        "params": lambda: params,
    }


# Velocity (1.7, AWS's engine) allows '-' in identifiers, as in AWS's documented
# "#set($context.responseOverride.header.Access-Control-Allow-Origin = ...)"; airspeed does
# not, so that one form is rewritten to the equivalent map put before rendering.
_HEADER_OVERRIDE = re.compile(
    r"#set\(\$context\.responseOverride\.header\.([A-Za-z0-9-]+)\s*=\s*(\$\w+)\)"
)


@dataclass(frozen=True)
class MappingTemplate:
    """A mapping template found in the template, and the CORS header that goes with it."""

    where: str
    text: str
    cors_origin: str | None


def mapping_templates(props: OrderServiceProps) -> list[MappingTemplate]:
    """Every gateway response and integration (request and response) template."""
    template = synth(props)
    found = []
    for logical, resource in resources(template, "AWS::ApiGateway::GatewayResponse").items():
        properties = resource["Properties"]
        origin = properties.get("ResponseParameters", {}).get(
            "gatewayresponse.header.Access-Control-Allow-Origin"
        )
        for content_type, text in properties.get("ResponseTemplates", {}).items():
            found.append(MappingTemplate(f"{logical} {content_type}", text, origin))
    for logical, resource in resources(template, "AWS::ApiGateway::Method").items():
        integration = resource["Properties"].get("Integration", {})
        responses = integration.get("IntegrationResponses", [])
        header = "method.response.header.Access-Control-Allow-Origin"
        origins = {r.get("ResponseParameters", {}).get(header) for r in responses}
        origin = next(iter(origins)) if len(origins) == 1 else None
        for content_type, text in integration.get("RequestTemplates", {}).items():
            found.append(MappingTemplate(f"{logical} request {content_type}", text, origin))
        for response in responses:
            for content_type, text in (response.get("ResponseTemplates") or {}).items():
                found.append(MappingTemplate(f"{logical} response {content_type}", text, origin))
    return found


#: The $ variables the documented context above defines.
_DOCUMENTED = {
    "context." + name
    for name in (
        "requestId",
        "extendedRequestId",
        "httpMethod",
        "resourcePath",
        "stage",
        "status",
        "error.message",
        "error.messageString",
        "error.responseType",
        "error.validationErrorString",
        "identity.sourceIp",
        "identity.caller",
        "responseOverride.header",
    )
} | {"input.body", "input.json", "input.path", "input.params"}


@dataclass(frozen=True)
class Rendered:
    """What API Gateway sends: the body and the headers the template overrode."""

    body: str
    header_overrides: dict[str, str]


def render(text: str, error: GatewayError, origin: str = "https://shop.example.com") -> Rendered:
    """Render a mapping template as API Gateway does, for a request from ``origin`` that ended
    in ``error``."""
    text = _HEADER_OVERRIDE.sub(r'$!context.responseOverride.header.put("\1", \2)', text)
    used = set(re.findall(r"\$!?\{?([A-Za-z][\w.]*)", text))
    unknown = {
        name
        for name in used
        if name not in _DOCUMENTED and name.rsplit(".", 1)[0] not in _DOCUMENTED
    }
    unknown -= {"origin"}  # a template's own #set variable
    assert not unknown, f"no documented value for {sorted(unknown)} in the test's context"
    body = json.dumps({"customerId": "c-1", "shippingAddress": SUBMITTED})
    context = documented_context(error)
    rendered: str = airspeed.Template(text).merge(
        {"context": context, "input": _input(body, origin)}
    )
    return Rendered(rendered, dict(context["responseOverride"]["header"]))


CONFIGURATIONS = {
    "reference": REFERENCE_PROPS,
    "two-origins": OrderServiceProps(
        cors_origins=("https://shop.example.com", "https://admin.example.com")
    ),
}


@pytest.mark.parametrize("configuration", sorted(CONFIGURATIONS))
def test_there_are_templates_to_render(configuration: str) -> None:
    kinds = {t.where.split(" ")[0] for t in mapping_templates(CONFIGURATIONS[configuration])}
    assert any("Default4xx" in kind for kind in kinds)
    assert any("Default5xx" in kind for kind in kinds)
    assert any("OPTIONS" in kind for kind in kinds)


@pytest.mark.parametrize("configuration", sorted(CONFIGURATIONS))
@pytest.mark.parametrize("error", GATEWAY_ERRORS, ids=lambda e: e.response_type)
def test_every_template_renders_json_with_cors_and_no_submitted_value(
    configuration: str, error: GatewayError
) -> None:
    props = CONFIGURATIONS[configuration]
    for template in mapping_templates(props):
        for origin in (*props.cors_origins, "https://evil.example.net"):
            rendered = render(template.text, error, origin)
            # An empty body (the CORS preflight's) is sent as no body; anything else is JSON.
            if rendered.body.strip():
                try:
                    json.loads(rendered.body)
                except json.JSONDecodeError as problem:
                    pytest.fail(f"{template.where} renders {rendered.body!r}, not JSON: {problem}")
            assert SUBMITTED not in rendered.body, template.where
            assert template.cors_origin is not None, f"{template.where} has no CORS header"
            allowed = rendered.header_overrides.get(
                "Access-Control-Allow-Origin", template.cors_origin.strip("'")
            )
            assert allowed in props.cors_origins, (template.where, origin)


def test_preflight_answers_a_second_allowed_origin_and_no_other() -> None:
    props = CONFIGURATIONS["two-origins"]
    preflights = [t for t in mapping_templates(props) if " response " in t.where]
    assert preflights
    for template in preflights:
        admin = render(template.text, GATEWAY_ERRORS[0], "https://admin.example.com")
        assert admin.header_overrides == {
            "Access-Control-Allow-Origin": "https://admin.example.com"
        }
        evil = render(template.text, GATEWAY_ERRORS[0], "https://evil.example.net")
        assert evil.header_overrides == {}


@pytest.mark.parametrize("error", GATEWAY_ERRORS, ids=lambda e: e.response_type)
def test_gateway_error_body_says_what_happened(error: GatewayError) -> None:
    (default_4xx,) = [
        t for t in mapping_templates(REFERENCE_PROPS) if t.where.startswith("ServiceApiDefault4xx")
    ]
    body = json.loads(render(default_4xx.text, error).body)
    assert body == {
        "error": error.response_type,
        "message": error.message,
        "requestId": REQUEST_ID,
    }


def test_the_renderer_follows_aws_quoting() -> None:
    """messageString is already quoted: quoting it again (the old template) is not JSON."""
    error = GATEWAY_ERRORS[0]
    assert json.loads(render("$context.error.messageString", error).body) == error.message
    double_quoted = render('{"message": "$context.error.messageString"}', error).body
    with pytest.raises(json.JSONDecodeError):
        json.loads(double_quoted)
