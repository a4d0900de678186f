"""The client's side of OAuth: which api_domain is kept, the consent URL, and GrantAuth."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from cardin.pipedrive import BadResponse, OAuthGrant
from cardin.pipedrive.oauth import GrantAuth, OAuthApp, TokenEndpoint, is_oauth_url
from cardin.pipedrive.urls import DEFAULT_BASE_URL, is_api_domain

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "configured", "kept"),
    [
        ("https://acme.pipedrive.com", DEFAULT_BASE_URL, True),
        ("https://acme.pipedrive.com/", DEFAULT_BASE_URL, True),
        ("http://acme.pipedrive.com", DEFAULT_BASE_URL, False),
        ("https://acme.pipedrive.com.evil.test", DEFAULT_BASE_URL, False),
        ("https://a.b.pipedrive.com", DEFAULT_BASE_URL, False),
        ("https://acme.pipedrive.com/api", DEFAULT_BASE_URL, False),
        ("https://user@acme.pipedrive.com", DEFAULT_BASE_URL, False),
        ("https://acme.pipedrive.com:8443", DEFAULT_BASE_URL, False),
        ("https://api.pipedrive.com", DEFAULT_BASE_URL, True),  # a label like any other
        ("http://sandbox.test", DEFAULT_BASE_URL, False),
        ("http://sandbox.test", "http://sandbox.test", True),
        ("http://sandbox.test:81", "http://sandbox.test", False),
        ("not a url", "http://sandbox.test", False),
    ],
)
def test_an_api_domain_is_pipedrives_or_the_configured_base(
    value: str, configured: str, kept: bool
) -> None:
    assert is_api_domain(value, configured) is kept


def test_the_consent_url_carries_client_redirect_state_and_scopes() -> None:
    app = OAuthApp("id-1", "secret-1", "https://oauth.pipedrive.com/")
    url = httpx.URL(app.authorize_url("https://cardin.test/cb", "st", ["base", "deals:read"]))
    assert url.host == "oauth.pipedrive.com"
    assert url.path == "/oauth/authorize"
    assert dict(url.params) == {
        "client_id": "id-1",
        "redirect_uri": "https://cardin.test/cb",
        "state": "st",
        "scope": "base deals:read",
    }
    assert "secret-1" not in str(url)
    assert "secret-1" not in repr(app)


def _grant(access: str, expires_in: float) -> OAuthGrant:
    return OAuthGrant(access, f"r-{access}", NOW + timedelta(seconds=expires_in), (), "https://a")


class Keeper:
    """A GrantKeeper that hands out numbered grants."""

    def __init__(self) -> None:
        self.calls = 0
        self.stale: list[str] = []

    async def refresh(self, stale: OAuthGrant) -> OAuthGrant:
        self.stale.append(stale.access_token)
        self.calls += 1
        return _grant(f"fresh-{self.calls}", 3600)


def _server(accepted: set[str], seen: list[str]) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        header = request.headers.get("authorization", "")
        seen.append(header)
        token = header.removeprefix("Bearer ")
        return httpx.Response(200 if token in accepted else 401, json={})

    return answer


async def _get(auth: GrantAuth, accepted: set[str], seen: list[str]) -> int:
    transport = httpx.MockTransport(_server(accepted, seen))
    async with httpx.AsyncClient(transport=transport) as http:
        return (await http.get("https://acme.pipedrive.com/v1/users/me", auth=auth)).status_code


async def test_a_live_access_token_is_sent_as_a_bearer_token() -> None:
    keeper, seen = Keeper(), []
    auth = GrantAuth(_grant("live", 3600), keeper, clock=lambda: NOW)
    assert await _get(auth, {"live"}, seen) == 200
    assert seen == ["Bearer live"]
    assert keeper.calls == 0


async def test_an_expiring_token_is_refreshed_before_it_is_sent() -> None:
    keeper, seen = Keeper(), []
    auth = GrantAuth(_grant("old", 10), keeper, clock=lambda: NOW)
    assert await _get(auth, {"fresh-1"}, seen) == 200
    assert seen == ["Bearer fresh-1"]


async def test_a_401_refreshes_once_and_sends_again() -> None:
    keeper, seen = Keeper(), []
    auth = GrantAuth(_grant("revoked-early", 3600), keeper, clock=lambda: NOW)
    assert await _get(auth, {"fresh-1"}, seen) == 200
    assert seen == ["Bearer revoked-early", "Bearer fresh-1"]
    assert keeper.stale == ["revoked-early"]


async def test_a_second_401_is_the_answer_not_another_refresh() -> None:
    keeper, seen = Keeper(), []
    auth = GrantAuth(_grant("revoked-early", 3600), keeper, clock=lambda: NOW)
    assert await _get(auth, set(), seen) == 401
    assert keeper.calls == 1
    assert len(seen) == 2


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://oauth.pipedrive.com", True),
        ("https://oauth.pipedrive.com/", True),
        ("http://127.0.0.1:8001", True),
        ("http://localhost", True),
        ("http://LOCALHOST:9", True),
        ("http://[::1]:8000", True),
        ("http://oauth.pipedrive.com", False),
        ("http://127.0.0.1.example.com", False),
        ("http://10.0.0.5", False),
        ("ftp://oauth.pipedrive.com", False),
        ("oauth.pipedrive.com", False),
        ("https://", False),
        ("https://user:pw@oauth.pipedrive.com", False),
        ("https://oauth.pipedrive.com?x=1", False),
        ("https://oauth.pipedrive.com:99999", False),
    ],
)
def test_the_oauth_server_is_https_or_on_a_loopback_host(url: str, kept: bool) -> None:
    assert is_oauth_url(url) is kept


@pytest.mark.parametrize(
    ("access", "refresh"),
    [("a\ud800", "r"), ("a", "r\ud800"), ("a\r\nx: y", "r"), ("a", "r t"), ("ä", "r")],
)
async def test_a_token_response_with_tokens_no_request_can_carry_is_refused(
    access: str, refresh: str
) -> None:
    # what the grant's tokens go into later (a header, a form) must not fail then, or inject
    def answer(_request: httpx.Request) -> httpx.Response:
        body = {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "Bearer",
            "expires_in": 3600,
            "api_domain": "https://acme.pipedrive.com",
        }
        headers = {"content-type": "application/json"}
        return httpx.Response(200, content=json.dumps(body).encode(), headers=headers)

    app = OAuthApp("client", "secret", "https://oauth.pipedrive.com")
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        endpoint = TokenEndpoint(http, app, clock=lambda: NOW)
        with pytest.raises(BadResponse, match="not plain ASCII"):
            await endpoint.exchange_code("code", "https://cardin.example/oauth")
        with pytest.raises(BadResponse, match="not plain ASCII"):
            await endpoint.refresh(_grant("old", 0))
