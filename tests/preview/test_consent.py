"""Granular consent in the demo: Google's consent step in the side panel, Allow and Cancel.

Opening a message runs against the real add-on (it asks for the metadata scope when the user
withdrew it). The "include the message text" click runs against the stand-in add-on of
`tests.preview.stand_in`, which behaves as the Log email write is specified.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from cardin.preview.app import DECLINED, create_demo_app
from cardin.preview.environment import DEMO_USER
from cardin.preview.google import (
    METADATA_SCOPE,
    READONLY_SCOPE,
    SCOPE_DESCRIPTIONS,
    SCOPES,
    LocalGoogle,
)
from tests.preview.stand_in import StandInAddOn, with_stand_in

PUBLIC_URL = "http://127.0.0.1:8765"
ACTION = f"{PUBLIC_URL}/addon/action"
Client = httpx.AsyncClient


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


@dataclass
class Demo:
    """The demo app's browser-side client, its LocalGoogle and, when used, the stand-in add-on."""

    client: Client
    google: LocalGoogle
    stand_in: StandInAddOn


@pytest.fixture
async def demo(tmp_path: Path) -> AsyncIterator[Demo]:
    """The demo app running; `use_stand_in` points its panel at the stand-in add-on."""
    app = create_demo_app(PUBLIC_URL, tmp_path)
    google: LocalGoogle = app.state.environment.google
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as browser:
            yield Demo(browser, google, StandInAddOn(google, ACTION))


@pytest.fixture
async def stand_in(tmp_path: Path) -> AsyncIterator[Demo]:
    """The demo app whose side panel talks to the stand-in add-on."""
    app = create_demo_app(PUBLIC_URL, tmp_path)
    addon = with_stand_in(app)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as browser:
            yield Demo(browser, addon.google, addon)


async def press_log(demo: Demo, page: str, inputs: list[list[str]]) -> dict[str, Any]:
    """Press Log email on the form drawn in `page` with `inputs`."""
    body = {"version": version_of(page), "click": click_of(page, "Log email"), "inputs": inputs}
    answer = await demo.client.post("/preview/click", json=body)
    assert answer.status_code == 200
    return answer.json()  # type: ignore[no-any-return]


WITH_TEXT = [["comment", "text", "Called back"], ["include_text", "text", "yes"]]


# --- a click asks for the read-only scope --------------------------------------------------------


async def test_including_the_text_shows_googles_consent_step(stand_in: Demo) -> None:
    page = (await stand_in.client.get("/preview/mail/solar-renewal")).text

    answer = await press_log(stand_in, page, WITH_TEXT)

    assert set(answer) == {"consent"}  # drawn over the card: the card and its inputs stay
    assert SCOPE_DESCRIPTIONS[READONLY_SCOPE] in answer["consent"]
    assert 'data-consent="allow"' in answer["consent"]
    assert 'data-consent="cancel"' in answer["consent"]
    assert READONLY_SCOPE not in stand_in.google.scopes(DEMO_USER.sub)


async def test_allow_grants_the_scope_and_repeats_the_click_with_its_inputs(
    stand_in: Demo,
) -> None:
    page = (await stand_in.client.get("/preview/mail/solar-renewal")).text
    await press_log(stand_in, page, WITH_TEXT)

    answer = await stand_in.client.post(
        "/preview/consent", json={"version": version_of(page), "allow": True}
    )

    html = answer.json()["html"]
    assert "Called back: our board approved the budget for the second phase." in html
    first, again = stand_in.stand_in.events
    assert again["commonEventObject"]["formInputs"] == first["commonEventObject"]["formInputs"]
    assert READONLY_SCOPE in again["authorizationEventObject"]["authorizedScopes"]
    assert READONLY_SCOPE not in first["authorizationEventObject"]["authorizedScopes"]
    assert stand_in.google.scopes(DEMO_USER.sub) == (*SCOPES, READONLY_SCOPE)
    [full] = [c for c in stand_in.google.gmail_calls if ("format", "full") in c.query]
    assert full.status == 200


