"""What a lookup fetches: the parts a connector's features ask for, and how much of each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Parts:
    """Which parts of the contact to fetch (a connector's features decide)."""

    custom_fields: bool = True
    notes: bool = True
    deals: bool = True
    deal_notes: bool = True
    deal_activities: bool = True
    activities: bool = True
    owner: bool = True
    organization: bool = True


@dataclass(frozen=True)
class Limits:
    """How much to fetch: bounds the token cost and the card's size."""

    candidates: int = 5
    detailed_deals: int = 5
    notes: int = 100
    deals: int = 500
    activities: int = 500
    deal_notes: int = 20
    deal_activities: int = 50
    references: int = 10
