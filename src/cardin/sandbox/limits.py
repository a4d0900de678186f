"""Pipedrive's rate limits: a per-token rolling 2-second burst window, a per-company daily budget.

Figures from Pipedrive's rate-limiting guide: burst 20/40/100/120 requests per 2 s by plan (10 for
the Search API on every plan), four times that for an OAuth app's requests (80 to 480); daily budget
30,000 tokens x plan multiplier (1/2/5/7) x seats, reset at midnight (UTC here; Pipedrive only says
"server's timezone"); and `x-daily-requests-left` counting the 10,000 POST/PUT requests a user may
send per UTC day.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

BURST_WINDOW_SECONDS = 2.0
SEARCH_BURST_LIMIT = 10
BASE_DAILY_TOKENS = 30_000
DAILY_WRITE_REQUESTS = 10_000
BURST_LIMITS = {"lite": 20, "growth": 40, "premium": 100, "ultimate": 120}
OAUTH_BURST_FACTOR = 4
"""OAuth apps get four times an API token's burst (Lite 80 per 2 s, up to 480)."""
PLAN_MULTIPLIERS = {"lite": 1, "growth": 2, "premium": 5, "ultimate": 7}


def daily_budget(plan: str, seats: int) -> int:
    """The company's daily token budget for its plan and number of seats."""
    return BASE_DAILY_TOKENS * PLAN_MULTIPLIERS[plan] * seats


def utc_today() -> date:
    """Today's date in UTC, the day the sandbox's budgets count."""
    return datetime.now(UTC).date()


@dataclass(frozen=True, slots=True)
class Verdict:
    """The limiter's answer: headers for the response and, when refused, why and for how long."""

    headers: dict[str, str]
    retry_after: int | None = None
    reason: str = ""

    @property
    def allowed(self) -> bool:
        """Whether the request may proceed."""
        return self.retry_after is None


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking: the token, its company and what the request costs."""

    token: str
    company_id: int
    plan: str
    seats: int
    cost: int
    is_search: bool = False
    is_write: bool = False
    oauth: bool = False
    """An OAuth app's request: four times the burst limit of an API token."""


class RateLimiter:
    """Burst windows per token (and per token for search) and token spend per company per day."""

    def __init__(
        self,
        clock: Callable[[], float],
        today: Callable[[], date] = utc_today,
        *,
        window: float = BURST_WINDOW_SECONDS,
        burst_limit: int | None = None,
        search_limit: int = SEARCH_BURST_LIMIT,
    ) -> None:
        """`window`, `burst_limit` (for every plan) and `search_limit` shrink the documented
        limits for a test that must fill a window quickly."""
        self._clock = clock
        self._today = today
        self._window_seconds = window
        self._burst_limit_override = burst_limit
        self._search_limit = search_limit
        self._windows: dict[tuple[str, bool], deque[float]] = {}
        self._spent: dict[int, tuple[date, int]] = {}
        self._writes: dict[str, tuple[date, int]] = {}

    def admit(self, caller: Caller) -> Verdict:
        """Admit and charge one request, or refuse it with a Retry-After in seconds."""
        now = self._clock()
        window = self._window(caller, now)
        limit = self._burst_limit(caller)
        if len(window) >= limit:
            wait = _seconds_until_reset(window, now, self._window_seconds)
            headers = self._headers(caller, limit, window, now)
            return Verdict(headers, retry_after=wait, reason="burst")
        if self.spent(caller.company_id) + caller.cost > daily_budget(caller.plan, caller.seats):
            headers = self._headers(caller, limit, window, now)
            return Verdict(headers, retry_after=self._seconds_until_midnight(), reason="budget")
        window.append(now)
        self.charge(caller.company_id, caller.cost)
        if caller.is_write:
            self._writes[caller.token] = (self._today(), self._writes_today(caller.token) + 1)
        return Verdict(self._headers(caller, limit, window, now))

    def idle_headers(self, plan: str = "lite") -> dict[str, str]:
        """Headers for an answer given before any window applies (unknown token, 402)."""
        limit = self._burst_limit_override or BURST_LIMITS.get(plan, BURST_LIMITS["lite"])
        return _header_map(limit, limit, math.ceil(self._window_seconds), DAILY_WRITE_REQUESTS)

    def charge(self, company_id: int, tokens: int) -> None:
        """Add `tokens` to the company's spend for today."""
        self._spent[company_id] = (self._today(), self.spent(company_id) + tokens)

    def spent(self, company_id: int) -> int:
        """Tokens the company has spent today."""
        day, spent = self._spent.get(company_id, (self._today(), 0))
        return spent if day == self._today() else 0

    def _window(self, caller: Caller, now: float) -> deque[float]:
        window = self._windows.setdefault((caller.token, caller.is_search), deque())
        while window and window[0] <= now - self._window_seconds:
            window.popleft()
        return window

    def _burst_limit(self, caller: Caller) -> int:
        if caller.is_search:
            return self._search_limit
        if self._burst_limit_override:
            return self._burst_limit_override
        return BURST_LIMITS[caller.plan] * (OAUTH_BURST_FACTOR if caller.oauth else 1)

    def _writes_today(self, token: str) -> int:
        day, count = self._writes.get(token, (self._today(), 0))
        return count if day == self._today() else 0

    def _headers(
        self, caller: Caller, limit: int, window: deque[float], now: float
    ) -> dict[str, str]:
        remaining = max(limit - len(window), 0)
        reset = _seconds_until_reset(window, now, self._window_seconds)
        writes_left = max(DAILY_WRITE_REQUESTS - self._writes_today(caller.token), 0)
        return _header_map(limit, remaining, reset, writes_left)

    def _seconds_until_midnight(self) -> int:
        now = datetime.now(UTC)
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
        return max(math.ceil((midnight - now).total_seconds()), 1)


def _seconds_until_reset(window: deque[float], now: float, seconds: float) -> int:
    if not window:
        return math.ceil(seconds)
    return max(math.ceil(window[0] + seconds - now), 1)


def _header_map(limit: int, remaining: int, reset: int, writes_left: int) -> dict[str, str]:
    return {
        "x-ratelimit-limit": str(limit),
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-reset": str(reset),
        "x-daily-requests-left": str(writes_left),
    }
