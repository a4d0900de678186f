"""The Redis backend of the cache: several service processes share lookups and metadata.

Redis is an optimisation, never a dependency: while it is unreachable every call is a miss (or
a no-op), one warning says so when the outage starts and one line when it ends, and for a short
pause after a failure calls skip Redis instead of each waiting for a socket timeout.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import redis.asyncio as redis

log = logging.getLogger(__name__)
OUTAGE_PAUSE = 5.0
MAX_CONNECTIONS = 64
T = TypeVar("T")


class RedisCache:
    """`cardin.cache.Cache` on Redis; keys expire with Redis' own TTL."""

    def __init__(self, client: redis.Redis, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._redis = client
        self._clock = clock
        self._down_since: float | None = None
        self._retry_at = 0.0

    @classmethod
    def from_url(cls, url: str) -> RedisCache:
        """Connect lazily to `redis://host:port/db` with short socket timeouts.

        At most MAX_CONNECTIONS at once: a call beyond them waits (up to the socket timeout) for
        one to come free, rather than failing as if Redis were away.
        """
        pool = redis.BlockingConnectionPool.from_url(
            url,
            max_connections=MAX_CONNECTIONS,
            timeout=1.0,
            socket_timeout=1.0,
            socket_connect_timeout=1.0,
        )
        return cls(redis.Redis.from_pool(pool))

    @property
    def client(self) -> redis.Redis:
        """The connection, for the limiter that shares it (`cardin.ratelimit`)."""
        return self._redis

    @property
    def is_down(self) -> bool:
        """Whether the last call found Redis unreachable."""
        return self._down_since is not None

    async def get(self, key: str) -> bytes | None:
        """The value, or None when absent, expired, or Redis is unreachable (a cache miss)."""
        value = await self._call(lambda: self._redis.get(key), None)
        return value if isinstance(value, bytes) else None

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        """Store for `ttl` seconds; an unreachable Redis only costs the cache."""
        await self._call(lambda: self._redis.set(key, value, px=max(1, int(ttl * 1000))), None)

    async def delete(self, key: str) -> None:
        """Forget a value."""
        await self._call(lambda: self._redis.delete(key), None)

    async def add(self, key: str, value: bytes, ttl: float) -> bool:
        """Store only when absent (`SET NX`); an unreachable Redis says True (uncoordinated)."""
        stored: object = await self._call(
            lambda: self._set_if_absent(key, value, ttl), fallback=True
        )
        return bool(stored)

    async def pop(self, key: str) -> bytes | None:
        """Take a value (`GETDEL`, one atomic step); None when absent or Redis is unreachable."""
        value = await self._call(lambda: self._redis.getdel(key), None)
        return value if isinstance(value, bytes) else None

    async def _set_if_absent(self, key: str, value: bytes, ttl: float) -> object:
        return await self._redis.set(key, value, px=max(1, int(ttl * 1000)), nx=True)

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()

    async def call(self, call: Callable[[], Awaitable[T]], fallback: T) -> T:
        """Run a Redis call with this cache's outage handling: `fallback` while Redis is away."""
        return await self._call(call, fallback)

    async def _call(self, call: Callable[[], Awaitable[T]], fallback: T) -> T:
        if self._down_since is not None and self._clock() < self._retry_at:
            return fallback
        try:
            result = await call()
        except redis.RedisError as exc:
            self._failed(exc)
            return fallback
        if self._down_since is not None:
            log.warning(
                "Redis cache reachable again after %.0f s", self._clock() - self._down_since
            )
            self._down_since = None
        return result

    def _failed(self, exc: redis.RedisError) -> None:
        now = self._clock()
        if self._down_since is None:
            # once per outage: the message names the error class, never keys or values
            log.warning("Redis cache unreachable (%s): running without a cache", type(exc).__name__)
            self._down_since = now
        self._retry_at = now + OUTAGE_PAUSE
