"""The demo app in-process: pages, clicks, the token control, and the service's real checks."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cardin.preview.app import create_demo_app
from cardin.preview.inbox import MAILS
from cardin.sandbox import DEMO_TOKEN

PUBLIC_URL = "http://127.0.0.1:8765"


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client of the demo app, its lifespan running (the first connector exists)."""
    app = create_demo_app(PUBLIC_URL, tmp_path)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as browser:
            yield browser


def version_of(html: str) -> int:
    """The panel version a page or panel was drawn with."""
    found = re.search(r'data-version="(\d+)"', html)
    assert found, "no panel version"
    return int(found[1])


def click_of(html: str, text: str) -> int:
    """The click number of the button showing `text`."""
    found = re.search(rf'data-click="(\d+)"[^>]*>(?:<[^>]+>)*<span>{re.escape(text)}</span>', html)
    assert found, f"no button {text!r}"
    return int(found[1])


Client = httpx.AsyncClient


async def test_the_inbox_lists_every_demo_mail_beside_the_homepage(client: Client) -> None:
    page = await client.get("/")

    assert page.status_code == 200
    assert all(f'data-mail="{mail.key}"' in page.text for mail in MAILS)
    assert "Your Pipedrive accounts" in page.text
    assert "cardin_preview" in page.cookies


async def test_opening_a_mail_shows_the_senders_card(client: Client) -> None:
    page = await client.get("/preview/mail/solar-renewal")

    assert 'class="header-title">Élodie Marchand<' in page.text
    assert (await client.get("/preview/mail/nope")).status_code == 303


async def test_a_click_runs_the_action_and_answers_with_the_new_panel(client: Client) -> None:
    page = (await client.get("/")).text
    body = {"version": version_of(page), "click": click_of(page, "Add another account")}

    answer = (await client.post("/preview/click", json={**body, "inputs": []})).json()

    assert "Step 1 of 4" in answer["html"]
    assert 'data-back title="Back"' in answer["html"]
    stale = (await client.post("/preview/click", json={**body, "inputs": []})).json()
    assert stale == {"reload": True}
    back = (await client.post("/preview/back", json={"version": version_of(answer["html"])})).json()
    assert "Your Pipedrive accounts" in back["html"]


async def test_a_required_field_left_empty_is_not_sent(client: Client) -> None:
    page = (await client.get("/")).text
    body = {"version": version_of(page), "click": click_of(page, "Search")}

    inputs = [["search_email", "text", ""]]
    answer = await client.post("/preview/click", json={**body, "inputs": inputs})

    assert answer.json() == {"invalid": ["search_email"]}


async def test_a_malformed_click_is_refused(client: Client) -> None:
    assert (await client.post("/preview/click", json={"version": "x"})).status_code == 400
    as_json = {"content-type": "application/json"}
    assert (await client.post("/preview/click", content=b"[]", headers=as_json)).status_code == 400


async def test_changing_a_token_shows_the_new_one(client: Client) -> None:
    await client.get("/")  # the page's cookie: the control needs it
    rotated = await client.post(
        "/preview/tokens/demo/rotate", data={"next": "/preview/mail/solar-renewal"}
    )
    assert rotated.status_code == 303

    page = await client.get(rotated.headers["location"])

    assert DEMO_TOKEN not in page.text
    assert "New API token needed" in page.text
    assert "Token changed in the sandbox" in page.text
    assert (await client.post("/preview/tokens/nobody/rotate")).status_code == 404


async def test_the_service_and_sandbox_share_the_port_and_verify_for_real(client: Client) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/static/icons/logo.png")).status_code == 200
    assert (await client.get("/preview/static/preview.css")).status_code == 200
    unsigned = await client.post("/addon/homepage", json={"commonEventObject": {}})
    assert unsigned.status_code == 401
    me = await client.get("/v1/users/me", headers={"x-api-token": DEMO_TOKEN})
    assert me.json()["data"]["name"] == "Maria Svensson"


