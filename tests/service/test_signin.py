"""Sign in with Pipedrive end to end: the wizard's link, the sandbox's consent page, the callback,
and the card Gmail reloads; forged, replayed, expired and foreign states store nothing."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from cryptography.fernet import Fernet

from cardin.addon.runtime import ConfigurationError, open_runtime
from cardin.addon.signin import RedactCallbackQuery, keep_codes_out_of_the_access_log
from cardin.sandbox import RICH_EMAIL, Sandbox, demo_dataset
from cardin.usecases.signin import STATE_PURPOSE
from tests.cards.validate import assert_valid_response
from tests.conftest import TODAY
from tests.service.harness import (
    PUBLIC_URL,
    SANDBOX_URL,
    Harness,
    User,
    action,
    running,
    settings_for,
    text_of,
    top_card,
    walk,
)

ANN = User("google-sub-ann", "ann@aurora-demo.example")
BOB = User("google-sub-bob", "bob@aurora-demo.example")
CLIENT_ID = "cardin-service-test"
SECRET = "service-test-secret"  # the sandbox's test app, not a secret
ACTION_URL = f"{PUBLIC_URL}/addon/action"
CALLBACK = f"{PUBLIC_URL}/oauth/pipedrive/callback"
SANDBOX_HTTPS = SANDBOX_URL.replace("http://", "https://")
FEATURES = ["custom_fields", "notes", "deals", "activities", "owner", "organization"]


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    sandbox = Sandbox(demo_dataset(TODAY), rate_limits=False, oauth_clients={CLIENT_ID: SECRET})
    async with running(
        sandbox,
        tmp_path,
        pipedrive_client_id=CLIENT_ID,
        pipedrive_client_secret=SECRET,
        # Google opens https links only: the sandbox is served under https here (the router
        # goes by host), and it is the configured API base, so its api_domain is accepted.
        pipedrive_oauth_url=SANDBOX_HTTPS,
        PIPEDRIVE_BASE_URL=SANDBOX_HTTPS,
    ) as h:
        yield h


def valid(response: dict[str, Any]) -> dict[str, Any]:
    assert_valid_response(response, action_url=ACTION_URL)
    return response


def sign_in_link(response: dict[str, Any]) -> dict[str, Any]:
    """The openLink of the "Sign in with Pipedrive" button."""
    links = [
        node["openLink"]
        for node in walk(response)
        if isinstance(node.get("openLink"), dict) and "/oauth/authorize" in node["openLink"]["url"]
    ]
    assert len(links) == 1, links
    return links[0]  # type: ignore[no-any-return]


async def step3(h: Harness, user: User) -> dict[str, Any]:
    home = valid((await h.post("/addon/homepage", user)).json())
    step1 = valid(await h.act(user, action(home, "setup_start")))
    step2 = valid(await h.act(user, action(step1, "setup_name"), form={"name_input": ["Mine"]}))
    return valid(
        await h.act(user, action(step2, "setup_features"), form={"features_input": FEATURES})
    )


async def consent(h: Harness, url: str, decision: str = "approve") -> str:
    """The user's browser on the sandbox's consent page: where Pipedrive sends it back."""
    transport = httpx.ASGITransport(app=h.sandbox.app)
    async with httpx.AsyncClient(transport=transport, base_url=SANDBOX_HTTPS) as browser:
        page = await browser.get(url)
        assert page.status_code == 200
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        decided = await browser.post(
            "/oauth/authorize", data={**query, "who": "0", "decision": decision}
        )
    assert decided.status_code == 302
    location = decided.headers["location"]
    assert location.startswith(CALLBACK + "?")
    return location


def hidden_fields(page: httpx.Response) -> dict[str, str]:
    """The hidden inputs of the confirmation page's form."""
    return dict(re.findall(r"<input type='hidden' name='(\w+)' value='([^']*)'>", page.text))


async def callback(h: Harness, location: str) -> httpx.Response:
    """The callback, and the Connect button of its confirmation page when it has one."""
    page = await h.client.get(location)
    if "id='connect'" not in page.text:
        return page
    return await h.client.post(CALLBACK, data=hidden_fields(page))


