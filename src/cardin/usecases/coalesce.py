"""Identical lookups in flight at once run once: across requests and service processes.

Gmail prefetches: opening a message can bring several requests for the same connector and
address at once, to one worker or to several. The first takes a short lock (`Cache.add`, Redis'
SET NX when shared) and runs the lookup; the others poll for its outcome, which it publishes for
a few seconds under a key of its own (partial answers and failures too, which the result cache
does not keep). A waiter gives up after half of the time it has left, or as soon as the lock is
gone without an outcome, and runs the lookup itself: coalescing saves calls, it never costs an
answer. Without a working shared cache every request runs (an unreachable Redis says "go ahead").
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import logging
from collections.abc import Awaitable, Callable

import orjson

from cardin import metrics
from cardin.cache import Cache
from cardin.contact.model import Usage
from cardin.contact.outcome import Failure, FailureKind, Outcome
from cardin.lookup.codec import dump_result, load_result
from cardin.pipedrive import Deadline

log = logging.getLogger(__name__)

POLL_SECONDS = 0.02
PUBLISHED_TTL = 5.0


def _keys(cache_id: str, email: str) -> tuple[str, str]:
    digest = hashlib.sha256(email.strip().casefold().encode()).hexdigest()[:32]
    base = f"cardin:inflight:2:{cache_id}:{digest}"
    return f"{base}:lock", f"{base}:outcome"


def _encode(outcome: Outcome) -> bytes:
    """A failure as JSON; a result as the result cache writes it (`cardin.lookup.codec`)."""
    if isinstance(outcome, Failure):
        return orjson.dumps(
            {"failure": outcome.kind.value, "reason": outcome.reason, "after": outcome.retry_after}
        )
    return b"R" + dump_result(outcome)


def _decode(raw: bytes) -> Outcome | None:
    """The published outcome; None for anything unreadable (the waiter then runs the lookup)."""
    if raw.startswith(b"R"):
        try:
            result = load_result(raw[1:])
        except Exception as exc:  # noqa: BLE001
            # whatever the codec raises, there is no outcome to share; only the error's class
            # is logged, as its text may quote the contact
            log.warning("unreadable published outcome (%s): running the lookup", type(exc).__name__)
            return None
        return dataclasses.replace(result, usage=Usage())
    try:
        data = orjson.loads(raw)
        return Failure(FailureKind(data["failure"]), str(data["reason"]), data["after"])
    except (orjson.JSONDecodeError, KeyError, ValueError, TypeError):
        return None


async def once(
    cache: Cache,
    cache_id: str,
    email: str,
    deadline: Deadline,
    run: Callable[[], Awaitable[Outcome]],
) -> Outcome:
    """`run()`'s outcome, shared with the identical lookups that start while it runs."""
    lock, published = _keys(cache_id, email)
    if await cache.add(lock, b"1", deadline.remaining() + 1.0):
        await cache.delete(published)  # an earlier run's, not this one's
        try:
            outcome = await run()
            await cache.set(published, _encode(outcome), PUBLISHED_TTL)
            return outcome
        finally:
            await cache.delete(lock)
    shared = await _wait(cache, lock, published, deadline.remaining() / 2)
    if shared is not None:
        metrics.COALESCED.labels("shared").inc()
        return shared
    metrics.COALESCED.labels("ran").inc()
    return await run()


async def _wait(cache: Cache, lock: str, published: str, seconds: float) -> Outcome | None:
    """The published outcome, or None once the lock is gone without one or time is up."""
    loop = asyncio.get_running_loop()
    until = loop.time() + seconds
    while True:
        await asyncio.sleep(POLL_SECONDS)
        raw = await cache.get(published)
        if raw is not None:
            return _decode(raw)
        if loop.time() >= until or await cache.get(lock) is None:
            # the lock may have gone just after the outcome came: one last look
            raw = await cache.get(published)
            return _decode(raw) if raw is not None else None
