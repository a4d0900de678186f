"""The shared limiter against the sandbox's burst limits: concurrent calls wait for the window
instead of drawing 429s, within one engine and across engines sharing the limiter (two service
processes sharing Redis), and the window learns from Pipedrive's headers.

The sandbox's window is shrunk (0.2 s, 10 requests) so that 60 calls take about a second.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import redis.asyncio as redis
from prometheus_client import REGISTRY

from cardin.cache import MemoryCache
from cardin.cache_redis import RedisCache
from cardin.lookup import AccountKey, LookupEngine
from cardin.lookup.pacing import Pacing, PacingConfig, credential_fingerprint, lookup_cost
from cardin.lookup.plan import Limits, Parts
from cardin.pipedrive import ApiToken, PacedRequest, RetryPolicy
from cardin.ratelimit import Limiter, MemoryLimiter, RedisLimiter, limiter_for
from cardin.sandbox import DEMO_COMPANY_ID, DEMO_TOKEN, DEMO_USER_ID, Sandbox, demo_dataset
from cardin.sandbox.limits import RateLimiter
from tests.conftest import SANDBOX_URL, TODAY
from tests.test_cache import REDIS_URL, redis_available

WINDOW = 0.2
LIMIT = 10
SEARCH_LIMIT = 4
ACCOUNT = AccountKey(DEMO_COMPANY_ID, DEMO_USER_ID)
CONFIG = PacingConfig(window=WINDOW, margin=0.06, search_limit=SEARCH_LIMIT, default_limit=LIMIT)


def tight_sandbox() -> Sandbox:
    """The demo sandbox with its limits on and its burst window shrunk."""
    sandbox = Sandbox(demo_dataset(TODAY), timeout_seconds=5.0)
    sandbox.limiter = RateLimiter(
        time.monotonic, window=WINDOW, burst_limit=LIMIT, search_limit=SEARCH_LIMIT
    )
    return sandbox


@pytest.fixture(params=["memory", "redis"])
async def shared(request: pytest.FixtureRequest) -> AsyncIterator[tuple[Limiter, Limiter]]:
    """Two limiters over one store: one MemoryLimiter twice (one process), or two Redis
    connections (two processes sharing Redis)."""
    if request.param == "memory":
        memory = MemoryLimiter()
        yield memory, memory
        return
    if not await redis_available():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    # patient connections: on a loaded machine a 1 s timeout would make the limiter step aside
    # (Redis away: admitted), which is the outage behaviour, not what this test checks
    first, second = (
        RedisCache(redis.Redis.from_url(REDIS_URL, socket_timeout=10.0)) for _ in range(2)
    )
    await _forget_windows()
    yield RedisLimiter(first), RedisLimiter(second)
    await _forget_windows()
    await first.close()
    await second.close()


async def _forget_windows() -> None:
    name = credential_fingerprint(ApiToken(DEMO_TOKEN))
    client = redis.Redis.from_url(REDIS_URL)
    await client.delete(f"cardin:rl:1:burst:{name}", f"cardin:rl:1:search:{name}")
    await client.aclose()


def engine_on(http: httpx.AsyncClient, limiter: Limiter | None) -> LookupEngine:
    # one attempt: a 429 is not retried, so each one shows in the sandbox's log
    return LookupEngine(
        http,
        MemoryCache(),
        api_base=SANDBOX_URL,
        retry=RetryPolicy(attempts=1),
        pacing=Pacing(limiter, CONFIG) if limiter is not None else None,
    )


def statuses(sandbox: Sandbox) -> list[int]:
    return [r.status for r in sandbox.requests]


async def test_without_the_limiter_a_burst_draws_429s() -> None:
    """The control: the sandbox's shrunk window does refuse a burst of 60."""
    sandbox = tight_sandbox()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app)) as http:
        client = engine_on(http, None).client(ApiToken(DEMO_TOKEN), SANDBOX_URL, account=ACCOUNT)
        await asyncio.gather(*(client.current_user() for _ in range(60)), return_exceptions=True)
    assert statuses(sandbox).count(429) >= 10


async def test_60_concurrent_calls_on_one_token_from_two_engines_draw_no_429(
    shared: tuple[Limiter, Limiter],
) -> None:
    sandbox = tight_sandbox()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app)) as http:
        clients = [
            engine_on(http, limiter).client(ApiToken(DEMO_TOKEN), SANDBOX_URL, account=ACCOUNT)
            for limiter in shared
        ]
        calls = [clients[i % 2].current_user() for i in range(60)]
        users = await asyncio.gather(*calls)
    assert len(users) == 60
    assert statuses(sandbox) == [200] * 60


