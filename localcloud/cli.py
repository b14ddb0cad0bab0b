"""``python -m localcloud up|down|status|provision|env|deploy``: run the embedded local cloud."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence

from botocore.exceptions import BotoCoreError, ClientError

from localcloud import DEFAULT_REGION
from localcloud.clients import local_client
from localcloud.deploy import deploy, deployed_api_url, signed_request_example
from localcloud.errors import LocalCloudError
from localcloud.layout import StateLayout
from localcloud.provision import provision_all
from localcloud.server import DEFAULT_PORT, LocalStackServer
from localcloud.target import check_reachable, configured_endpoint

PORT_VARIABLE = "LOCALCLOUD_PORT"
INSTANCE_VARIABLE = "LOCALCLOUD_INSTANCE"
#: Read by the reference app (kit/reference_app.py) when its context key is not set.
POWERTOOLS_LAYER_VARIABLE = "ORDER_KIT_POWERTOOLS_LAYER"
#: The deployed reference stack's callable local API URL.
API_URL_VARIABLE = "ORDER_KIT_API_URL"
#: The stack ``env`` and ``url`` look for by default (kit.reference_app.STACK_NAME).
REFERENCE_STACK = "ProductionOrderService"
EXIT_NOT_RUNNING = 3


def export_lines(endpoint: str, api_url: str | None = None) -> list[str]:
    """Shell ``export`` lines for AWS tools, ``cdk``/``cdklocal`` and localstack-client.

    ``AWS_ENDPOINT_URL_S3`` is required by ``cdklocal`` whenever ``AWS_ENDPOINT_URL`` is set;
    an IP-address endpoint makes the AWS SDKs use path-style bucket addressing, so no
    ``*.localhost.localstack.cloud`` DNS is needed. ``ORDER_KIT_POWERTOOLS_LAYER=false`` makes
    the reference app leave out the public Powertools layer (another account's, which the
    emulator cannot read). ``ORDER_KIT_API_URL`` (when the reference stack is deployed) is the
    callable local execute-api URL of its stage.
    """
    lines = [
        f"export LOCALSTACK_ENDPOINT={endpoint}",
        f"export AWS_ENDPOINT_URL={endpoint}",
        f"export AWS_ENDPOINT_URL_S3={endpoint}",
        "export AWS_ACCESS_KEY_ID=test",
        "export AWS_SECRET_ACCESS_KEY=test",
        f"export AWS_DEFAULT_REGION={DEFAULT_REGION}",
        f"export {POWERTOOLS_LAYER_VARIABLE}=false",
    ]
    if api_url is not None:
        lines.append(f"export {API_URL_VARIABLE}={api_url}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 error, 3 not running)."""
    arguments = _parser().parse_args(argv)
    layout = StateLayout.default()
    server = LocalStackServer(
        layout, arguments.instance, port=arguments.port, start_timeout=arguments.timeout
    )
    try:
        return int(arguments.command(arguments, layout, server))
    except LocalCloudError as error:
        print(f"localcloud: {error}", file=sys.stderr)
        return 1


def _provision(arguments: argparse.Namespace, layout: StateLayout, server: LocalStackServer) -> int:
    for result in provision_all(layout):
        state = f"installed in {result.seconds:.0f} s" if result.installed else "up to date"
        print(f"{result.path}: {state}")
    return 0


def _up(arguments: argparse.Namespace, layout: StateLayout, server: LocalStackServer) -> int:
    if (endpoint := configured_endpoint()) is not None:
        check_reachable(endpoint)
        print(f"Using the configured endpoint {endpoint}; nothing started.")
        return 0
    provision_all(layout)
    started = time.monotonic()
    status = server.start()
    print(
        f"LocalStack ({server.instance}) is up at {status.endpoint}"
        f" (pid {status.pid}, {time.monotonic() - started:.1f} s); log: {server.log_file}"
    )
    print("\n".join(export_lines(str(status.endpoint))))
    return 0


def _down(arguments: argparse.Namespace, layout: StateLayout, server: LocalStackServer) -> int:
    started = time.monotonic()
    if server.stop():
        print(f"LocalStack ({server.instance}) stopped in {time.monotonic() - started:.1f} s.")
    else:
        print(f"LocalStack ({server.instance}) was not running.")
    return 0


