"""Property-based API testing: schemathesis generates requests from the published OpenAPI
document (kit/openapi.json) and sends them, SigV4-signed, to the reference app deployed on the
local cloud; every response must be documented and conform to the document.

Checks on every response: no 5xx (``not_a_server_error``), a documented status code, the
documented content type, the documented body schema and response headers. Schema-violating
requests must be refused with a 4xx (``negative_data_rejection``). Schema-conforming requests
must be accepted (``positive_data_acceptance``), except for a 400 whose every problem is a rule
the document states in words (documented_refusals.py: 2 decimal places, total = sum of lines,
no control characters, UTF-16 lengths, page tokens only from this API).

Emulator notes
--------------
* Requests that break the request model are refused by API Gateway before the function runs.
  LocalStack answers them with ``{"message": "Invalid request body"}`` (it does not render the
  gateway response template, see tests/e2e/test_order_api.py); the document declares such
  bodies as ``GatewayError`` next to the function's ``Error`` (``anyOf``), so these responses are
  checked against the documented schema like every other, not exempted.
* LocalStack's API Gateway fails with its own 500 (``Error in apigateway invocation: list index
  out of range``) on a ``multipart/*`` Content-Type without a boundary, before any of the app's
  configuration is involved. Such generated requests are left out of the run
  (`reaches_the_emulator_multipart_defect`), and `test_multipart_without_boundary_is_refused`
  states the expected behaviour as a strict xfail: it fails the suite once the emulator is
  fixed, so the exclusion cannot outlive the defect.
* An ill-formed ``x-correlation-id`` is not refused: the document's response header says the
  API then uses its own request id instead. A negative case whose only invalid part is that
  header therefore passes when the response carries a correlation id other than the sent one
  (`ill_formed_correlation_id_was_replaced`); the parameter's ``pattern`` reads as a refusal,
  which the document should say otherwise (reported to the kit's owner).
* Undeclared query parameters are not generated (``allow-extra-parameters: false``): OpenAPI
  3.0 does not make them invalid, and API Gateway, like most HTTP APIs, ignores them.
* LocalStack does not enforce IAM authorization on REST APIs, so schemathesis' ``ignored_auth``
  check (an unsigned request must be refused) cannot pass here for a reason unrelated to the
  app; ``AuthorizationType: AWS_IAM`` on every method is asserted on the template instead
  (`test_every_method_requires_iam_authorization`).

Bounds: ``RELIABILITY_PROFILE=short`` (default, ``make test``) generates few, derandomized
examples per operation and mode; ``long`` many more, randomized (see profiles.py).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, assume, settings
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.core.parameters import ParameterLocation
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kit.openapi import CORRELATION_ID_PATTERN, DOCUMENT_PATH, IDEMPOTENCY_KEY_PATTERN
from localcloud.deploy import DeployResult
from tests.e2e.signed_http import SignedApiClient
from tests.reliability.documented_refusals import undocumented_problems
from tests.reliability.profiles import active_profile
from tests.reliability.sigv4_auth import SigV4RequestsAuth

pytestmark = pytest.mark.e2e

PROFILE = active_profile()


@schemathesis.check
def positive_data_accepted_unless_a_documented_rule_refuses_it(
    ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """``positive_data_acceptance``, where a 400 naming only documented rules is acceptance of
    the contract (the rules are in the document's descriptions, not expressible in its schemas).
    """
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if response.status_code != 400:
            raise
        body = case.body if isinstance(case.body, (dict, list)) else None
        unexplained = undocumented_problems(response.json(), body)
        if unexplained:
            raise
        return True


def ill_formed_correlation_id_was_replaced(
    case: schemathesis.Case, response: schemathesis.Response
) -> bool:
    """Tell whether the only schema violation of ``case`` is an ill-formed ``x-correlation-id``
    header, and the API answered with a correlation id of its own (as documented)."""
    meta = case.meta
    if meta is None:
        return False
    negative = {location for location, info in meta.components.items() if info.mode.is_negative}
    headers = {name.lower(): str(value) for name, value in (case.headers or {}).items()}
    sent = headers.get("x-correlation-id")
    key = headers.get("idempotency-key")
    answered = {name.lower(): values for name, values in response.headers.items()}
    return (
        negative == {ParameterLocation.HEADER}
        and sent is not None
        and re.search(CORRELATION_ID_PATTERN, sent) is None
        and (key is None or re.search(IDEMPOTENCY_KEY_PATTERN, key) is not None)
        and answered.get("x-correlation-id", [sent])[0] != sent
    )


@schemathesis.check
def negative_data_rejected_unless_a_tolerated_header(
    ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> bool | None:
    """``negative_data_rejection``, except for the documented correlation-id fallback."""
    try:
        return negative_data_rejection(ctx, response, case)
    except AcceptedNegativeData:
        if ill_formed_correlation_id_was_replaced(case, response):
            return True
        raise


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    positive_data_accepted_unless_a_documented_rule_refuses_it,
    negative_data_rejected_unless_a_tolerated_header,
]


@pytest.fixture(scope="module")
def signed_session() -> requests.Session:
    """A requests session that SigV4-signs everything it sends."""
    session = requests.Session()
    session.auth = SigV4RequestsAuth()
    return session


#: The published OpenAPI document; the base URL of the deployed stage is given per call.
schema = schemathesis.openapi.from_path(
    DOCUMENT_PATH,
    config=schemathesis.Config.from_dict(
        {
            "generation": {
                "mode": "all",
                "max-examples": PROFILE.fuzz_examples,
                "deterministic": PROFILE.fuzz_derandomize,
                # The signature replaces any generated Authorization header anyway.
                "with-security-parameters": False,
                "allow-extra-parameters": False,
            },
            "request-timeout": 30,
        }
    ),
)


def reaches_the_emulator_multipart_defect(case: schemathesis.Case) -> bool:
    """Tell whether ``case`` sends a multipart Content-Type without a boundary (see above)."""
    headers = {name.lower(): value for name, value in (case.headers or {}).items()}
    content_type = str(headers.get("content-type") or case.media_type or "").lower()
    return content_type.startswith("multipart/") and "boundary=" not in content_type


@schema.parametrize()
@settings(
    max_examples=PROFILE.fuzz_examples,
    derandomize=PROFILE.fuzz_derandomize,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_generated_request_gets_a_documented_response(
    case: schemathesis.Case, signed_session: requests.Session, deployed: DeployResult
) -> None:
    assume(not reaches_the_emulator_multipart_defect(case))
    case.call_and_validate(base_url=deployed.api_url, session=signed_session, checks=CHECKS)


@pytest.mark.xfail(
    strict=True,
    reason="LocalStack's API Gateway answers 500 to a multipart Content-Type without boundary",
)
def test_multipart_without_boundary_is_refused(api: SignedApiClient) -> None:
    response = api.request(
        "POST", "/orders", raw_body=b"{}", headers={"content-type": "multipart/form-data"}
    )
    assert response.status in (400, 415), response.body


def test_every_method_requires_iam_authorization(template: dict[str, Any]) -> None:
    methods = [
        resource["Properties"]
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::ApiGateway::Method"
        and resource["Properties"]["HttpMethod"] != "OPTIONS"
    ]
    assert len(methods) == 3
    assert {method["AuthorizationType"] for method in methods} == {"AWS_IAM"}