async def test_once_allowed_the_text_is_read_without_asking_again(stand_in: Demo) -> None:
    stand_in.google.grant(DEMO_USER.sub, [READONLY_SCOPE])
    page = (await stand_in.client.get("/preview/mail/solar-renewal")).text

    answer = await press_log(stand_in, page, WITH_TEXT)

    assert "consent" not in answer
    assert "Called back: our board approved" in answer["html"]


async def test_cancel_keeps_the_card_and_what_was_typed(stand_in: Demo) -> None:
    page = (await stand_in.client.get("/preview/mail/solar-renewal")).text
    await press_log(stand_in, page, WITH_TEXT)

    cancel = await stand_in.client.post(
        "/preview/consent", json={"version": version_of(page), "allow": False}
    )

    assert cancel.json() == {"closed": True}  # the page only removes the dialog
    assert READONLY_SCOPE not in stand_in.google.scopes(DEMO_USER.sub)
    assert len(stand_in.stand_in.events) == 1
    # the card drawn before still answers: without the text, nothing is asked
    answer = await press_log(stand_in, page, [["comment", "text", "Called back"]])
    assert "Called back: (metadata only)" in answer["html"]


async def test_the_step_is_answered_once_and_only_from_the_card_drawn_last(
    stand_in: Demo,
) -> None:
    page = (await stand_in.client.get("/preview/mail/solar-renewal")).text
    await press_log(stand_in, page, WITH_TEXT)
    version = version_of(page)

    stale = await stand_in.client.post(
        "/preview/consent", json={"version": version + 5, "allow": True}
    )
    assert stale.json() == {"reload": True}
    assert (
        await stand_in.client.post("/preview/consent", json={"version": version, "allow": "yes"})
    ).status_code == 400
    assert (
        "html"
        in (
            await stand_in.client.post("/preview/consent", json={"version": version, "allow": True})
        ).json()
    )
    replay = await stand_in.client.post(
        "/preview/consent", json={"version": version, "allow": True}
    )
    assert replay.json() == {"reload": True}
    assert len(stand_in.stand_in.events) == 2


async def test_another_click_replaces_a_pending_consent(stand_in: Demo) -> None:
    page = (await stand_in.client.get("/preview/mail/solar-renewal")).text
    await press_log(stand_in, page, WITH_TEXT)

    answer = await press_log(stand_in, page, [["comment", "text", "No text after all"]])

    assert "No text after all: (metadata only)" in answer["html"]
    late = await stand_in.client.post(
        "/preview/consent", json={"version": version_of(answer["html"]), "allow": True}
    )
    assert late.json() == {"reload": True}
    assert READONLY_SCOPE not in stand_in.google.scopes(DEMO_USER.sub)


async def test_the_step_lists_the_permissions_asked_for(stand_in: Demo) -> None:
    page = (await stand_in.client.get("/preview/mail/solar-renewal")).text
    cases = [
        ({"all_scopes": True}, [READONLY_SCOPE]),  # what the manifest lists and is not allowed yet
        ({"scopes": [READONLY_SCOPE, READONLY_SCOPE]}, [READONLY_SCOPE]),
        ({"scopes": [METADATA_SCOPE, READONLY_SCOPE]}, [METADATA_SCOPE, READONLY_SCOPE]),
    ]
    for request_body, listed in cases:
        stand_in.stand_in.answer_with = {"requesting_google_scopes": request_body}

        answer = await press_log(stand_in, page, WITH_TEXT)

        assert re.findall(r'data-scope="([^"]+)"', answer["consent"]) == listed, request_body