def connectors(h: Harness, user: User) -> list[Any]:
    return h.app.state.runtime.store.list(user.sub)  # type: ignore[no-any-return]


async def test_step3_offers_the_sign_in_with_reload_and_the_token(harness: Harness) -> None:
    card = await step3(harness, ANN)
    link = sign_in_link(card)
    assert link["onClose"] == "RELOAD"
    assert link["openAs"] == "OVERLAY"
    query = parse_qs(urlsplit(link["url"]).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [CALLBACK]
    # the least scopes for the chosen features: reading only
    assert query["scope"] == ["base contacts:read deals:read activities:read users:read"]
    assert action(card, "setup_token")  # the API token stays on offer
    assert "Sign in with Pipedrive" in text_of(card)
    assert SECRET not in text_of(card)


async def test_without_an_app_step3_is_the_token_alone(tmp_path: Path) -> None:
    sandbox = Sandbox(demo_dataset(TODAY), rate_limits=False)
    async with running(sandbox, tmp_path) as h:
        card = await step3(h, ANN)
    assert "/oauth/authorize" not in text_of(card)
    assert action(card, "setup_token")


async def test_sign_in_approve_then_step4_then_the_contact(harness: Harness) -> None:
    link = sign_in_link(await step3(harness, ANN))
    page = await callback(harness, await consent(harness, link["url"]))
    assert page.status_code == 200
    assert "Connected to Aurora Demo Trading — return to Gmail." in page.text
    assert "window.close()" in page.text
    # Gmail reloads the add-on when the window closes: the wizard goes on at step 4
    reloaded = valid((await harness.post("/addon/homepage", ANN)).json())
    step4 = action(reloaded, "setup_behaviour")
    (stored,) = connectors(harness, ANN)
    assert stored.signed_in
    assert stored.name == "Mine"
    done = valid(
        await harness.act(
            ANN, step4, form={"run_mode_input": ["automatic"], "dashboard_input": ["true"]}
        )
    )
    assert "notification" in done["renderActions"]["action"]
    message = harness.message(sender=f"Élodie Marchand <{RICH_EMAIL}>", to=ANN.email)
    opened = valid(await harness.open(ANN, message))
    assert top_card(opened)["header"]["title"] == "Élodie Marchand"
    # the reload happens once: the next homepage is the homepage
    again = valid((await harness.post("/addon/homepage", ANN)).json())
    assert "setup_behaviour" not in text_of(again)


async def test_deny_stores_nothing_and_the_wizard_says_so(harness: Harness) -> None:
    link = sign_in_link(await step3(harness, ANN))
    page = await callback(harness, await consent(harness, link["url"], decision="deny"))
    assert "You declined access in Pipedrive" in page.text
    assert connectors(harness, ANN) == []
    reloaded = valid((await harness.post("/addon/homepage", ANN)).json())
    assert "You declined access in Pipedrive" in text_of(reloaded)
    assert action(reloaded, "setup_token")
    sign_in_link(reloaded)  # a new link to try again


async def test_a_replayed_state_is_refused(harness: Harness) -> None:
    link = sign_in_link(await step3(harness, ANN))
    location = await consent(harness, link["url"])
    assert (await callback(harness, location)).status_code == 200
    replay = await callback(harness, location)
    assert replay.status_code == 400
    assert "already used" in replay.text
    assert len(connectors(harness, ANN)) == 1


async def test_a_head_of_the_callback_does_not_use_up_the_sign_in(harness: Harness) -> None:
    # a link checker or prefetching proxy may send HEAD before the user's browser sends GET
    link = sign_in_link(await step3(harness, ANN))
    location = await consent(harness, link["url"])
    head = await harness.client.head(location)
    assert head.status_code == 405
    assert sorted(head.headers["allow"].split(", ")) == ["GET", "POST"]
    page = await callback(harness, location)
    assert page.status_code == 200
    assert len(connectors(harness, ANN)) == 1


@pytest.mark.parametrize("state", ["", "forged", "gAAAAABforged-but-shaped", "é"])
async def test_a_forged_or_missing_state_is_refused(harness: Harness, state: str) -> None:
    link = sign_in_link(await step3(harness, ANN))
    location = await consent(harness, link["url"])
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    response = await harness.client.get(CALLBACK, params={"code": query["code"], "state": state})
    assert response.status_code == 400
    assert "not valid" in response.text
    assert connectors(harness, ANN) == []


async def test_a_state_sealed_by_another_key_is_forged(harness: Harness) -> None:
    other = Fernet(Fernet.generate_key()).encrypt(b"nonce").decode()
    response = await harness.client.get(CALLBACK, params={"code": "c", "state": other})
    assert response.status_code == 400


async def test_an_expired_state_is_refused_and_the_wizard_says_expired(harness: Harness) -> None:
    link = sign_in_link(await step3(harness, ANN))
    location = await consent(harness, link["url"])
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    runtime = harness.app.state.runtime
    sealed = runtime.cipher.decrypt(query["state"])
    assert sealed.startswith(STATE_PURPOSE)
    key = runtime.settings.secret_key.get_secret_value().encode()
    # the same nonce, sealed eleven minutes ago: past the ten minutes a link works
    old = Fernet(key).encrypt_at_time(sealed.encode(), int(time.time()) - 660).decode()
    stale = await harness.client.get(CALLBACK, params={"code": query["code"], "state": old})
    assert stale.status_code == 400
    assert "expired" in stale.text
    assert "window.close" not in stale.text  # a refusal stays open to be read
    assert connectors(harness, ANN) == []
    reloaded = valid((await harness.post("/addon/homepage", ANN)).json())
    assert "This sign-in link expired" in text_of(reloaded)
    sign_in_link(reloaded)  # a new link to try again


async def test_a_state_whose_record_is_gone_is_expired(harness: Harness) -> None:
    link = sign_in_link(await step3(harness, ANN))
    location = await consent(harness, link["url"])
    # the record expired from the cache: nothing in it is named after the nonce itself
    runtime = harness.app.state.runtime
    nonce = runtime.cipher.decrypt(parse_qs(urlsplit(location).query)["state"][0])
    nonce = nonce.removeprefix(STATE_PURPOSE)
    keys = [k for k in runtime.cache._entries if k.startswith("cardin:oauth-state:")]
    assert len(keys) == 1
    assert nonce not in keys[0]
    await runtime.cache.delete(keys[0])
    gone = await callback(harness, location)
    assert gone.status_code == 400
    assert "expired" in gone.text
    assert connectors(harness, ANN) == []


async def test_a_stored_grants_ciphertext_is_no_state(harness: Harness) -> None:
    # Any text sealed by the store's key opens with it: without the purpose prefix it is forged.
    link = sign_in_link(await step3(harness, ANN))
    location = await consent(harness, link["url"])
    runtime = harness.app.state.runtime
    nonce = runtime.cipher.decrypt(parse_qs(urlsplit(location).query)["state"][0])
    code = parse_qs(urlsplit(location).query)["code"][0]
    bare = runtime.cipher.encrypt(nonce.removeprefix(STATE_PURPOSE))
    for state in (bare, runtime.cipher.encrypt('{"access_token": "a", "refresh_token": "r"}')):
        page = await harness.client.get(CALLBACK, params={"code": code, "state": state})
        assert page.status_code == 400
        assert "not valid" in page.text
    assert connectors(harness, ANN) == []


async def test_the_callback_asks_to_connect_naming_both_accounts(harness: Harness) -> None:
    link = sign_in_link(await step3(harness, ANN))
    page = await harness.client.get(await consent(harness, link["url"]))
    assert page.status_code == 200
    assert "Connect Pipedrive Aurora Demo Trading (" in page.text
    assert f"to Cardin for {ANN.email}?" in page.text
    assert "window.close" not in page.text
    assert page.headers["x-frame-options"] == "DENY"
    assert connectors(harness, ANN) == []  # nothing is stored before the Connect button
    fields = hidden_fields(page)
    assert set(fields) == {"state", "confirm"}
    # The single-use value is the page's own: another, or another state, stores nothing.
    other = await step3(harness, ANN)
    other_location = await consent(harness, sign_in_link(other)["url"])
    other_state = parse_qs(urlsplit(other_location).query)["state"][0]
    for form in (
        {**fields, "padding": "x" * 5000},  # longer than the page's form can be
        {**fields, "confirm": "guessed"},
        {"state": fields["state"]},
        {**fields, "state": "forged"},
    ):
        refused = await harness.client.post(CALLBACK, data=form)
        assert refused.status_code == 400
        assert connectors(harness, ANN) == []
    # a wrong state spends the value: the page's own post is then refused as well
    assert (
        await harness.client.post(CALLBACK, data={**fields, "state": other_state})
    ).status_code == 400
    assert (await harness.client.post(CALLBACK, data=fields)).status_code == 400
    assert connectors(harness, ANN) == []


async def test_the_connect_button_works_once(harness: Harness) -> None:
    link = sign_in_link(await step3(harness, ANN))
    page = await harness.client.get(await consent(harness, link["url"]))
    fields = hidden_fields(page)
    done = await harness.client.post(CALLBACK, data=fields)
    assert "Connected to Aurora Demo Trading" in done.text
    again = await harness.client.post(CALLBACK, data=fields)
    assert again.status_code == 400
    assert len(connectors(harness, ANN)) == 1


async def test_a_state_is_bound_to_the_user_who_asked(harness: Harness) -> None:
    # Bob's link, completed in whoever's browser, stores Bob's connector and continues Bob's
    # wizard: Ann's cards do not change.
    link = sign_in_link(await step3(harness, BOB))
    await step3(harness, ANN)
    assert (await callback(harness, await consent(harness, link["url"]))).status_code == 200
    assert connectors(harness, ANN) == []
    assert len(connectors(harness, BOB)) == 1
    ann = valid((await harness.post("/addon/homepage", ANN)).json())
    assert "setup_behaviour" not in text_of(ann)
    bob = valid((await harness.post("/addon/homepage", BOB)).json())
    assert action(bob, "setup_behaviour")


async def test_a_failed_code_exchange_stores_nothing_and_says_so(harness: Harness) -> None:
    link = sign_in_link(await step3(harness, ANN))
    location = await consent(harness, link["url"])
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    response = await harness.client.get(
        CALLBACK, params={"code": "not-the-code", "state": query["state"]}
    )
    assert "Pipedrive did not accept the sign-in" in response.text
    assert connectors(harness, ANN) == []
    reloaded = valid((await harness.post("/addon/homepage", ANN)).json())
    assert "Pipedrive did not accept the sign-in" in text_of(reloaded)


async def test_a_revoked_grant_is_reauth_and_the_same_sign_in_again(harness: Harness) -> None:
    link = sign_in_link(await step3(harness, ANN))
    await callback(harness, await consent(harness, link["url"]))
    await harness.post("/addon/homepage", ANN)  # the reload
    (connector,) = connectors(harness, ANN)
    harness.sandbox.oauth.revoke_all()
    message = harness.message(sender=f"Élodie Marchand <{RICH_EMAIL}>", to=ANN.email)
    opened = valid(await harness.open(ANN, message))
    reauth = valid(await harness.act(ANN, action(opened, "reauth", connector=connector.id)))
    link = sign_in_link(reauth)
    assert link["onClose"] == "RELOAD"
    assert "setup_token" not in text_of(reauth)
    page = await callback(harness, await consent(harness, link["url"]))
    assert "connected again" in page.text
    home = valid((await harness.post("/addon/homepage", ANN)).json())
    assert "setup_behaviour" not in text_of(home)
    opened = valid(await harness.open(ANN, harness.message(sender=RICH_EMAIL, to=ANN.email)))
    assert top_card(opened)["header"]["title"] == "Élodie Marchand"


async def test_deleting_a_signed_in_connector_revokes_its_grant(harness: Harness) -> None:
    link = sign_in_link(await step3(harness, ANN))
    await callback(harness, await consent(harness, link["url"]))
    (connector,) = connectors(harness, ANN)
    grant = harness.app.state.runtime.store.credential(ANN.sub, connector.id)
    home = valid((await harness.post("/addon/homepage", ANN)).json())
    home = valid((await harness.post("/addon/homepage", ANN)).json())
    confirm = valid(await harness.act(ANN, action(home, "delete", connector=connector.id)))
    valid(await harness.act(ANN, action(confirm, "delete_confirm")))
    assert connectors(harness, ANN) == []
    assert harness.sandbox.oauth.identity(grant.access_token) is None


def test_the_callbacks_code_and_state_stay_out_of_the_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    keep_codes_out_of_the_access_log()
    keep_codes_out_of_the_access_log()  # once is enough
    assert sum(isinstance(f, RedactCallbackQuery) for f in access.filters) == 1
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/oauth/pipedrive/callback?code=c0de&state=st4te", "1.1", 200),
        None,
    )
    for kept in access.filters:
        assert isinstance(kept, logging.Filter)
        assert kept.filter(record)
    text = record.getMessage()
    assert "c0de" not in text
    assert "st4te" not in text
    assert "/oauth/pipedrive/callback?…" in text


