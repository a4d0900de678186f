"""What a lookup fetches: the parts a connector's features ask for, how much of each, how long."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from cardin.pipedrive import Deadline

# What a connector's deadline keeps back from its calls, to assemble and render the (partial)
# card and to store the result: a share of it, at most a second.
MARGIN_SHARE = 0.2
MAX_MARGIN = 1.0


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


def calls_deadline(seconds: float, *, clock: Callable[[], float] = time.monotonic) -> Deadline:
    """The deadline of a lookup's Pipedrive calls when the whole lookup has `seconds`."""
    margin = min(MAX_MARGIN, seconds * MARGIN_SHARE)
    return Deadline.after(seconds - margin, clock=clock)
