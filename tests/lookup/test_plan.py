"""The plan that adapts to the company: company pages for a small one, filtered calls otherwise.

Each test compares the adaptive engine with the plan that never looks at the company
(`adaptive=False`) on the same sandbox: what the contact shows must be identical, only the
calls differ.
"""

from __future__ import annotations

import asyncio
import copy
import gc
import warnings
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from cardin.cache import MemoryCache
from cardin.contact.model import Match, NoMatch
from cardin.lookup import AccountKey, LookupEngine
from cardin.lookup.sizes import ListSizes, load_sizes, sizes_key
from cardin.pipedrive import ApiToken, Deadline, InvalidToken, PaymentRequired, ScopeMismatch
from cardin.pipedrive.client import SCOPE_MISMATCH
from cardin.pipedrive.costs import path_template
from cardin.sandbox import DEMO_COMPANY_ID, DEMO_TOKEN, DEMO_USER_ID, RICH_EMAIL, Sandbox
from tests.conftest import NOW, SANDBOX_URL
from tests.lookup.upstream import Call as UpstreamCall
from tests.lookup.upstream import DoctoredUpstream

DEMO_ACCOUNT = AccountKey(DEMO_COMPANY_ID, DEMO_USER_ID)
RICH_ID = 1
OTHER_ID = 2


def engine_for(
    http: httpx.AsyncClient, cache: MemoryCache, *, adaptive: bool = True, now: datetime = NOW
) -> LookupEngine:
    return LookupEngine(
        http, cache, api_base=SANDBOX_URL, clock=lambda: now, adaptive=adaptive, timeout=5.0
    )


async def match(engine: LookupEngine) -> Match:
    result = await engine.lookup(
        RICH_EMAIL, credential=ApiToken(DEMO_TOKEN), account=DEMO_ACCOUNT, base_url=SANDBOX_URL
    )
    assert isinstance(result, Match)
    return result


def first_deal_of_rich(sandbox: Sandbox) -> int:
    company = sandbox.dataset.companies[0]
    return min(d["id"] for d in company.deals if d["person_id"] == RICH_ID)


def add_strays(sandbox: Sandbox, deal_id: int) -> None:
    """A note and an activity on the deal only (no person), and one of each of another person."""
    company = sandbox.dataset.companies[0]
    note, activity = company.notes[0], company.activities[0]
    for person_id, deal in ((None, deal_id), (OTHER_ID, None)):
        company.add(
            "notes",
            {
                **copy.deepcopy(note),
                "id": company.next_id("notes"),
                "content": f"stray note {person_id}",
                "person_id": person_id,
                "deal_id": deal,
                "add_time": "2026-11-27 10:00:00",
            },
        )
        company.add(
            "activities",
            {
                **copy.deepcopy(activity),
                "id": company.next_id("activities"),
                "subject": f"stray activity {person_id}",
                "person_id": person_id,
                "participants": [{"person_id": person_id, "primary": True}] if person_id else [],
                "deal_id": deal,
                "due_date": "2026-11-27",
            },
        )
    company.reindex()


def make_small(sandbox: Sandbox) -> None:
    """Keep 300 of the demo company's activities (it has 609: more than a page)."""
    company = sandbox.dataset.companies[0]
    company.activities = [a for a in company.activities if a["person_id"] == RICH_ID] + [
        a for a in company.activities if a["person_id"] != RICH_ID
    ][:280]
    company.reindex()


def shown(m: Match) -> tuple[object, ...]:
    c = m.contact
    return (c.notes, c.activities, c.deals, c.deals_overview, c.activities_overview)


def deal_calls(sandbox: Sandbox) -> list[str]:
    return [r.path for r in sandbox.requests if "deal_id" in r.query]


