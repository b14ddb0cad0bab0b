"""Errors of the embedded local cloud; each message says what to do about it."""

from __future__ import annotations

CONTAINER_HINT = (
    "To use a LocalStack container instead, start one (for example"
    " `docker run --rm -p 127.0.0.1:4566:4566 localstack/localstack`) and set"
    " LOCALSTACK_ENDPOINT=http://127.0.0.1:4566: the harness then starts nothing."
)


class LocalCloudError(RuntimeError):
    """Base class: the local cloud cannot be provisioned, started or reached."""


class InterpreterNotFoundError(LocalCloudError):
    """A required Python version (3.13, for LocalStack and the Lambda runtime) is missing."""


class ProvisionError(LocalCloudError):
    """Creating or installing one of the harness venvs failed."""


class PortInUseError(LocalCloudError):
    """The requested port is taken by another program."""


class StartError(LocalCloudError):
    """LocalStack did not become healthy; the message carries the tail of its log."""


class EndpointError(LocalCloudError):
    """A configured endpoint is malformed, ambiguous or unreachable."""
