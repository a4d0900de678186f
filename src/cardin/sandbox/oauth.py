"""Pipedrive's OAuth server, simulated: consent page, token endpoint, revocation, scopes.

`GET /oauth/authorize` shows a real HTML consent page (the app, the scopes asked for, whose
account) with Approve and Deny; the decision (`POST /oauth/authorize`) redirects to the app's
`redirect_uri` with `code` and `state`, or with `error=access_denied`. `POST /oauth/token`
(HTTP Basic with the client id and secret, form-encoded) exchanges a code (single use, 5 minutes,
bound to its redirect URI) or a refresh token (rotated: the old one is spent) for
`access_token`, `token_type`, `refresh_token`, `scope`, `expires_in` and `api_domain` (the
sandbox's own base URL). `POST /oauth/revoke` forgets a refresh token and the access tokens it
gave. Errors carry Pipedrive's documented messages ("Invalid grant: refresh_token is invalid",
"Invalid client: client is invalid", …) with the OAuth error code; the exact JSON layout of
Pipedrive's error bodies is not documented, so `{"success": false, "error": code,
"message": text}` is this sandbox's choice.

Access tokens live `access_ttl` seconds (an hour at Pipedrive; a minute in the demo, so that
refreshing is exercised). Every API request may carry `Authorization: Bearer <access token>`
instead of `x-api-token`; `scope_allows` says whether the grant's scopes cover the operation
(Pipedrive answers 403 "Scope and URL mismatch" when they do not; the table is the `oauth2`
security of each operation in Pipedrive's OpenAPI files, which a test checks).
"""

from __future__ import annotations

import base64
import binascii
import html
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from cardin.sandbox.data import Company, Dataset

CODE_TTL = 300.0
"""Seconds an authorization code may wait to be exchanged (Pipedrive: 5 minutes)."""
DEFAULT_ACCESS_TTL = 3600.0
"""Seconds an access token lives at Pipedrive (`expires_in` 3600)."""
BASE_SCOPE = "base"
DEMO_CLIENT_ID = "cardin-demo"
"""The demo's app at the sandbox's OAuth server."""
DEMO_CLIENT_SECRET = "cardin-demo-secret"  # noqa: S105 - the sandbox's demo app, not a secret
DEMO_ACCESS_TTL = 60.0
"""Seconds an access token lives in the demo, so that refreshing is seen."""
FORM = "application/x-www-form-urlencoded"

# The scopes of which any one allows an operation: the `oauth2` security of each operation the
# sandbox simulates, as Pipedrive's OpenAPI files list them (tests/sandbox/test_oauth.py).
_CONTACTS_READ = frozenset({"contacts:read", "contacts:full"})
_DEALS_READ = frozenset({"deals:read", "deals:full"})
_ACTIVITIES_READ = frozenset({"activities:read", "activities:full"})
OPERATION_SCOPES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/v1/users/me"): frozenset({"base"}),
    ("GET", "/v1/users"): frozenset({"users:read"}),
    ("GET", "/v1/users/{id}"): frozenset({"users:read"}),
    ("GET", "/v1/activityTypes"): _ACTIVITIES_READ | {"admin"},
    ("GET", "/v1/currencies"): frozenset({"base"}),
    ("GET", "/v1/personFields"): _CONTACTS_READ | {"contact-fields:full", "admin"},
    ("GET", "/v1/notes"): _DEALS_READ | _CONTACTS_READ,
    ("POST", "/v1/notes"): frozenset({"deals:full", "contacts:full"}),
    ("GET", "/api/v2/personFields"): _CONTACTS_READ | {"contact-fields:full", "admin"},
    ("GET", "/api/v2/persons/search"): _CONTACTS_READ | {"search:read"},
    ("GET", "/api/v2/persons"): _CONTACTS_READ,
    ("POST", "/api/v2/persons"): frozenset({"contacts:full"}),
    ("GET", "/api/v2/persons/{id}"): _CONTACTS_READ,
    ("GET", "/api/v2/persons/{id}/picture"): _CONTACTS_READ,
    ("GET", "/api/v2/organizations/search"): _CONTACTS_READ | {"search:read"},
    ("GET", "/api/v2/organizations"): _CONTACTS_READ,
    ("POST", "/api/v2/organizations"): frozenset({"contacts:full"}),
    ("GET", "/api/v2/organizations/{id}"): _CONTACTS_READ,
    ("GET", "/api/v2/deals"): _DEALS_READ,
    ("POST", "/api/v2/deals"): frozenset({"deals:full"}),
    ("GET", "/api/v2/deals/{id}"): _DEALS_READ,
    ("DELETE", "/api/v2/deals/{id}"): frozenset({"deals:full"}),
    ("GET", "/api/v2/activities"): _ACTIVITIES_READ,
    ("POST", "/api/v2/activities"): frozenset({"activities:full"}),
    ("GET", "/api/v2/activities/{id}"): _ACTIVITIES_READ,
    ("PATCH", "/api/v2/activities/{id}"): frozenset({"activities:full"}),
    ("GET", "/api/v2/pipelines"): _DEALS_READ | {"admin"},
    ("GET", "/api/v2/stages"): _DEALS_READ | {"admin"},
}
SCOPE_MISMATCH = {"success": False, "error": "Scope and URL mismatch", "errorCode": 403}


