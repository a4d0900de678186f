"""The shared limiter as the client's `Pacer`: one credential's burst windows, one company's
daily token budget, across every lookup and every service process that shares the cache.

Before each request the pacer counts it in the credential's rolling window (the Search API's
own window for a search) in the cache backend's limiter (`cardin.ratelimit`); when the window is
full it waits until a slot frees, as long as the caller allows, instead of drawing a 429. A
request that cannot wait that long is not sent (RateLimited, as a 429 the client may not wait
for) when the window's limit is known (the Search API's, or one a reply's `x-ratelimit-limit`
told); while the limit is only the least of the plans it goes anyway, since the account's may
be higher. When the answer comes the request is counted again from then on: Pipedrive counted
it somewhere between, and a request that reached it late (a busy process on either side) still
fills its window after the ones sent after it. After each answer it also corrects the window
from `x-ratelimit-limit` and `x-ratelimit-remaining` (another program using the same token
shows there), and charges the request's documented token cost to the company's count for the
UTC day: no header reports the daily budget, so the count is ours.

A company's budget is not told either: it is 30,000 tokens x plan multiplier x seats. The seats
are the company's active users as a lookup last saw them (`note_seats`), kept in the limiter's
store for a day so that every worker reads the same count; the pacer assumes the Lite
multiplier always. A company whose seats are not known has an unknown budget, and nothing is
held back for it, unless Pipedrive has refused it for the day. A lookup that would spend more
than is left (`budget_left`) is answered from what is cached (`cardin.usecases.runs`).

A reply's `x-ratelimit-limit` and the requests it shows are trusted up to `MAX_COUNTED`.

Windows are keyed by a fingerprint of the credential, never the credential itself.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from cardin import metrics
from cardin.lookup.plan import Limits, Parts
from cardin.pipedrive import ApiToken, Credential, PacedRequest, RateLimited
from cardin.pipedrive.costs import path_template
from cardin.ratelimit import MAX_COUNTED, Limiter

log = logging.getLogger(__name__)

BURST_WINDOW = 2.0
"""Pipedrive's rolling burst window, in seconds."""
SEARCH_LIMIT = 10
"""Search API requests per window, on every plan."""
DEFAULT_BURST_LIMIT = 20
"""Requests per window for an API token on the Lite plan: the least, until a reply says more."""
SEAT_TOKENS = 30_000
"""The daily budget of one Lite seat."""
WINDOW_MARGIN = 0.25
"""Seconds added to the window: requests arrive at Pipedrive later than they leave here, and not
all equally late."""
BUDGET_TTL = 2 * 86_400.0
SEATS_TTL = 86_400.0
"""How long a company's seats are kept after a lookup last saw its users."""
REFUSED = 10**12
"""What the company's count jumps to when Pipedrive refuses it for the day: more than any
company's budget, so that the day is over whatever its seats."""
LONG_RETRY = 60.0
"""A 429 that asks to come back later than this is the daily budget, not a burst window."""


@dataclass
class PacingConfig:
    """The limits the pacer keeps (Pipedrive's documented ones unless a test shrinks them)."""

    window: float = BURST_WINDOW
    margin: float = WINDOW_MARGIN
    search_limit: int = SEARCH_LIMIT
    default_limit: int = DEFAULT_BURST_LIMIT
    seat_tokens: int = SEAT_TOKENS


def credential_fingerprint(credential: Credential) -> str | None:
    """A stable name for the credential that reveals nothing of it; None for a kind the pacer
    does not know (it is then keyed by the account, when known)."""
    if isinstance(credential, ApiToken):
        return hashlib.sha256(b"cardin-pacing\0" + credential.token.encode()).hexdigest()[:32]
    return None


def lookup_cost(parts: Parts, limits: Limits) -> int:
    """The documented tokens of a lookup with these parts, its deals shown in detail included
    (search 20, person 1, organization 1, notes 20, deals 10, activities 10, per deal 30)."""
    per_deal = 20 * parts.deal_notes + 10 * parts.deal_activities
    deals = (10 + limits.detailed_deals * per_deal) if parts.deals else 0
    return 22 + 20 * parts.notes + 10 * parts.activities + deals


def _utc_today() -> date:
    return datetime.now(UTC).date()


@dataclass
class Pacing:
    """One per engine: the limiter, and the burst limits learned from replies."""

    limiter: Limiter | None
    config: PacingConfig = field(default_factory=PacingConfig)
    today: Callable[[], date] = _utc_today
    _limits: dict[str, int] = field(default_factory=dict)

    def pacer(
        self, credential: Credential, company_id: int | None, user_id: int | None
    ) -> SharedPacer:
        """The pacer of one client (one credential, in one company when known)."""
        name = credential_fingerprint(credential)
        if name is None and company_id is not None:
            name = f"account-{company_id}-{user_id}"
        return SharedPacer(self, name, company_id)

    async def note_seats(self, company_id: int, seats: int) -> None:
        """The company has `seats` active users: its budget is that many seats' (kept for a day
        in the limiter's store, where every worker reads it)."""
        if seats > 0 and self.limiter is not None:
            await self.limiter.put(self.seats_key(company_id), seats, SEATS_TTL)

    def seats_key(self, company_id: int) -> str:
        """The company's seats, as a lookup last saw them."""
        return f"cardin:seats:1:{company_id}"

    def budget_key(self, company_id: int) -> str:
        """The counter of the company's tokens today (UTC)."""
        return f"cardin:budget:1:{company_id}:{self.today().isoformat()}"

    async def budget_left(self, company_id: int) -> int | None:
        """Tokens the company has left today by our count (0 once Pipedrive refused it for the
        day); None without a limiter or while its seats are not known (nothing is held back)."""
        if self.limiter is None:
            return None
        spent, seats = await self.limiter.counts(
            [self.budget_key(company_id), self.seats_key(company_id)]
        )
        if (spent or 0) >= REFUSED:
            return 0
        if seats is None or seats <= 0:
            return None
        return self.config.seat_tokens * seats - (spent or 0)

    def burst_limit(self, name: str) -> int:
        """The credential's requests per window, as a reply last told (the least until then)."""
        return self._limits.get(name, self.config.default_limit)

    def knows_limit(self, name: str) -> bool:
        """Whether a reply told the credential's requests per window."""
        return name in self._limits

    def learn_limit(self, name: str, limit: int) -> None:
        """A reply's `x-ratelimit-limit` (at most `MAX_COUNTED`)."""
        if limit > 0:
            self._limits[name] = min(limit, MAX_COUNTED)


