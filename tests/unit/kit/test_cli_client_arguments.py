"""The subcommands that call AWS take ``--region`` and ``--endpoint-url`` for their clients."""

from __future__ import annotations

import pytest

from kit.cli import build_parser

# (subcommand, its required arguments, the help of its --endpoint-url)
CLIENT_COMMANDS = [
    (["confirm-pending"], ["--function", "f"], "an endpoint for the client (local cloud)"),
    (
        ["replay-dlq"],
        ["--queue-url", "https://q", "--function", "f"],
        "an endpoint for every client (local cloud)",
    ),
    (["catalog", "load"], ["prices.csv", "--table", "t"], "a DynamoDB endpoint (local cloud)"),
]
IDS = [" ".join(command) for command, _, _ in CLIENT_COMMANDS]


@pytest.mark.parametrize(("command", "required", "endpoint_help"), CLIENT_COMMANDS, ids=IDS)
def test_region_and_endpoint_reach_the_arguments_and_default_to_the_sdk(
    command: list[str], required: list[str], endpoint_help: str
) -> None:
    given = build_parser().parse_args(
        [*command, *required, "--region", "eu-west-3", "--endpoint-url", "http://127.0.0.1:4566"]
    )
    assert (given.region, given.endpoint_url) == ("eu-west-3", "http://127.0.0.1:4566")
    default = build_parser().parse_args([*command, *required])
    assert (default.region, default.endpoint_url) == (None, None)


@pytest.mark.parametrize(("command", "required", "endpoint_help"), CLIENT_COMMANDS, ids=IDS)
def test_each_command_explains_its_endpoint(
    command: list[str], required: list[str], endpoint_help: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args([*command, "--help"])
    usage = " ".join(capsys.readouterr().out.split())
    assert "--region REGION AWS region (default: the SDK's)" in usage
    assert f"--endpoint-url ENDPOINT_URL {endpoint_help}" in usage
