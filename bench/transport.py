"""HTTP transport benchmark: client CPU per request, httpx's own transport against the service's.

The sandbox serves in its own process at 0 ms latency; this process sends requests one after
the other and counts its own CPU time (`time.process_time`) per request, best of 3 rounds:
a bare GET of a person (about 1 KB), the company's activities page (about 150 KB) and the
Pipedrive client's `person()` (the GET with everything the client does around it), over
httpx's `AsyncHTTPTransport`, over `cardin.transport.ServiceTransport` (aiohttp under httpx's
client), and as the service sends its reads: `ServiceClient.quick_get` (aiohttp without httpx's
client around it; `person()` on `service_client()`), on uvloop as in `cardin serve`.

    .venv/bin/python bench/transport.py [--requests 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop is not built for this platform
    uvloop = None  # type: ignore[assignment]

from cardin.pipedrive import ApiToken, PipedriveClient, UsageMeter
from cardin.transport import ServiceClient, ServiceTransport, service_client
from lookup import DEMO_TOKEN, machine_pace, sandbox_process, set_latency

PERSON = "/api/v2/persons/47"
PAGE = "/api/v2/activities?limit=500"


async def cpu_per_call(call: Callable[[], Awaitable[object]], count: int) -> float:
    """Milliseconds of this process's CPU per call, best of 3 rounds of `count`."""
    for _ in range(min(50, count)):
        await call()
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for _ in range(count):
            await call()
        best = min(best, (time.process_time() - started) / count)
    return best * 1000


async def rows(url: str, count: int) -> list[str]:
    """One row per way of sending."""
    headers = {"x-api-token": DEMO_TOKEN}
    out = []
    for name, http in (
        ("httpx AsyncHTTPTransport", httpx.AsyncClient(transport=httpx.AsyncHTTPTransport())),
        ("ServiceTransport (aiohttp)", httpx.AsyncClient(transport=ServiceTransport())),
        ("ServiceClient quick reads", service_client()),
    ):
        async with http:
            client = PipedriveClient(
                http,
                auth=ApiToken(DEMO_TOKEN).auth(),
                base_url=url,
                configured_base=url,
                meter=UsageMeter(),
            )

            async def get(path: str, http: httpx.AsyncClient = http) -> None:
                if isinstance(http, ServiceClient):
                    response = await http.quick_get(url + path, list(headers.items()), 30.0)
                    await response.aread()
                else:
                    response = await http.get(url + path, headers=headers)
                if response.status_code != 200:
                    raise RuntimeError(f"the sandbox answered {response.status_code}")

            person = await cpu_per_call(lambda: get(PERSON), count)
            page = await cpu_per_call(lambda: get(PAGE), max(1, count // 4))
            pipedrive = await cpu_per_call(lambda client=client: client.person(47), count)
            out.append(f"| {name:<26} | {person:8.3f} | {page:8.3f} | {pipedrive:8.3f} |")
    return out


async def main(count: int) -> None:
    """Print the table as Markdown."""
    print(machine_pace(), end="\n\n")
    print("| sent over                  | GET 1 KB | GET page | person() |")
    print("|----------------------------|---------:|---------:|---------:|")
    with sandbox_process(total_deals=100) as url:
        set_latency(url, 0)
        for line in await rows(url, count):
            print(line, flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="requests per round")
    arguments = parser.parse_args()
    run = uvloop.run if uvloop is not None else asyncio.run
    run(main(arguments.requests))
