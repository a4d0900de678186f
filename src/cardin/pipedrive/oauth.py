"""Pipedrive's OAuth: the token endpoint (code, refresh, revoke) and the Auth that refreshes.

`TokenEndpoint` talks to `<oauth_url>/oauth/token` and `/oauth/revoke` with HTTP Basic (the
app's client id and secret), form-encoded, and turns Pipedrive's answer into an `OAuthGrant`:
its `api_domain` is accepted only as `https://<label>.pipedrive.com` or as the configured API
base (`cardin.pipedrive.urls.is_api_domain`), so that no access token is ever sent elsewhere.
A refused refresh token (`invalid_grant`) is GrantRevoked, an InvalidToken: the connector needs
the user's sign-in again. The client secret goes only to the OAuth server, which must be https
or on a loopback host (`is_oauth_url`).

`GrantAuth` is the `httpx.Auth` of a stored grant: it sends `Authorization: Bearer`, asks its
`GrantKeeper` for a fresh grant when the access token expires within `REFRESH_AHEAD` seconds,
and once more when Pipedrive answers 401 (the token may have been revoked early). The keeper
(`cardin.usecases.grants`) owns locking and keeping the rotated refresh token; nothing here
knows the store.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable, Generator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

import httpx

from cardin.pipedrive.auth import OAuthGrant, bearer
from cardin.pipedrive.errors import BadResponse, InvalidToken, Unavailable
from cardin.pipedrive.urls import DEFAULT_BASE_URL, is_api_domain

log = logging.getLogger(__name__)

DEFAULT_OAUTH_URL = "https://oauth.pipedrive.com"
"""Pipedrive's OAuth server: the default `CARDIN_PIPEDRIVE_OAUTH_URL`."""
REFRESH_AHEAD = 15.0
"""Seconds before its expiry that an access token is refreshed rather than sent: more than a
request takes (the client's timeout is 8 s), well under a token's life (an hour at Pipedrive, a
minute in the demo)."""
_UNAUTHORIZED = 401
_BEARER = "bearer"


_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def is_oauth_url(url: str) -> bool:
    """Whether `url` may be the OAuth server (the client secret and codes go there): an https
    URL, or http on a loopback host (the sandbox, a test); no user, query or fragment."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not one
    except ValueError:
        return False
    if not host or parts.username or parts.password or parts.query or parts.fragment:
        return False
    return parts.scheme == "https" or (parts.scheme == "http" and host.lower() in _LOOPBACK)


class GrantRevoked(InvalidToken):
    """The OAuth server refused the grant (`invalid_grant`): the user must sign in again."""


class ClientRejected(Unavailable):
    """The OAuth server refused the app's client id or secret: the deployment's configuration."""


@dataclass(frozen=True, slots=True)
class OAuthApp:
    """A Pipedrive Marketplace app: its client id and secret, and where its OAuth server is.

    The secret is left out of the repr.
    """

    client_id: str
    client_secret: str = field(repr=False)
    oauth_url: str = DEFAULT_OAUTH_URL

    def authorize_url(self, redirect_uri: str, state: str, scopes: Iterable[str]) -> str:
        """The consent page the user's browser is sent to."""
        query = urlencode(
            {
                "client_id": self.client_id,
                "redirect_uri": redirect_uri,
                "state": state,
                "scope": " ".join(scopes),
            }
        )
        return f"{self.oauth_url.rstrip('/')}/oauth/authorize?{query}"


