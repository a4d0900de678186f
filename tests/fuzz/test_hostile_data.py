"""Hostile text in everything Pipedrive can hold, through every card: nothing unescaped.

Each text of the scripted account (names, organization, labels and their colours, custom field
names, option labels and values of all 16 types, notes and their authors, deal titles, lost
reasons and currencies, activity subjects, notes and types, owner and user names, the company)
carries markup an attacker would try. Every HTML field of every card must hold only the tags
Gmail renders, balanced, with no event handler and no link but https, mailto and tel — and the
markup must still be there as text (escaped, not silently dropped).
"""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import urlsplit

import httpx
import pytest

from cardin.cards import (
    DUPLICATE_SAME_DOMAIN,
    DUPLICATE_SAME_NAME,
    ContactFormView,
    DuplicateView,
    render_account_change_confirm,
    render_behaviour_step,
    render_contact_form,
    render_delete_confirm,
    render_homepage,
    render_payment_card,
)
from cardin.cards.widgets import MAX_URL
from cardin.connectors.model import ConnectorSettings
from cardin.connectors.setup import check_token
from cardin.contact.model import Account, Match, NoMatch
from cardin.pipedrive import PipedriveClient
from tests.cards.fixtures import ACTION_URL
from tests.cards.validate import html_fields, walk
from tests.fuzz.checks import card_problem
from tests.fuzz.lookups import TOKEN, Card, cards_problem, connector, context, look_up, render
from tests.fuzz.upstream import BASE_URL, Call, FakePipedrive
from tests.fuzz.world import World, plain

HOSTILE = (
    "<script>alert(1)</script></font></b><b onmouseover=alert(1)>x</b>"
    '<a href="javascript:alert(1)">y</a><img src=x onerror=alert(1)>'
    '<font color="red" onclick="alert(1)">z</font><a href="http://evil.example">w</a>'
)
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def hostile(slot: str) -> str:
    return f"{plain(slot)} {HOSTILE}"


# Note and activity note HTML is sanitised, not escaped: its links keep only https, mailto, tel.
SANITISED = frozenset({"note.content", "activity.note"})


def hostile_text(slot: str) -> str:
    return f"{plain(slot)} {HOSTILE}"


RAW_VALUES: dict[str, object] = {
    "a string": HOSTILE,
    "an object": {
        "value": HOSTILE,
        "until": HOSTILE,
        "currency": HOSTILE,
        "formatted_address": HOSTILE,
        "label": HOSTILE,
        "timezone_name": HOSTILE,
    },
    "a list": [HOSTILE, {"label": HOSTILE}],
}
WORLDS = {
    "typed values": World(text=hostile_text),
    **{f"{name} in every custom field": World(raw_fields=v) for name, v in RAW_VALUES.items()},
}


def assert_escaped(cards: list[Card]) -> None:
    """Every card valid and free of live markup; the hostile text shows, escaped."""
    for card in cards:
        assert card_problem(card, ACTION_URL) is None, card_problem(card, ACTION_URL)
        assert_links_are_safe(card)
    html = "\n".join(text for card in cards for _, text in html_fields(card))
    assert ESCAPED in html


def assert_links_are_safe(card: Card) -> None:
    """Links open https (or mail, or call); pictures come over https."""
    for path, key, value in walk(card):
        if key in ("url", "imageUrl", "iconUrl") and isinstance(value, str):
            allowed = ("https",) if key != "url" else ("https", "mailto", "tel")
            assert urlsplit(value).scheme in allowed, f"{path}.{key}: {value}"


@pytest.mark.parametrize("world", WORLDS.values(), ids=WORLDS.keys())
@pytest.mark.parametrize("locale", ["en_US", "de_DE"])
async def test_hostile_texts_are_escaped_in_every_card_of_a_contact(
    world: World, locale: str
) -> None:
    outcome = await look_up(FakePipedrive(world))
    assert isinstance(outcome, Match)
    rendered = render(outcome, context(locale))
    assert cards_problem(rendered) is None
    assert_escaped(rendered.all())


async def test_every_text_of_the_contact_reaches_a_card() -> None:
    """The probe covers what it claims: each slot's text is shown somewhere."""
    marked: dict[str, str] = {}

    def tagged(slot: str) -> str:
        marked[slot] = f"{plain(slot)} [{slot}]"
        return marked[slot]

    outcome = await look_up(FakePipedrive(World(text=tagged)))
    assert isinstance(outcome, Match)
    # upper: currency codes; an address shown may carry zero-width spaces where it may wrap
    shown = json.dumps(render(outcome).all(), ensure_ascii=False).upper().replace("\u200b", "")
    # Not on a contact's cards, by design: the account's own texts (on the no-match, payment,
    # setup and home cards, tested below), type keys and the activity type's icon, the colour of
    # a label (its icon), e-mail and phone labels (mapped to Work, Home, Mobile, Other), the parts
    # of an address besides the formatted one, the organization's address, and the names of
    # pipelines and stages (the deal form's, not the contact's).
    unseen = {
        "me.name",
        "me.email",
        "me.company_name",
        "me.locale",
        "me.timezone_name",
        "me.default_currency",
        "activity_type.key",
        "activity_type.icon",
        "label.color",
        "email.label",
        "phone.label",
        "field.address.country",
        "field.address.locality",
        "organization.address",
        "pipeline.name",
        "stage.name",
    }
    assert {s for s in marked if s not in unseen and f"[{s}]".upper() not in shown} == set()
    assert unseen <= set(marked)


