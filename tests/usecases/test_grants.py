"""Connectors signed in with Pipedrive: refreshed once for concurrent lookups, rotation kept,
a refused grant is a reauth, and no token, code or secret reaches the log or the database."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from cardin.connectors import ALL_FEATURES, Feature
from cardin.connectors.model import Connector, ConnectorSettings, RunMode
from cardin.contact.model import Account, Match
from cardin.contact.outcome import Failure, FailureKind
from cardin.pipedrive import OAuthGrant
from cardin.pipedrive.oauth import ClientRejected, GrantRevoked, OAuthApp, TokenEndpoint
from cardin.sandbox import DEMO_COMPANY_ID, DEMO_USER_ID, RICH_EMAIL, Sandbox
from cardin.store.tables import connectors as table
from cardin.usecases import runs, signin
from cardin.usecases.grants import Grants
from cardin.usecases.services import Services
from tests.conftest import SANDBOX_URL

SUB = "google-sub-ann"
CLIENT_ID = "cardin-test"
SECRET = "client-secret-for-tests"  # the sandbox's test app, not a secret
REDIRECT = "http://cardin.test/oauth/pipedrive/callback"
SCOPES = ("contacts:read", "deals:read", "activities:read", "users:read")
ACCOUNT = Account(
    company_id=DEMO_COMPANY_ID,
    company_name="Aurora Demo Trading",
    company_domain="aurora-demo",
    user_id=DEMO_USER_ID,
    user_name="Demo",
    user_email="demo@aurora.example",
    locale="en_GB",
    timezone="Europe/London",
)


def _now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def app(sandbox: Sandbox) -> OAuthApp:
    sandbox.oauth.register(CLIENT_ID, SECRET)
    return OAuthApp(CLIENT_ID, SECRET, SANDBOX_URL)


@pytest.fixture
def endpoint(http: httpx.AsyncClient, app: OAuthApp) -> TokenEndpoint:
    return TokenEndpoint(http, app, configured_base=SANDBOX_URL, clock=_now)


# These tests are about refreshing once, not about speed: six concurrent lookups that all meet a 401
# and wait for one refresh can outlast the usual 2 s deadline on a loaded CI machine.
SLOW_MACHINE_DEADLINE = 15.0


def _worker(services: Services, app: OAuthApp, endpoint: TokenEndpoint) -> Services:
    """The services of one worker with the deployment's Pipedrive app."""
    # the default wait: another worker's refresh may take long on a loaded machine
    grants = Grants(app, endpoint, services.store, services.cache, REDIRECT, clock=_now)
    return replace(services, grants=grants, lookup_deadline=SLOW_MACHINE_DEADLINE)


@pytest.fixture
def signed_in(services: Services, app: OAuthApp, endpoint: TokenEndpoint) -> Services:
    """The services with the deployment's Pipedrive app."""
    return _worker(services, app, endpoint)


async def _sign_in(sandbox: Sandbox, services: Services, endpoint: TokenEndpoint) -> Connector:
    code = sandbox.oauth.approve(CLIENT_ID, REDIRECT, ("base", *SCOPES))
    grant = await endpoint.exchange_code(code, REDIRECT)
    settings = ConnectorSettings(name="Signed in", features=ALL_FEATURES, run_mode=RunMode.MANUAL)
    return services.store.create(
        SUB, settings, credential=grant, base_url=grant.api_domain, account=ACCOUNT
    )


async def test_a_signed_in_connector_finds_the_contact(
    sandbox: Sandbox, signed_in: Services, endpoint: TokenEndpoint
) -> None:
    connector = await _sign_in(sandbox, signed_in, endpoint)
    outcome = await runs.look_up(signed_in, connector, RICH_EMAIL, refresh=True)
    assert isinstance(outcome, Match)
    assert sandbox.oauth.refreshes == 0


async def test_concurrent_lookups_after_expiry_refresh_once_and_all_succeed(
    sandbox: Sandbox, signed_in: Services, endpoint: TokenEndpoint
) -> None:
    connector = await _sign_in(sandbox, signed_in, endpoint)
    before = signed_in.store.credential(SUB, connector.id)
    sandbox.oauth.expire_access_tokens()  # Pipedrive ended them early: every lookup meets a 401
    outcomes = await asyncio.gather(
        *(runs.look_up(signed_in, connector, RICH_EMAIL, refresh=True) for _ in range(6))
    )
    assert all(isinstance(outcome, Match) for outcome in outcomes), outcomes
    assert sandbox.oauth.refresh_requests == 1
    after = signed_in.store.credential(SUB, connector.id)
    assert isinstance(before, OAuthGrant)
    assert isinstance(after, OAuthGrant)
    assert after.refresh_token != before.refresh_token  # the rotated token is the one kept
    assert after.access_token != before.access_token