async def test_small_company_two_pages_replace_every_person_and_deal_call(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    make_small(sandbox)
    deal_id = first_deal_of_rich(sandbox)
    add_strays(sandbox, deal_id)
    cache = MemoryCache()
    adaptive = engine_for(http, cache)
    await match(adaptive)  # metadata and sizes learned
    assert await load_sizes(cache, sizes_key(DEMO_COMPANY_ID, NOW)) == ListSizes(
        deals=True, activities=True, notes=True
    )
    sandbox.reset_log()
    m = await match(adaptive)
    seen = [path_template(r.path) for r in sandbox.requests]
    assert set(seen[:2]) == {"/api/v2/persons/search", "/api/v2/deals"}  # round 1
    assert not deal_calls(sandbox)
    assert "person_id" not in str([r.query for r in sandbox.requests if r.path != "/api/v2/deals"])
    assert not any("cursor" in r.query for r in sandbox.requests)
    assert m.usage.tokens == sum(r.cost for r in sandbox.requests) <= 62 + 3  # + picture, names
    assert m.usage.requests == len(sandbox.requests)

    sandbox.reset_log()
    plain = await match(engine_for(http, MemoryCache(), adaptive=False))
    assert len(deal_calls(sandbox)) == 10
    assert shown(plain) == shown(m)
    deal = next(d for d in m.contact.deals.items if d.id == deal_id)
    assert deal.notes is not None
    assert deal.activities is not None
    assert "stray note None" in [n.html for n in deal.notes.items]
    assert "stray activity None" in [a.subject for a in deal.activities.items]
    everything = str(shown(m))
    assert "stray note 2" not in everything
    assert "stray activity 2" not in everything


async def test_large_company_pages_nothing_and_calls_a_deal_only_when_needed(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    deal_id = first_deal_of_rich(sandbox)
    add_strays(sandbox, deal_id)
    cache = MemoryCache()
    adaptive = engine_for(http, cache)
    await match(adaptive)
    # 609 activities: more than a page; deals (251) and notes (171) fit
    learned = await load_sizes(cache, sizes_key(DEMO_COMPANY_ID, NOW))
    assert learned == ListSizes(deals=True, activities=False, notes=True)
    sandbox.reset_log()
    m = await match(adaptive)
    activity_calls = [r.query for r in sandbox.requests if r.path == "/api/v2/activities"]
    assert {"person_id", "limit"} <= set(activity_calls[0])  # the person's own list
    assert all(q["limit"] != "500" or "person_id" in q for q in activity_calls)
    # the deal with an activity of its own (no person) needs its own call; the person's list
    # holds all of the other deals' activities (their counts say so)
    assert [q.get("deal_id") for q in activity_calls if "deal_id" in q] == [str(deal_id)]
    sandbox.reset_log()
    plain = await match(engine_for(http, MemoryCache(), adaptive=False))
    assert shown(plain) == shown(m)
    assert m.usage.tokens < plain.usage.tokens


async def test_the_knowledge_is_per_company_and_day_and_a_grown_company_falls_back(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    make_small(sandbox)
    seconds = [0.0]
    cache = MemoryCache(clock=lambda: seconds[0])
    await match(engine_for(http, cache))
    today = sizes_key(DEMO_COMPANY_ID, NOW)
    assert (await load_sizes(cache, today)).activities is True
    assert sizes_key(DEMO_COMPANY_ID, NOW + timedelta(days=1)) != today
    assert sizes_key(DEMO_COMPANY_ID + 1, NOW) != today
    seconds[0] = 12 * 3600.0  # NOW is noon UTC: the entry lasts until midnight
    assert await cache.get(today) is None
    seconds[0] = 0.0
    await match(engine_for(http, cache))

    company = sandbox.dataset.companies[0]
    template = next(a for a in company.activities if a["person_id"] != RICH_ID)
    for _ in range(600):  # the company grows past a page
        company.activities.append({**template, "id": company.next_id("activities")})
    company.reindex()
    sandbox.reset_log()
    grown = await match(engine_for(http, cache))
    assert (await load_sizes(cache, today)).activities is False
    person_calls = [r for r in sandbox.requests if r.query.get("person_id") == str(RICH_ID)]
    assert any(r.path == "/api/v2/activities" for r in person_calls)  # the fallback
    plain = await match(engine_for(http, MemoryCache(), adaptive=False))
    assert shown(plain) == shown(grown)  # not the company page's partial list

    sandbox.reset_log()
    await match(engine_for(http, cache))  # known large now: no company activities page
    assert all(
        "person_id" in r.query or "deal_id" in r.query
        for r in sandbox.requests
        if r.path == "/api/v2/activities"
    )

    # the next day the company is learned afresh
    sandbox.reset_log()
    await match(engine_for(http, cache, now=NOW + timedelta(days=1)))
    assert any(
        r.path == "/api/v2/activities" and not ({"person_id", "deal_id"} & set(r.query))
        for r in sandbox.requests
    )


async def test_a_failed_company_page_falls_back_and_teaches_nothing(sandbox: Sandbox) -> None:
    make_small(sandbox)
    doctored = DoctoredUpstream(httpx.ASGITransport(app=sandbox.app))
    company_notes = UpstreamCall("/v1/notes", {"person_id": None, "deal_id": None})
    # items without an id: "a list of nothing readable", a failed page
    doctored.rewrite(company_notes, lambda data: data.__setitem__(slice(None), [{"x": 1}]))
    cache = MemoryCache()
    async with httpx.AsyncClient(transport=doctored) as http:
        await match(engine_for(http, cache))
        sandbox.reset_log()
        m = await match(engine_for(http, cache))
        learned = await load_sizes(cache, sizes_key(DEMO_COMPANY_ID, NOW))
        assert learned == ListSizes(deals=True, activities=True, notes=None)
        notes_calls = [r.query for r in sandbox.requests if r.path == "/v1/notes"]
        assert {"person_id"} <= set(notes_calls[1])  # after the failed page, the person's
        detailed = sum(d.notes is not None for d in m.contact.deals.items)
        assert len([q for q in notes_calls if "deal_id" in q]) == detailed == 5  # each deal's
        assert not m.contact.notes.error
        plain = await match(engine_for(http, MemoryCache(), adaptive=False))
        assert shown(plain) == shown(m)


async def test_an_account_of_unknown_company_never_pages_the_company(
    sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    make_small(sandbox)
    cache = MemoryCache()
    engine = engine_for(http, cache)
    for _ in range(2):
        result = await engine.lookup(
            RICH_EMAIL, credential=ApiToken(DEMO_TOKEN), base_url=SANDBOX_URL
        )
        assert isinstance(result, Match)
    lists = ("/api/v2/deals", "/api/v2/activities", "/v1/notes")
    assert all({"person_id", "deal_id"} & set(r.query) for r in sandbox.requests if r.path in lists)
    assert await load_sizes(cache, sizes_key(DEMO_COMPANY_ID, NOW)) == ListSizes()


COMPANY_DEALS = UpstreamCall("/api/v2/deals", {"person_id": None})
SEARCH = UpstreamCall("/api/v2/persons/search")


def company_pages(sandbox: Sandbox) -> set[str]:
    """The paths of the company-wide lists asked for (no person or deal in the query)."""
    return {
        r.path
        for r in sandbox.requests
        if r.path in ("/api/v2/deals", "/api/v2/activities", "/v1/notes")
        and not {"person_id", "deal_id"} & r.query.keys()
    }


def later(upstream: DoctoredUpstream) -> Callable[[object], object]:
    """An edit that answers what `upstream` holds a little after the reply it edits."""
    return lambda _: asyncio.get_running_loop().call_later(0.05, upstream.clear)


@pytest.mark.parametrize("held", ["/v1/notes", "/api/v2/deals"])
async def test_a_search_that_names_someone_else_first_still_shows_the_person(
    sandbox: Sandbox, held: str
) -> None:
    # the search's first hit claims the address but its record does not hold it: the lookup
    # drops that person's calls and starts the right one's, which still pick from the company
    # pages, one of them still on its way when the persons have come
    make_small(sandbox)
    upstream = DoctoredUpstream(httpx.ASGITransport(app=sandbox.app))

    def decoy_first(data: dict[str, Any]) -> None:
        hit = copy.deepcopy(data["items"][0])
        hit["item"]["id"] = OTHER_ID
        data["items"].insert(0, hit)

    async with httpx.AsyncClient(transport=upstream) as doctored:
        engine = engine_for(doctored, MemoryCache())
        await match(engine)  # metadata and sizes learned: the pages are used from here on
        upstream.rewrite(SEARCH, decoy_first)
        upstream.hold(UpstreamCall(held, {"person_id": None}))
        upstream.rewrite(UpstreamCall(f"/api/v2/persons/{RICH_ID}"), later(upstream))
        sandbox.reset_log()
        m = await match(engine)
    assert m.contact.id == RICH_ID
    assert f"/api/v2/persons/{OTHER_ID}" in [r.path for r in sandbox.requests]  # looked at
    assert company_pages(sandbox) == {"/api/v2/deals", "/api/v2/activities", "/v1/notes"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app)) as plain_http:
        plain = await match(engine_for(plain_http, MemoryCache(), adaptive=False))
    assert shown(plain) == shown(m)


async def test_the_persons_calls_do_not_wait_for_the_company_deals_page(sandbox: Sandbox) -> None:
    # the page is answered only once the person has been asked for: a lookup that waited for
    # it before round 2 would wait for the client's timeout (5 s)
    make_small(sandbox)
    upstream = DoctoredUpstream(httpx.ASGITransport(app=sandbox.app))
    async with httpx.AsyncClient(transport=upstream) as doctored:
        engine = engine_for(doctored, MemoryCache())
        await match(engine)
        upstream.hold(COMPANY_DEALS)
        upstream.rewrite(UpstreamCall(f"/api/v2/persons/{RICH_ID}"), later(upstream))
        sandbox.reset_log()
        m = await asyncio.wait_for(match(engine), 2.0)
    assert m.contact.deals.error is None
    assert m.contact.deals.items
    assert not any("person_id" in r.query for r in sandbox.requests if r.path == "/api/v2/deals")


async def test_no_match_counts_the_company_deals_page_it_asked_for(sandbox: Sandbox) -> None:
    upstream = DoctoredUpstream(httpx.ASGITransport(app=sandbox.app))
    async with httpx.AsyncClient(transport=upstream) as doctored:
        engine = engine_for(doctored, MemoryCache())
        await match(engine)
        upstream.hold(COMPANY_DEALS)  # the page comes after the search
        upstream.rewrite(SEARCH, later(upstream))
        sandbox.reset_log()
        result = await engine.lookup(
            "nobody@nowhere.example",
            credential=ApiToken(DEMO_TOKEN),
            account=DEMO_ACCOUNT,
            base_url=SANDBOX_URL,
        )
    assert isinstance(result, NoMatch)
    assert "/api/v2/deals" in [r.path for r in sandbox.requests]
    assert result.usage.requests == len(sandbox.requests)
    assert result.usage.tokens == sum(r.cost for r in sandbox.requests)


class Refusing(httpx.AsyncBaseTransport):
    """Once `refusing`: answers the company's deals page with `status` (after `page_delay` s),
    the search after `search_delay` s, other calls after `others_delay` s, and never the
    company's notes page when `hang_notes`."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        status: int,
        error: str,
        *,
        page_delay: float = 0.0,
        search_delay: float = 0.05,
        others_delay: float = 0.0,
        hang_notes: bool = False,
    ) -> None:
        self.inner, self.status, self.error = inner, status, error
        self.page_delay, self.search_delay, self.hang_notes = page_delay, search_delay, hang_notes
        self.others_delay = others_delay
        self.refusing = False
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Refuse, delay or hang, then pass on."""
        if not self.refusing:
            return await self.inner.handle_async_request(request)
        self.sent.append(request.url.path)
        if COMPANY_DEALS.covers(request):
            if self.page_delay:
                await asyncio.sleep(self.page_delay)
            return httpx.Response(self.status, json={"success": False, "error": self.error})
        if SEARCH.covers(request):
            await asyncio.sleep(self.search_delay)
        elif self.others_delay:
            await asyncio.sleep(self.others_delay)
        if self.hang_notes and UpstreamCall("/v1/notes", {"person_id": None}).covers(request):
            await asyncio.sleep(60)
        return await self.inner.handle_async_request(request)


@pytest.mark.parametrize(
    ("status", "error", "raised"),
    [
        (401, "unauthorized access", InvalidToken),
        (402, "payment required", PaymentRequired),
        (403, SCOPE_MISMATCH, ScopeMismatch),  # an OAuth grant without the deals scope
    ],
)
async def test_a_company_deals_page_refused_for_the_account_ends_the_lookup_at_once(
    sandbox: Sandbox, status: int, error: str, raised: type[Exception]
) -> None:
    make_small(sandbox)
    refusing = Refusing(httpx.ASGITransport(app=sandbox.app), status, error)
    async with httpx.AsyncClient(transport=refusing) as http:
        engine = engine_for(http, MemoryCache())
        await match(engine)
        refusing.refusing = True
        with pytest.raises(raised):
            await match(engine)
    assert sorted(refusing.sent) == ["/api/v2/deals", "/api/v2/persons/search"]


async def test_a_company_deals_page_refused_after_the_search_still_ends_the_lookup_at_once(
    sandbox: Sandbox,
) -> None:
    # round 2 has begun, and its company notes page never comes: the refusal is not left
    # waiting behind it (a lookup that waited would end at the client's 5 s timeout)
    make_small(sandbox)
    refusing = Refusing(
        httpx.ASGITransport(app=sandbox.app),
        401,
        "unauthorized access",
        page_delay=0.2,
        search_delay=0.0,
        hang_notes=True,
    )
    async with httpx.AsyncClient(transport=refusing) as http:
        engine = engine_for(http, MemoryCache())
        await match(engine)
        refusing.refusing = True
        with pytest.raises(InvalidToken):
            await asyncio.wait_for(match(engine), 2.0)
    assert "/v1/notes" in refusing.sent  # round 2 had begun


async def test_a_lookup_ended_before_its_optional_calls_started_leaves_none_never_awaited(
    sandbox: Sandbox,
) -> None:
    # cold metadata: its optional calls are tasks not yet started when the refusal ends the
    # lookup; each call is made in its task, so nothing is left never awaited
    refusing = Refusing(
        httpx.ASGITransport(app=sandbox.app),
        401,
        "unauthorized access",
        search_delay=0.02,
        others_delay=0.02,
    )
    refusing.refusing = True
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        async with httpx.AsyncClient(transport=refusing) as http:
            engine = engine_for(http, MemoryCache())
            for _ in range(3):  # the metadata stays cold: each lookup fetches it again
                with pytest.raises(InvalidToken):
                    await match(engine)
        gc.collect()
    assert not [w for w in seen if "never awaited" in str(w.message)]


class Slow(httpx.AsyncBaseTransport):
    """Delays the requests of each rule by its seconds."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.delays: list[tuple[UpstreamCall, float]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Wait, then pass on."""
        for call, seconds in self.delays:
            if call.covers(request):
                await asyncio.sleep(seconds)
        return await self.inner.handle_async_request(request)


async def test_a_hung_company_deals_page_leaves_the_persons_deals_call_its_share(
    sandbox: Sandbox,
) -> None:
    # deadline 3 s: the page may take a third (1 s); the person's deals, asked for once it has
    # failed, get half of the 2 s left, so 0.7 s is enough (a share taken when round 2 started,
    # before the page failed, would be about 0.5 s)
    slow = Slow(httpx.ASGITransport(app=sandbox.app))
    async with httpx.AsyncClient(transport=slow) as http:
        engine = engine_for(http, MemoryCache())
        await match(engine)
        slow.delays.append((COMPANY_DEALS, 10.0))
        slow.delays.append((UpstreamCall("/api/v2/deals", {"person_id": str(RICH_ID)}), 0.7))
        result = await engine.lookup(
            RICH_EMAIL,
            credential=ApiToken(DEMO_TOKEN),
            account=DEMO_ACCOUNT,
            base_url=SANDBOX_URL,
            deadline=Deadline.after(3.0),
        )
    assert isinstance(result, Match)
    assert result.contact.deals.error is None
    assert result.contact.deals.items
