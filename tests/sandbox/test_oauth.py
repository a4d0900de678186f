"""The sandbox's OAuth server: consent page, code and refresh grants, revocation, Bearer auth."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml

from cardin.sandbox import Dataset, Sandbox
from cardin.sandbox.limits import BURST_LIMITS
from cardin.sandbox.oauth import OPERATION_SCOPES
from cardin.sandbox.routes import ROUTES

from .conftest import SHARED, SpecChecker

CLIENT_ID = "cardin-test"
SECRET = "test-secret-not-real"  # the sandbox's test app, not a secret
REDIRECT = "http://cardin.test/oauth/pipedrive/callback"
BASIC = httpx.BasicAuth(CLIENT_ID, SECRET)


class Clock:
    """Wall-clock seconds that a test moves."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def oauth_sandbox(dataset: Dataset, clock: Clock) -> Sandbox:
    return Sandbox(dataset, oauth_clients={CLIENT_ID: SECRET}, access_ttl=60, wall_clock=clock)


@pytest.fixture
async def http(oauth_sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=oauth_sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        yield client


async def _code(
    http: httpx.AsyncClient, scope: str = "contacts:read", decision: str = "approve"
) -> dict[str, str]:
    """Approve (or deny) on the consent page; the redirect's query."""
    page = await http.get(
        "/oauth/authorize",
        params={"client_id": CLIENT_ID, "redirect_uri": REDIRECT, "state": "s-1", "scope": scope},
    )
    assert page.status_code == 200
    assert "Approve" in page.text
    assert "Deny" in page.text
    decided = await http.post(
        "/oauth/authorize",
        data={
            "client_id": CLIENT_ID,
            "redirect_uri": REDIRECT,
            "state": "s-1",
            "scope": scope,
            "who": "0",
            "decision": decision,
        },
    )
    assert decided.status_code == 302
    location = decided.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


async def _exchange(http: httpx.AsyncClient, code: str, **extra: str) -> httpx.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, **extra}
    return await http.post("/oauth/token", data=data, auth=BASIC)


async def _refresh(http: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    data = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return await http.post("/oauth/token", data=data, auth=BASIC)


async def test_approve_then_exchange_gives_pipedrives_token_fields(
    http: httpx.AsyncClient,
) -> None:
    query = await _code(http)
    assert query["state"] == "s-1"
    response = await _exchange(http, query["code"])
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "access_token",
        "token_type",
        "refresh_token",
        "scope",
        "expires_in",
        "api_domain",
    }
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 60
    assert body["scope"] == "base,contacts:read"
    assert body["api_domain"] == "http://sandbox"


async def test_deny_redirects_with_access_denied_and_the_state(http: httpx.AsyncClient) -> None:
    query = await _code(http, decision="deny")
    assert query == {"error": "access_denied", "state": "s-1"}


async def test_a_code_is_single_use_and_expires(http: httpx.AsyncClient, clock: Clock) -> None:
    code = (await _code(http))["code"]
    assert (await _exchange(http, code)).status_code == 200
    again = await _exchange(http, code)
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    assert again.json()["message"] == "Invalid grant: authorization_code is invalid"
    late = (await _code(http))["code"]
    clock.now += 301
    expired = await _exchange(http, late)
    assert expired.json()["message"] == "Invalid grant: authorization_code has expired"


async def test_a_code_is_bound_to_its_redirect_uri(http: httpx.AsyncClient) -> None:
    code = (await _code(http))["code"]
    response = await _exchange(http, code, redirect_uri="http://elsewhere.test/cb")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize(
    ("auth", "message"),
    [
        (None, "Invalid client: cannot retrieve client credentials"),
        (httpx.BasicAuth(CLIENT_ID, "wrong"), "Invalid client: client is invalid"),
        (httpx.BasicAuth("someone-else", SECRET), "Invalid client: client is invalid"),
    ],
)
async def test_a_wrong_client_secret_is_invalid_client(
    http: httpx.AsyncClient, auth: httpx.BasicAuth | None, message: str
) -> None:
    code = (await _code(http))["code"]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    response = await http.post("/oauth/token", data=data, auth=auth)
    assert response.status_code == 401
    assert response.json() == {"success": False, "error": "invalid_client", "message": message}
    # the code was not spent by the refused request
    assert (await _exchange(http, code)).status_code == 200


async def test_the_token_endpoint_wants_a_form_and_a_known_grant_type(
    http: httpx.AsyncClient,
) -> None:
    as_json = await http.post("/oauth/token", json={"grant_type": "x"}, auth=BASIC)
    assert as_json.status_code == 400
    assert "x-www-form-urlencoded" in as_json.json()["message"]
    missing = await http.post("/oauth/token", data={"code": "x"}, auth=BASIC)
    assert missing.json()["message"] == "Missing parameter: grant_type"
    unknown = await http.post("/oauth/token", data={"grant_type": "password"}, auth=BASIC)
    assert unknown.json()["error"] == "unsupported_grant_type"


