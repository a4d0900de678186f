"""Lookup benchmark: wall time, round-trip ratio, requests and Pipedrive tokens per lookup.

Runs the real engine over real HTTP (loopback) against the sandbox app under uvicorn in its own
process (as Pipedrive is another machine: no shared interpreter lock), for
contacts with 0, 3 and 30 deals, with the account metadata cold and warm, at 0, 50 and 100 ms of
sandbox latency per request; then a 3-deal contact in companies of 100, 1,000 and 10,000 deals
(with the demo company's activities and notes per deal) at 50 and 100 ms, each beside the
original product's pattern measured in the same sandbox: every page of the company's deals and
of its activities (500 a page), then the notes of each of the contact's deals.
The sandbox's rate limits are off (a benchmark fires more searches than Pipedrive's 10 per 2 s).
The lookups run on uvloop, as they do in `cardin serve` (uvicorn picks it where it is installed).

    .venv/bin/python bench/lookup.py [--runs N]

The round-trip floor is trips x latency, the trips counted from each request's start and end
(the longest chain of requests each sent after the previous one ended): 2 when the person's
lists go out with the person, 3 when a deal shown in detail needs calls of its own. The target
is a warm lookup within 1.15 x that floor, and at most 62 + 30 tokens per deal shown in detail
(plus about 62 tokens of metadata and 40 of learning the company's list sizes when it is cold:
a cold case runs with an empty cache). "ratio" divides by trips x the nominal latency; "vs
trip" by trips x the measured time of one bare request at that latency, which on a virtual
machine exceeds the nominal latency by the cost of waking up (see the README).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import multiprocessing
import socket
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop is not built for this platform
    uvloop = None  # type: ignore[assignment]

from cardin.cache import MemoryCache
from cardin.contact.model import Match
from cardin.lookup import AccountKey, Limits, LookupEngine
from cardin.pipedrive import ApiToken
from cardin.sandbox import (
    DEMO_COMPANY_ID,
    DEMO_TOKEN,
    DEMO_USER_ID,
    MINIMAL_EMAIL,
    Company,
    Sandbox,
    demo_dataset,
)
from cardin.transport import ServiceClient, ServiceTransport, service_client

TODAY = date(2026, 11, 28)
DEAL_COUNTS = (0, 3, 30)
LATENCIES = (0.0, 50.0, 100.0)
COMPANY_SIZES = (100, 1_000, 10_000)
COMPANY_LATENCIES = (50.0, 100.0)
# the demo company's density: 609 activities and 169 notes for 251 deals
ACTIVITIES_PER_DEAL = 609 / 251
NOTES_PER_DEAL = 169 / 251
JSON = dict[str, Any]

DEMO_ACCOUNT = AccountKey(DEMO_COMPANY_ID, DEMO_USER_ID)


def email_for(deals: int) -> str:
    """The address of the benchmark person with that many deals."""
    return f"bench.{deals}.deals@bench.example"


def _clone(template: JSON, **changes: Any) -> JSON:
    obj = copy.deepcopy(template)
    obj.update(changes)
    return obj


def add_bench_person(company: Company, deals: int) -> int:
    """A person with `deals` deals, each with a note and two activities; returns the person id."""
    template = next(p for p in company.persons if p["emails"][0]["value"] == MINIMAL_EMAIL)
    person_id = company.next_id("persons")
    email = [{"value": email_for(deals), "primary": True, "label": "work"}]
    company.persons.append(_clone(template, id=person_id, name=f"Bench {deals}", emails=email))
    note, activity = company.notes[0], company.activities[0]
    for n in range(deals):
        deal_id = company.next_id("deals")
        status = ("open", "won", "lost")[n % 3]
        company.deals.append(
            _clone(company.deals[0], id=deal_id, person_id=person_id, status=status)
        )
        company.notes.append(
            _clone(note, id=company.next_id("notes"), deal_id=deal_id, person_id=person_id)
        )
        for _ in range(2):
            company.activities.append(
                _clone(
                    activity,
                    id=company.next_id("activities"),
                    deal_id=deal_id,
                    person_id=person_id,
                    participants=[{"person_id": person_id, "primary": True}],
                )
            )
    return person_id


def size_company(company: Company, total_deals: int, bench: set[int]) -> None:
    """Give the company `total_deals` deals, with activities and notes at the demo's density;
    the benchmark persons keep theirs, the others' are cut or cloned (on other persons)."""
    others = [p["id"] for p in company.persons[:20] if p["id"] not in bench]
    for kind, total in (
        ("deals", total_deals),
        ("activities", round(total_deals * ACTIVITIES_PER_DEAL)),
        ("notes", round(total_deals * NOTES_PER_DEAL)),
    ):
        items: list[JSON] = getattr(company, kind)
        mine = [i for i in items if i.get("person_id") in bench]
        rest = [i for i in items if i.get("person_id") not in bench]
        template = rest[0]
        while len(mine) + len(rest) < total:
            n = len(rest)
            rest.append(_clone(template, id=company.next_id(kind), person_id=others[n % 20]))
        setattr(company, kind, mine + rest[: max(0, total - len(mine))])


