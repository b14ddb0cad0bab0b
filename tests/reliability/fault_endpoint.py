"""Fault injection for the deployed functions on the local cloud.

LocalStack cannot make DynamoDB throttle or KMS deny on request, but the functions find their
AWS endpoints through the SDK's ``AWS_ENDPOINT_URL_<SERVICE>`` variables. `FaultyAwsEndpoint` is
a small HTTP server, on the same machine as the local-process Lambda runtimes, that speaks the
AWS JSON protocol (DynamoDB, KMS): it answers chosen operations with an AWS error and forwards
the rest to the real endpoint. `function_environment` points a deployed function at it for the
duration of a test and restores the function's configuration afterwards.

The function code, its SDK retries and error handling, API Gateway and the table are the real
ones: only the service's answer is replaced.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: The SDK's per-service endpoint variables (they take precedence over AWS_ENDPOINT_URL).
ENDPOINT_VARIABLES = {"dynamodb": "AWS_ENDPOINT_URL_DYNAMODB", "kms": "AWS_ENDPOINT_URL_KMS"}


@dataclass(frozen=True)
class AwsError:
    """An AWS JSON-protocol error answer: HTTP status and error code (``__type``)."""

    code: str
    status: int = 400


@dataclass
class Fault:
    """Which calls fail and how.

    Attributes
    ----------
    operations : frozenset of str
        Operation names (``PutItem``, ``Encrypt``...) that get ``error``.
    error : AwsError
        The answer.
    forward_first : bool
        Forward the call to the real endpoint first, then answer ``error`` anyway: the call took
        effect but its response was lost (a timeout or a 500 after the write).
    times : int or None
        Fail only the first ``times`` matching calls (None: all of them).
    """

    operations: frozenset[str]
    error: AwsError
    forward_first: bool = False
    times: int | None = None


@dataclass
class FaultyAwsEndpoint:
    """An HTTP server applying `Fault` to the calls it receives; use as a context manager.

    Attributes
    ----------
    calls : list of str
        Operation name of every call received, in order.
    bodies : list of dict
        The JSON request body of every call, in the same order.
    failed : int
        How many calls were answered with the fault's error.
    """

    upstream: str
    fault: Fault
    calls: list[str] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    failed: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        assert self._server is not None, "the endpoint is not running"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FaultyAwsEndpoint:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    def answer(self, operation: str, headers: Mapping[str, str], body: bytes) -> tuple[int, bytes]:
        """Return (status, body) for one call: the fault's error or the upstream's answer."""
        with self._lock:
            self.calls.append(operation)
            self.bodies.append(json.loads(body or b"{}"))
            matches = operation in self.fault.operations
            inject = matches and (self.fault.times is None or self.failed < self.fault.times)
            if inject:
                self.failed += 1
        if inject and not self.fault.forward_first:
            return self._error()
        status, payload = self._forward(headers, body)
        return self._error() if inject else (status, payload)

    def _error(self) -> tuple[int, bytes]:
        error = self.fault.error
        message = f"injected by the reliability tests: {error.code}"
        return error.status, json.dumps({"__type": error.code, "message": message}).encode()

    def _forward(self, headers: Mapping[str, str], body: bytes) -> tuple[int, bytes]:
        # The signature stays valid: LocalStack does not check it against the Host header.
        request = urllib.request.Request(  # noqa: S310 - the local endpoint
            self.upstream + "/", data=body, method="POST", headers=dict(headers)
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def _handler_class(endpoint: FaultyAwsEndpoint) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            target = self.headers.get("x-amz-target", "")
            operation = target.rsplit(".", 1)[-1]
            forwarded = {
                name: value
                for name, value in self.headers.items()
                if name.lower() not in {"host", "connection", "content-length"}
            }
            status, payload = endpoint.answer(operation, forwarded, body)
            self.send_response(status)
            self.send_header("content-type", "application/x-amz-json-1.0")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the calls are recorded in the endpoint instead."""

    return Handler


@contextmanager
def function_environment(
    lambda_client: Any, function_name: str, extra: Mapping[str, str]
) -> Iterator[None]:
    """Add ``extra`` to the function's environment for the block; restore it afterwards.

    Updating the configuration replaces the execution environments, so the next invocation
    runs with the new variables (as on AWS).
    """
    configuration = lambda_client.get_function_configuration(FunctionName=function_name)
    original = dict(configuration.get("Environment", {}).get("Variables", {}))
    _update(lambda_client, function_name, {**original, **extra})
    try:
        yield
    finally:
        _update(lambda_client, function_name, original)


def _update(lambda_client: Any, function_name: str, variables: dict[str, str]) -> None:
    lambda_client.update_function_configuration(
        FunctionName=function_name, Environment={"Variables": variables}
    )
    lambda_client.get_waiter("function_updated_v2").wait(FunctionName=function_name)


def closed_port_url() -> str:
    """An ``http://127.0.0.1:<port>`` URL nothing listens on (connection refused)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()
    return f"http://127.0.0.1:{port}"
