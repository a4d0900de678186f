"""What one connector's lookup came to: a match, no match, or the failure that stopped it.

Pure data, like the rest of `cardin.contact`: the lookup layer makes a Failure out of the
client's errors (`cardin.lookup.outcome`), the add-on makes one out of a stored credential it
cannot use, and the cards and the command line render it without knowing where it came from.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from cardin.contact.model import Match, NoMatch


class FailureKind(enum.StrEnum):
    """Why a lookup has no answer: what the reader is told and offered next.

    The values are the message keys of the error card (`error.<value>.*`) where it has one.
    """

    REAUTH = "reauth"
    """The credential was refused or cannot be used: sign in (paste a token) again."""
    PAYMENT = "payment"
    """The Pipedrive company account is inactive: subscribe or update payment, then retry."""
    RATE_LIMITED = "rate_limited"
    """Pipedrive's rate limit or daily budget is spent: retry after `retry_after` seconds."""
    UNAVAILABLE = "unavailable"
    """Pipedrive is down, slow or unreachable: retry later."""
    BAD_RESPONSE = "bad_response"
    """Pipedrive answered something that cannot be read."""
    FORBIDDEN = "forbidden"
    """Pipedrive does not allow this user the call."""
    REFUSED = "refused"
    """Pipedrive refused a write as sent (HTTP 400): `reason` is its message, shown with the
    form."""
    NOT_FOUND = "not_found"
    """What a write names is gone (HTTP 404): a deleted deal or activity."""
    INTERNAL = "other"
    """Our own failure, or one nothing above names."""


@dataclass(frozen=True, slots=True)
class Failure:
    """A lookup that found nothing to show, and why.

    `reason` is for logs and the command line, never for a card; `retry_after` (seconds, when
    known) only for a rate limit.
    """

    kind: FailureKind
    reason: str = ""
    retry_after: float | None = None


Outcome = Match | NoMatch | Failure
"""One connector's answer for an address."""
