"""The client's pacing hook: something outside the client may hold a request back, and hear
how it ended.

The client knows only Pipedrive; who shares a credential's burst window or a company's daily
budget (other lookups, other service processes) is known above it. A `Pacer` given to the
client is asked before every attempt (`before`: it may wait, within what the caller allows) and
told after it (`after`: the status and Pipedrive's rate-limit headers), so that it can keep a
shared count of the calls in the window and the tokens spent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

SEARCH_PATHS = frozenset(
    {"/api/v2/persons/search", "/api/v2/organizations/search", "/api/v2/itemSearch"}
)
"""The Search API: its own burst window (10 requests per 2 s on every plan)."""


@dataclass(frozen=True, slots=True)
class PacedRequest:
    """One attempt the client is about to make, as a pacer sees it (no credential, no body)."""

    method: str
    path: str
    cost: int
    """The documented token cost (`cardin.pipedrive.costs`)."""

    @property
    def is_search(self) -> bool:
        """Whether it counts against the Search API's own burst window."""
        return self.path in SEARCH_PATHS


class Pacer(Protocol):
    """Holds requests back to stay within Pipedrive's limits, and learns from the answers."""

    async def before(self, request: PacedRequest, *, wait_at_most: float) -> None:
        """Return when the request may go; raise RateLimited (with no status: never sent)
        when it may not within `wait_at_most` seconds (the client gives it to its caller, as a
        429 it may not wait for)."""
        ...

    async def after(
        self, request: PacedRequest, status: int | None, headers: Mapping[str, str] | None
    ) -> None:
        """How the attempt ended: its status (None when it never reached Pipedrive) and the
        reply's headers."""
        ...
