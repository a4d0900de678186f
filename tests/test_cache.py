"""Both cache backends behave the same: values, expiry, deletion; Redis failures are misses."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from cardin.cache import Cache, MemoryCache
from cardin.cache_redis import RedisCache

REDIS_URL = "redis://127.0.0.1:6379/15"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def redis_available() -> bool:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        return bool(await client.ping())
    except redis.RedisError:
        return False
    finally:
        await client.aclose()


@pytest.fixture(params=["memory", "redis"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[Cache]:
    if request.param == "memory":
        yield MemoryCache()
        return
    if not await redis_available():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    backend = RedisCache.from_url(REDIS_URL)
    yield backend
    await backend.close()


async def test_values_round_trip_and_delete(cache: Cache) -> None:
    await cache.set("cardin:test:a", b"\x00bytes\xff", 60)
    assert await cache.get("cardin:test:a") == b"\x00bytes\xff"
    await cache.delete("cardin:test:a")
    assert await cache.get("cardin:test:a") is None
    await cache.delete("cardin:test:never-set")


async def test_memory_entries_expire_and_lru_evicts() -> None:
    clock = Clock()
    cache = MemoryCache(max_entries=2, clock=clock)
    await cache.set("a", b"1", 10)
    await cache.set("b", b"2", 10)
    assert await cache.get("a") == b"1"  # a is now most recently used
    await cache.set("c", b"3", 10)
    assert await cache.get("b") is None
    clock.now += 11
    assert await cache.get("a") is None


async def test_redis_entries_expire() -> None:
    if not await redis_available():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    backend = RedisCache.from_url(REDIS_URL)
    await backend.set("cardin:test:ttl", b"x", 0.05)
    import asyncio  # noqa: PLC0415

    await asyncio.sleep(0.1)
    assert await backend.get("cardin:test:ttl") is None
    await backend.close()


async def test_unreachable_redis_is_a_miss_not_an_error() -> None:
    backend = RedisCache.from_url("redis://127.0.0.1:9/0")
    await backend.set("k", b"v", 10)
    assert await backend.get("k") is None
    await backend.delete("k")
    await backend.close()
