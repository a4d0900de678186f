"""Rate windows and token counts shared through the cache backend: the limiter's storage.

Two operations, each atomic where the calls of several service processes meet:

- a rolling window of requests (`acquire`: count one more request when fewer than `limit` were
  counted in the last `window` seconds, else say how long until one leaves the window; `observe`:
  Pipedrive reported more requests in the window than were counted here, so pad the count;
  `settle`'s `held`: the request's answer came, so it is counted from now on, the latest it can
  have reached Pipedrive, however late it got there);
- a counter that expires (`spend`, `spent`: the tokens a company spent today; `put`, `counts`: a
  number kept for a while, such as a company's seats, and several counters read at once).

Pipedrive's headers are trusted only so far: no reply adds more than `MAX_COUNTED` requests to a
window, so that a wrong header cannot make a script add millions of members.

`MemoryLimiter` serves one process (beside `MemoryCache`); `RedisLimiter` (beside `RedisCache`,
on the same connection) serves every process that shares the Redis: a window is a sorted set
updated by a small Lua script on Redis' own clock. Redis away: every request is admitted and
nothing is counted, never an error (`limiter_for`).
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from typing import Protocol

import redis.asyncio as redis

from cardin.cache import Cache, MemoryCache
from cardin.cache_redis import RedisCache

MAX_COUNTED = 1_000
"""The most requests a window counts from one reply (Pipedrive's largest burst limit is far
below)."""


class Limiter(Protocol):
    """Shared rolling windows and expiring counters (see the module's docstring)."""

    async def acquire(self, key: str, limit: int, window: float, member: str = "") -> float:
        """0 when one more request was counted in the window (as `member`, when given: see
        `settle`); else seconds until a slot frees."""
        ...

    async def observe(self, key: str, used: int, window: float) -> None:
        """Pipedrive counted `used` requests in the window: count at least as many."""
        ...

    async def spend(self, key: str, amount: int, ttl: float) -> int:
        """Add `amount` to the counter (kept `ttl` seconds from its first use); the new total."""
        ...

    async def spent(self, key: str) -> int:
        """The counter's total; 0 when absent."""
        ...

    async def put(self, key: str, value: int, ttl: float) -> None:
        """Set the counter to `value`, kept `ttl` seconds from now."""
        ...

    async def counts(self, keys: Sequence[str]) -> list[int | None]:
        """The counters' totals at once (one round trip); None for one that is absent."""
        ...

    async def settle(
        self,
        window: tuple[str, int, float] | None,
        spend: tuple[str, int, float] | None,
        held: tuple[str, str, float] | None = None,
    ) -> None:
        """After a request, at once (one round trip): `observe(*window)` and `spend(*spend)`,
        each when given; `held` (key, member, window): the request is counted in that window
        from now on, as `member` (moved there when `acquire` counted it, added when not)."""
        ...


class MemoryLimiter:
    """In-process windows and counters; the clock is injectable for tests."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, deque[tuple[float, str]]] = {}  # (time, member), in order
        self._counters: dict[str, tuple[float, int]] = {}

    def _window(self, key: str, window: float) -> deque[tuple[float, str]]:
        times = self._windows.setdefault(key, deque())
        now = self._clock()
        while times and times[0][0] <= now - window:
            times.popleft()
        return times

    async def acquire(self, key: str, limit: int, window: float, member: str = "") -> float:
        """Count one more request, or the seconds until the oldest leaves the window."""
        times = self._window(key, window)
        now = self._clock()
        if len(times) < limit:
            times.append((now, member))
            return 0.0
        return max(times[0][0] + window - now, 0.001)

    async def observe(self, key: str, used: int, window: float) -> None:
        """Pad the window to `used` requests (at most `MAX_COUNTED`), counted now."""
        times = self._window(key, window)
        now = self._clock()
        times.extend(itertools.repeat((now, ""), max(min(used, MAX_COUNTED) - len(times), 0)))

    def _hold(self, key: str, member: str, window: float) -> None:
        """Count the request `member` from now on (the latest entry of its window)."""
        times = self._window(key, window)
        for index, (_, held) in enumerate(times):
            if held == member:
                del times[index]
                break
        times.append((self._clock(), member))

    async def spend(self, key: str, amount: int, ttl: float) -> int:
        """Add to the counter; it starts again after `ttl` seconds."""
        total = await self.spent(key) + amount
        expires = self._counters.get(key, (self._clock() + ttl, 0))[0]
        self._counters[key] = (expires, total)
        return total

    async def settle(
        self,
        window: tuple[str, int, float] | None,
        spend: tuple[str, int, float] | None,
        held: tuple[str, str, float] | None = None,
    ) -> None:
        """`held`, `observe` and `spend`, each when given."""
        if held is not None:
            self._hold(*held)
        if window is not None:
            await self.observe(*window)
        if spend is not None:
            await self.spend(*spend)

    async def spent(self, key: str) -> int:
        """The counter's total, 0 once expired."""
        return (await self.counts([key]))[0] or 0

    async def put(self, key: str, value: int, ttl: float) -> None:
        """Set the counter; it is forgotten after `ttl` seconds."""
        self._counters[key] = (self._clock() + ttl, value)

    async def counts(self, keys: Sequence[str]) -> list[int | None]:
        """The counters' totals, None for one absent or expired."""
        now = self._clock()
        totals: list[int | None] = []
        for key in keys:
            expires, total = self._counters.get(key, (0.0, 0))
            if expires <= now:
                self._counters.pop(key, None)
                totals.append(None)
            else:
                totals.append(total)
        return totals


# KEYS[1]: the window (a sorted set of request times in ms); ARGV: limit, window in ms, a unique
# member. Times come from Redis' clock, the one clock every process shares.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
"""

# Fills the window KEYS[1] up to ARGV[1] requests (what Pipedrive says it counted), on Redis'
# clock; ARGV[2] is the window in ms, ARGV[3] a unique prefix of the entries it adds.
_FILL_WINDOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
for i = count + 1, tonumber(ARGV[1]) do
  redis.call('ZADD', KEYS[1], now, ARGV[3] .. i)
end
redis.call('PEXPIRE', KEYS[1], window)
"""

# KEYS[1]: the window; ARGV: requests Pipedrive counted, window in ms, a unique prefix.
_OBSERVE = _FILL_WINDOW + "return 0\n"

# KEYS[1]: the window, KEYS[2]: the counter, KEYS[3]: the held request's window; ARGV: requests
# Pipedrive counted (0: none to observe), window in ms, a unique prefix, tokens to add (0: none),
# the counter's ttl in ms, the held request's member ("": none), its window in ms.
_SETTLE = (
    """if ARGV[6] ~= '' then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('ZADD', KEYS[3], now, ARGV[6])
  redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[7]))
end
if tonumber(ARGV[1]) > 0 then
"""
    + _FILL_WINDOW
    + """end
if tonumber(ARGV[4]) > 0 then
  local total = redis.call('INCRBY', KEYS[2], ARGV[4])
  if total == tonumber(ARGV[4]) then
    redis.call('PEXPIRE', KEYS[2], ARGV[5])
  end
end
return 0
"""
)


class RedisLimiter:
    """Windows and counters in Redis, through the cache's connection and its outage handling."""

    def __init__(self, cache: RedisCache) -> None:
        self._cache = cache
        self._redis: redis.Redis = cache.client
        self._acquire = self._redis.register_script(_ACQUIRE)
        self._observe = self._redis.register_script(_OBSERVE)
        self._settle = self._redis.register_script(_SETTLE)

    async def acquire(self, key: str, limit: int, window: float, member: str = "") -> float:
        """Count one more request atomically; Redis away: admitted (0)."""
        args: list[str | int] = [limit, _ms(window), member or uuid.uuid4().hex]
        waited: object = await self._cache.call(lambda: self._acquire(keys=[key], args=args), 0)
        return int(waited) / 1000 if isinstance(waited, int) else 0.0

    async def observe(self, key: str, used: int, window: float) -> None:
        """Pad the window to `used` requests (at most `MAX_COUNTED`); Redis away: nothing."""
        args: list[str | int] = [min(used, MAX_COUNTED), _ms(window), uuid.uuid4().hex]
        await self._cache.call(lambda: self._observe(keys=[key], args=args), None)

    async def spend(self, key: str, amount: int, ttl: float) -> int:
        """INCRBY, and the expiry set with the first spend; Redis away: 0."""
        total: object = await self._cache.call(lambda: self._spend(key, amount, ttl), 0)
        return total if isinstance(total, int) else 0

    async def _spend(self, key: str, amount: int, ttl: float) -> int:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incrby(key, amount)
            pipe.pexpire(key, _ms(ttl), nx=True)
            total, _ = await pipe.execute()
        return int(total)

    async def settle(
        self,
        window: tuple[str, int, float] | None,
        spend: tuple[str, int, float] | None,
        held: tuple[str, str, float] | None = None,
    ) -> None:
        """All three in one script run (at most `MAX_COUNTED` requests observed); Redis away:
        nothing."""
        if window is None and spend is None and held is None:
            return
        window_key, used, seconds = window or ("cardin:rl:none", 0, 1.0)
        counter, amount, ttl = spend or ("cardin:rl:none", 0, 1.0)
        held_key, member, held_seconds = held or ("cardin:rl:none", "", 1.0)
        keys = [window_key, counter, held_key]
        args: list[str | int] = [
            min(used, MAX_COUNTED),
            _ms(seconds),
            uuid.uuid4().hex,
            amount,
            _ms(ttl),
            member,
            _ms(held_seconds),
        ]
        await self._cache.call(lambda: self._settle(keys=keys, args=args), None)

    async def spent(self, key: str) -> int:
        """The counter's total; 0 when absent or Redis is away."""
        return (await self.counts([key]))[0] or 0

    async def put(self, key: str, value: int, ttl: float) -> None:
        """SET with an expiry; Redis away: nothing."""
        await self._cache.set(key, str(value).encode(), ttl)

    async def counts(self, keys: Sequence[str]) -> list[int | None]:
        """MGET; None for a counter absent or not a number, all None when Redis is away."""
        missing: list[object] = [None] * len(keys)
        raw: object = await self._cache.call(lambda: self._redis.mget(list(keys)), missing)
        values = raw if isinstance(raw, list) and len(raw) == len(keys) else missing
        return [_count(value) for value in values]


def _count(raw: object) -> int | None:
    try:
        return int(raw) if isinstance(raw, bytes | str) else None
    except ValueError:
        return None


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def limiter_for(cache: Cache) -> Limiter | None:
    """The limiter beside a cache backend: shared through Redis, in-process beside the memory
    cache; None for another backend (no pacing)."""
    if isinstance(cache, RedisCache):
        return RedisLimiter(cache)
    if isinstance(cache, MemoryCache):
        return MemoryLimiter()
    return None