# --- review fixes: the control endpoints, stale tabs and malformed requests -------------------

OWN_ORIGIN = PUBLIC_URL
JSON_UTF8 = "application/json; charset=utf-8"


async def demo_token(client: Client) -> str:
    """The demo account's current token, as the sandbox has it."""
    companies = (await client.get("/_sandbox/tokens")).json()["companies"]
    aurora = next(c for c in companies if c["name"] == "Aurora Demo Trading")
    return str(next(t["token"] for t in aurora["tokens"] if t["user_name"] == "Maria Svensson"))


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.evil.example"])
async def test_a_foreign_host_name_is_refused_everywhere(client: Client, host: str) -> None:
    for path in ("/_sandbox/tokens", "/", "/healthz", "/preview/static/preview.css"):
        answer = await client.get(path, headers={"host": host})
        assert answer.status_code == 400, path
        assert DEMO_TOKEN not in answer.text


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:8765", "[::1]:8765", "localhost"])
async def test_the_loopback_host_names_are_served(client: Client, host: str) -> None:
    assert (await client.get("/_sandbox/tokens", headers={"host": host})).status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "http://127.0.0.1:9999"},
        {"origin": "null"},
        {"sec-fetch-site": "cross-site"},
        {"origin": OWN_ORIGIN, "sec-fetch-site": "same-site"},
    ],
)
async def test_state_changing_posts_from_other_origins_are_refused(
    client: Client, headers: dict[str, str]
) -> None:
    await client.get("/")
    rotate = await client.post("/preview/tokens/demo/rotate", headers=headers)
    sandbox = await client.post(
        "/_sandbox/rotate-token", json={"token": DEMO_TOKEN}, headers=headers
    )
    page = (await client.get("/")).text
    body = {"version": version_of(page), "click": click_of(page, "Add another account")}
    clicked = await client.post("/preview/click", json={**body, "inputs": []}, headers=headers)

    assert [rotate.status_code, sandbox.status_code, clicked.status_code] == [403, 403, 403]
    assert await demo_token(client) == DEMO_TOKEN


async def test_a_same_origin_post_is_accepted(client: Client) -> None:
    await client.get("/")
    same = {"origin": OWN_ORIGIN, "sec-fetch-site": "same-origin"}

    rotated = await client.post("/preview/tokens/demo/rotate", headers=same)

    assert rotated.status_code == 303
    assert await demo_token(client) != DEMO_TOKEN


async def test_changing_a_token_needs_the_pages_cookie(client: Client) -> None:
    answer = await client.post("/preview/tokens/demo/rotate")

    assert answer.status_code == 403
    assert await demo_token(client) == DEMO_TOKEN


async def test_clicks_must_be_sent_as_json(client: Client) -> None:
    page = (await client.get("/")).text
    body = {"version": version_of(page), "click": click_of(page, "Add another account")}
    text = json.dumps({**body, "inputs": []})

    for kind in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"content-type": kind} if kind else {}
        answer = await client.post("/preview/click", content=text, headers=headers)
        assert answer.status_code == 415, kind
        back = await client.post("/preview/back", content=text, headers=headers)
        assert back.status_code == 415, kind
    sent = await client.post("/preview/click", content=text, headers={"content-type": JSON_UTF8})
    assert "Step 1 of 4" in sent.json()["html"]


async def test_a_notification_alone_keeps_the_panel_and_what_was_typed(client: Client) -> None:
    page = (await client.get("/")).text
    body = {"version": version_of(page), "click": click_of(page, "Search")}

    answer = await client.post(
        "/preview/click", json={**body, "inputs": [["search_email", "text", "bob"]]}
    )

    assert answer.json() == {"notification": "Please enter a valid email address."}
    again = await client.post(
        "/preview/click", json={**body, "inputs": [["search_email", "text", "bob"]]}
    )
    assert again.json() == {"notification": "Please enter a valid email address."}


