"""SigV4 signing for ``requests`` (which schemathesis sends its generated requests with).

API Gateway with IAM authorization wants every request signed for the ``execute-api`` service.
`SigV4RequestsAuth` signs a prepared request in place, after ``requests`` has fixed the URL,
the headers and the body bytes, so the signature covers exactly what goes on the wire.
"""

from __future__ import annotations

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from requests import PreparedRequest
from requests.auth import AuthBase

from localcloud import DEFAULT_REGION


class SigV4RequestsAuth(AuthBase):
    """``requests`` auth that signs with SigV4 (dummy credentials by default, as LocalStack's).

    Examples
    --------
    >>> import requests
    >>> prepared = requests.Request("GET", "http://127.0.0.1:4566/orders/x").prepare()
    >>> signed = SigV4RequestsAuth()(prepared)
    >>> signed.headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=test/")
    True
    """

    def __init__(
        self,
        region: str = DEFAULT_REGION,
        credentials: Credentials | None = None,
        service: str = "execute-api",
    ) -> None:
        self._signer = SigV4Auth(credentials or Credentials("test", "test"), service, region)

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        """Sign ``request``: replaces any Authorization header a generator put there."""
        body = request.body.encode() if isinstance(request.body, str) else request.body
        headers = {
            name: value
            for name, value in request.headers.items()
            # Not part of the signature (and a generated one would be refused as malformed).
            if name.lower() not in {"authorization", "x-amz-date", "x-amz-security-token"}
        }
        aws_request = AWSRequest(method=request.method, url=request.url, data=body, headers=headers)
        self._signer.add_auth(aws_request)
        request.headers.clear()
        request.headers.update(dict(aws_request.headers.items()))
        return request
