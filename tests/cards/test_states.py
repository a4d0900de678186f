"""No match, reauth, payment and error cards: what they say and the way forward they offer."""

from __future__ import annotations

import pytest

from cardin.cards import SEARCH_INPUT, Op
from cardin.connectors.features import ALL_FEATURES, Feature
from cardin.lookup.outcome import failure_of
from cardin.pipedrive.errors import (
    BadResponse,
    Forbidden,
    InvalidToken,
    NotFound,
    PaymentRequired,
    PipedriveError,
    RateLimited,
    Unavailable,
)
from tests.cards import fixtures
from tests.cards.checked import (
    render_error_card,
    render_no_match_card,
    render_payment_card,
    render_reauth_card,
)
from tests.cards.probe import actions, links, ops, texts

EN = fixtures.context()


# --- no match ------------------------------------------------------------------------------


def test_no_match_names_the_sender_and_offers_add_search_and_another_address() -> None:
    card = render_no_match_card(fixtures.no_match(), EN, sender_name="New Person")
    assert card["header"]["title"] == "New Person"
    assert "new.person@example.net" in texts(card)
    assert "Nobody in Acme GmbH has this address." in texts(card)
    assert {"op": "add_contact", "connector": "conn-1", "email": "new.person@example.net",
            "name": "New Person"} in actions(card)  # fmt: skip
    assert "https://acme.pipedrive.com/search?term=new.person%40example.net" in links(card)
    inputs = [w["textInput"] for s in card["sections"] for w in s["widgets"] if "textInput" in w]
    assert [i["name"] for i in inputs] == [SEARCH_INPUT]
    search = next(w for s in card["sections"] for w in s["widgets"] if "buttonList" in w
                  and w["buttonList"]["buttons"][0]["text"] == "Search")  # fmt: skip
    action = search["buttonList"]["buttons"][0]["onClick"]["action"]
    assert action["requiredWidgets"] == [SEARCH_INPUT]
    assert ops(card) == {Op.ADD_CONTACT, Op.SEARCH_OTHER}


def test_no_match_without_the_add_contact_feature_offers_no_add() -> None:
    ctx = fixtures.context(features=ALL_FEATURES - {Feature.ADD_CONTACT})
    card = render_no_match_card(fixtures.no_match(), ctx, sender_name=None)
    assert ops(card) == {Op.SEARCH_OTHER}
    assert card["header"]["title"] == "new.person@example.net"


def test_no_match_without_a_sender_name_sends_no_name() -> None:
    card = render_no_match_card(fixtures.no_match(), EN, sender_name=None)
    add = next(p for p in actions(card) if p["op"] == "add_contact")
    assert "name" not in add


# --- reauth and payment --------------------------------------------------------------------


def test_reauth_links_to_the_token_page_and_offers_to_update_the_connector() -> None:
    card = render_reauth_card(EN, connector_name="Sales Pipedrive")
    assert card["header"] == {"title": "Sales Pipedrive", "subtitle": "New API token needed"}
    assert "https://app.pipedrive.com/settings/api" in links(card)
    assert actions(card) == [{"op": "reauth", "connector": "conn-1"}]
    assert "changed or revoked" in texts(card)


def test_payment_links_to_the_company_billing_page() -> None:
    card = render_payment_card(EN, connector_name="Pipedrive", account=fixtures.ACCOUNT)
    assert "https://acme.pipedrive.com/settings/billing" in links(card)
    assert "The Pipedrive account of Acme GmbH is inactive" in texts(card)
    assert ops(card) == {Op.RETRY}


def test_payment_without_an_account_links_to_the_generic_billing_page() -> None:
    card = render_payment_card(EN, connector_name="Pipedrive", account=None)
    assert "https://app.pipedrive.com/settings/billing" in links(card)
    assert "This Pipedrive account is inactive" in texts(card)


# --- errors --------------------------------------------------------------------------------