async def test_a_refresh_rotates_the_refresh_token(http: httpx.AsyncClient) -> None:
    first = (await _exchange(http, (await _code(http))["code"])).json()
    second = await _refresh(http, first["refresh_token"])
    assert second.status_code == 200
    rotated = second.json()
    assert rotated["refresh_token"] != first["refresh_token"]
    spent = await _refresh(http, first["refresh_token"])
    assert spent.status_code == 400
    assert spent.json()["message"] == "Invalid grant: refresh_token is invalid"
    assert (await _refresh(http, rotated["refresh_token"])).status_code == 200


async def test_bearer_auth_opens_the_api_until_the_access_token_expires(
    http: httpx.AsyncClient, clock: Clock, spec_checker: SpecChecker, oauth_sandbox: Sandbox
) -> None:
    tokens = (await _exchange(http, (await _code(http))["code"])).json()
    headers = {"authorization": f"Bearer {tokens['access_token']}"}
    me = await http.get("/v1/users/me", headers=headers)
    assert me.status_code == 200
    spec_checker.check(me)
    plan = oauth_sandbox.dataset.companies[0].plan
    assert me.headers["x-ratelimit-limit"] == str(4 * BURST_LIMITS[plan])
    clock.now += 61
    expired = await http.get("/v1/users/me", headers=headers)
    assert expired.status_code == 401
    spec_checker.check(expired)
    fresh = (await _refresh(http, tokens["refresh_token"])).json()
    again = await http.get(
        "/v1/users/me", headers={"authorization": f"Bearer {fresh['access_token']}"}
    )
    assert again.status_code == 200


async def test_an_operation_outside_the_scopes_is_a_scope_mismatch(
    http: httpx.AsyncClient,
) -> None:
    tokens = (await _exchange(http, (await _code(http, scope="contacts:read"))["code"])).json()
    headers = {"authorization": f"Bearer {tokens['access_token']}"}
    search = {"term": "ada@example.com", "fields": "email"}
    found = await http.get("/api/v2/persons/search", headers=headers, params=search)
    assert found.status_code == 200
    deals = await http.get("/api/v2/deals", headers=headers)
    assert deals.status_code == 403
    assert deals.json()["error"] == "Scope and URL mismatch"
    write = await http.post("/api/v2/persons", headers=headers, json={"name": "New"})
    assert write.status_code == 403


async def test_revoking_ends_the_refresh_token_and_its_access_tokens(
    http: httpx.AsyncClient,
) -> None:
    tokens = (await _exchange(http, (await _code(http))["code"])).json()
    revoked = await http.post(
        "/oauth/revoke",
        data={"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
        auth=BASIC,
    )
    assert revoked.status_code == 200
    assert (await _refresh(http, tokens["refresh_token"])).json()["error"] == "invalid_grant"
    headers = {"authorization": f"Bearer {tokens['access_token']}"}
    assert (await http.get("/v1/users/me", headers=headers)).status_code == 401
    wrong_client = await http.post(
        "/oauth/revoke", data={"token": "x"}, auth=httpx.BasicAuth(CLIENT_ID, "wrong")
    )
    assert wrong_client.status_code == 401


async def test_the_controls_expire_and_revoke_every_grant(http: httpx.AsyncClient) -> None:
    tokens = (await _exchange(http, (await _code(http))["code"])).json()
    assert (await http.post("/_sandbox/oauth/expire-access")).json() == {"expired": 1}
    headers = {"authorization": f"Bearer {tokens['access_token']}"}
    assert (await http.get("/v1/users/me", headers=headers)).status_code == 401
    assert (await http.post("/_sandbox/oauth/revoke-all")).json() == {"revoked": 1}
    assert (await _refresh(http, tokens["refresh_token"])).status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"client_id": "unknown", "redirect_uri": REDIRECT},
        {"client_id": CLIENT_ID, "redirect_uri": "javascript:alert(1)"},
    ],
)
async def test_the_consent_page_refuses_an_unknown_app_or_a_bad_redirect(
    http: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await http.get("/oauth/authorize", params=params)
    assert response.status_code == 400
    assert "Approve" not in response.text


def test_the_scope_table_is_the_published_oauth2_security() -> None:
    published: dict[tuple[str, str], frozenset[str]] = {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for name, prefix in (("openapi-v1.yaml", "/v1"), ("openapi-v2.yaml", "/api/v2")):
        with (SHARED / name).open(encoding="utf-8") as handle:
            spec = yaml.load(handle, Loader=loader)  # noqa: S506 - safe loaders only
        for path, item in spec["paths"].items():
            for method, operation in item.items():
                if isinstance(operation, dict):
                    for requirement in operation.get("security", []):
                        if "oauth2" in requirement:
                            published[method.upper(), prefix + path] = frozenset(
                                requirement["oauth2"]
                            )
    routes = {(route.method, route.template) for route in ROUTES}
    assert set(OPERATION_SCOPES) == routes
    assert {key: published[key] for key in routes} == OPERATION_SCOPES
