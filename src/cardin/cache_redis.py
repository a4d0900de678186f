"""The Redis backend of the cache: several service processes share lookups and metadata."""

from __future__ import annotations

import redis.asyncio as redis


class RedisCache:
    """`cardin.cache.Cache` on Redis; keys expire with Redis' own TTL."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    @classmethod
    def from_url(cls, url: str) -> RedisCache:
        """Connect lazily to `redis://host:port/db` with short socket timeouts."""
        return cls(redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0))

    async def get(self, key: str) -> bytes | None:
        """The value, or None when absent, expired, or Redis is unreachable (a cache miss)."""
        try:
            value = await self._redis.get(key)
        except redis.RedisError:
            return None
        return value if isinstance(value, bytes) else None

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        """Store for `ttl` seconds; an unreachable Redis only costs the cache."""
        try:
            await self._redis.set(key, value, px=max(1, int(ttl * 1000)))
        except redis.RedisError:
            return

    async def delete(self, key: str) -> None:
        """Forget a value."""
        try:
            await self._redis.delete(key)
        except redis.RedisError:
            return

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()