@pytest.mark.parametrize(
    "given",
    [{"pipedrive_client_id": CLIENT_ID}, {"pipedrive_client_secret": SECRET}],
)
async def test_a_client_id_without_its_secret_or_the_reverse_stops_the_start(
    tmp_path: Path, given: dict[str, str]
) -> None:
    settings = settings_for(tmp_path, **given)
    transport = httpx.MockTransport(lambda _request: httpx.Response(500))
    with pytest.raises(ConfigurationError, match="CARDIN_PIPEDRIVE_CLIENT_ID"):
        async with open_runtime(settings, transport=transport):
            pass


async def test_with_both_the_runtime_has_the_app_and_no_secret_in_its_repr(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, pipedrive_client_id=CLIENT_ID, pipedrive_client_secret=SECRET)
    transport = httpx.MockTransport(lambda _request: httpx.Response(500))
    async with open_runtime(settings, transport=transport) as runtime:
        assert runtime.grants is not None
        assert runtime.grants.app.oauth_url == "https://oauth.pipedrive.com"
        assert runtime.grants.redirect_uri == CALLBACK
        assert SECRET not in repr(runtime.grants.app)
        assert SECRET not in repr(settings)


@pytest.mark.parametrize(
    "url",
    [
        "http://oauth.pipedrive.com",
        "http://10.0.0.5:8080",
        "ftp://oauth.pipedrive.com",
        "oauth.pipedrive.com",
        "https://user:pass@oauth.pipedrive.com",
        "https://oauth.pipedrive.com:99999",
    ],
)
async def test_an_oauth_url_that_is_not_https_stops_the_start(tmp_path: Path, url: str) -> None:
    settings = settings_for(
        tmp_path,
        pipedrive_client_id=CLIENT_ID,
        pipedrive_client_secret=SECRET,
        pipedrive_oauth_url=url,
    )
    transport = httpx.MockTransport(lambda _request: httpx.Response(500))
    with pytest.raises(ConfigurationError, match="CARDIN_PIPEDRIVE_OAUTH_URL must be an https URL"):
        async with open_runtime(settings, transport=transport):
            pass


@pytest.mark.parametrize(
    "url",
    [
        "https://oauth.pipedrive.com",
        "http://127.0.0.1:8001",
        "http://localhost:9",
        "http://[::1]:80",
    ],
)
async def test_an_https_or_loopback_oauth_url_is_taken(tmp_path: Path, url: str) -> None:
    settings = settings_for(
        tmp_path,
        pipedrive_client_id=CLIENT_ID,
        pipedrive_client_secret=SECRET,
        pipedrive_oauth_url=url,
    )
    transport = httpx.MockTransport(lambda _request: httpx.Response(500))
    async with open_runtime(settings, transport=transport) as runtime:
        assert runtime.grants is not None
        assert runtime.grants.app.oauth_url == url
