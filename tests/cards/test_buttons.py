"""Buttons that call the action endpoint: an action's parameters, in order, and nothing else."""

from __future__ import annotations

from cardin.actions import ListSection, Lookup, Refresh, ShowAll
from cardin.cards.actions import SEARCH_INPUT, call, card_connector
from cardin.cards.context import CardContext
from tests.cards import fixtures
from tests.cards.checked import render_contact_card
from tests.cards.probe import actions


def pairs(ctx: CardContext, onclick: dict[str, object]) -> list[tuple[str, str]]:
    action = onclick["action"]
    assert isinstance(action, dict)
    assert action["function"] == ctx.action_url
    return [(p["key"], p["value"]) for p in action["parameters"]]


def test_a_button_sends_its_actions_parameters_in_order() -> None:
    ctx = fixtures.context()
    show = ShowAll(connector_id="conn-1", section=ListSection.DEALS, email="a@b.example")
    assert pairs(ctx, call(ctx, show)) == [
        ("op", "show_all"),
        ("connector", "conn-1"),
        ("section", "deals"),
        ("email", "a@b.example"),
    ]
    search = call(ctx, Lookup(), required=[SEARCH_INPUT])
    assert search["action"]["requiredWidgets"] == [SEARCH_INPUT]


def test_a_card_rendered_without_a_connector_names_none() -> None:
    ctx = fixtures.context(connector_id=None)  # as `cardin lookup --json` renders
    assert card_connector(ctx) == ""
    refresh = Refresh(connector_id=card_connector(ctx), email="a@b.example")
    assert pairs(ctx, call(ctx, refresh)) == [("op", "refresh"), ("email", "a@b.example")]
    card = render_contact_card(fixtures.rich_match(), ctx)
    assert all("connector" not in params for params in actions(card))
    bound = render_contact_card(fixtures.rich_match(), fixtures.context())
    assert all(params["connector"] == "conn-1" for params in actions(bound))