async def test_two_workers_refresh_once_through_the_cache_lock(
    sandbox: Sandbox,
    services: Services,
    app: OAuthApp,
    endpoint: TokenEndpoint,
) -> None:
    # Two processes: each its own Grants (own in-process locks), one cache and one database.
    first = _worker(services, app, endpoint)
    second = _worker(services, app, endpoint)
    connector = await _sign_in(sandbox, first, endpoint)
    sandbox.oauth.expire_access_tokens()
    outcomes = await asyncio.gather(
        *(
            runs.look_up(worker, connector, RICH_EMAIL, refresh=True)
            for worker in (first, second, first, second)
        )
    )
    assert all(isinstance(outcome, Match) for outcome in outcomes), outcomes
    assert sandbox.oauth.refresh_requests == 1


async def test_an_access_token_about_to_expire_is_refreshed_before_it_is_sent(
    sandbox: Sandbox, signed_in: Services, endpoint: TokenEndpoint
) -> None:
    connector = await _sign_in(sandbox, signed_in, endpoint)
    stored = signed_in.store.credential(SUB, connector.id)
    assert isinstance(stored, OAuthGrant)
    soon = replace(stored, expires_at=_now() + timedelta(seconds=5))
    signed_in.store.save_grant(SUB, connector.id, soon)
    sandbox.reset_log()
    outcome = await runs.look_up(signed_in, connector, RICH_EMAIL, refresh=True)
    assert isinstance(outcome, Match)
    assert sandbox.oauth.refreshes == 1
    assert all(request.status != 401 for request in sandbox.requests)


async def test_a_revoked_grant_is_a_reauth_and_stays_stored_for_the_sign_in_again(
    sandbox: Sandbox, signed_in: Services, endpoint: TokenEndpoint
) -> None:
    connector = await _sign_in(sandbox, signed_in, endpoint)
    sandbox.oauth.revoke_all()  # the user removed the app in Pipedrive
    outcome = await runs.look_up(signed_in, connector, RICH_EMAIL, refresh=True)
    assert isinstance(outcome, Failure)
    assert outcome.kind is FailureKind.REAUTH
    assert signed_in.store.get(SUB, connector.id) == connector


async def test_code_exchange_failures(
    sandbox: Sandbox, http: httpx.AsyncClient, endpoint: TokenEndpoint
) -> None:
    with pytest.raises(GrantRevoked):
        await endpoint.exchange_code("not-a-code", REDIRECT)
    code = sandbox.oauth.approve(CLIENT_ID, REDIRECT, ("base",))
    wrong = TokenEndpoint(
        http, OAuthApp(CLIENT_ID, "wrong", SANDBOX_URL), configured_base=SANDBOX_URL
    )
    with pytest.raises(ClientRejected) as raised:
        await wrong.exchange_code(code, REDIRECT)
    assert "wrong" not in str(raised.value)
    assert (await endpoint.exchange_code(code, REDIRECT)).scopes == ("base",)


async def test_an_api_domain_that_is_not_pipedrives_is_refused(
    sandbox: Sandbox, http: httpx.AsyncClient, app: OAuthApp
) -> None:
    # The sandbox answers with its own base URL: to an endpoint configured for Pipedrive's API
    # that is a foreign host, and the grant is not taken.
    strict = TokenEndpoint(http, app)
    code = sandbox.oauth.approve(CLIENT_ID, REDIRECT, ("base",))
    with pytest.raises(Exception, match="api_domain"):
        await strict.exchange_code(code, REDIRECT)


