"""A minimal AWS Lambda Runtime API server for one execution environment.

A Lambda runtime (``awslambdaric`` for Python) long-polls ``GET .../invocation/next`` for work
and posts the outcome to ``.../invocation/{id}/response`` or ``.../invocation/{id}/error``; an
initialisation failure goes to ``.../init/error``. This module serves exactly those four
routes on ``127.0.0.1`` (a random port by default), one invocation at a time, using the
standard library only.

Protocol reference: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
"""

from __future__ import annotations

import json
import queue
import re
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_PREFIX = "/2018-06-01/runtime"
_NEXT = re.compile(rf"^{API_PREFIX}/invocation/next$")
_OUTCOME = re.compile(rf"^{API_PREFIX}/invocation/(?P<request_id>[^/]+)/(?P<kind>response|error)$")
_INIT_ERROR = re.compile(rf"^{API_PREFIX}/init/error$")


@dataclass(frozen=True)
class PendingInvocation:
    """An event waiting to be handed to the runtime by ``/invocation/next``.

    Parameters
    ----------
    request_id
        The invocation's request id (``Lambda-Runtime-Aws-Request-Id``).
    payload
        The event, as bytes (JSON text).
    headers
        Further ``Lambda-Runtime-*`` headers: deadline, function ARN, trace id.
    """

    request_id: str
    payload: bytes
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RuntimeReply:
    """What the runtime posted back for one invocation, or for its initialisation.

    Parameters
    ----------
    request_id
        The invocation's request id; empty for an initialisation error.
    payload
        The response body, or the error document for ``is_error``.
    is_error
        True when the runtime posted to ``/error`` or ``/init/error``.
    """

    request_id: str
    payload: bytes
    is_error: bool


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A runtime killed on timeout or stop leaves a broken connection behind: expected.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class RuntimeApiServer:
    """Serves the Lambda Runtime API for one execution environment.

    Parameters
    ----------
    host
        Interface to bind; the runtime runs on the same machine, so ``127.0.0.1``.
    port
        Port to bind; ``0`` picks a free one (see :attr:`address`).

    Examples
    --------
    >>> server = RuntimeApiServer()
    >>> server.start()
    >>> server.address.startswith("127.0.0.1:")
    True
    >>> server.stop()
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._pending: queue.Queue[PendingInvocation | None] = queue.Queue()
        self._replies: queue.Queue[RuntimeReply] = queue.Queue()
        self._polled = threading.Event()
        self._host = host
        self._server = _QuietServer((host, port), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="lambda-runtime-api", daemon=True
        )

    @property
    def address(self) -> str:
        """``host:port`` to put in the runtime's ``AWS_LAMBDA_RUNTIME_API``."""
        return f"{self._host}:{self._server.server_address[1]}"

    def start(self) -> None:
        """Start serving in a background thread."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and release any runtime blocked in ``/invocation/next``."""
        self._pending.put(None)
        if self._thread.is_alive():
            # shutdown() waits for serve_forever() to notice, so only call it when serving.
            self._server.shutdown()
        self._server.server_close()

    def submit(self, invocation: PendingInvocation) -> None:
        """Queue an event for the runtime's next ``/invocation/next`` poll."""
        self._pending.put(invocation)

    def wait_until_polled(self, timeout: float) -> bool:
        """Wait until the runtime has asked for work at least once since the last reset.

        Parameters
        ----------
        timeout
            Seconds to wait.

        Returns
        -------
        bool
            True if the runtime polled ``/invocation/next`` in time.
        """
        return self._polled.wait(timeout)

    def reset_polled(self) -> None:
        """Forget earlier polls, e.g. before starting a fresh runtime process."""
        self._polled.clear()

    def next_reply(self, timeout: float) -> RuntimeReply | None:
        """Return the runtime's next reply, or None if none came within ``timeout`` seconds."""
        try:
            return self._replies.get(timeout=timeout)
        except queue.Empty:
            return None

    def drain(self) -> None:
        """Drop replies and queued events left over from a killed runtime process."""
        for pending_queue in (self._replies, self._pending):
            while True:
                try:
                    pending_queue.get_nowait()
                except queue.Empty:
                    break

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                # The runtime's own output is the function log; request lines would be noise.
                return

            def do_GET(self) -> None:
                if not _NEXT.match(self.path):
                    self._reply(HTTPStatus.NOT_FOUND, {"errorMessage": f"no route {self.path}"})
                    return
                api._polled.set()
                invocation = api._pending.get()
                if invocation is None:
                    # Shutting down: answer so the runtime's poll ends; its process is killed.
                    self._reply(HTTPStatus.GONE, {"errorMessage": "environment stopped"})
                    return
                headers = {"Lambda-Runtime-Aws-Request-Id": invocation.request_id}
                headers.update(invocation.headers)
                self._send(HTTPStatus.OK, invocation.payload, headers)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if outcome := _OUTCOME.match(self.path):
                    api._replies.put(
                        RuntimeReply(
                            request_id=outcome["request_id"],
                            payload=body,
                            is_error=outcome["kind"] == "error",
                        )
                    )
                elif _INIT_ERROR.match(self.path):
                    api._replies.put(RuntimeReply(request_id="", payload=body, is_error=True))
                else:
                    self._reply(HTTPStatus.NOT_FOUND, {"errorMessage": f"no route {self.path}"})
                    return
                self._reply(HTTPStatus.ACCEPTED, {"status": "OK"})

            def _reply(self, status: HTTPStatus, document: dict[str, str]) -> None:
                self._send(status, json.dumps(document).encode(), {})

            def _send(self, status: HTTPStatus, body: bytes, headers: Mapping[str, str]) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        return Handler
