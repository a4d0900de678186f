"""A slow Pipedrive under the connector's deadline, end to end: the contact with a part missing.

The per-call timeout (8 s, the default) is longer than the connector's deadline, as in production;
the deadline is the harness's, 2 s, and every test waits for it once.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cardin.sandbox import RICH_EMAIL, FaultPlan, Sandbox, demo_dataset
from tests.cards.validate import assert_valid_response
from tests.conftest import TODAY
from tests.service.harness import Harness, action, actions_of, running, text_of, top_card
from tests.service.test_flow import ACTION_URL, ANN, add_connector

# The connector's deadline; the per-call timeout is 8 s and a hung call would wait 30 s. Not
# shorter: the whole add-on shares the event loop with the in-process sandbox and Google here.
DEADLINE = 2.0


@dataclass
class Holding:
    """The sandbox's app, except that requests to paths matching `pattern` wait for `release`."""

    app: Any
    pattern: str = "$^"
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and re.fullmatch(self.pattern, scope["path"]):
            await self.release.wait()
        await self.app(scope, receive, send)


@pytest.fixture
def sandbox() -> Sandbox:
    """The demo sandbox; its `timeout` faults hold an answer far longer than any deadline."""
    return Sandbox(demo_dataset(TODAY), rate_limits=False, timeout_seconds=30.0)


@pytest.fixture
def holding(sandbox: Sandbox) -> Holding:
    return Holding(sandbox.app)


@pytest.fixture
async def harness(tmp_path: Path, sandbox: Sandbox, holding: Holding) -> AsyncIterator[Harness]:
    async with running(
        sandbox,
        tmp_path,
        extra_apps={"sandbox.test": holding},
        lookup_deadline=DEADLINE,
        pipedrive_timeout=8.0,
    ) as h:
        await add_connector(h, ANN)
        yield h
    holding.release.set()


def offers_retry(part: dict[str, Any]) -> bool:
    return any(a.get("op") == "retry" for a in actions_of(part))


def valid(response: dict[str, Any]) -> dict[str, Any]:
    assert_valid_response(response, action_url=ACTION_URL)
    return response


def section(response: dict[str, Any], header: str) -> dict[str, Any]:
    """The section of the top card with this header."""
    found = [s for s in top_card(response)["sections"] if s.get("header") == header]
    assert found, f"no {header!r} section"
    return found[0]  # type: ignore[no-any-return]


async def open_in_time(harness: Harness) -> tuple[dict[str, Any], str]:
    message = harness.message(sender=RICH_EMAIL, to=ANN.email)
    started = time.monotonic()
    opened = valid(await harness.open(ANN, message))
    # Well before the 8 s per-call timeout or the 30 s hold could have ended it.
    assert time.monotonic() - started < DEADLINE + 3.0
    return opened, message


async def test_slow_deals_leave_the_contact_with_deals_unavailable_then_retry(
    harness: Harness,
) -> None:
    harness.sandbox.set_faults(FaultPlan.parse("timeout@/api/v2/deals"))
    opened, message = await open_in_time(harness)
    assert top_card(opened)["header"]["title"] == "Élodie Marchand"
    deals = section(opened, "Deals")
    assert "did not answer in time" in text_of(deals)
    retry = action(deals, "retry")
    assert not offers_retry(section(opened, "Background"))  # the rest of the contact is there
    assert not offers_retry(section(opened, "Activities"))
    harness.sandbox.set_faults(FaultPlan.none())
    retried = valid(await harness.act(ANN, retry, message_id=message))
    assert top_card(retried)["header"]["title"] == "Élodie Marchand"
    assert not offers_retry(section(retried, "Deals"))
    assert "did not answer in time" not in text_of(retried)


async def test_a_slow_owner_leaves_the_contact_with_the_owner_unavailable_then_retry(
    harness: Harness, holding: Holding
) -> None:
    holding.pattern = r"/v1/users(/\d+)?"  # the list and each user, not the account's /me
    opened, message = await open_in_time(harness)
    assert top_card(opened)["header"]["title"] == "Élodie Marchand"
    owner = section(opened, "Contact owner")
    assert "did not answer in time" in text_of(owner)
    retry = action(owner, "retry")
    holding.release.set()
    holding.pattern = "$^"
    retried = valid(await harness.act(ANN, retry, message_id=message))
    assert "Maria Svensson" in text_of(section(retried, "Contact owner"))
    assert "did not answer in time" not in text_of(retried)


async def test_a_slow_search_is_an_error_inside_the_deadline_then_retry(harness: Harness) -> None:
    harness.sandbox.set_faults(FaultPlan.parse("timeout@/api/v2/persons/search"))
    opened, message = await open_in_time(harness)
    assert top_card(opened)["header"]["title"] != "Élodie Marchand"
    retry = action(opened, "retry")
    harness.sandbox.set_faults(FaultPlan.none())
    retried = valid(await harness.act(ANN, retry, message_id=message))
    assert top_card(retried)["header"]["title"] == "Élodie Marchand"
