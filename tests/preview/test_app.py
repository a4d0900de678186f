"""The demo app in-process: pages, clicks, the token control, and the service's real checks."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

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
    back = (await client.post("/preview/back", json={})).json()
    assert "Your Pipedrive accounts" in back["html"]


async def test_a_required_field_left_empty_is_not_sent(client: Client) -> None:
    page = (await client.get("/")).text
    body = {"version": version_of(page), "click": click_of(page, "Search")}

    inputs = [["search_email", "text", ""]]
    answer = await client.post("/preview/click", json={**body, "inputs": inputs})

    assert answer.json() == {"invalid": ["search_email"]}


async def test_a_malformed_click_is_refused(client: Client) -> None:
    assert (await client.post("/preview/click", json={"version": "x"})).status_code == 400
    assert (await client.post("/preview/click", content=b"[]")).status_code == 400


async def test_changing_a_token_shows_the_new_one(client: Client) -> None:
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
