"""`--base-url` at something that is not Pipedrive's API: said so, not "refused the API token"."""

from __future__ import annotations

import json
from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest

from cardin.commands.servers import BackgroundServer
from cardin.sandbox import DEMO_TOKEN, RICH_EMAIL, Sandbox, demo_dataset
from cardin.sandbox.errors import GATEWAY_401
from cardin.sandbox.faults import FaultPlan
from tests.cli.running import Answering, Receive, Scope, Send, one_line, run
from tests.conftest import TODAY

JSON_TYPE = [(b"content-type", b"application/json")]
NOT_PIPEDRIVE = "is not a Pipedrive API"
REFUSED = "refused the API token"


class PipedriveGateway:
    """The sandbox behind Pipedrive's real gateway, which answers an unknown path with the 401
    of a wrong token (platform/pipedrive-api.md §11.2); the sandbox itself answers 404."""

    def __init__(self, sandbox: Sandbox) -> None:
        self._app = sandbox.app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        held: MutableMapping[str, Any] | None = None  # a 404's start, until its body is seen

        async def as_gateway(message: MutableMapping[str, Any]) -> None:
            nonlocal held
            if message["type"] == "http.response.start" and message["status"] == 404:
                held = message
                return
            if held is not None and message["type"] == "http.response.body":
                if b"Unknown route" in message.get("body", b""):
                    held = {"type": held["type"], "status": 401, "headers": JSON_TYPE}
                    message = {"type": message["type"], "body": json.dumps(GATEWAY_401).encode()}
                await send(held)
                held = None
            await send(message)

        await self._app(scope, receive, as_gateway)


@pytest.fixture(scope="module")
def gateway() -> Iterator[BackgroundServer]:
    sandbox = Sandbox(demo_dataset(TODAY), rate_limits=False)
    with BackgroundServer(PipedriveGateway(sandbox)) as running:
        yield running


@pytest.fixture(scope="module")
def sandbox_server() -> Iterator[BackgroundServer]:
    with BackgroundServer(Sandbox(demo_dataset(TODAY), rate_limits=False).app) as running:
        yield running


def lookup(base_url: str, token: str = DEMO_TOKEN) -> tuple[int, str]:
    code, out = run("lookup", RICH_EMAIL, "--base-url", base_url, "--token", token)
    return code, one_line(out)


@pytest.mark.parametrize(
    ("status", "body", "content_type"),
    [
        (200, b"<html><body>Welcome</body></html>", "text/html; charset=utf-8"),
        (401, b"<html><body>Log in first</body></html>", "text/html"),
        (401, b'{"detail": "Not authenticated"}', "application/json"),
        (401, b"Unauthorized", "text/plain"),
        (200, b'{"success": true}', "text/plain"),
    ],
    ids=["web-page", "login-page", "other-api-401", "plain-401", "not-json-type"],
)
def test_a_server_that_is_not_pipedrive_is_named_as_such(
    status: int, body: bytes, content_type: str
) -> None:
    with BackgroundServer(Answering(status, body, content_type)) as server:
        code, line = lookup(server.url)
    assert code == 5
    assert NOT_PIPEDRIVE in line
    assert REFUSED not in line
    assert "--base-url" in line


def test_a_wrong_path_on_pipedrives_gateway_is_not_a_refused_token(
    gateway: BackgroundServer,
) -> None:
    code, line = lookup(f"{gateway.url}/v1")  # /v1/v1/users/me: the gateway's 401
    assert code == 5
    assert NOT_PIPEDRIVE in line
    assert f"a token that {gateway.url} accepts" in line
    assert REFUSED not in line


def test_a_wrong_token_at_a_wrong_path_says_both(gateway: BackgroundServer) -> None:
    code, line = lookup(f"{gateway.url}/api/v2", token="not-a-token")
    assert code == 3
    assert REFUSED in line
    assert "Check --base-url too" in line


def test_a_wrong_token_at_the_right_base_is_still_a_refused_token(
    gateway: BackgroundServer,
) -> None:
    code, line = lookup(gateway.url, token="not-a-token")
    assert code == 3
    assert REFUSED in line
    assert "--base-url" not in line


def test_the_gateway_itself_is_pipedrive(gateway: BackgroundServer) -> None:
    code, out = run("lookup", RICH_EMAIL, "--base-url", gateway.url, "--token", DEMO_TOKEN)
    assert code == 0
    assert "Élodie Marchand" in out


def test_a_404_at_the_base_is_not_pipedrive(sandbox_server: BackgroundServer) -> None:
    code, line = lookup(f"{sandbox_server.url}/nonsense")
    assert code == 5
    assert NOT_PIPEDRIVE in line
    assert "404" in line


def test_a_broken_reply_from_pipedrive_is_not_called_another_server() -> None:
    # the sandbox's `malformed` fault: a page where Pipedrive's JSON should be, sent as JSON
    faults = FaultPlan.parse("malformed:1")
    sandbox = Sandbox(demo_dataset(TODAY), faults=faults, rate_limits=False)
    with BackgroundServer(sandbox.app) as server:
        code, line = lookup(server.url)
    assert code == 5
    assert NOT_PIPEDRIVE not in line
    assert "answered badly" in line