def scope_allows(scopes: Iterable[str], method: str, template: str) -> bool:
    """Whether a grant with `scopes` may call the operation (an unlisted one needs `admin`)."""
    wanted = "GET" if method == "HEAD" else method
    allowed = OPERATION_SCOPES.get((wanted, template), frozenset({"admin"}))
    return not allowed.isdisjoint(scopes)


@dataclass(slots=True)
class _Grant:
    """One user's consent to one app: what its tokens open."""

    id: int
    client_id: str
    company: Company
    user_id: int
    scopes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Code:
    grant: _Grant
    redirect_uri: str
    issued_at: float


@dataclass(frozen=True, slots=True)
class _Access:
    grant: _Grant
    expires_at: float


class OAuthError(Exception):
    """A refused token or revoke request: status, OAuth error code and Pipedrive's message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def response(self) -> JSONResponse:
        """The error as Pipedrive's OAuth server answers it."""
        body = {"success": False, "error": self.code, "message": self.message}
        return JSONResponse(body, status_code=self.status)


@dataclass(frozen=True, slots=True)
class BearerIdentity:
    """Whom an access token opens, and with which scopes."""

    company: Company
    user_id: int
    scopes: tuple[str, ...]
    grant_id: int


@dataclass
class OAuthServer:
    """The OAuth side of the sandbox: registered apps (id → secret) and the grants given to them.

    `clock` is wall-clock seconds (codes and access tokens expire by it).
    """

    dataset: Dataset
    clients: dict[str, str] = field(default_factory=dict)
    access_ttl: float = DEFAULT_ACCESS_TTL
    clock: Callable[[], float] = time.time
    refreshes: int = 0
    """How many refresh-token grants succeeded (tests count them)."""
    refresh_requests: int = 0
    """How many refresh-token grants were asked for, refused ones too."""
    _codes: dict[str, _Code] = field(default_factory=dict)
    _access: dict[str, _Access] = field(default_factory=dict)
    _refresh: dict[str, _Grant] = field(default_factory=dict)
    _next_grant: int = 1

    def register(self, client_id: str, client_secret: str) -> None:
        """Register an app (the demo's, a test's)."""
        self.clients[client_id] = client_secret

    def identity(self, access_token: str) -> BearerIdentity | None:
        """Whom a live access token opens; None for an unknown, revoked or expired one."""
        access = self._access.get(access_token)
        if access is None or access.expires_at <= self.clock():
            return None
        grant = access.grant
        return BearerIdentity(grant.company, grant.user_id, grant.scopes, grant.id)

    def users(self) -> list[tuple[Company, int, str]]:
        """Every (company, user id, user name) one may sign in as, in the dataset's order."""
        found: list[tuple[Company, int, str]] = []
        for company in self.dataset.companies:
            names = {int(user["id"]): str(user.get("name", "")) for user in company.users}
            found.extend(
                (company, user_id, names.get(user_id, f"user {user_id}"))
                for user_id in dict.fromkeys(company.tokens.values())
            )
        return found

    def approve(
        self, client_id: str, redirect_uri: str, scopes: tuple[str, ...], who: int = 0
    ) -> str:
        """A new authorization code for the `who`-th user of `users()` (what Approve does)."""
        company, user_id, _ = self.users()[who]
        grant = _Grant(self._next_grant, client_id, company, user_id, scopes)
        self._next_grant += 1
        code = secrets.token_urlsafe(24)
        self._codes[code] = _Code(grant, redirect_uri, self.clock())
        return code

    def exchange(self, client_id: str, form: dict[str, str], api_domain: str) -> dict[str, Any]:
        """The token endpoint after the client authenticated: a code or a refresh token."""
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OAuthError(400, "invalid_request", "Missing parameter: grant_type")
        if grant_type == "authorization_code":
            grant = self._take_code(client_id, form)
        elif grant_type == "refresh_token":
            self.refresh_requests += 1
            grant = self._take_refresh(client_id, form.get("refresh_token", ""))
            self.refreshes += 1
        else:
            raise OAuthError(
                400, "unsupported_grant_type", "Unsupported grant type: grant_type is invalid"
            )
        return self._issue(grant, api_domain)

    def revoke(self, client_id: str, token: str) -> None:
        """Forget a refresh token (or an access token's grant) and every access token of it."""
        grant = self._refresh.get(token)
        if grant is None and token in self._access:
            grant = self._access[token].grant
        if grant is None or grant.client_id != client_id:
            return  # RFC 7009: an unknown token is no error
        self.revoke_grant(grant.id)

    def revoke_grant(self, grant_id: int) -> None:
        """Drop every token of one grant (the user removed the app in Pipedrive)."""
        for store in (self._refresh,):
            for token in [t for t, g in store.items() if g.id == grant_id]:
                del store[token]
        for token in [t for t, a in self._access.items() if a.grant.id == grant_id]:
            del self._access[token]

    def revoke_all(self) -> int:
        """Drop every grant; how many refresh tokens there were."""
        count = len(self._refresh)
        self._refresh.clear()
        self._access.clear()
        return count

    def expire_access_tokens(self) -> int:
        """End every access token now (refresh tokens stay); how many there were."""
        count = len(self._access)
        self._access.clear()
        return count

    def authenticate(self, request_headers: dict[str, str]) -> str:
        """The client id of HTTP Basic credentials; OAuthError for missing or wrong ones."""
        header = request_headers.get("authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic" or not encoded:
            raise OAuthError(
                401, "invalid_client", "Invalid client: cannot retrieve client credentials"
            )
        try:
            client_id, _, secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError(
                401, "invalid_client", "Invalid client: cannot retrieve client credentials"
            ) from None
        known = self.clients.get(client_id)
        if known is None or not secrets.compare_digest(known.encode(), secret.encode()):
            raise OAuthError(401, "invalid_client", "Invalid client: client is invalid")
        return client_id

    def _take_code(self, client_id: str, form: dict[str, str]) -> _Grant:
        code = self._codes.pop(form.get("code", ""), None)
        if code is None or code.grant.client_id != client_id:
            raise OAuthError(400, "invalid_grant", "Invalid grant: authorization_code is invalid")
        if code.issued_at + CODE_TTL <= self.clock():
            raise OAuthError(400, "invalid_grant", "Invalid grant: authorization_code has expired")
        if form.get("redirect_uri") != code.redirect_uri:
            raise OAuthError(400, "invalid_request", "Invalid request: redirect_uri is invalid")
        return code.grant

    def _take_refresh(self, client_id: str, refresh_token: str) -> _Grant:
        grant = self._refresh.get(refresh_token)
        if grant is None or grant.client_id != client_id:
            raise OAuthError(400, "invalid_grant", "Invalid grant: refresh_token is invalid")
        del self._refresh[refresh_token]  # rotated: a refresh token is spent once
        return grant

    def _issue(self, grant: _Grant, api_domain: str) -> dict[str, Any]:
        access_token = f"{grant.id}:{secrets.token_urlsafe(24)}"
        refresh_token = f"{grant.id}:{secrets.token_urlsafe(32)}"
        self._access[access_token] = _Access(grant, self.clock() + self.access_ttl)
        self._refresh[refresh_token] = grant
        return {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": round(self.access_ttl),
            "refresh_token": refresh_token,
            "scope": ",".join(grant.scopes),
            "api_domain": api_domain,
        }


def _requested_scopes(raw: str) -> tuple[str, ...]:
    """The scopes asked for (comma or space separated), `base` always among them."""
    asked = [scope for scope in raw.replace(" ", ",").split(",") if scope]
    return tuple(dict.fromkeys([BASE_SCOPE, *asked]))


def _valid_redirect(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.fragment


def _with_query(uri: str, values: dict[str, str]) -> str:
    separator = "&" if urlsplit(uri).query else "?"
    return uri + separator + urlencode(values)


async def _form(request: Request) -> dict[str, str]:
    """A form-encoded body's fields (the last of a repeated one); empty for any other body."""
    if request.headers.get("content-type", "").split(";")[0].strip() != FORM:
        return {}
    try:
        text = (await request.body()).decode()
    except UnicodeDecodeError:
        return {}
    return dict(parse_qsl(text, keep_blank_values=True))


def _require_form(request: Request) -> None:
    """OAuthError unless the body is form-encoded, as Pipedrive's token endpoint requires."""
    if request.headers.get("content-type", "").split(";")[0].strip() != FORM:
        raise OAuthError(
            400,
            "invalid_request",
            "Invalid request: content must be application/x-www-form-urlencoded",
        )


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        "<style>body{font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}"
        "button{font-size:1rem;padding:.5rem 1.25rem;margin-right:.5rem}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>",
        status_code=status,
    )


def oauth_routes(server: OAuthServer) -> list[Route]:
    """`/oauth/authorize` (GET page, POST decision), `/oauth/token`, `/oauth/revoke`, and the
    controls `GET /_sandbox/oauth` (refresh counts), `POST /_sandbox/oauth/expire-access` and
    `POST /_sandbox/oauth/revoke-all`."""

    async def authorize_page(request: Request) -> Response:
        query = request.query_params
        client_id = query.get("client_id", "")
        redirect_uri = query.get("redirect_uri", "")
        if client_id not in server.clients:
            return _page("Pipedrive", "<p>App cannot be installed for requested company.</p>", 400)
        if not _valid_redirect(redirect_uri):
            return _page("Pipedrive", "<p>Invalid request: redirect_uri is invalid.</p>", 400)
        scopes = _requested_scopes(query.get("scope", ""))
        options = "".join(
            f"<option value='{index}'>{html.escape(name)} — "
            f"{html.escape(str(company.info.get('name', '')))}</option>"
            for index, (company, _, name) in enumerate(server.users())
        )
        hidden = "".join(
            f"<input type='hidden' name='{name}' value='{html.escape(value, quote=True)}'>"
            for name, value in (
                ("client_id", client_id),
                ("redirect_uri", redirect_uri),
                ("state", query.get("state", "")),
                ("scope", ",".join(scopes)),
            )
        )
        listed = "".join(f"<li><code>{html.escape(scope)}</code></li>" for scope in scopes)
        body = (
            f"<p>The app <strong>{html.escape(client_id)}</strong> asks to use your Pipedrive "
            f"account with these scopes:</p><ul>{listed}</ul>"
            f"<form method='post' action='/oauth/authorize'>{hidden}"
            f"<p><label>Sign in as <select name='who'>{options}</select></label></p>"
            "<button type='submit' name='decision' value='approve'>Approve</button>"
            "<button type='submit' name='decision' value='deny'>Deny</button></form>"
        )
        return _page("Allow access to Pipedrive?", body)

    async def authorize_decision(request: Request) -> Response:
        form = await _form(request)
        client_id = form.get("client_id", "")
        redirect_uri = form.get("redirect_uri", "")
        if client_id not in server.clients or not _valid_redirect(redirect_uri):
            return _page("Pipedrive", "<p>Invalid request.</p>", 400)
        state = {"state": form["state"]} if form.get("state") else {}
        if form.get("decision") != "approve":
            target = _with_query(redirect_uri, {"error": "access_denied", **state})
            return RedirectResponse(target, status_code=302)
        try:
            who = int(form.get("who", "0"))
            server.users()[who]
        except (ValueError, IndexError):
            return _page("Pipedrive", "<p>Invalid request: unknown user.</p>", 400)
        scopes = _requested_scopes(form.get("scope", ""))
        code = server.approve(client_id, redirect_uri, scopes, who)
        return RedirectResponse(_with_query(redirect_uri, {"code": code, **state}), 302)

    async def token(request: Request) -> Response:
        try:
            client_id = server.authenticate(dict(request.headers))
            _require_form(request)
            form = await _form(request)
            api_domain = str(request.base_url).rstrip("/")
            return JSONResponse(server.exchange(client_id, form, api_domain))
        except OAuthError as error:
            return error.response()

    async def revoke(request: Request) -> Response:
        try:
            client_id = server.authenticate(dict(request.headers))
        except OAuthError as error:
            return error.response()
        form = await _form(request)
        server.revoke(client_id, form.get("token", ""))
        return JSONResponse({"success": True})

    async def counts(_request: Request) -> Response:
        return JSONResponse(
            {"refreshes": server.refreshes, "refresh_requests": server.refresh_requests}
        )

    async def expire_access(_request: Request) -> Response:
        return JSONResponse({"expired": server.expire_access_tokens()})

    async def revoke_all(_request: Request) -> Response:
        return JSONResponse({"revoked": server.revoke_all()})

    return [
        Route("/oauth/authorize", authorize_page, methods=["GET"]),
        Route("/oauth/authorize", authorize_decision, methods=["POST"]),
        Route("/oauth/token", token, methods=["POST"]),
        Route("/oauth/revoke", revoke, methods=["POST"]),
        Route("/_sandbox/oauth", counts, methods=["GET"]),
        Route("/_sandbox/oauth/expire-access", expire_access, methods=["POST"]),
        Route("/_sandbox/oauth/revoke-all", revoke_all, methods=["POST"]),
    ]
