"""Where a lookup starts: identical lookups in flight run once (one process, or two engines
sharing Redis), and a company whose daily budget is spent is answered from what is cached."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis

from cardin import cards
from cardin.cache import Cache, MemoryCache
from cardin.cache_redis import RedisCache
from cardin.contact.model import Match, NoMatch
from cardin.contact.outcome import Failure, FailureKind
from cardin.lookup import LookupEngine
from cardin.lookup.codec import Unreadable
from cardin.lookup.pacing import Pacing
from cardin.lookup.results import ResultCache
from cardin.pipedrive import Unavailable
from cardin.ratelimit import Limiter, MemoryLimiter, RedisLimiter, limiter_for
from cardin.sandbox import DEMO_COMPANY_ID, RICH_EMAIL, Sandbox
from cardin.usecases import coalesce, lookups, runs
from cardin.usecases.people import Participant
from cardin.usecases.services import Services
from tests.cards import fixtures
from tests.cards.probe import texts
from tests.cards.validate import assert_valid_card
from tests.conftest import NOW, SANDBOX_URL
from tests.test_cache import REDIS_URL, redis_available
from tests.usecases.test_usecases import connected


def with_cache(services: Services, cache: Cache, *, limiter: bool = True) -> Services:
    """The services on another cache, the engine paced by the limiter beside it."""
    engine = LookupEngine(
        services.engine._http,
        cache,
        api_base=SANDBOX_URL,
        clock=lambda: NOW,
        pacing=Pacing(limiter_for(cache)) if limiter else None,
    )
    return dataclasses.replace(services, engine=engine, cache=cache, results=ResultCache(cache))


def on_limiter(services: Services, cache: Cache, limiter: Limiter) -> Services:
    """A worker: the services on a cache, the engine paced by a fresh Pacing on `limiter`."""
    engine = LookupEngine(
        services.engine._http,
        cache,
        api_base=SANDBOX_URL,
        clock=lambda: NOW,
        pacing=Pacing(limiter),
    )
    return dataclasses.replace(services, engine=engine, cache=cache, results=ResultCache(cache))


def searches(sandbox: Sandbox) -> int:
    return sum(r.path == "/api/v2/persons/search" for r in sandbox.requests)


async def test_identical_lookups_at_once_make_one_set_of_calls(
    services: Services, sandbox: Sandbox
) -> None:
    connector = await connected(services)
    key = runs.cache_id(connector)
    await runs.look_up(services, connector, RICH_EMAIL)  # the account's metadata is cached
    await services.results.forget(key, RICH_EMAIL)
    sandbox.reset_log()
    await runs.look_up(services, connector, RICH_EMAIL)
    one_lookup = len(sandbox.requests)
    await services.results.forget(key, RICH_EMAIL)
    sandbox.reset_log()

    outcomes = await asyncio.gather(
        *(runs.look_up(services, connector, RICH_EMAIL) for _ in range(5))
    )
    assert all(isinstance(o, Match) for o in outcomes)
    assert {o.contact.name for o in outcomes} == {"Élodie Marchand"}  # type: ignore[union-attr]
    assert searches(sandbox) == 1
    assert len(sandbox.requests) == one_lookup  # the five cost what one costs


async def test_a_failure_is_shared_with_the_lookups_waiting_for_it(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    connector = await connected(services)
    calls = 0

    async def down(*_: object, **__: object) -> None:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        raise Unavailable("Pipedrive answered 503", status=503)

    monkeypatch.setattr(services.engine, "lookup", down)
    outcomes = await asyncio.gather(
        *(runs.look_up(services, connector, RICH_EMAIL) for _ in range(3))
    )
    assert calls == 1
    assert {o.kind for o in outcomes if isinstance(o, Failure)} == {FailureKind.UNAVAILABLE}
    assert len(outcomes) == 3


async def test_a_waiter_runs_the_lookup_itself_when_the_first_gives_no_answer(
    services: Services, sandbox: Sandbox
) -> None:
    connector = await connected(services)
    # a lock left by a process that died: the waiter gives up after half of its time
    from cardin.usecases.coalesce import _keys  # noqa: PLC0415

    lock, _ = _keys(runs.cache_id(connector), RICH_EMAIL)
    await services.cache.set(lock, b"1", 60.0)
    outcome = await runs.look_up(services, connector, RICH_EMAIL)
    assert isinstance(outcome, Match)
    assert searches(sandbox) >= 1


@contextlib.asynccontextmanager
async def redis_caches() -> AsyncIterator[tuple[RedisCache, RedisCache]]:
    """Two connections to a Redis emptied of Cardin's keys (two processes sharing it)."""
    if not await redis_available():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    client = redis.Redis.from_url(REDIS_URL)
    keys = [k async for k in client.scan_iter("cardin:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()
    first, second = (
        RedisCache(redis.Redis.from_url(REDIS_URL, socket_timeout=10.0)) for _ in range(2)
    )
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


@pytest.fixture
async def two_redis_caches() -> AsyncIterator[tuple[RedisCache, RedisCache]]:
    async with redis_caches() as caches:
        yield caches


async def test_identical_lookups_in_two_processes_sharing_redis_run_once(
    services: Services, sandbox: Sandbox, two_redis_caches: tuple[RedisCache, RedisCache]
) -> None:
    connector = await connected(services)
    first, second = (with_cache(services, cache) for cache in two_redis_caches)
    sandbox.reset_log()
    outcomes = await asyncio.gather(
        *(runs.look_up(s, connector, RICH_EMAIL) for s in (first, second, first, second))
    )
    assert all(isinstance(o, Match) for o in outcomes)
    assert searches(sandbox) == 1


async def test_a_spent_budget_serves_the_kept_copy_with_the_warning(
    services: Services, sandbox: Sandbox
) -> None:
    paced = with_cache(services, MemoryCache())
    connector = await connected(paced)
    fresh = await lookups.result_for(paced, connector, Participant.of(RICH_EMAIL))
    assert isinstance(fresh.outcome, Match)
    assert fresh.warning is None
    # the result cache has let it go; the company then spends all but a few tokens
    await paced.results.forget(runs.cache_id(connector), RICH_EMAIL)
    pacing = paced.engine.pacing
    limiter = pacing.limiter
    assert isinstance(limiter, MemoryLimiter)
    left = await pacing.budget_left(DEMO_COMPANY_ID)
    assert left is not None
    await limiter.spend(pacing.budget_key(DEMO_COMPANY_ID), left - 10, 60.0)
    sandbox.reset_log()

    kept = await lookups.result_for(paced, connector, Participant.of(RICH_EMAIL))
    assert sandbox.requests == []  # not one call: the copy
    assert isinstance(kept.outcome, Match)
    assert kept.outcome.contact.name == "Élodie Marchand"
    assert kept.warning is FailureKind.RATE_LIMITED
    card = cards.render_outcome_card(
        kept.outcome,
        fixtures.context(),
        email=RICH_EMAIL,
        connector_name=connector.name,
        warning=kept.warning,
    )
    assert_valid_card(card)
    assert "Daily Pipedrive budget used up" in texts(card)

    nothing = await lookups.result_for(paced, connector, Participant.of("new@nowhere.example"))
    assert sandbox.requests == []
    assert isinstance(nothing.outcome, Failure)
    assert nothing.outcome.kind is FailureKind.RATE_LIMITED
    assert nothing.outcome.retry_after is not None
    assert 0 < nothing.outcome.retry_after <= 86_400


async def test_pipedrive_refusing_for_the_day_counts_the_budget_as_spent(
    services: Services, sandbox: Sandbox
) -> None:
    paced = with_cache(services, MemoryCache())
    connector = await connected(paced)
    sandbox.rate_limits = True
    sandbox.limiter.charge(DEMO_COMPANY_ID, 10**9)  # the company has spent everything today
    refused = await runs.look_up(paced, connector, RICH_EMAIL)
    assert isinstance(refused, Failure)
    assert refused.kind is FailureKind.RATE_LIMITED
    assert await paced.engine.pacing.budget_left(DEMO_COMPANY_ID) == 0
    sandbox.reset_log()
    again = await runs.look_up(paced, connector, "someone@else.example")
    assert isinstance(again, Failure)
    assert sandbox.requests == []  # no more 429s drawn today


async def test_without_a_limiter_the_budget_is_not_checked(
    services: Services, sandbox: Sandbox
) -> None:
    plain = with_cache(services, MemoryCache(), limiter=False)
    connector = await connected(plain)
    outcome = await runs.look_up(plain, connector, RICH_EMAIL)
    assert isinstance(outcome, Match | NoMatch)


@pytest.fixture(params=["memory", "redis"])
async def two_workers(
    request: pytest.FixtureRequest,
) -> AsyncIterator[tuple[tuple[Cache, Limiter], tuple[Cache, Limiter]]]:
    """Two workers' caches and limiters over one store: in one process, or sharing Redis."""
    if request.param == "memory":
        cache, limiter = MemoryCache(), MemoryLimiter()
        yield (cache, limiter), (cache, limiter)
        return
    async with redis_caches() as (first, second):
        yield (first, RedisLimiter(first)), (second, RedisLimiter(second))


async def test_a_fresh_worker_knows_the_seats_of_a_company_another_worker_saw(
    services: Services,
    sandbox: Sandbox,
    two_workers: tuple[tuple[Cache, Limiter], tuple[Cache, Limiter]],
) -> None:
    (cache, limiter), (fresh_cache, fresh_limiter) = two_workers
    seen = on_limiter(services, cache, limiter)
    connector = await connected(seen)
    assert isinstance(await runs.look_up(seen, connector, RICH_EMAIL), Match)
    pacing = seen.engine.pacing
    [seats] = await limiter.counts([pacing.seats_key(DEMO_COMPANY_ID)])
    assert seats is not None
    assert seats > 1  # the demo company has several active users
    # today the company has spent more than one seat's budget, less than its seats'
    spent = (await limiter.counts([pacing.budget_key(DEMO_COMPANY_ID)]))[0] or 0
    await limiter.spend(pacing.budget_key(DEMO_COMPANY_ID), 31_000 - spent, 60.0)

    fresh = on_limiter(services, fresh_cache, fresh_limiter)  # has never run a lookup
    sandbox.reset_log()
    answered = await lookups.result_for(fresh, connector, Participant.of("nobody@else.example"))
    assert searches(sandbox) == 1  # looked up, not answered from a copy
    assert isinstance(answered.outcome, NoMatch)
    assert answered.warning is None
    kept = await lookups.result_for(fresh, connector, Participant.of(RICH_EMAIL))
    assert isinstance(kept.outcome, Match)
    assert kept.warning is None  # a cached answer, and no budget warning on it

    # the company truly over its budget: still answered from what is cached, with the warning
    left = await fresh.engine.pacing.budget_left(DEMO_COMPANY_ID)
    assert left is not None
    assert left == seats * 30_000 - 31_000 - sum(r.cost for r in sandbox.requests)
    await fresh_limiter.spend(fresh.engine.pacing.budget_key(DEMO_COMPANY_ID), left - 10, 60.0)
    sandbox.reset_log()
    refused = await lookups.result_for(fresh, connector, Participant.of("third@else.example"))
    assert sandbox.requests == []
    assert isinstance(refused.outcome, Failure)
    assert refused.outcome.kind is FailureKind.RATE_LIMITED
    again = await lookups.result_for(fresh, connector, Participant.of(RICH_EMAIL))
    assert isinstance(again.outcome, Match)
    assert again.warning is FailureKind.RATE_LIMITED


async def test_a_company_whose_seats_are_unknown_is_not_held_back(
    services: Services, sandbox: Sandbox
) -> None:
    paced = with_cache(services, MemoryCache())
    connector = await connected(paced)
    pacing = paced.engine.pacing
    limiter = pacing.limiter
    assert limiter is not None
    await limiter.spend(pacing.budget_key(DEMO_COMPANY_ID), 10**6, 60.0)  # by our count
    outcome = await lookups.result_for(paced, connector, Participant.of(RICH_EMAIL))
    assert isinstance(outcome.outcome, Match)  # the lookup ran, and learned the seats
    assert searches(sandbox) == 1
    assert outcome.warning is FailureKind.RATE_LIMITED  # now known: the count is past them


async def test_no_copy_is_kept_when_results_are_not(services: Services, sandbox: Sandbox) -> None:
    paced = dataclasses.replace(with_cache(services, MemoryCache()), keep_copies=False)
    connector = await connected(paced)
    assert isinstance(await runs.look_up(paced, connector, RICH_EMAIL), Match)
    await paced.results.forget(runs.cache_id(connector), RICH_EMAIL)
    pacing = paced.engine.pacing
    left = await pacing.budget_left(DEMO_COMPANY_ID)
    assert pacing.limiter is not None
    assert left is not None
    await pacing.limiter.spend(pacing.budget_key(DEMO_COMPANY_ID), left, 60.0)
    sandbox.reset_log()
    outcome = await runs.look_up(paced, connector, RICH_EMAIL)
    assert sandbox.requests == []
    assert isinstance(outcome, Failure)  # no copy to answer from
    assert outcome.kind is FailureKind.RATE_LIMITED


async def test_a_published_result_is_shared_as_the_result_cache_writes_it(
    services: Services,
) -> None:
    connector = await connected(services)
    result = await runs.look_up(services, connector, RICH_EMAIL)
    assert isinstance(result, Match)
    shared = coalesce._decode(coalesce._encode(result))
    assert shared == dataclasses.replace(result, usage=shared.usage)  # type: ignore[union-attr]
    assert isinstance(shared, Match)
    assert shared.usage.requests == 0  # the waiter made no calls
    failure = Failure(FailureKind.UNAVAILABLE, "down", 3.0)
    assert coalesce._decode(coalesce._encode(failure)) == failure


@pytest.mark.parametrize(
    "error", [Unreadable("garbage"), RuntimeError("anything"), RecursionError()]
)
async def test_an_unreadable_published_outcome_makes_the_waiter_run_the_lookup(
    services: Services, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    connector = await connected(services)
    lock, published = coalesce._keys(runs.cache_id(connector), RICH_EMAIL)
    await services.cache.set(lock, b"1", 60.0)  # another run holds the lock ...
    await services.cache.set(published, b'R{"not": "a result"}', 60.0)  # ... and published this

    def unreadable(_: bytes) -> object:
        raise error

    monkeypatch.setattr(coalesce, "load_result", unreadable)
    sandbox.reset_log()
    outcome = await runs.look_up(services, connector, RICH_EMAIL)
    assert isinstance(outcome, Match)
    assert searches(sandbox) == 1


async def test_garbage_published_is_no_outcome() -> None:
    assert coalesce._decode(b'R{"not": "a result"}') is None
    assert coalesce._decode(b"R\xff") is None
    assert coalesce._decode(b'{"failure": "nonsense"}') is None