def _status(arguments: argparse.Namespace, layout: StateLayout, server: LocalStackServer) -> int:
    if (endpoint := configured_endpoint()) is not None:
        print(f"configured endpoint: {endpoint} (the embedded LocalStack is not used)")
    status = server.status()
    if not status.running:
        print(f"LocalStack ({server.instance}): not running")
        return EXIT_NOT_RUNNING
    health = "healthy" if status.healthy else "NOT answering"
    print(f"LocalStack ({server.instance}): running, {health}, pid {status.pid}, {status.endpoint}")
    return 0


def _env(arguments: argparse.Namespace, layout: StateLayout, server: LocalStackServer) -> int:
    endpoint = configured_endpoint() or server.status().endpoint
    if endpoint is None:
        print(
            "localcloud: LocalStack is not running; start it with `python -m localcloud up`",
            file=sys.stderr,
        )
        return EXIT_NOT_RUNNING
    try:
        api_url = deployed_api_url(
            lambda service: local_client(endpoint, service), endpoint, arguments.stack
        )
    except (BotoCoreError, ClientError):
        api_url = None  # not answering (yet): the endpoint lines are still right
    print("\n".join(export_lines(endpoint, api_url)))
    return 0


def _url(arguments: argparse.Namespace, layout: StateLayout, server: LocalStackServer) -> int:
    endpoint = configured_endpoint() or server.status().endpoint
    if endpoint is None:
        print("localcloud: LocalStack is not running", file=sys.stderr)
        return EXIT_NOT_RUNNING
    api_url = deployed_api_url(
        lambda service: local_client(endpoint, service), endpoint, arguments.stack
    )
    if api_url is None:
        print(f"localcloud: no deployed stack {arguments.stack} with a REST API", file=sys.stderr)
        return 1
    print(api_url)
    return 0


def _deploy(arguments: argparse.Namespace, layout: StateLayout, server: LocalStackServer) -> int:
    endpoint = configured_endpoint()
    embedded = endpoint is None
    if endpoint is not None:
        check_reachable(endpoint)
    else:
        provision_all(layout)
        endpoint = str(server.start().endpoint)
    assembly = layout.root / "cdk.out"
    for result in deploy(endpoint, assembly, synthesize_first=not arguments.no_synth):
        print(f"{result.stack_name}: {result.status} in {result.seconds:.0f} s (at {endpoint})")
        for key, value in sorted(result.outputs.items()):
            print(f"  {key} = {value}")
        if result.api_url:
            print(f"\nAPI (local execute-api URL): {result.api_url}")
            print("Create an order with a SigV4-signed request:\n")
            print(signed_request_example(result.api_url))
    if embedded:
        print(f"\nStop it with `python -m localcloud down --instance {server.instance}`.")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m localcloud",
        description="The embedded local cloud: LocalStack in host mode, without Docker.",
    )
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--instance",
        default=os.environ.get(INSTANCE_VARIABLE, "default"),
        help=f"instance name (state in build/localstack/instances; default ${INSTANCE_VARIABLE} "
        "or 'default')",
    )
    options.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get(PORT_VARIABLE, DEFAULT_PORT)),
        help=f"gateway port on 127.0.0.1; 0 = any free port (default ${PORT_VARIABLE} or 4566)",
    )
    options.add_argument(
        "--timeout", type=float, default=90.0, help="seconds to wait for a healthy start"
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    for name, function, text in (
        ("provision", _provision, "create or update the harness venvs"),
        ("up", _up, "provision and start LocalStack (unless an endpoint is configured)"),
        ("down", _down, "stop LocalStack and every process it started"),
        ("status", _status, "show whether LocalStack runs (exit 3 if not)"),
        ("env", _env, "print export lines for the endpoint, cdk/cdklocal and the app"),
        ("url", _url, "print the deployed stack's callable local API URL"),
        ("deploy", _deploy, "synthesize app.py and deploy it to the local cloud (starts it)"),
    ):
        command = commands.add_parser(name, help=text, parents=[options])
        command.set_defaults(command=function, no_synth=False)
        if name in ("env", "url"):
            command.add_argument(
                "--stack", default=REFERENCE_STACK, help="stack whose API URL to give"
            )
        if name == "deploy":
            command.add_argument(
                "--no-synth",
                action="store_true",
                help="deploy the existing build/localstack/cdk.out without synthesizing",
            )
    return parser
