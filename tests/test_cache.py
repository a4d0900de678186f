"""Both cache backends behave the same: values, expiry, deletion; Redis failures are misses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from cardin.cache import Cache, MemoryCache
from cardin.cache_redis import RedisCache
from cardin.contact.outcome import FailureKind
from cardin.lookup.results import ResultCache, problem_key

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


async def test_add_stores_only_when_absent_and_one_of_racing_callers_wins(cache: Cache) -> None:
    await cache.delete("cardin:test:lock")
    results = await asyncio.gather(
        *(cache.add("cardin:test:lock", f"{n}".encode(), 60) for n in range(8))
    )
    assert results.count(True) == 1
    winner = results.index(True)
    assert await cache.get("cardin:test:lock") == f"{winner}".encode()
    assert await cache.add("cardin:test:lock", b"late", 60) is False
    await cache.delete("cardin:test:lock")
    assert await cache.add("cardin:test:lock", b"again", 60) is True
    await cache.delete("cardin:test:lock")


async def test_an_expired_key_can_be_added_again() -> None:
    clock = Clock()
    cache = MemoryCache(clock=clock)
    assert await cache.add("k", b"1", 5) is True
    clock.now += 6
    assert await cache.add("k", b"2", 5) is True
    assert await cache.get("k") == b"2"


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
    await asyncio.sleep(0.1)
    assert await backend.get("cardin:test:ttl") is None
    await backend.close()


async def test_pop_takes_a_value_once_and_one_of_racing_callers_gets_it(cache: Cache) -> None:
    await cache.set("cardin:test:once", b"record", 60)
    results = await asyncio.gather(*(cache.pop("cardin:test:once") for _ in range(8)))
    assert [r for r in results if r is not None] == [b"record"]
    assert await cache.get("cardin:test:once") is None
    assert await cache.pop("cardin:test:once") is None
    assert await cache.pop("cardin:test:never-set") is None


async def test_an_expired_value_cannot_be_popped() -> None:
    clock = Clock()
    cache = MemoryCache(clock=clock)
    await cache.set("k", b"v", 10)
    clock.now += 10
    assert await cache.pop("k") is None


async def test_unreachable_redis_is_a_miss_not_an_error() -> None:
    backend = RedisCache.from_url("redis://127.0.0.1:9/0")
    await backend.set("k", b"v", 10)
    assert await backend.get("k") is None
    await backend.delete("k")
    assert await backend.add("k", b"v", 10) is True  # nobody to coordinate with: go ahead
    assert await backend.pop("k") is None  # a single-use value is refused, never used twice
    await backend.close()


class _FlakyRedis:
    """A stand-in for redis.asyncio.Redis that can be switched off; counts the calls it gets."""

    def __init__(self) -> None:
        self.down = False
        self.calls = 0
        self.values: dict[str, bytes] = {}

    def _check(self) -> None:
        self.calls += 1
        if self.down:
            raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379")

    async def get(self, key: str) -> bytes | None:
        self._check()
        return self.values.get(key)

    async def set(self, key: str, value: bytes, px: int) -> None:  # noqa: ARG002 - Redis signature
        self._check()
        self.values[key] = value

    async def delete(self, key: str) -> None:
        self._check()
        self.values.pop(key, None)


async def test_a_redis_outage_is_logged_once_skipped_meanwhile_and_recovered(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    flaky = _FlakyRedis()
    backend = RedisCache(flaky, clock=clock)  # type: ignore[arg-type]
    await backend.set("k", b"v", 60)
    flaky.down = True
    with caplog.at_level("WARNING", logger="cardin.cache_redis"):
        for _ in range(10):
            assert await backend.get("k") is None
            await backend.set("k", b"w", 60)
        assert backend.is_down
        assert flaky.calls == 2  # the first failure, then skipped during the pause
        clock.now += 5
        assert await backend.get("k") is None  # one probe, still down: no second warning
        flaky.down = False
        clock.now += 5
        assert await backend.get("k") == b"v"
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == "Redis cache unreachable (ConnectionError): running without a cache"
    assert messages[1].startswith("Redis cache reachable again after 10 s")
    assert len(messages) == 2
    assert not backend.is_down


async def test_a_connector_problem_is_kept_until_cleared_and_only_for_reauth_or_payment() -> None:
    cache = MemoryCache()
    results = ResultCache(cache)
    assert await results.problem("c1") is None
    await results.note_problem("c1", FailureKind.UNAVAILABLE)  # a passing outage: no warning
    assert await results.problem("c1") is None
    await results.note_problem("c1", FailureKind.REAUTH)
    assert await results.problem("c1") is FailureKind.REAUTH
    assert await results.problem("c2") is None
    await results.note_problem("c1", FailureKind.PAYMENT)
    assert await results.problem("c1") is FailureKind.PAYMENT
    await results.clear_problem("c1")
    assert await results.problem("c1") is None
    await cache.set(problem_key("c1"), b"\xff not a kind", 60)  # unreadable: no warning
    assert await results.problem("c1") is None
