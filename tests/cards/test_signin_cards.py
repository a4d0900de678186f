"""The sign-in's cards: step 3 with "Sign in with Pipedrive", its reauthorization, and the
reauth card of a signed-in connector; each checked against Google's Card types, in both
languages."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from cardin import cards
from tests.cards import fixtures
from tests.cards.probe import texts
from tests.cards.validate import assert_valid_card, walk

URL = "https://oauth.pipedrive.com/oauth/authorize?client_id=x&state=s"
SALES = fixtures.connector("conn-2", "Sales EU", account=fixtures.GLOBEX_ACCOUNT)


def _links(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [value for _, key, value in walk(card) if key == "openLink" and isinstance(value, dict)]


@pytest.mark.parametrize("locale", ["en_US", "de_DE"])
def test_step3_offers_the_sign_in_first_and_the_token_still(locale: str) -> None:
    ctx = fixtures.context(locale, connector_id=None)
    card = cards.render_token_step(
        ctx, settings=fixtures.new_settings(), connector_id=None, sign_in_url=URL
    )
    assert_valid_card(card)
    sign_in = [link for link in _links(card) if link["url"] == URL]
    assert sign_in == [{"url": URL, "openAs": "OVERLAY", "onClose": "RELOAD"}]
    words = texts(card)
    assert ctx.msgs.text("signin.button") in words
    assert ctx.msgs.text("signin.or_token") in words
    assert any(key == "name" and "token_input" in str(value) for _, key, value in walk(card))


def test_without_an_app_step3_has_no_sign_in() -> None:
    ctx = fixtures.context(connector_id=None)
    card = cards.render_token_step(ctx, settings=fixtures.new_settings(), connector_id=None)
    assert_valid_card(card)
    assert all("onClose" not in link for link in _links(card))
    assert ctx.msgs.text("signin.button") not in texts(card)


@pytest.mark.parametrize("wider", [False, True])
@pytest.mark.parametrize("locale", ["en_US", "de_DE"])
def test_the_reauth_of_a_signed_in_connector_is_the_sign_in(locale: str, wider: bool) -> None:
    ctx = fixtures.context(locale, connector_id=SALES.id)
    card = cards.render_sign_in_reauth(
        ctx, connector=SALES, sign_in_url=URL, error="signin.error.denied", wider_scopes=wider
    )
    assert_valid_card(card)
    footer = card["fixedFooter"]["primaryButton"]
    assert footer["onClick"] == {"openLink": {"url": URL, "openAs": "OVERLAY", "onClose": "RELOAD"}}
    words = texts(card)
    assert ctx.msgs.text("signin.error.denied") in words
    assert (ctx.msgs.text("signin.scope.wider") in words) is wider
    assert "token_input" not in str(card)


def test_a_refused_grant_asks_for_the_sign_in_not_for_a_token() -> None:
    ctx = replace(fixtures.context(connector_id=SALES.id), signed_in=True)
    card = cards.render_reauth_card(ctx, connector_name="Sales EU")
    assert_valid_card(card)
    words = texts(card)
    assert ctx.msgs.text("signin.button") in words
    assert ctx.msgs.text("action.get_token") not in words
    token = cards.render_reauth_card(replace(ctx, signed_in=False), connector_name="Sales EU")
    assert ctx.msgs.text("action.get_token") in texts(token)
