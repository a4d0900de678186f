"""A cached answer served after the connector's last run found its token refused or its account
inactive: the card says so on top, with the way out."""

from __future__ import annotations

import pytest

from cardin import cards
from cardin.contact.outcome import FailureKind
from tests.cards import fixtures
from tests.cards.probe import actions, texts, widget_count
from tests.cards.validate import assert_valid_card

EN = fixtures.context()


def warned(kind: FailureKind | None, outcome: object = None) -> dict[str, object]:
    card = cards.render_outcome_card(
        outcome or fixtures.rich_match(),  # type: ignore[arg-type]
        EN,
        email="ada@engines.example",
        connector_name="Pipedrive",
        warning=kind,
    )
    assert_valid_card(card)
    return card


def test_a_reauth_warning_leads_the_contact_card_with_the_update_button() -> None:
    plain = warned(None)
    card = warned(FailureKind.REAUTH)
    first = card["sections"][0]  # type: ignore[index]
    words = texts({"sections": [first]})
    assert "New API token needed" in words
    assert "may be out of date" in words
    assert {"op": "reauth", "connector": "conn-1"} in actions({"sections": [first]})
    assert card["sections"][1:] == plain["sections"]  # type: ignore[index]
    assert widget_count(card) <= cards.MAX_WIDGETS


def test_a_payment_warning_links_the_accounts_billing_page() -> None:
    card = warned(FailureKind.PAYMENT)
    first = card["sections"][0]  # type: ignore[index]
    assert "Pipedrive account inactive" in texts({"sections": [first]})
    [fix] = [w for w in first["widgets"] if "buttonList" in w]
    url = fix["buttonList"]["buttons"][0]["onClick"]["openLink"]["url"]
    assert url.startswith("https://acme.pipedrive.com/settings/billing")


def test_a_cached_no_match_is_warned_too() -> None:
    card = warned(FailureKind.REAUTH, fixtures.no_match())
    assert card["name"] == "no_match"
    assert {"op": "reauth", "connector": "conn-1"} in actions(card)


@pytest.mark.parametrize("kind", [FailureKind.REAUTH, FailureKind.PAYMENT])
def test_a_huge_warned_card_stays_within_the_limit(kind: FailureKind) -> None:
    card = cards.render_outcome_card(
        fixtures.huge_match(), EN, email="ada@engines.example", connector_name="P", warning=kind
    )
    assert_valid_card(card)
    assert widget_count(card) <= cards.MAX_WIDGETS


@pytest.mark.parametrize("outcome", [fixtures.rich_match(), fixtures.no_match()])
def test_a_spent_daily_budget_says_the_card_comes_from_the_cache(outcome: object) -> None:
    plain = warned(None, outcome)
    card = warned(FailureKind.RATE_LIMITED, outcome)
    first = card["sections"][0]  # type: ignore[index]
    words = texts({"sections": [first]})
    assert "Daily Pipedrive budget used up" in words
    assert "comes from the cache" in words
    assert actions({"sections": [first]}) == []  # nothing to do about it but wait for tomorrow
    assert card["sections"][1:] == plain["sections"]  # type: ignore[index]


def test_the_budget_warning_is_german_for_a_german_reader() -> None:
    card = cards.render_outcome_card(
        fixtures.rich_match(),
        fixtures.context(locale="de"),
        email="ada@engines.example",
        connector_name="Pipedrive",
        warning=FailureKind.RATE_LIMITED,
    )
    assert_valid_card(card)
    assert "Tägliches Pipedrive-Budget aufgebraucht" in texts({"sections": card["sections"][:1]})
