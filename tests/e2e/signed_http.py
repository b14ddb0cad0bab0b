"""HTTP requests to the deployed API, signed with SigV4 as an IAM-authorized client would."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from localcloud import DEFAULT_REGION


@dataclass(frozen=True)
class ApiResponse:
    """Status, headers (lower-case names) and decoded JSON body of one response."""

    status: int
    headers: dict[str, str]
    body: Any


class SignedApiClient:
    """Calls ``{base_url}{path}`` with SigV4 (service ``execute-api``) and dummy credentials."""

    def __init__(self, base_url: str, region: str = DEFAULT_REGION) -> None:
        self.base_url = base_url.rstrip("/")
        self._signer = SigV4Auth(Credentials("test", "test"), "execute-api", region)

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        raw_body: bytes | None = None,
    ) -> ApiResponse:
        """Send one signed request; JSON-encodes ``body`` unless ``raw_body`` is given."""
        data = (
            raw_body
            if raw_body is not None
            else (json.dumps(body).encode() if body is not None else None)
        )
        all_headers = {"content-type": "application/json", **(headers or {})}
        aws_request = AWSRequest(
            method=method, url=self.base_url + path, data=data, headers=all_headers
        )
        self._signer.add_auth(aws_request)
        request = urllib.request.Request(  # noqa: S310 - http URL of the local endpoint
            aws_request.url, data=data, method=method, headers=dict(aws_request.headers.items())
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return _response(response.status, response.headers.items(), response.read())
        except urllib.error.HTTPError as error:
            return _response(error.code, error.headers.items(), error.read())

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> ApiResponse:
        """Signed POST with a JSON body."""
        return self.request("POST", path, body, headers)

    def get(self, path: str, headers: dict[str, str] | None = None) -> ApiResponse:
        """Signed GET."""
        return self.request("GET", path, headers=headers)


def _response(status: int, headers: Any, payload: bytes) -> ApiResponse:
    try:
        body = json.loads(payload) if payload else None
    except ValueError:
        body = payload.decode(errors="replace")
    return ApiResponse(status, {name.lower(): value for name, value in headers}, body)
