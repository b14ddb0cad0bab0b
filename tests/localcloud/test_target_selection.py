"""Target selection and client wiring: a configured endpoint wins, nothing is started for it."""

from __future__ import annotations

import pytest

from localcloud import fixtures
from localcloud.clients import local_session
from localcloud.errors import EndpointError
from localcloud.target import check_reachable, configured_endpoint


@pytest.mark.parametrize("variable", ["LOCALSTACK_ENDPOINT", "AWS_ENDPOINT_URL"])
def test_either_variable_selects_the_endpoint(variable: str) -> None:
    assert configured_endpoint({variable: "http://127.0.0.1:4599/"}) == "http://127.0.0.1:4599"


def test_no_variable_means_embedded() -> None:
    assert configured_endpoint({"LOCALSTACK_ENDPOINT": "  "}) is None


def test_conflicting_endpoints_are_refused() -> None:
    with pytest.raises(EndpointError, match="conflicting endpoints"):
        configured_endpoint(
            {"LOCALSTACK_ENDPOINT": "http://a:4566", "AWS_ENDPOINT_URL": "http://b:4566"}
        )


def test_malformed_endpoint_is_refused() -> None:
    with pytest.raises(EndpointError, match="is not an endpoint URL"):
        configured_endpoint({"LOCALSTACK_ENDPOINT": "localhost:4566"})


def test_unreachable_endpoint_fails_clearly() -> None:
    # Port 9 on 127.0.0.1 (discard) has no listener here; the connection is refused.
    with pytest.raises(EndpointError, match="nothing answers at the configured endpoint"):
        check_reachable("http://127.0.0.1:9", timeout=2)


def test_configured_endpoint_is_used_and_nothing_started(
    monkeypatch: pytest.MonkeyPatch, tmp_path, local_endpoint: str
) -> None:
    # Given an endpoint in the environment (here: the session's running LocalStack)
    monkeypatch.setenv("LOCALSTACK_ENDPOINT", local_endpoint)
    monkeypatch.setattr(fixtures, "_users", 0)
    monkeypatch.setattr(fixtures, "_endpoint", None)
    monkeypatch.setattr(fixtures, "_server", None)
    started: list[object] = []
    monkeypatch.setattr(fixtures.LocalStackServer, "start", lambda self: started.append(self))

    # When a test session asks for the local cloud
    endpoint = fixtures.acquire_endpoint(layout=None)
    fixtures.release_endpoint()

    # Then it gets that endpoint and no embedded instance is started
    assert endpoint == local_endpoint
    assert started == []


def test_session_clients_talk_to_the_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("USE_SSL", raising=False)

    client = local_session("http://127.0.0.1:4599").client("sqs")

    assert client.meta.endpoint_url == "http://127.0.0.1:4599"
    assert client.meta.region_name == "us-east-1"


def test_session_refuses_an_endpoint_localstack_client_would_override(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1111")

    with pytest.raises(EndpointError, match="overrides the endpoint"):
        local_session("http://127.0.0.1:4599")
