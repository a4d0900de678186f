"""Small readers of card JSON for assertions: headers, texts, actions."""

from __future__ import annotations

import json
from typing import Any

from tests.cards.validate import walk

Card = dict[str, Any]


def headers(card: Card) -> list[str]:
    """The section headers in order (sections without one are skipped)."""
    return [s["header"] for s in card["sections"] if "header" in s]


def section(card: Card, header: str) -> Card:
    """The section with this header."""
    return next(s for s in card["sections"] if s.get("header") == header)


def texts(card: Card) -> str:
    """Every string value of the card, one per line (for `in` checks)."""
    return "\n".join(value for _, _, value in walk(card) if isinstance(value, str))


def dump(card: Card) -> str:
    """The card as the endpoint would send it."""
    return json.dumps(card, ensure_ascii=False)


def actions(card: Card) -> list[dict[str, str]]:
    """The parameters of every callback in the card, as dicts."""
    return [
        {p["key"]: p["value"] for p in value.get("parameters", [])}
        for _, key, value in walk(card)
        if key == "action"
    ]


def ops(card: Card) -> set[str]:
    """The op names the card's callbacks send."""
    return {params["op"] for params in actions(card)}


def links(card: Card) -> list[str]:
    """Every openLink URL in the card."""
    return [value["url"] for _, key, value in walk(card) if key == "openLink"]


def widget_count(card: Card) -> int:
    return sum(len(s["widgets"]) for s in card["sections"])