class TokenEndpoint:
    """Pipedrive's `/oauth/token` and `/oauth/revoke` for one app.

    `configured_base` is the operator's API base: the one `api_domain` besides
    `https://<label>.pipedrive.com` that is accepted. `clock` gives now, aware.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        app: OAuthApp,
        *,
        configured_base: str = DEFAULT_BASE_URL,
        timeout: float = 8.0,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._http = http
        self._app = app
        self._configured_base = configured_base
        self._timeout = timeout
        self._clock = clock

    async def exchange_code(self, code: str, redirect_uri: str) -> OAuthGrant:
        """The grant for an authorization code (GrantRevoked when the code is refused)."""
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
        return self._grant(await self._post("/oauth/token", form), previous=None)

    async def refresh(self, grant: OAuthGrant) -> OAuthGrant:
        """A fresh grant for this one (the refresh token may be rotated: keep the new one)."""
        form = {"grant_type": "refresh_token", "refresh_token": grant.refresh_token}
        return self._grant(await self._post("/oauth/token", form), previous=grant)

    async def revoke(self, grant: OAuthGrant) -> None:
        """Revoke the grant's refresh token (and with it its access tokens)."""
        form = {"token": grant.refresh_token, "token_type_hint": "refresh_token"}
        await self._post("/oauth/revoke", form)

    async def _post(self, path: str, form: dict[str, str]) -> dict[str, Any]:
        url = self._app.oauth_url.rstrip("/") + path
        try:
            response = await self._http.post(
                url,
                data=form,
                auth=httpx.BasicAuth(self._app.client_id, self._app.client_secret),
                headers={"accept": "application/json"},
                timeout=self._timeout,
            )
        except httpx.HTTPError as exc:
            message = f"Cannot reach Pipedrive's OAuth server ({type(exc).__name__})"
            raise Unavailable(message, path=path) from exc
        body = _json_object(response)
        if response.is_success:
            return body
        error = str(body.get("error", ""))
        message = str(body.get("message") or body.get("error_description") or error)[:200]
        if error == "invalid_grant" or message.startswith("Invalid grant"):
            raise GrantRevoked(message or "invalid_grant", status=response.status_code, path=path)
        if error == "invalid_client" or response.status_code == _UNAUTHORIZED:
            raise ClientRejected(
                "Pipedrive refused the app's client id or secret", status=401, path=path
            )
        if response.status_code >= 500:  # noqa: PLR2004 - HTTP server errors
            raise Unavailable(f"Pipedrive's OAuth server answered {response.status_code}")
        raise BadResponse(message or f"HTTP {response.status_code}", status=response.status_code)

    def _grant(self, body: dict[str, Any], previous: OAuthGrant | None) -> OAuthGrant:
        """The grant of a token response; BadResponse when it is not shaped as documented."""
        access_token = body.get("access_token")
        token_type = str(body.get("token_type", "")).lower()
        refresh_token = body.get("refresh_token") or (previous and previous.refresh_token)
        expires_in = body.get("expires_in")
        if not (isinstance(access_token, str) and access_token and token_type == _BEARER):
            raise BadResponse("the token response has no bearer access token")
        if not isinstance(refresh_token, str) or not refresh_token:
            raise BadResponse("the token response has no refresh token")
        if not (_plain(access_token) and _plain(refresh_token)):
            # a token goes into a header and a form as it is: no Pipedrive token is otherwise
            raise BadResponse("the token response's tokens are not plain ASCII")
        if not isinstance(expires_in, int) or isinstance(expires_in, bool) or expires_in <= 0:
            raise BadResponse("the token response has no expiry")
        api_domain = body.get("api_domain") or (previous and previous.api_domain)
        if not isinstance(api_domain, str) or not is_api_domain(api_domain, self._configured_base):
            # The domain stays out of the message: it is text from upstream.
            raise BadResponse("the token response's api_domain is not a Pipedrive host")
        scope = body.get("scope")
        scopes = (
            tuple(s for s in scope.replace(" ", ",").split(",") if s)
            if isinstance(scope, str)
            else (previous.scopes if previous else ())
        )
        return OAuthGrant(
            access_token=access_token,
            refresh_token=refresh_token,
            expires_at=self._clock() + timedelta(seconds=expires_in),
            scopes=scopes,
            api_domain=api_domain.rstrip("/"),
        )


def _plain(token: str) -> bool:
    """Whether a token is printable ASCII (no space, control character or lone surrogate)."""
    return token.isascii() and token.isprintable() and " " not in token


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except (ValueError, RecursionError):
        body = None
    if isinstance(body, dict):
        return body
    if response.is_success:
        raise BadResponse("the OAuth server's answer is not a JSON object")
    return {}


class GrantKeeper(Protocol):
    """Where a connector's grant is kept: it refreshes it once for every concurrent caller."""

    async def refresh(self, stale: OAuthGrant) -> OAuthGrant:
        """A grant whose access token is newer than `stale`'s (GrantRevoked when none can be
        had)."""
        ...


class GrantAuth(httpx.Auth):
    """Sends a stored grant's access token, refreshing it ahead of its expiry and on a 401.

    Async only (the client is async). A refresh failure other than GrantRevoked is raised as
    the PipedriveError it is; the request is then not sent.
    """

    def __init__(
        self,
        grant: OAuthGrant,
        keeper: GrantKeeper,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        ahead: float = REFRESH_AHEAD,
    ) -> None:
        self._grant = grant
        self._keeper = keeper
        self._clock = clock
        self._ahead = ahead

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        """Not supported: a refresh is asynchronous."""
        raise RuntimeError("GrantAuth refreshes asynchronously: use an httpx.AsyncClient")
        yield request  # pragma: no cover - makes this a generator

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Bearer the current access token (refreshed first when it is about to expire); on a
        401, refresh once and send again."""
        refreshed = False
        if self._grant.expires_within(self._ahead, self._clock()):
            self._grant = await self._keeper.refresh(self._grant)
            refreshed = True
        request.headers["authorization"] = bearer(self._grant.access_token)
        response = yield request
        if response.status_code != _UNAUTHORIZED or refreshed:
            return
        await response.aread()
        self._grant = await self._keeper.refresh(self._grant)
        request.headers["authorization"] = bearer(self._grant.access_token)
        yield request


@dataclass(frozen=True, slots=True)
class KeptGrant:
    """A stored grant with its keeper: the Credential whose Auth refreshes (`GrantAuth`)."""

    grant: OAuthGrant
    keeper: GrantKeeper = field(repr=False, compare=False)

    def auth(self) -> httpx.Auth:
        """A GrantAuth over the grant."""
        return GrantAuth(self.grant, self.keeper)