async def test_a_request_gmail_could_not_show_is_reported(stand_in: Demo) -> None:
    page = (await stand_in.client.get("/preview/mail/solar-renewal")).text
    cases = [
        ({"scopes": ["https://mail.google.com/"]}, "manifest does not list"),
        ({"scopes": []}, "names no scope"),
        ({"scopes": "x"}, "names no scope"),
        ({"all_scopes": False}, "names no scope"),
        ([], "not an object"),
    ]
    for request_body, problem in cases:
        stand_in.stand_in.answer_with = {"requesting_google_scopes": request_body}

        answer = await press_log(stand_in, page, WITH_TEXT)

        assert set(answer) == {"notification"}, request_body  # the card stays as it is
        assert answer["notification"].startswith("Preview: ")
        assert problem in answer["notification"]
    consent = await stand_in.client.post(
        "/preview/consent", json={"version": version_of(page), "allow": True}
    )
    assert consent.json() == {"reload": True}  # nothing was asked
    assert stand_in.google.scopes(DEMO_USER.sub) == SCOPES


# --- opening a message asks for the metadata scope (the real add-on) -----------------------------


async def test_opening_a_message_without_the_metadata_scope_asks_first(demo: Demo) -> None:
    demo.google.revoke(DEMO_USER.sub, [METADATA_SCOPE])

    page = (await demo.client.get("/preview/mail/solar-renewal")).text

    assert SCOPE_DESCRIPTIONS[METADATA_SCOPE] in page
    assert 'class="header-title">Élodie Marchand<' not in page
    allowed = await demo.client.post(
        "/preview/consent", json={"version": version_of(page), "allow": True}
    )
    html = allowed.json()["html"]
    assert 'class="header-title">Élodie Marchand<' in html
    assert 'class="consent"' not in html
    assert METADATA_SCOPE in demo.google.scopes(DEMO_USER.sub)


async def test_declining_on_opening_says_why_the_panel_is_empty(demo: Demo) -> None:
    demo.google.revoke(DEMO_USER.sub, [METADATA_SCOPE])
    page = (await demo.client.get("/preview/mail/solar-renewal")).text

    declined = await demo.client.post(
        "/preview/consent", json={"version": version_of(page), "allow": False}
    )

    html = declined.json()["html"]
    what = SCOPE_DESCRIPTIONS[METADATA_SCOPE].lower()
    assert DECLINED.format(what=what) in html.replace("&#39;", "'")
    assert 'class="consent"' not in html
    assert METADATA_SCOPE not in demo.google.scopes(DEMO_USER.sub)
    again = (await demo.client.get("/preview/mail/solar-renewal")).text
    assert 'class="consent"' in again


# --- the page's permission control -------------------------------------------------------------


async def test_the_page_lists_the_permissions_and_can_withdraw_one(demo: Demo) -> None:
    assert (await demo.client.post("/preview/scopes/revoke")).status_code == 403  # no cookie yet
    page = (await demo.client.get("/")).text
    assert 'data-revoke="metadata"' in page
    assert 'data-revoke="readonly"' not in page  # not allowed at the start

    withdrawn = await demo.client.post(
        "/preview/scopes/revoke", data={"scope": METADATA_SCOPE, "next": "/preview/mail/x"}
    )

    assert withdrawn.status_code == 303
    assert withdrawn.headers["location"] == "/preview/mail/x"
    assert METADATA_SCOPE not in demo.google.scopes(DEMO_USER.sub)
    refused = await demo.client.post("/preview/scopes/revoke", data={"scope": SCOPES[0]})
    assert refused.status_code == 400
    assert SCOPES[0] in demo.google.scopes(DEMO_USER.sub)


async def test_withdrawing_from_another_origin_is_refused(demo: Demo) -> None:
    await demo.client.get("/")

    answer = await demo.client.post(
        "/preview/scopes/revoke",
        data={"scope": METADATA_SCOPE},
        headers={"origin": "https://evil.example"},
    )

    assert answer.status_code == 403
    assert METADATA_SCOPE in demo.google.scopes(DEMO_USER.sub)