async def test_no_token_code_or_secret_in_the_log_or_in_plain_text_in_the_database(
    sandbox: Sandbox,
    signed_in: Services,
    endpoint: TokenEndpoint,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    code = sandbox.oauth.approve(CLIENT_ID, REDIRECT, ("base", *SCOPES))
    grant = await endpoint.exchange_code(code, REDIRECT)
    settings = ConnectorSettings(name="Signed in", features=ALL_FEATURES)
    connector = signed_in.store.create(
        SUB, settings, credential=grant, base_url=grant.api_domain, account=ACCOUNT
    )
    sandbox.oauth.expire_access_tokens()
    assert isinstance(await runs.look_up(signed_in, connector, RICH_EMAIL, refresh=True), Match)
    refreshed = signed_in.store.credential(SUB, connector.id)
    assert isinstance(refreshed, OAuthGrant)
    secrets = {
        code,
        SECRET,
        grant.access_token,
        grant.refresh_token,
        refreshed.access_token,
        refreshed.refresh_token,
    }
    assert "access token refreshed" in caplog.text
    database = signed_in.store._engine  # reading the raw rows
    with database.connect() as connection:
        rows = " ".join(str(value) for row in connection.execute(select(table)) for value in row)
    for secret in secrets:
        assert secret not in caplog.text
        assert secret not in rows


async def test_a_grant_without_the_scopes_a_feature_needs_is_a_reauth_asking_for_more(
    sandbox: Sandbox, signed_in: Services, endpoint: TokenEndpoint
) -> None:
    # Signed in for contacts only; deals are read too: Pipedrive's 403 "Scope and URL mismatch"
    code = sandbox.oauth.approve(CLIENT_ID, REDIRECT, ("base", "contacts:read"))
    grant = await endpoint.exchange_code(code, REDIRECT)
    settings = ConnectorSettings(name="Narrow", features=ALL_FEATURES)
    connector = signed_in.store.create(
        SUB, settings, credential=grant, base_url=grant.api_domain, account=ACCOUNT
    )
    outcome = await runs.look_up(signed_in, connector, RICH_EMAIL, refresh=True)
    assert isinstance(outcome, Failure)
    assert outcome.kind is FailureKind.REAUTH
    assert await signin.needs_wider_scopes(signed_in, connector)
    # the sign-in again asks for what the features need, writes included
    assert set(signin.scopes_for(ALL_FEATURES)) >= {"contacts:full", "deals:full"}


def test_the_scopes_are_the_least_the_features_need() -> None:
    assert signin.scopes_for([]) == (
        "base",
        "contacts:read",
        "deals:read",
        "activities:read",
        "users:read",
    )
    assert signin.scopes_for([Feature.WRITE_ACTIVITIES]) == (
        "base",
        "contacts:read",
        "deals:read",
        "users:read",
        "activities:full",
    )
    assert "deals:read" not in signin.scopes_for([Feature.LOG_EMAILS])


async def test_a_refused_client_secret_is_logged_and_the_lookup_unavailable_not_reauth(
    sandbox: Sandbox,
    signed_in: Services,
    endpoint: TokenEndpoint,
    caplog: pytest.LogCaptureFixture,
) -> None:
    connector = await _sign_in(sandbox, signed_in, endpoint)
    sandbox.oauth.register(CLIENT_ID, "rotated-by-the-operator")
    sandbox.oauth.expire_access_tokens()
    outcome = await runs.look_up(signed_in, connector, RICH_EMAIL, refresh=True)
    assert isinstance(outcome, Failure)
    assert outcome.kind is not FailureKind.REAUTH  # the user can do nothing about it
    assert "CARDIN_PIPEDRIVE_CLIENT_SECRET" in caplog.text
    assert SECRET not in caplog.text


class _SlowRefresh(TokenEndpoint):
    """The sandbox's token endpoint, whose refreshes answer only once `answer` is set (after
    Pipedrive has rotated the refresh token)."""

    def __init__(self, endpoint: TokenEndpoint) -> None:
        self._endpoint = endpoint
        self.asked = asyncio.Event()
        self.answer = asyncio.Event()

    async def refresh(self, grant: OAuthGrant) -> OAuthGrant:
        fresh = await self._endpoint.refresh(grant)
        self.asked.set()
        await self.answer.wait()
        return fresh


async def test_a_refresh_cut_off_by_the_callers_deadline_still_keeps_the_rotated_token(
    sandbox: Sandbox, services: Services, app: OAuthApp, endpoint: TokenEndpoint
) -> None:
    slow = _SlowRefresh(endpoint)
    grants = Grants(app, slow, services.store, services.cache, REDIRECT, clock=_now)
    connector = await _sign_in(sandbox, services, endpoint)
    spent = services.store.credential(SUB, connector.id)
    assert isinstance(spent, OAuthGrant)
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):  # the request's deadline ends before the answer
            await grants.refresh(connector, spent)
    slow.answer.set()
    kept = await grants.refresh(connector, spent)  # joins the refresh still under way
    assert sandbox.oauth.refresh_requests == 1
    stored = services.store.credential(SUB, connector.id)
    assert stored == kept
    assert isinstance(stored, OAuthGrant)
    assert stored.refresh_token != spent.refresh_token
    # the kept refresh token is the live one: the next refresh works
    again = await grants.refresh(connector, replace(stored, expires_at=_now()))
    assert again.refresh_token != stored.refresh_token
    assert sandbox.oauth.refresh_requests == 2


async def test_a_refresh_that_ends_after_a_new_sign_in_keeps_the_sign_ins_grant(
    sandbox: Sandbox, services: Services, app: OAuthApp, endpoint: TokenEndpoint
) -> None:
    slow = _SlowRefresh(endpoint)
    grants = Grants(app, slow, services.store, services.cache, REDIRECT, clock=_now)
    connector = await _sign_in(sandbox, services, endpoint)
    old = services.store.credential(SUB, connector.id)
    assert isinstance(old, OAuthGrant)
    refreshing = asyncio.create_task(grants.refresh(connector, old))
    await slow.asked.wait()  # Pipedrive has rotated the refresh token; its reply is slow
    code = sandbox.oauth.approve(CLIENT_ID, REDIRECT, ("base", *SCOPES))
    signed_in_again = await endpoint.exchange_code(code, REDIRECT)
    services.store.update_credential(SUB, connector.id, credential=signed_in_again, account=ACCOUNT)
    slow.answer.set()
    assert await refreshing == signed_in_again
    assert services.store.credential(SUB, connector.id) == signed_in_again
