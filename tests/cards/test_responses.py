"""Trigger and action-callback envelopes around the cards."""

from __future__ import annotations

import pytest

from cardin.cards import (
    action_response,
    pop,
    pop_to_root,
    push,
    trigger_response,
    update,
)
from tests.cards import fixtures
from tests.cards.checked import render_contact_card, render_list_card
from tests.cards.validate import assert_valid_response, cards_of

EN = fixtures.context()


def test_trigger_pushes_the_card() -> None:
    card = render_contact_card(fixtures.minimal_match(), EN)
    response = trigger_response(card)
    assert response == {"action": {"navigations": [{"pushCard": card}]}}
    assert_valid_response(response)


def test_show_all_pushes_the_list_card() -> None:
    card = render_list_card(fixtures.rich_match(), "notes", EN)
    response = action_response(push(card))
    assert response == {"renderActions": {"action": {"navigations": [{"pushCard": card}]}}}
    assert_valid_response(response)


def test_refresh_updates_in_place_with_a_notification_and_state_change() -> None:
    card = render_contact_card(fixtures.minimal_match(), EN)
    response = action_response(update(card), notification="Updated", state_changed=True)
    assert response == {
        "renderActions": {
            "action": {"navigations": [{"updateCard": card}], "notification": {"text": "Updated"}}
        },
        "stateChanged": True,
    }
    assert_valid_response(response)


def test_back_navigations_and_links() -> None:
    assert action_response(pop()) == {"renderActions": {"action": {"navigations": [{"pop": True}]}}}
    assert action_response(pop_to_root())["renderActions"]["action"]["navigations"] == [
        {"popToRoot": True}
    ]
    opened = action_response(open_url="https://acme.pipedrive.com/person/1")
    assert opened["renderActions"]["action"]["link"] == {
        "url": "https://acme.pipedrive.com/person/1", "openAs": "FULL_SIZE", "onClose": "NOTHING",
    }  # fmt: skip
    for response in (action_response(pop()), opened):
        assert_valid_response(response)
        assert cards_of(response) == []


def test_an_empty_action_response_is_refused() -> None:
    with pytest.raises(ValueError, match="navigation"):
        action_response()
