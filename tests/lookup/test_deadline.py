"""A slow call under the connector's deadline: a secondary one is a failed part, not a lost contact.

The per-call timeout (8 s here, as configured by default) is longer than the deadline, as in
production; every call must still end inside the deadline. Deadlines are short so that the
tests wait a fraction of a second, not seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from cardin.cache import MemoryCache
from cardin.contact.model import Match, Reference, SectionErrorKind
from cardin.lookup import AccountKey, LookupEngine, calls_deadline
from cardin.pipedrive import ApiToken, RetryPolicy, Unavailable
from cardin.sandbox import DEMO_COMPANY_ID, DEMO_TOKEN, DEMO_USER_ID, RICH_EMAIL, FaultPlan, Sandbox
from tests.conftest import NOW, SANDBOX_URL, FakeSleep
from tests.lookup.upstream import Call, DoctoredUpstream

# The demo account, as a connector records it: its metadata is cached under it.
DEMO_ACCOUNT = AccountKey(DEMO_COMPANY_ID, DEMO_USER_ID)

DEADLINE = 0.75  # the connector's; its calls end a margin before it
GENEROUS = 10.0  # for the lookups where nothing hangs: they end when done
CALL_TIMEOUT = 8.0  # longer than the deadline, as in production (8 s against 6 s)
RICH_ID = "1"


@pytest.fixture
def slow_sandbox(sandbox: Sandbox) -> Sandbox:
    """The demo sandbox whose `timeout` faults hold an answer far longer than any deadline."""
    sandbox.timeout_seconds = 30.0
    return sandbox


@pytest.fixture
async def upstream(slow_sandbox: Sandbox) -> AsyncIterator[DoctoredUpstream]:
    doctored = DoctoredUpstream(httpx.ASGITransport(app=slow_sandbox.app))
    yield doctored
    doctored.clear()


@pytest.fixture
async def engine_8s(
    upstream: DoctoredUpstream, fake_sleep: FakeSleep
) -> AsyncIterator[LookupEngine]:
    async with httpx.AsyncClient(transport=upstream) as http:
        retry = RetryPolicy(attempts=2, sleep=fake_sleep)
        yield LookupEngine(
            http,
            MemoryCache(),
            timeout=CALL_TIMEOUT,
            retry=retry,
            clock=lambda: NOW,
            api_base=SANDBOX_URL,
            adaptive=False,  # the person's and the deals' own calls, each under its deadline
        )


async def look_up(engine: LookupEngine, seconds: float = DEADLINE, *, cold: bool = False) -> Any:
    """The lookup as the add-on runs it: calls end by `calls_deadline`, all of it in `seconds`.

    `cold` fetches the account's metadata afresh (the tests warm it up first, as it usually is).
    """
    async with asyncio.timeout(seconds):
        return await engine.lookup(
            RICH_EMAIL,
            credential=ApiToken(DEMO_TOKEN),
            account=DEMO_ACCOUNT,
            base_url=SANDBOX_URL,
            deadline=calls_deadline(seconds),
            refresh_metadata=cold,
        )


def test_the_calls_end_a_margin_before_the_connector_deadline() -> None:
    def clock() -> float:
        return 1000.0

    assert calls_deadline(6.0, clock=clock).remaining() == 5.0  # at most a second kept back
    assert calls_deadline(2.0, clock=clock).remaining() == pytest.approx(1.6)
    assert calls_deadline(0.5, clock=clock).remaining() == pytest.approx(0.4)


def no_organization_hint(data: Any) -> None:
    """The search without the person's organization, so that the engine has to fetch it."""
    for hit in data["items"]:
        hit["item"]["organization"] = None


@dataclass(frozen=True)
class Slow:
    """One call that does not answer: by a sandbox `timeout` fault or by the doctored transport."""

    fault: str = ""
    hold: Call | None = None
    rewrite: tuple[Call, Callable[[Any], object]] | None = None
    metadata: bool = False  # a call made only when the account's metadata is not cached

    def apply(self, sandbox: Sandbox, upstream: DoctoredUpstream) -> None:
        sandbox.set_faults(FaultPlan.parse(self.fault))
        if self.hold is not None:
            upstream.hold(self.hold)
        if self.rewrite is not None:
            upstream.rewrite(*self.rewrite)

    def clear(self, sandbox: Sandbox, upstream: DoctoredUpstream) -> None:
        sandbox.set_faults(FaultPlan.none())
        upstream.clear()
        if self.rewrite is not None:  # what made the call happen stays; the slowness goes
            upstream.rewrite(*self.rewrite)


def unavailable_notes(m: Match) -> None:
    assert m.contact.notes.error is not None
    assert m.contact.notes.error.kind is SectionErrorKind.UNAVAILABLE
    detailed = [d for d in m.contact.deals.items if d.notes is not None]
    assert detailed
    assert all(d.notes and d.notes.is_available for d in detailed)
    assert any(d.notes and d.notes.items for d in detailed)


