"""A company's daily Pipedrive budget, as the lookups respect it: what is left, and the copy of
each result kept for the day it runs out.

Pipedrive refuses every call of a company whose daily token budget is spent (429 until its
midnight). Before a lookup spends tokens, `allows` checks what is left by the shared count
(`cardin.lookup.pacing`) against what the lookup may cost; when it is not enough the lookup is
answered from the last result kept for the address (`copy_of`, kept a day; none is kept when
the deployment keeps no results, `Services.keep_copies`), which the card then marks as such (the
RATE_LIMITED warning), or fails as rate limited until midnight (UTC) when nothing is kept.
"""

from __future__ import annotations

from cardin.cache import Cache
from cardin.contact.model import LookupResult
from cardin.contact.outcome import Failure, FailureKind, Outcome
from cardin.lookup import AccountKey, Limits, LookupEngine, Parts
from cardin.lookup.pacing import lookup_cost, seconds_to_midnight
from cardin.lookup.results import ResultCache

COPY_TTL = 86_400.0
"""How long the copy of a result is kept: until the budget is back, at the latest."""


def _copies(cache: Cache) -> ResultCache:
    return ResultCache(cache, ttl=COPY_TTL)


def _copy_id(cache_id: str) -> str:
    return f"budget.{cache_id}"


async def allows(
    engine: LookupEngine, account: AccountKey | None, parts: Parts, limits: Limits | None = None
) -> bool:
    """Whether the company has the tokens left for a lookup of these parts (True when the
    account, its seats or the count is unknown)."""
    if account is None:
        return True
    left = await engine.pacing.budget_left(account.company_id)
    return left is None or left >= lookup_cost(parts, limits or Limits())


async def keep(cache: Cache, cache_id: str, email: str, result: LookupResult) -> None:
    """Keep a copy of a fresh result for the day the budget runs out."""
    await _copies(cache).put(_copy_id(cache_id), email, result)


async def copy_of(cache: Cache, cache_id: str, email: str) -> Outcome:
    """The copy kept for the address, or a rate-limited Failure until the budget is back."""
    kept = await _copies(cache).get(_copy_id(cache_id), email)
    if kept is not None:
        return kept
    return Failure(
        FailureKind.RATE_LIMITED,
        "the company's daily Pipedrive token budget is spent",
        retry_after=seconds_to_midnight(),
    )
