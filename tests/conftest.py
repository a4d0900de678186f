"""Fixtures shared by the suites: the demo sandbox in-process and an engine wired to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import httpx
import pytest

from cardin.cache import MemoryCache
from cardin.lookup import LookupEngine
from cardin.pipedrive import RetryPolicy
from cardin.sandbox import Sandbox, demo_dataset

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SANDBOX_URL = "http://sandbox.test"


class FakeSleep:
    """Records the delays asked for instead of sleeping (tests never sleep through backoff)."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sandbox() -> Sandbox:
    """A fresh demo sandbox without burst limits (tests of limits build their own)."""
    return Sandbox(demo_dataset(TODAY), rate_limits=False, timeout_seconds=5.0)


@pytest.fixture
async def http(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """An httpx client whose transport is the sandbox app, in-process."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app)) as client:
        yield client


@pytest.fixture
def fake_sleep() -> FakeSleep:
    """The sleep the engine's retry policy uses."""
    return FakeSleep()


@pytest.fixture
def engine(http: httpx.AsyncClient, fake_sleep: FakeSleep) -> LookupEngine:
    """A lookup engine on the sandbox with a short deadline and no real sleeping."""
    retry = RetryPolicy(attempts=2, sleep=fake_sleep)
    return LookupEngine(
        http, MemoryCache(), timeout=0.5, api_base=SANDBOX_URL, retry=retry, clock=lambda: NOW
    )