class SharedPacer:
    """`cardin.pipedrive.Pacer` for one client: waits for the credential's window, counts the
    company's tokens, and records every request in the metrics."""

    def __init__(self, pacing: Pacing, name: str | None, company_id: int | None) -> None:
        self._pacing = pacing
        self._name = name
        self._company = company_id
        self._members: dict[int, str] = {}  # a request in flight (its id) -> its window entry

    def _window(self, request: PacedRequest) -> tuple[str, str, int]:
        kind = "search" if request.is_search else "burst"
        limit = (
            self._pacing.config.search_limit
            if request.is_search
            else self._pacing.burst_limit(self._name or "")
        )
        return kind, f"cardin:rl:1:{kind}:{self._name}", limit

    async def before(self, request: PacedRequest, *, wait_at_most: float) -> None:
        """Wait for a slot in the window, at most `wait_at_most` seconds; when none frees by
        then, RateLimited (never sent: no status) if the window's limit is known, else return
        (see the module's docstring)."""
        limiter = self._pacing.limiter
        if limiter is None or self._name is None:
            return
        kind, key, limit = self._window(request)
        window = self._pacing.config.window + self._pacing.config.margin
        loop = asyncio.get_running_loop()
        started = loop.time()
        waited = False
        member = uuid.uuid4().hex
        while True:
            delay = await limiter.acquire(key, limit, window, member)
            if delay <= 0:
                self._members[id(request)] = member
                break
            left = started + wait_at_most - loop.time()
            if delay > left:
                if kind == "burst" and not self._pacing.knows_limit(self._name):
                    # the limit is a guess, the least of the plans: the account's may have room
                    metrics.LIMITER_WAITS.labels(kind, "sent_unpaced").inc()
                    return
                metrics.LIMITER_WAITS.labels(kind, "gave_up").inc()
                # sent now it would draw a 429 (every one sent so did, in bench/scale.py): it is
                # answered as one, not sent, and not tried again in this call
                message = f"the {kind} window is full: not sent"
                raise RateLimited(message, retry_after=delay, status=None, path=request.path)
            waited = True
            # a little jitter, so that the waiters of one window do not all retry at once
            await asyncio.sleep(delay + random.uniform(0, 0.02))
        if waited:
            metrics.LIMITER_WAITS.labels(kind, "sent").inc()
            metrics.LIMITER_WAIT_SECONDS.observe(loop.time() - started)

    async def after(
        self, request: PacedRequest, status: int | None, headers: Mapping[str, str] | None
    ) -> None:
        """Count the request's tokens and correct the window from the reply's headers."""
        endpoint = path_template(request.path)
        label = str(status) if status is not None else "none"
        metrics.PIPEDRIVE_REQUESTS.labels(endpoint, label).inc()
        charged = status is not None and status != 429  # noqa: PLR2004
        if charged:
            metrics.PIPEDRIVE_TOKENS.labels(endpoint, label).inc(request.cost)
        limiter = self._pacing.limiter
        if limiter is None:
            return
        spend = None
        if self._company is not None and charged and request.cost:
            spend = (self._pacing.budget_key(self._company), request.cost, BUDGET_TTL)
        seconds = self._pacing.config.window + self._pacing.config.margin
        held = None
        if self._name is not None:
            # counted from now on, as the entry `before` made (or a new one, if it made none)
            member = self._members.pop(id(request), None) or uuid.uuid4().hex
            held = (self._window(request)[1], member, seconds)
        window = None
        if headers is not None and self._name is not None:
            if status == 429 and _retry_after(headers) > LONG_RETRY:  # noqa: PLR2004
                await self._spend_all()
            limit = _int(headers, "x-ratelimit-limit")
            remaining = _int(headers, "x-ratelimit-remaining")
            if limit is not None and remaining is not None:
                kind, key, _ = self._window(request)
                if kind == "burst":
                    self._pacing.learn_limit(self._name, limit)
                used = min(limit - remaining, MAX_COUNTED)
                if used > 0:
                    window = (key, used, seconds)
        await limiter.settle(window, spend, held)

    async def _spend_all(self) -> None:
        """Pipedrive refused for the day: the company's count jumps past any budget."""
        limiter, company = self._pacing.limiter, self._company
        if limiter is None or company is None:
            return
        key = self._pacing.budget_key(company)
        spent = await limiter.spent(key)
        if spent < REFUSED:
            log.warning("Pipedrive refused company %s for the day: its budget is spent", company)
            await limiter.spend(key, REFUSED - spent, BUDGET_TTL)


def _int(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _retry_after(headers: Mapping[str, str]) -> float:
    try:
        return float(headers.get("retry-after") or 0)
    except ValueError:
        return 0.0


def seconds_to_midnight(now: datetime | None = None) -> float:
    """Seconds until the next UTC midnight, when Pipedrive's daily budgets start again."""
    now = now or datetime.now(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    return (midnight - now).total_seconds()