# --- the account's own texts --------------------------------------------------------------------


async def hostile_account() -> Account:
    """The account as the setup step records it from a hostile `/v1/users/me`."""
    async with httpx.AsyncClient(transport=FakePipedrive(World(text=hostile))) as http:
        client = PipedriveClient(
            http, auth=TOKEN.auth(), base_url=BASE_URL, configured_base=BASE_URL
        )
        return await check_token(client)


async def test_hostile_account_texts_are_escaped_on_the_setup_and_home_cards() -> None:
    account = await hostile_account()
    assert HOSTILE in account.company_name
    mine = replace(connector(name=f"Mine {HOSTILE}"), account=account)
    ctx = context()
    settings = ConnectorSettings(mine.name, mine.features, mine.run_mode, show_in_dashboard=True)
    cards = [
        render_homepage(ctx, connectors=[mine, connector()], user_email=f"u{HOSTILE}@x.example"),
        render_behaviour_step(ctx, connector=mine, settings=settings),
        render_delete_confirm(ctx, connector=mine),
        render_account_change_confirm(ctx, connector=connector(), new_account=account),
    ]
    assert_escaped(cards)


async def test_hostile_account_texts_are_escaped_on_no_match_and_payment_cards() -> None:
    outcome = await look_up(FakePipedrive(World(text=hostile)), email="nobody@else.example")
    assert isinstance(outcome, NoMatch)
    rendered = render(outcome)
    payment = render_payment_card(context(), connector_name=HOSTILE, account=outcome.account)
    assert cards_problem(rendered) is None
    assert_escaped([rendered.outcome, rendered.dashboard, payment])


def test_hostile_names_and_duplicates_are_escaped_on_the_add_contact_form() -> None:
    duplicates = (
        DuplicateView(
            name=f"Ada {HOSTILE}",
            reason_message_id=DUPLICATE_SAME_NAME,
            url="https://engines.pipedrive.com/person/7",
        ),
        DuplicateView(
            name=HOSTILE,
            reason_message_id=DUPLICATE_SAME_DOMAIN,
            url="https://engines.pipedrive.com/person/8",
        ),
    )
    view = ContactFormView(
        connector_id="c1",
        email="ada@engines.example",
        sender_name=HOSTILE,
        request_key="0" * 32,
        person_name=HOSTILE,
        organization=HOSTILE,
        org_id=3,
        org_name=HOSTILE,
        job_title=HOSTILE,
        duplicates=duplicates,
    )
    assert_escaped([render_contact_form(view, context())])


# --- links and pictures ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "note",
    [
        '<a href="http://evil.example/x">read</a>',
        '<a href="javascript:alert(1)">read</a>',
        '<a href=" JaVaScRiPt:alert(1)">read</a>',
        '<a href="data:text/html,<script>alert(1)</script>">read</a>',
        '<a href="//evil.example/x">read</a>',
    ],
)
async def test_only_https_links_survive_in_notes(note: str) -> None:
    world = World(text=lambda slot: note if slot in SANITISED else plain(slot))
    outcome = await look_up(FakePipedrive(world))
    assert isinstance(outcome, Match)
    for card in render(outcome).all():
        assert card_problem(card, ACTION_URL) is None
        assert_links_are_safe(card)


LONG_PICTURE = "https://pictures.pipedrive.example/" + "p" * MAX_URL + ".jpg"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "http://tracker.example/pixel.gif",
        "data:image/svg+xml,<svg onload=alert(1)>",
        "//pictures.pipedrive.example/101_128.jpg",
        "https://[pictures.pipedrive.example/101_128.jpg",
        LONG_PICTURE,
    ],
)
async def test_a_picture_is_not_shown_from_another_url(url: str) -> None:
    picture = {"success": True, "data": {"id": 7, "pictures": {"128": url}}}
    outcome = await look_up(FakePipedrive(bodies={Call.PICTURE: picture}))
    assert isinstance(outcome, Match)
    card = render(outcome).outcome
    assert card_problem(card, ACTION_URL) is None
    assert "imageUrl" not in card["header"]


async def test_a_picture_is_shown_from_an_https_url() -> None:
    url = "https://pictures.pipedrive.example/101_128.jpg"
    picture = {"success": True, "data": {"id": 7, "pictures": {"128": url}}}
    outcome = await look_up(FakePipedrive(bodies={Call.PICTURE: picture}))
    assert isinstance(outcome, Match)
    assert render(outcome).outcome["header"]["imageUrl"] == url
