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


class ApiClient:
    """Calls ``{base_url}{path}``, unsigned: the caller of an API without authorization."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def _signed_headers(
        self, method: str, url: str, data: bytes | None, headers: dict[str, str]
    ) -> dict[str, str]:
        """The headers to send (unsigned: as given)."""
        return headers

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        raw_body: bytes | None = None,
    ) -> ApiResponse:
        """Send one request; JSON-encodes ``body`` unless ``raw_body`` is given."""
        data = (
            raw_body
            if raw_body is not None
            else (json.dumps(body).encode() if body is not None else None)
        )
        url = self.base_url + path
        all_headers = {"content-type": "application/json", **(headers or {})}
        request = urllib.request.Request(  # noqa: S310 - http URL of the local endpoint
            url,
            data=data,
            method=method,
            headers=self._signed_headers(method, url, data, all_headers),
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return _response(response.status, response.headers.items(), response.read())
        except urllib.error.HTTPError as error:
            return _response(error.code, error.headers.items(), error.read())

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> ApiResponse:
        """POST with a JSON body."""
        return self.request("POST", path, body, headers)

    def get(self, path: str, headers: dict[str, str] | None = None) -> ApiResponse:
        """GET."""
        return self.request("GET", path, headers=headers)


class SignedApiClient(ApiClient):
    """Signs every request with SigV4 (service ``execute-api``) and dummy credentials."""

    def __init__(self, base_url: str, region: str = DEFAULT_REGION) -> None:
        super().__init__(base_url)
        self._signer = SigV4Auth(Credentials("test", "test"), "execute-api", region)

    def _signed_headers(
        self, method: str, url: str, data: bytes | None, headers: dict[str, str]
    ) -> dict[str, str]:
        aws_request = AWSRequest(method=method, url=url, data=data, headers=headers)
        self._signer.add_auth(aws_request)
        return dict(aws_request.headers.items())


def _response(status: int, headers: Any, payload: bytes) -> ApiResponse:
    try:
        body = json.loads(payload) if payload else None
    except ValueError:
        body = payload.decode(errors="replace")
    return ApiResponse(status, {name.lower(): value for name, value in headers}, body)