def test_rate_limited_says_when_to_retry_in_the_reader_zone() -> None:
    card = render_error_card(
        failure_of(RateLimited("429 from /v1/x", retry_after=120)), EN, connector_name="Pipedrive",
        email="ada@engines.example",
    )  # fmt: skip
    assert card["header"]["subtitle"] == "Rate limit reached"
    # 14:30 UTC + 2 min is 3:32 PM in Berlin.
    assert "Try again in 2 minutes (at 3:32\u202fPM)." in texts(card)
    assert actions(card) == [{"op": "retry", "connector": "conn-1", "email": "ada@engines.example"}]


@pytest.mark.parametrize("seconds", [99_999_999_999, 1e308, float("inf")])
def test_an_absurd_retry_after_is_shown_as_a_day_with_its_date(seconds: float) -> None:
    card = render_error_card(
        failure_of(RateLimited("429", retry_after=seconds)), EN, connector_name="Pipedrive"
    )
    text = texts(card)
    assert "Try again in 1 day (at " in text
    assert "year" not in text


def test_rate_limited_with_nan_retry_after_says_soon() -> None:
    card = render_error_card(
        failure_of(RateLimited("429", retry_after=float("nan"))), EN, connector_name="P"
    )
    assert "Try again in a moment." in texts(card)


def test_rate_limited_without_retry_after_says_soon() -> None:
    card = render_error_card(failure_of(RateLimited("429")), EN, connector_name="Pipedrive")
    assert "Try again in a moment." in texts(card)


@pytest.mark.parametrize(
    ("error", "subtitle"),
    [
        (Unavailable("connect timeout to api.pipedrive.com"), "Pipedrive unavailable"),
        (BadResponse("Expecting value: line 1 column 1"), "Unreadable reply"),
        (Forbidden("403"), "Access denied"),
        (NotFound("404 /v1/persons/1"), "Something went wrong"),
        (PipedriveError("weird"), "Something went wrong"),
    ],
)
def test_every_error_offers_retry_and_never_shows_its_message(
    error: PipedriveError, subtitle: str
) -> None:
    card = render_error_card(failure_of(error), EN, connector_name="Pipedrive")
    assert card["header"]["subtitle"] == subtitle
    assert ops(card) == {Op.RETRY}
    assert str(error) not in texts(card)
    assert "Traceback" not in texts(card)


def test_a_refused_token_becomes_the_reauth_card() -> None:
    card = render_error_card(failure_of(InvalidToken("401")), EN, connector_name="Pipedrive")
    assert card["name"] == "reauth"


def test_an_inactive_account_becomes_the_payment_card() -> None:
    card = render_error_card(failure_of(PaymentRequired("402")), EN, connector_name="Pipedrive")
    assert card["name"] == "payment"


def test_the_payment_cards_retry_looks_the_address_up_again() -> None:
    card = render_error_card(
        failure_of(PaymentRequired("402")), EN, connector_name="P", email="ada@engines.example"
    )
    assert {"op": "retry", "connector": "conn-1", "email": "ada@engines.example"} in actions(card)


# --- partial data --------------------------------------------------------------------------


def test_partial_data_shows_what_was_fetched_and_retries_what_was_not() -> None:
    from tests.cards.checked import render_contact_card  # noqa: PLC0415

    card = render_contact_card(fixtures.partial_match(), EN)
    text = texts(card)
    assert "Not loaded: Pipedrive's rate limit was reached. Try again in 2 minutes" in text
    assert "Not loaded: Pipedrive did not answer in time." in text
    assert "Not loaded: Pipedrive's reply could not be read." in text
    assert "The notes of this deal could not be loaded." in text
    assert "<b>Engines for 50 seats</b>" in text
    retries = [p for p in actions(card) if p["op"] == "retry"]
    assert len(retries) == 3
    assert all(p["email"] == "ada@engines.example" for p in retries)
