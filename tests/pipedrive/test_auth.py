"""Credentials: the client sends what its `httpx.Auth` puts on a request, after its host check."""

from __future__ import annotations

import json
from collections.abc import Generator

import httpx
import pytest

from cardin.pipedrive import ApiToken, PipedriveClient, UntrustedHost

TOKEN = "secret-token-0123456789"
ME = {"success": True, "data": {"id": 7, "company_id": 1, "company_domain": "acme"}}


class Bearer(httpx.Auth):
    """Another kind of credential (an OAuth access token, say), presented its own way."""

    def __init__(self, access_token: str) -> None:
        self.access_token = access_token
        self.flows = 0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.flows += 1
        request.headers["authorization"] = f"Bearer {self.access_token}"
        yield request


def client_with(auth: httpx.Auth, base_url: str) -> tuple[PipedriveClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=json.dumps(ME).encode())

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    return PipedriveClient(http, auth=auth, base_url=base_url), seen


async def test_an_api_token_is_sent_in_its_header() -> None:
    client, seen = client_with(ApiToken(TOKEN).auth(), "https://acme.pipedrive.com")
    await client.current_user()
    assert seen[0].headers["x-api-token"] == TOKEN
    assert TOKEN not in str(seen[0].url)


async def test_the_client_sends_what_its_auth_sets_and_builds_no_token_header() -> None:
    bearer = Bearer("access-1")
    client, seen = client_with(bearer, "https://acme.pipedrive.com")
    await client.current_user()
    assert seen[0].headers["authorization"] == "Bearer access-1"
    assert "x-api-token" not in seen[0].headers


async def test_the_host_check_comes_before_the_auth_is_asked() -> None:
    bearer = Bearer("access-1")
    client, seen = client_with(bearer, "https://evil.example")
    with pytest.raises(UntrustedHost):
        await client.current_user()
    assert bearer.flows == 0
    assert seen == []


def test_an_api_token_is_never_in_its_repr() -> None:
    assert TOKEN not in repr(ApiToken(TOKEN))
    assert ApiToken(TOKEN) == ApiToken(TOKEN)