@pytest.mark.parametrize(
    "inputs",
    [
        [["search_email"]],
        [["search_email", "text"]],
        [[]],
        ["search_email"],
        [["search_email", "text", "a", "0", "extra"]],
        [["search_email", "text", {"x": 1}]],
        [["search_email", "text", None]],
        {"search_email": "x"},
    ],
)
async def test_malformed_inputs_are_refused_with_a_message(client: Client, inputs: Any) -> None:
    page = (await client.get("/")).text
    body = {"version": version_of(page), "click": click_of(page, "Search")}

    answer = await client.post("/preview/click", json={**body, "inputs": inputs})

    assert answer.status_code == 400
    assert answer.json()["error"]


async def test_a_token_rotated_through_the_sandbox_can_be_changed_again(client: Client) -> None:
    await client.get("/")
    direct = await client.post("/_sandbox/rotate-token", json={"token": DEMO_TOKEN})
    assert direct.status_code == 200

    page = await client.get("/")
    assert direct.json()["token"] in page.text
    rotated = await client.post("/preview/tokens/demo/rotate")

    assert rotated.status_code == 303
    newest = await demo_token(client)
    assert newest not in {DEMO_TOKEN, direct.json()["token"]}
    assert newest in (await client.get(rotated.headers["location"])).text


async def test_back_from_a_stale_tab_reloads_instead_of_popping(client: Client) -> None:
    page = (await client.get("/")).text
    body = {"version": version_of(page), "click": click_of(page, "Add another account")}
    first = (await client.post("/preview/click", json={**body, "inputs": []})).json()
    step1 = version_of(first["html"])
    name = [["name_input", "text", "Second"]]
    following = {"version": step1, "click": click_of(first["html"], "Next"), "inputs": name}
    second = (await client.post("/preview/click", json=following)).json()
    assert "Step 2 of 4" in second["html"]

    stale = await client.post("/preview/back", json={"version": step1})

    assert stale.json() == {"reload": True}
    back = await client.post("/preview/back", json={"version": version_of(second["html"])})
    assert "Step 1 of 4" in back.json()["html"]
    assert (await client.post("/preview/back", json={})).status_code == 400


async def test_the_chosen_language_and_zone_go_with_every_event(client: Client) -> None:
    berlin = (await client.get("/preview/mail/solar-renewal")).text
    assert "Aktivitäten" not in berlin

    chosen = await client.post(
        "/preview/region",
        data={"locale": "de-DE", "zone": "Asia/Tokyo", "next": "/preview/mail/solar-renewal"},
    )

    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/preview/mail/solar-renewal"
    tokyo = (await client.get(chosen.headers["location"])).text
    assert '<div class="section-header">Aktivitäten</div>' in tokyo
    assert '<option value="de-DE" selected>' in tokyo
    assert '<option value="Asia/Tokyo" selected>' in tokyo
    times = re.compile(r"\b\d{1,2}:\d{2}\b")
    panel_of = lambda page: page.split('id="panel-content"', 1)[1]  # noqa: E731
    assert times.findall(panel_of(tokyo)) != times.findall(panel_of(berlin))
    assert "Ihre Pipedrive-Konten" in (await client.get("/")).text  # the homepage too


async def test_a_language_or_zone_the_page_does_not_offer_changes_nothing(client: Client) -> None:
    await client.get("/")
    for fields in ({"locale": "xx-XX", "zone": "UTC"}, {"locale": "de-DE", "zone": "Mars/Base"}):
        refused = await client.post("/preview/region", data=fields)
        assert refused.status_code == 400
        assert "the demo offers no" in refused.json()["error"]
    assert "Your Pipedrive accounts" in (await client.get("/")).text


async def test_the_language_cannot_be_chosen_without_the_demos_page(tmp_path: Path) -> None:
    app = create_demo_app(PUBLIC_URL, tmp_path)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as stranger:
            refused = await stranger.post("/preview/region", data={"locale": "de-DE"})
    assert refused.status_code == 403