def unavailable_deals(m: Match) -> None:
    assert m.contact.deals.error is not None
    assert m.contact.deals.error.kind is SectionErrorKind.UNAVAILABLE
    assert m.contact.deals_overview is None
    # The names looked up after the deals still had time: the deals took only their share.
    people = [f.value for f in m.contact.fields if f.field_type == "people"]
    assert people
    assert all(isinstance(ref, Reference) and ref.name for ref in people)


def unavailable_activities(m: Match) -> None:
    assert m.contact.activities.error is not None
    assert m.contact.activities_overview is None
    detailed = [d for d in m.contact.deals.items if d.activities is not None]
    assert all(d.activities and d.activities.is_available for d in detailed)


def unavailable_deal_notes(m: Match) -> None:
    detailed = [d for d in m.contact.deals.items if d.notes is not None]
    assert detailed
    assert all(d.notes and d.notes.error for d in detailed)
    assert m.contact.notes.is_available


def unavailable_deal_activities(m: Match) -> None:
    detailed = [d for d in m.contact.deals.items if d.activities is not None]
    assert detailed
    assert all(d.activities and d.activities.error for d in detailed)
    assert m.contact.activities.is_available


def unavailable_owner(m: Match) -> None:
    assert m.contact.owner is None
    assert m.contact.owner_error is not None
    assert m.contact.owner_error.kind is SectionErrorKind.UNAVAILABLE


def unavailable_fields(m: Match) -> None:
    assert m.contact.fields == ()
    assert m.contact.fields_error is not None


def plain_activity_types(m: Match) -> None:
    # Without the types, activities keep their key as the name and a plain icon.
    assert m.contact.activities.items
    assert {a.type.icon_key for a in m.contact.activities.items} == {"task"}


def unnamed_organization(m: Match) -> None:
    assert m.contact.organization is not None
    assert m.contact.organization.name == "#2"


def no_picture(m: Match) -> None:
    assert m.contact.picture_url is None


SECONDARY = {
    "deals": (Slow("timeout@/api/v2/deals"), unavailable_deals),
    "person notes": (Slow(hold=Call("/v1/notes", {"person_id": RICH_ID})), unavailable_notes),
    "person activities": (
        Slow(hold=Call("/api/v2/activities", {"person_id": RICH_ID})),
        unavailable_activities,
    ),
    "deal notes": (Slow(hold=Call("/v1/notes", {"person_id": None})), unavailable_deal_notes),
    "deal activities": (
        Slow(hold=Call("/api/v2/activities", {"person_id": None})),
        unavailable_deal_activities,
    ),
    "users": (Slow(hold=Call(r"/v1/users(/\d+)?"), metadata=True), unavailable_owner),
    "activity types": (Slow("timeout@/v1/activityTypes", metadata=True), plain_activity_types),
    "person fields": (Slow("timeout@/api/v2/personFields", metadata=True), unavailable_fields),
    "organization": (
        Slow(
            "timeout@/api/v2/organizations",
            rewrite=(Call("/api/v2/persons/search"), no_organization_hint),
        ),
        unnamed_organization,
    ),
    "picture": (Slow("timeout@/api/v2/persons/1/picture"), no_picture),
}


@pytest.mark.parametrize("name", SECONDARY)
async def test_a_slow_secondary_call_leaves_the_contact_with_that_part_missing(
    engine_8s: LookupEngine, slow_sandbox: Sandbox, upstream: DoctoredUpstream, name: str
) -> None:
    slow, check = SECONDARY[name]
    assert not (await look_up(engine_8s, GENEROUS)).is_partial  # the metadata is cached now
    slow.apply(slow_sandbox, upstream)
    found = await look_up(engine_8s, cold=slow.metadata)
    assert isinstance(found, Match)
    assert found.contact.name == "Élodie Marchand"
    check(found)
    # The fault clears: the next lookup (a retry) shows the whole contact. It takes what it takes
    # (no waiting: nothing hangs now), under a deadline that a loaded machine cannot miss.
    slow.clear(slow_sandbox, upstream)
    again = await look_up(engine_8s, GENEROUS)
    assert isinstance(again, Match)
    assert not again.is_partial
    assert again.contact.owner is not None
    assert again.contact.fields
    assert again.contact.picture_url
    assert again.contact.organization is not None
    assert again.contact.organization.name == "Énergies Côte d'Azur SAS"
    assert {a.type.icon_key for a in again.contact.activities.items} != {"task"}


REQUIRED = {
    "search": Slow("timeout@/api/v2/persons/search"),
    "person": Slow(hold=Call(r"/api/v2/persons/\d+")),
    "account (users/me)": Slow("timeout@/v1/users/me"),
}


@pytest.mark.parametrize("name", REQUIRED)
async def test_a_slow_required_call_fails_the_lookup_inside_the_deadline(
    engine_8s: LookupEngine, slow_sandbox: Sandbox, upstream: DoctoredUpstream, name: str
) -> None:
    slow = REQUIRED[name]
    slow.apply(slow_sandbox, upstream)
    with pytest.raises(Unavailable, match="did not answer within"):
        await look_up(engine_8s, cold=True)
    slow.clear(slow_sandbox, upstream)
    assert isinstance(await look_up(engine_8s, GENEROUS), Match)