def build_sandbox(total_deals: int | None = None) -> Sandbox:
    """The demo data plus the benchmark persons, optionally padded to a company size."""
    dataset = demo_dataset(TODAY)
    company = dataset.companies[0]
    bench = {add_bench_person(company, deals) for deals in DEAL_COUNTS}
    if total_deals is not None:
        size_company(company, total_deals, bench)
    company.reindex()
    return Sandbox(dataset, rate_limits=False)


def _serve(total_deals: int | None, port: int) -> None:
    import uvicorn  # noqa: PLC0415 - only the child process serves

    uvicorn.run(build_sandbox(total_deals).app, host="127.0.0.1", port=port, log_level="error")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def sandbox_process(total_deals: int | None = None) -> Iterator[str]:
    """Serve the benchmark sandbox from a child process; yields its base URL."""
    port = _free_port()
    child = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(total_deals, port), daemon=True
    )
    child.start()
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/_sandbox/latency", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or not child.is_alive():
                    raise
                time.sleep(0.1)
        yield url
    finally:
        child.terminate()
        child.join(10)


def set_latency(url: str, ms: float) -> None:
    """Change the sandbox's added latency per request."""
    httpx.put(f"{url}/_sandbox/latency", json={"ms": ms}, timeout=5).raise_for_status()


@dataclass
class Sample:
    """One lookup's figures."""

    seconds: float
    requests: int
    tokens: int
    detailed: int
    trips: int


async def measure(engine: LookupEngine, url: str, email: str, timed: Timed | None = None) -> Sample:
    """Time one lookup (and count its round trips when its client's transport is `timed`)."""
    if timed is not None:
        timed.trips()  # forget the requests before this lookup
    started = time.perf_counter()
    result = await engine.lookup(
        email, credential=ApiToken(DEMO_TOKEN), account=DEMO_ACCOUNT, base_url=url
    )
    seconds = time.perf_counter() - started
    assert isinstance(result, Match), email  # noqa: S101 - a benchmark of matches
    detailed = sum(d.notes is not None for d in result.contact.deals.items)
    trips = timed.trips() if timed is not None else 0
    return Sample(seconds, result.usage.requests, result.usage.tokens, detailed, trips)


async def run_case(
    http: httpx.AsyncClient, timed: Timed, url: str, email: str, *, warm: bool, runs: int
) -> list[Sample]:
    """`runs` lookups of `email`, each with a fresh cache (cold) or a primed one (warm)."""
    samples = []
    cache = MemoryCache()
    engine = LookupEngine(http, cache, api_base=url, limits=Limits())
    if warm:
        await measure(engine, url, email)
    for _ in range(runs):
        if not warm:
            engine = LookupEngine(http, MemoryCache(), api_base=url, limits=Limits())
        samples.append(await measure(engine, url, email, timed))
    return samples


async def round_trip(http: httpx.AsyncClient, url: str) -> float:
    """Median seconds of one bare request (`/v1/users/me`) at the sandbox's current latency,
    sent as the lookups send theirs (a quick read over the service's client)."""
    headers = [("x-api-token", DEMO_TOKEN)]
    times = []
    for _ in range(7):
        started = time.perf_counter()
        if isinstance(http, ServiceClient):
            response = await http.quick_get(f"{url}/v1/users/me", headers, 30.0)
            await response.aread()
        else:
            response = await http.get(f"{url}/v1/users/me", headers=headers)
        if response.status_code != 200:  # a quick reply names no request: no raise_for_status
            raise RuntimeError(f"the sandbox answered {response.status_code}")
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def row(label: str, latency: float, samples: list[Sample], *, warm: bool, trip: float) -> str:
    """A table row: median wall time, ratios to the floors, requests, tokens and the budget."""
    wall = statistics.median(s.seconds for s in samples)
    first = samples[0]
    floor = first.trips * latency / 1000
    ratio = f"{wall / floor:5.2f}" if floor and warm else "    –"
    measured = f"{wall / (first.trips * trip):5.2f}" if floor and warm else "    –"
    budget = 62 + 30 * first.detailed + (0 if warm else 62 + 40)
    return (
        f"| {label:<22} | {'warm' if warm else 'cold'} | {latency:6.0f} | {first.trips:5d} "
        f"| {wall * 1000:8.1f} | {ratio} | {measured} | {first.requests:3d} | {first.tokens:6d} "
        f"| {budget:6d} |"
    )


