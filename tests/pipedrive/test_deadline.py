"""The client under a deadline: no call outlives it, and no retry is begun that cannot finish.

Time is a fake clock that only the test (and the fake sleep) moves, except where a real hang
has to be cut short: there the deadline is a twentieth of a second.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from cardin.pipedrive import (
    ApiTokenAuth,
    Deadline,
    PipedriveClient,
    RateLimited,
    RetryPolicy,
    Unavailable,
)

ME = {"success": True, "data": {"id": 7, "company_id": 1}}


class FakeClock:
    """Monotonic seconds that move only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class ClockSleep:
    """A sleep that moves the fake clock instead of waiting."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.clock.now += seconds


def client_of(
    transport: httpx.AsyncBaseTransport,
    deadline: Deadline | None,
    *,
    retry: RetryPolicy | None = None,
    timeout: float = 8.0,
) -> PipedriveClient:
    http = httpx.AsyncClient(transport=transport)
    return PipedriveClient(
        http,
        auth=ApiTokenAuth("t"),
        base_url="https://acme.pipedrive.com",
        timeout=timeout,
        retry=retry,
    ).within(deadline)


def test_a_deadline_counts_down_and_shares_what_is_left() -> None:
    clock = FakeClock()
    deadline = Deadline.after(3.0, clock=clock)
    assert deadline.remaining() == 3.0
    clock.now += 1.0
    assert deadline.remaining() == 2.0
    half = deadline.share(2)
    assert half.remaining() == 1.0
    assert deadline.share(4).remaining() == 0.5
    clock.now += 5.0
    assert deadline.remaining() == 0.0
    assert deadline.share(3).remaining() == 0.0


async def test_no_call_is_sent_when_no_time_is_left() -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json=ME)

    clock = FakeClock()
    client = client_of(httpx.MockTransport(answer), Deadline.after(1.0, clock=clock))
    assert (await client.current_user()).id == 7
    clock.now += 1.0
    with pytest.raises(Unavailable, match="no time was left"):
        await client.current_user()
    assert len(sent) == 1
    assert client.meter.requests == 1


async def test_a_hanging_call_ends_by_the_deadline_not_by_the_longer_timeout() -> None:
    async def hang(_request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("never answered")

    client = client_of(httpx.MockTransport(hang), Deadline.after(0.05), timeout=8.0)
    started = time.monotonic()
    with pytest.raises(Unavailable, match=r"did not answer within 0\.0\d* s"):
        await client.current_user()
    assert time.monotonic() - started < 1.0
    assert client.meter.tokens == 0


async def test_a_retry_is_not_begun_when_the_deadline_leaves_no_time_for_it() -> None:
    clock = FakeClock()
    sleep = ClockSleep(clock)
    busy = httpx.Response(429, headers={"retry-after": "0.4"}, json={"success": False})
    client = client_of(
        httpx.MockTransport(lambda _request: busy),
        Deadline.after(1.0, clock=clock),
        retry=RetryPolicy(attempts=10, sleep=sleep),
    )
    with pytest.raises(RateLimited):
        await client.current_user()
    assert sleep.delays == [0.4, 0.4]  # a third wait would end past the deadline
    assert client.meter.requests == 3
    unbounded = client_of(
        httpx.MockTransport(lambda _request: busy),
        None,
        retry=RetryPolicy(attempts=10, sleep=sleep),
    )
    with pytest.raises(RateLimited):
        await unbounded.current_user()
    assert unbounded.meter.requests == 10


async def test_within_keeps_the_account_and_the_meter() -> None:
    clock = FakeClock()
    client = client_of(httpx.MockTransport(lambda _request: httpx.Response(200, json=ME)), None)
    assert client.within(None) is client
    bounded = client.within(Deadline.after(1.0, clock=clock))
    assert bounded.meter is client.meter
    assert client.deadline is None
    await bounded.current_user()
    assert client.meter.requests == 1
