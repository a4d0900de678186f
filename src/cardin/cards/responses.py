"""The JSON the add-on endpoints return around cards: trigger and action-callback responses."""

from __future__ import annotations

from cardin.cards.widgets import Json


def trigger_response(card: Json) -> Json:
    """What a homepage or contextual trigger returns: the card pushed on a fresh stack."""
    return {"action": {"navigations": [push(card)]}}


def push(card: Json) -> Json:
    """Navigation: push the card on top of the stack (drill down)."""
    return {"pushCard": card}


def update(card: Json) -> Json:
    """Navigation: replace the top card, keeping what the user typed in equivalent fields."""
    return {"updateCard": card}


def pop() -> Json:
    """Navigation: back one card."""
    return {"pop": True}


def pop_to_root() -> Json:
    """Navigation: back to the first card."""
    return {"popToRoot": True}


def action_response(
    *navigations: Json,
    notification: str | None = None,
    open_url: str | None = None,
    state_changed: bool = False,
) -> Json:
    """What an action callback returns: navigations in order, a toast (plain text), a link."""
    action: Json = {}
    if navigations:
        action["navigations"] = list(navigations)
    if notification:
        action["notification"] = {"text": notification}
    if open_url:
        action["link"] = {"url": open_url, "openAs": "FULL_SIZE", "onClose": "NOTHING"}
    if not action:
        raise ValueError("an action response needs a navigation, a notification or a link")
    response: Json = {"renderActions": {"action": action}}
    if state_changed:
        response["stateChanged"] = True
    return response