HEADER = (
    "| case                   | meta | lat ms | trips |  wall ms | ratio | vs trip | req | tokens "
    "| budget |\n"
    "|------------------------|------|-------:|------:|---------:|------:|--------:|----:|-------:"
    "|-------:|"
)


async def contact_table(runs: int) -> list[str]:
    """Rows for the 0/3/30-deal contacts at each latency, cold and warm."""
    rows = []
    timed = Timed()
    with sandbox_process() as url:
        async with service_client(transport=timed) as http:
            for latency in LATENCIES:
                set_latency(url, latency)
                trip = await round_trip(http, url)
                for deals in DEAL_COUNTS:
                    for warm in (False, True):
                        email = email_for(deals)
                        samples = await run_case(http, timed, url, email, warm=warm, runs=runs)
                        rows.append(row(f"{deals} deals", latency, samples, warm=warm, trip=trip))
    return rows


@dataclass
class Figures:
    """One company-size case: median wall, requests, tokens and round trips of one run."""

    seconds: float
    requests: int
    tokens: int
    trips: int


class Timed(ServiceTransport):
    """The service's transport, recording when each request started and ended, to count round
    trips (its quick reads too: `cardin.transport.ServiceClient.quick_get`)."""

    def __init__(self) -> None:
        super().__init__()
        self.spans: list[tuple[float, float]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send, remembering the span (the body is read within it)."""
        started = time.perf_counter()
        response = await super().handle_async_request(request)
        await response.aread()
        self.spans.append((started, time.perf_counter()))
        return response

    async def get(self, url: str, headers: list[tuple[str, str]], timeout: float) -> httpx.Response:
        """A quick read, remembering the span (the body is read within it)."""
        started = time.perf_counter()
        response = await super().get(url, headers, timeout)
        self.spans.append((started, time.perf_counter()))
        return response

    def trips(self) -> int:
        """The longest chain of requests each sent after the previous one ended; resets."""
        depth: list[int] = []
        spans = sorted(self.spans)
        for i, (start, _) in enumerate(spans):
            before = [depth[j] for j in range(i) if spans[j][1] <= start]
            depth.append(1 + max(before, default=0))
        self.spans = []
        return max(depth, default=0)


async def _get(http: httpx.AsyncClient, url: str, path: str, params: JSON) -> JSON:
    headers = {"x-api-token": DEMO_TOKEN}
    reply = await http.get(f"{url}{path}", params=params, headers=headers)
    reply.raise_for_status()
    body: JSON = reply.json()
    return body


async def _all_pages(http: httpx.AsyncClient, url: str, path: str) -> tuple[list[JSON], int]:
    """Every page of a v2 list (500 a page, following the cursor); the items and the pages."""
    items: list[JSON] = []
    params: JSON = {"limit": 500}
    pages = 0
    while True:
        body = await _get(http, url, path, params)
        pages += 1
        items.extend(body.get("data") or [])
        cursor = (body.get("additional_data") or {}).get("next_cursor")
        if not cursor:
            return items, pages
        params = {"limit": 500, "cursor": cursor}


async def original_pattern(http: httpx.AsyncClient, url: str, person_id: int) -> int:
    """The original product's calls: the company's deals and activities, every page (the two
    lists concurrently), then the notes of each of the person's deals; returns round trips."""
    (deals, deal_pages), (_, activity_pages) = await asyncio.gather(
        _all_pages(http, url, "/api/v2/deals"), _all_pages(http, url, "/api/v2/activities")
    )
    mine = [d["id"] for d in deals if d.get("person_id") == person_id]
    await asyncio.gather(
        *(_get(http, url, "/v1/notes", {"deal_id": d, "start": 0, "limit": 100}) for d in mine)
    )
    return max(deal_pages, activity_pages) + 1


async def _charged(http: httpx.AsyncClient, url: str) -> tuple[int, int]:
    """Requests and tokens the sandbox logged since the last reset; resets the log."""
    log = (await http.get(f"{url}/_sandbox/requests")).json()["requests"]
    (await http.delete(f"{url}/_sandbox/requests")).raise_for_status()
    return len(log), sum(int(r["cost"]) for r in log)


async def company_case(
    http: httpx.AsyncClient, url: str, runs: int
) -> tuple[list[Figures], list[Figures]]:
    """`runs` warm lookups of the 3-deal contact and `runs` of the original pattern."""
    timed = Timed()
    async with service_client(transport=timed) as lookups:
        engine = LookupEngine(lookups, MemoryCache(), api_base=url, limits=Limits())
        result = await engine.lookup(  # metadata and company sizes learned
            email_for(3), credential=ApiToken(DEMO_TOKEN), account=DEMO_ACCOUNT, base_url=url
        )
        assert isinstance(result, Match)  # noqa: S101 - a benchmark of matches
        ours, theirs = [], []
        await _charged(http, url)
        for _ in range(runs):
            timed.trips()
            sample = await measure(engine, url, email_for(3))
            requests, tokens = await _charged(http, url)
            assert (requests, tokens) == (sample.requests, sample.tokens)  # noqa: S101
            ours.append(Figures(sample.seconds, requests, tokens, timed.trips()))
            started = time.perf_counter()
            trips = await original_pattern(http, url, result.contact.id)
            seconds = time.perf_counter() - started
            requests, tokens = await _charged(http, url)
            theirs.append(Figures(seconds, requests, tokens, trips))
    return ours, theirs


def company_row(label: str, latency: float, figures: list[Figures], ours: int) -> str:
    """A row of the company-size table; "ratio" is the wall over trips x latency."""
    wall = statistics.median(f.seconds for f in figures)
    f = figures[0]
    floor = f.trips * latency / 1000
    return (
        f"| {label:<28} | {latency:6.0f} | {f.tokens:6d} | {f.requests:3d} | {f.trips:5d} "
        f"| {wall * 1000:8.1f} | {wall / floor:5.2f} | {f.tokens / ours:8.2f} |"
    )


COMPANY_HEADER = (
    "| company, plan                | lat ms | tokens | req | trips |  wall ms | ratio "
    "| x Cardin |\n"
    "|------------------------------|-------:|-------:|----:|------:|---------:|------:"
    "|---------:|"
)


async def company_table(runs: int) -> list[str]:
    """Rows for a 3-deal contact in companies of 100, 1,000 and 10,000 deals, warm, beside the
    original pattern."""
    rows = []
    for size in COMPANY_SIZES:
        with sandbox_process(total_deals=size) as url:
            async with httpx.AsyncClient(transport=ServiceTransport(), timeout=60) as http:
                for latency in COMPANY_LATENCIES:
                    set_latency(url, latency)
                    ours, theirs = await company_case(http, url, runs)
                    tokens = ours[0].tokens
                    rows.append(company_row(f"{size:,} deals, Cardin", latency, ours, tokens))
                    rows.append(company_row(f"{size:,} deals, original", latency, theirs, tokens))
    return rows


def machine_pace() -> str:
    """How fast this machine runs Python, to compare figures taken on different machines: the
    best of 3 runs of a plain loop of 10 million additions, and of building 200,000 small dicts
    10 times (allocation, which the service does much more of than arithmetic; a tenth at a
    time, so that the load generator does not hold hundreds of MB beside the service)."""
    loop = dicts = float("inf")
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for n in range(10_000_000):
            total += n
        loop = min(loop, time.perf_counter() - started)
        started = time.perf_counter()
        for _ in range(10):
            built = [{"n": n} for n in range(200_000)]
            del built
        dicts = min(dicts, time.perf_counter() - started)
    version = sys.version.split()[0]
    return (
        f"this machine's pace (Python {version}): 10 million additions in a loop {loop:.2f} s,"
        f" 200,000 small dicts built 10 times {dicts:.2f} s"
    )


async def main(runs: int, *, companies_only: bool) -> None:
    """Print the tables as Markdown."""
    print(machine_pace(), end="\n\n")
    if not companies_only:
        print(HEADER)
        for line in await contact_table(runs):
            print(line, flush=True)
        print()
    print(COMPANY_HEADER)
    for line in await company_table(runs):
        print(line, flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="lookups per case (median shown)")
    parser.add_argument("--companies", action="store_true", help="the company-size table only")
    arguments = parser.parse_args()
    # on the event loop the service's lookups run on: uvicorn picks uvloop where it is installed
    run = uvloop.run if uvloop is not None else asyncio.run
    run(main(arguments.runs, companies_only=arguments.companies))