async def test_searches_keep_to_the_search_window(shared: tuple[Limiter, Limiter]) -> None:
    sandbox = tight_sandbox()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app)) as http:
        clients = [
            engine_on(http, limiter).client(ApiToken(DEMO_TOKEN), SANDBOX_URL, account=ACCOUNT)
            for limiter in shared
        ]
        searches = [clients[i % 2].search_persons_by_email("x@y.example") for i in range(16)]
        await asyncio.gather(*searches)
    assert statuses(sandbox) == [200] * 16


async def test_requests_another_program_made_with_the_token_are_counted_from_the_headers() -> None:
    sandbox = tight_sandbox()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app)) as http:
        client = engine_on(http, MemoryLimiter()).client(
            ApiToken(DEMO_TOKEN), SANDBOX_URL, account=ACCOUNT
        )
        await client.current_user()  # the pacer learns the window from this reply
        for _ in range(6):  # someone else, on the same token, unpaced
            await http.get(f"{SANDBOX_URL}/v1/users/me", headers={"x-api-token": DEMO_TOKEN})
        await client.current_user()  # its reply says 8 of 10 are used
        await asyncio.gather(*(client.current_user() for _ in range(12)))
    assert 429 not in statuses(sandbox)


async def test_the_pacer_counts_the_companys_tokens() -> None:
    sandbox = tight_sandbox()
    limiter = MemoryLimiter()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app)) as http:
        engine = engine_on(http, limiter)
        client = engine.client(ApiToken(DEMO_TOKEN), SANDBOX_URL, account=ACCOUNT)
        await client.current_user()
        await client.search_persons_by_email("x@y.example")
        left = await engine.pacing.budget_left(DEMO_COMPANY_ID)
    assert left == CONFIG.seat_tokens - 22  # 2 + 20, the documented costs
    assert sandbox.tokens_spent(DEMO_COMPANY_ID) == 22


async def test_a_wait_longer_than_allowed_sends_anyway() -> None:
    labels = {"window": "burst", "result": "gave_up"}
    before = REGISTRY.get_sample_value("cardin_limiter_waits_total", labels) or 0.0
    limiter = MemoryLimiter()
    pacing = Pacing(limiter, PacingConfig(window=60.0, default_limit=1))
    pacer = pacing.pacer(ApiToken(DEMO_TOKEN), DEMO_COMPANY_ID, DEMO_USER_ID)
    request = PacedRequest("GET", "/v1/users/me", 2)
    await pacer.before(request, wait_at_most=0.05)
    # the window is full for a minute: no waiting that long, the request goes (and is counted)
    await pacer.before(request, wait_at_most=0.05)
    assert REGISTRY.get_sample_value("cardin_limiter_waits_total", labels) == before + 1


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_both_limiters_share_the_same_behaviour(backend: str) -> None:
    if backend == "redis":
        if not await redis_available():
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        cache = RedisCache.from_url(REDIS_URL)
        limiter = limiter_for(cache)
        assert isinstance(limiter, RedisLimiter)
        key = f"test:window:{time.time_ns()}"
    else:
        limiter, key = MemoryLimiter(), "test:window"
    assert [await limiter.acquire(key, 3, 0.3) for _ in range(3)] == [0, 0, 0]
    wait = await limiter.acquire(key, 3, 0.3)
    assert 0 < wait <= 0.3
    await asyncio.sleep(wait + 0.02)
    assert await limiter.acquire(key, 3, 0.3) == 0
    await limiter.observe(key + ":other", 3, 0.3)
    assert await limiter.acquire(key + ":other", 3, 0.3) > 0
    assert await limiter.spend(key + ":spent", 5, 10.0) == 5
    assert await limiter.spend(key + ":spent", 7, 10.0) == 12
    assert await limiter.spent(key + ":spent") == 12
    assert await limiter.spent(key + ":none") == 0
    await limiter.settle((key + ":third", 3, 0.3), (key + ":spent", 8, 10.0))
    assert await limiter.acquire(key + ":third", 3, 0.3) > 0
    assert await limiter.spent(key + ":spent") == 20
    await limiter.settle(None, None)
    if backend == "redis":
        await cache.close()  # type: ignore[possibly-undefined]


async def test_an_unreachable_redis_admits_everything_and_counts_nothing() -> None:
    cache = RedisCache.from_url("redis://127.0.0.1:9/0")
    limiter = RedisLimiter(cache)
    assert [await limiter.acquire("k", 1, 60.0) for _ in range(3)] == [0, 0, 0]
    await limiter.observe("k", 5, 60.0)
    assert await limiter.spend("s", 5, 60.0) == 0
    assert await limiter.spent("s") == 0
    await limiter.settle(("k", 5, 60.0), ("s", 5, 60.0))
    await cache.close()


def test_a_lookups_estimated_cost_follows_its_parts() -> None:
    assert lookup_cost(Parts(), Limits()) == 22 + 20 + 10 + 10 + 5 * 30
    nothing = Parts(notes=False, deals=False, activities=False)
    assert lookup_cost(nothing, Limits()) == 22
