"""Golden files: the exact JSON of each kind of card. CARDIN_UPDATE_GOLDEN=1 rewrites them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cardin.cards import action_response, push, trigger_response, update
from cardin.lookup.outcome import failure_of
from cardin.pipedrive.errors import RateLimited, Unavailable
from tests.cards import checked, fixtures
from tests.cards.golden_files import GOLDEN_ROOT, assert_matches_golden

GOLDEN = GOLDEN_ROOT

Builder = Callable[[], dict[str, Any]]
EN = fixtures.context()
DE = fixtures.context("de_DE")


def _contact(match_of: Callable[[], Any], ctx: Any = EN) -> Builder:
    return lambda: trigger_response(checked.render_contact_card(match_of(), ctx))


CASES: dict[str, Builder] = {
    "rich_contact": _contact(fixtures.rich_match),
    "rich_contact_de": _contact(fixtures.rich_match, DE),
    "minimal_contact": _contact(fixtures.minimal_match),
    "several_matches": _contact(fixtures.several_matches),
    "rate_limited_partial": _contact(fixtures.partial_match),
    "huge_contact": _contact(fixtures.huge_match),
    "no_match": lambda: trigger_response(
        checked.render_no_match_card(fixtures.no_match(), EN, sender_name="New Person")
    ),
    "reauth": lambda: trigger_response(checked.render_reauth_card(EN, connector_name="Pipedrive")),
    "payment": lambda: trigger_response(
        checked.render_payment_card(EN, connector_name="Pipedrive", account=fixtures.ACCOUNT)
    ),
    "rate_limited_error": lambda: trigger_response(
        checked.render_error_card(
            failure_of(RateLimited("429", retry_after=120)),
            EN,
            connector_name="Pipedrive",
            email="a@b.example",
        )
    ),
    "unavailable_error": lambda: trigger_response(
        checked.render_error_card(failure_of(Unavailable("timeout")), EN, connector_name="Sales")
    ),
    "rich_deals_list": lambda: action_response(
        push(checked.render_list_card(fixtures.rich_match(), "deals", EN))
    ),
    "huge_activities_list": lambda: action_response(
        push(checked.render_list_card(fixtures.huge_match(), "activities", EN))
    ),
    "huge_deals_list_page_2": lambda: action_response(
        update(checked.render_list_card(fixtures.huge_match(), "deals", EN, page=1))
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_card_matches_its_golden_file(name: str) -> None:
    assert_matches_golden(GOLDEN, name, CASES[name]())


def test_every_golden_file_has_a_case() -> None:
    assert {p.stem for p in GOLDEN.glob("*.json")} == set(CASES)
