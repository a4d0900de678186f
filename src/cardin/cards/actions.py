"""Buttons that call the add-on's action endpoint: `call(ctx, action)`.

The actions themselves (ops, parameter keys, one typed dataclass per op) are the registry in
`cardin.actions`; the names the cards use are re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence

from cardin.actions import (
    CONNECTOR,
    DASHBOARD_INPUT,
    DASHBOARD_ON,
    FEATURES_INPUT,
    NAME_INPUT,
    RUN_MODE_INPUT,
    SEARCH_INPUT,
    TOKEN_INPUT,
    Action,
    ListSection,
    Op,
    decode_features,
    encode_features,
    parameters_of,
)
from cardin.cards.context import CardContext
from cardin.cards.widgets import Json

__all__ = [
    "DASHBOARD_INPUT",
    "DASHBOARD_ON",
    "FEATURES_INPUT",
    "NAME_INPUT",
    "RUN_MODE_INPUT",
    "SEARCH_INPUT",
    "TOKEN_INPUT",
    "ListSection",
    "Op",
    "call",
    "card_connector",
    "decode_features",
    "encode_features",
]


def call(ctx: CardContext, action: Action, *, required: Sequence[str] = ()) -> Json:
    """An onClick calling the action endpoint with `action`'s parameters.

    `required` names input widgets that must be filled before the action is sent.
    """
    parameters = parameters_of(action)
    if parameters.get(CONNECTOR) == "":
        del parameters[CONNECTOR]  # a card rendered without a connector: see card_connector
    onclick: Json = {
        "function": ctx.action_url,
        "parameters": [{"key": key, "value": value} for key, value in parameters.items()],
    }
    if required:
        onclick["requiredWidgets"] = list(required)
    return {"action": onclick}


def card_connector(ctx: CardContext) -> str:
    """The connector the card is about, for the buttons that act on it.

    A card rendered without one (`cardin lookup --json`) gets "": its buttons name no connector,
    and the service refuses them.
    """
    return ctx.connector_id or ""
