"""The environment LocalStack runs with in host mode (no Docker, no Java, no network)."""

from __future__ import annotations

import os
from pathlib import Path

from localcloud import DEFAULT_REGION, LAMBDA_RUNTIME

LAMBDA_EXECUTOR_NAME = "local-process"
"""Entry-point name of the project's Lambda runtime executor (``localcloud/plugins``)."""

# Variables copied from the caller's environment; everything else is set explicitly so that a
# developer's AWS profile or proxy settings cannot leak into the emulator.
_INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TZ")


def localstack_environment(
    instance_dir: Path,
    port: int,
    lambda_python: Path,
    base: dict[str, str] | None = None,
) -> dict[str, str]:
    """Return the complete environment of a host-mode LocalStack process.

    Parameters
    ----------
    instance_dir
        The instance's state directory; LocalStack's data, volume, temporary and cache
        directories go below it.
    port
        The gateway port, bound on 127.0.0.1 only.
    lambda_python
        Interpreter of the venv that plays the Lambda runtime :data:`localcloud.LAMBDA_RUNTIME`.
    base
        Environment to inherit ``PATH``/``HOME``/locale from (default: this process's).

    Returns
    -------
    dict[str, str]
        The environment; see the inline comments for why each setting is needed.
    """
    base = dict(os.environ) if base is None else base
    environment = {name: base[name] for name in _INHERITED if name in base}
    environment.update(
        {
            # The default (twisted) server ignores the host part and binds 0.0.0.0.
            "GATEWAY_SERVER": "hypercorn",
            "GATEWAY_LISTEN": f"127.0.0.1:{port}",
            # URLs LocalStack hands out (queue URLs, presigned code URLs) must be reachable
            # without DNS: plain address and path-style queue URLs.
            "LOCALSTACK_HOST": f"127.0.0.1:{port}",
            "SQS_ENDPOINT_STRATEGY": "path",
            # A /.dockerenv may exist on CI machines; without this LocalStack believes it is in
            # its container and writes under /var/lib/localstack.
            "OVERRIDE_IN_DOCKER": "0",
            "FILESYSTEM_ROOT": str(instance_dir / "filesystem"),
            "LOCALSTACK_VOLUME_DIR": str(instance_dir / "volume"),
            "TMPDIR": str(instance_dir / "tmp"),
            "XDG_CACHE_HOME": str(instance_dir / "cache"),
            # No DNS server, no certificate download, no analytics.
            "DNS_ADDRESS": "0",
            "SKIP_SSL_CERT_DOWNLOAD": "1",
            "DISABLE_EVENTS": "1",
            # DynamoDB through moto instead of the DynamoDB Local jar (project plugin).
            "PROVIDER_OVERRIDE_DYNAMODB": "moto",
            "PROVIDER_OVERRIDE_DYNAMODBSTREAMS": "moto",
            # moto never expires items: the plugin's TTL sweep deletes them as DynamoDB does
            # (a REMOVE stream record by dynamodb.amazonaws.com), seconds after expiry.
            "ORDER_KIT_TTL_SWEEP_SECONDS": "2",
            # Lambda as local processes instead of Docker containers (project plugin).
            "LAMBDA_RUNTIME_EXECUTOR": LAMBDA_EXECUTOR_NAME,
            "ORDER_KIT_LAMBDA_RUNTIMES": f"{LAMBDA_RUNTIME}={lambda_python}",
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_DEFAULT_REGION": DEFAULT_REGION,
            "PYTHONUNBUFFERED": "1",
        }
    )
    return environment


def state_directories(instance_dir: Path) -> list[Path]:
    """Directories :func:`localstack_environment` points LocalStack at (created before start)."""
    return [instance_dir / name for name in ("filesystem", "volume", "tmp", "cache")]
