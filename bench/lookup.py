"""Lookup benchmark: wall time, round-trip ratio, requests and Pipedrive tokens per lookup.

Runs the real engine over real HTTP (loopback) against the sandbox app under uvicorn in its own
process (as Pipedrive is another machine: no shared interpreter lock), for
contacts with 0, 3 and 30 deals, with the account metadata cold and warm, at 0, 50 and 100 ms of
sandbox latency per request; then a 3-deal contact in companies of 100 and of 10,000 deals.
The sandbox's rate limits are off (a benchmark fires more searches than Pipedrive's 10 per 2 s).

    .venv/bin/python bench/lookup.py [--runs N]

The round-trip floor is 3 x latency (search; person + lists; deal details): the target is a
warm lookup within 1.15 x that floor at 100 ms, and at most 62 + 30 tokens per deal shown in
detail (plus about 62 tokens of metadata when it is cold). "ratio" divides by 3 x the nominal
latency; "vs trip" by 3 x the measured time of one bare request at that latency, which on a
virtual machine exceeds the nominal latency by the cost of waking up (see the README).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import multiprocessing
import socket
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

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

TODAY = date(2026, 11, 28)
DEAL_COUNTS = (0, 3, 30)
LATENCIES = (0.0, 50.0, 100.0)
COMPANY_SIZES = (100, 10_000)
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


def pad_company(company: Company, total_deals: int) -> None:
    """Give the company `total_deals` deals in all, the extra ones on other persons."""
    others = [p["id"] for p in company.persons[:20]]
    for n in range(max(0, total_deals - len(company.deals))):
        deal_id = company.next_id("deals")
        company.deals.append(_clone(company.deals[0], id=deal_id, person_id=others[n % 20]))


def build_sandbox(total_deals: int | None = None) -> Sandbox:
    """The demo data plus the benchmark persons, optionally padded to a company size."""
    dataset = demo_dataset(TODAY)
    company = dataset.companies[0]
    for deals in DEAL_COUNTS:
        add_bench_person(company, deals)
    if total_deals is not None:
        pad_company(company, total_deals)
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


async def measure(engine: LookupEngine, url: str, email: str) -> Sample:
    """Time one lookup."""
    started = time.perf_counter()
    result = await engine.lookup(
        email, credential=ApiToken(DEMO_TOKEN), account=DEMO_ACCOUNT, base_url=url
    )
    seconds = time.perf_counter() - started
    assert isinstance(result, Match), email  # noqa: S101 - a benchmark of matches
    detailed = sum(d.notes is not None for d in result.contact.deals.items)
    return Sample(seconds, result.usage.requests, result.usage.tokens, detailed)


async def run_case(
    http: httpx.AsyncClient, url: str, email: str, *, warm: bool, runs: int
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
        samples.append(await measure(engine, url, email))
    return samples


async def round_trip(http: httpx.AsyncClient, url: str) -> float:
    """Median seconds of one bare request (`/v1/users/me`) at the sandbox's current latency."""
    headers = {"x-api-token": DEMO_TOKEN}
    times = []
    for _ in range(7):
        started = time.perf_counter()
        (await http.get(f"{url}/v1/users/me", headers=headers)).raise_for_status()
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def row(label: str, latency: float, samples: list[Sample], *, warm: bool, trip: float) -> str:
    """A table row: median wall time, ratios to the floors, requests, tokens and the budget."""
    wall = statistics.median(s.seconds for s in samples)
    floor = 3 * latency / 1000
    ratio = f"{wall / floor:5.2f}" if floor and warm else "    –"
    measured = f"{wall / (3 * trip):5.2f}" if floor and warm else "    –"
    first = samples[0]
    budget = 62 + 30 * first.detailed + (0 if warm else 62)
    return (
        f"| {label:<22} | {'warm' if warm else 'cold'} | {latency:6.0f} | {wall * 1000:8.1f} "
        f"| {ratio} | {measured} | {first.requests:3d} | {first.tokens:6d} | {budget:6d} |"
    )


HEADER = (
    "| case                   | meta | lat ms |  wall ms | ratio | vs trip | req | tokens "
    "| budget |\n"
    "|------------------------|------|-------:|---------:|------:|--------:|----:|-------:"
    "|-------:|"
)


async def contact_table(runs: int) -> list[str]:
    """Rows for the 0/3/30-deal contacts at each latency, cold and warm."""
    rows = []
    with sandbox_process() as url:
        async with httpx.AsyncClient(timeout=30) as http:
            for latency in LATENCIES:
                set_latency(url, latency)
                trip = await round_trip(http, url)
                for deals in DEAL_COUNTS:
                    for warm in (False, True):
                        samples = await run_case(http, url, email_for(deals), warm=warm, runs=runs)
                        rows.append(row(f"{deals} deals", latency, samples, warm=warm, trip=trip))
    return rows


async def company_table(runs: int) -> list[str]:
    """Rows for a 3-deal contact in companies of 100 and 10,000 deals, warm, at 100 ms."""
    rows = []
    for size in COMPANY_SIZES:
        with sandbox_process(total_deals=size) as url:
            set_latency(url, 100.0)
            async with httpx.AsyncClient(timeout=30) as http:
                trip = await round_trip(http, url)
                samples = await run_case(http, url, email_for(3), warm=True, runs=runs)
        rows.append(row(f"3 deals, {size:,} in co.", 100.0, samples, warm=True, trip=trip))
    return rows


async def main(runs: int) -> None:
    """Print both tables as Markdown."""
    print(HEADER)
    for line in await contact_table(runs):
        print(line, flush=True)
    for line in await company_table(runs):
        print(line, flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="lookups per case (median shown)")
    asyncio.run(main(parser.parse_args().runs))
