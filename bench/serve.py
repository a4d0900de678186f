"""Service benchmark: `cardin serve --workers N` on loopback, message opens from another process.

Starts the sandbox (its own process, rate limits off, `--latency` per request), a local Google (in
this process: certificates and Gmail metadata), and `cardin serve` as a subprocess on a fresh
SQLite database with one automatic connector and the cache at `--cache` (Redis by default, a
database of its own that is emptied first). This process is the load generator: `--concurrency`
keep-alive connections POST signed contextual-trigger events for messages from the demo company's
45 persons.

Rows: "first opens" open each person once (a full lookup; account metadata warm); "repeat opens"
open them again and again for `--seconds`, answered from the result cache by whichever worker
takes the connection (the Pipedrive column counts the requests that reached the sandbox during
them: 0 means no lookup was repeated on any worker); "uncached" runs with the result cache off
(a full lookup on every open, metadata warm). Between the first and the repeat opens, each
person is opened again until a round reaches Pipedrive no more (a first open that ran out of
time, paced by the shared limiter, is not cached: it would be looked up again during the repeat
opens; the requests of each round are printed). After the repeat opens, the CPU seconds each
worker spent on them; after `--opens` opens in all, the resident memory of each worker.

    .venv/bin/python bench/serve.py [--workers 2] [--cache redis://127.0.0.1:6379/13]
        [--latency 50] [--concurrency 8] [--seconds 10] [--opens 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import redis
from cryptography.fernet import Fernet

from cardin.commands.servers import BackgroundServer
from cardin.connectors import ALL_FEATURES
from cardin.connectors.model import ConnectorSettings, RunMode
from cardin.contact.model import Account
from cardin.pipedrive import ApiToken
from cardin.preview.google import LocalGoogle
from cardin.sandbox import DEMO_COMPANY_ID, DEMO_TOKEN, demo_dataset
from cardin.store import ConnectorStore, TokenCipher, create_database_engine, upgrade_database
from lookup import _free_port, machine_pace, sandbox_process, set_latency

SUB, USER_EMAIL = "bench-user", "bench@aurora-demo.example"
Prepared = list[bytes]


def seed(database_url: str, key: str, sandbox_url: str) -> None:
    """Store one automatic connector for the benchmark user."""
    engine = create_database_engine(database_url)
    upgrade_database(engine)
    store = ConnectorStore(engine, TokenCipher(key))
    account = Account(DEMO_COMPANY_ID, "Co", "aurora-demo", 1, "U", "u@x", "en_US", "UTC")
    settings = ConnectorSettings("Account", ALL_FEATURES, RunMode.AUTOMATIC, show_in_dashboard=True)
    store.create(
        SUB, settings, credential=ApiToken(DEMO_TOKEN), base_url=sandbox_url, account=account
    )
    engine.dispose()


@contextmanager
def service(env: dict[str, str], port: int, workers: int) -> Iterator[subprocess.Popen[bytes]]:
    """`cardin serve` as a subprocess, once it answers."""
    cardin = Path(sys.executable).with_name("cardin")
    command = [str(cardin), "serve", "--port", str(port), "--workers", str(workers)]
    if env["CARDIN_CACHE_URL"].startswith("memory://") and workers > 1:
        command.append("--allow-memory-cache")
    child = subprocess.Popen(  # noqa: S603 - our own entry point with fixed arguments
        command, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or child.poll() is not None:
                    raise
                time.sleep(0.2)
        yield child
    finally:
        child.terminate()
        child.wait(20)


def events(google: LocalGoogle, public_url: str, port: int) -> Prepared:
    """Signed message-open requests as raw HTTP/1.1 bytes, one per demo person."""
    company = demo_dataset().companies[0]
    emails = [p["emails"][0]["value"] for p in company.persons if p.get("emails")]
    audience = f"{public_url}/addon/message"
    prepared = []
    for n, email in enumerate(emails):
        message_id = f"msg-f:{1659728385805497086 + n}"
        google.add_message(message_id, sender=email, to=USER_EMAIL)
        body = json.dumps(google.event(sub=SUB, email=USER_EMAIL, message_id=message_id)).encode()
        token = google.system_token(audience, expires_in=3600)
        head = (
            f"POST /addon/message HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\n"
            f"authorization: Bearer {token}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\n\r\n"
        )
        prepared.append(head.encode() + body)
    return prepared


@dataclass
class Phase:
    """What one load phase measured."""

    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        """Opens per second."""
        return len(self.latencies) / self.seconds

    def percentile(self, share: float) -> float:
        """The latency below which `share` of the opens fall, in ms."""
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> None:
    """Send one request on a keep-alive connection and read its whole answer (200 only)."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = head[9:12]
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    if status != b"200":
        raise RuntimeError(f"the service answered {status.decode()}")


async def load(
    port: int,
    prepared: Prepared,
    concurrency: int,
    *,
    seconds: float = 0,
    opens: int = 0,
    each_once: bool = False,
) -> Phase:
    """Open messages on `concurrency` connections, for `seconds` or `opens` opens in all, or
    each message once."""
    latencies: list[float] = []
    started = time.perf_counter()
    stop = started + seconds if seconds else float("inf")
    budget = opens or None

    async def client(offset: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        n = offset
        try:
            while time.perf_counter() < stop and (budget is None or len(latencies) < budget):
                if each_once and n >= len(prepared):
                    break
                begun = time.perf_counter()
                await _exchange(reader, writer, prepared[n % len(prepared)])
                latencies.append(time.perf_counter() - begun)
                n += concurrency
        finally:
            writer.close()

    await asyncio.gather(*(client(i) for i in range(concurrency)))
    return Phase(time.perf_counter() - started, latencies)


def first_opens(port: int, prepared: Prepared) -> Phase:
    """Each person opened once, on 8 connections."""
    return asyncio.run(load(port, prepared, 8, opens=len(prepared), each_once=True))


def pipedrive_requests(sandbox_url: str) -> int:
    """Requests the sandbox has logged since it was last cleared."""
    reply = httpx.get(f"{sandbox_url}/_sandbox/requests", timeout=10).json()
    return len(reply["requests"])


def clear_requests(sandbox_url: str) -> None:
    """Empty the sandbox's request log."""
    httpx.delete(f"{sandbox_url}/_sandbox/requests", timeout=10).raise_for_status()


def settle(port: int, prepared: Prepared, sandbox_url: str, rounds: int = 5) -> list[int]:
    """Open each person again until a round makes no Pipedrive request (at most `rounds`): the
    requests each round made."""
    made = []
    while len(made) < rounds and (not made or made[-1] > 0):
        clear_requests(sandbox_url)
        first_opens(port, prepared)
        made.append(pipedrive_requests(sandbox_url))
    return made


def _workers(parent: int) -> list[int]:
    """The uvicorn workers under `parent` (not multiprocessing's resource tracker)."""
    return [
        pid
        for pid in _children(parent)
        if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]


def worker_cpu(parent: int) -> dict[int, float]:
    """CPU seconds (user and system) each worker has used so far, by process id (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    spent = {}
    for pid in _workers(parent):
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        spent[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return spent


def worker_rss(parent: int) -> list[float]:
    """Resident memory of each uvicorn worker under `parent`, in MB (Linux /proc)."""
    sizes = []
    for pid in _workers(parent):
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
        sizes.extend(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))
    return sizes


def _children(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        children.extend(int(child) for child in text)
    return children


def row(case: str, args: argparse.Namespace, phase: Phase, pipedrive: int | str) -> str:
    """A table row."""
    return (
        f"| {case:<13} | {args.workers:2d} | {args.latency:4.0f} | {args.concurrency:4d} "
        f"| {len(phase.latencies):6d} | {phase.rate:7.1f} | {phase.percentile(0.5):6.1f} "
        f"| {phase.percentile(0.99):6.1f} | {pipedrive!s:>9} |"
    )


def environment(  # noqa: PLR0917 - one place that names every setting
    tmp: str,
    port: int,
    google: LocalGoogle,
    google_url: str,
    args: argparse.Namespace,
    sandbox_url: str,
    *,
    cached: bool,
) -> dict[str, str]:
    """The service's settings."""
    database_url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
    key = Fernet.generate_key().decode()
    seed(database_url, key, sandbox_url)
    return {
        "CARDIN_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "CARDIN_DATABASE_URL": database_url,
        "CARDIN_SECRET_KEY": key,
        "CARDIN_DATA_DIR": tmp,
        "CARDIN_CACHE_URL": args.cache,
        "CARDIN_GOOGLE_SERVICE_ACCOUNT": google.service_account,
        "CARDIN_GOOGLE_OAUTH_CLIENT_ID": google.oauth_client_id,
        "CARDIN_GOOGLE_CERTS_URL": f"{google_url}/oauth2/v1/certs",
        "CARDIN_GMAIL_API_URL": google_url,
        "PIPEDRIVE_BASE_URL": sandbox_url,
        "CARDIN_RESULT_TTL": "600" if cached else "0",
    }


def flush(cache: str) -> None:
    """Empty the benchmark's own Redis database."""
    if cache.startswith("redis"):
        redis.Redis.from_url(cache).flushdb()


def forget_results(cache: str) -> None:
    """Drop the cached lookup results (Redis only), keeping the account metadata."""
    if cache.startswith("redis"):
        client = redis.Redis.from_url(cache)
        keys = list(client.scan_iter("cardin:result:*"))
        if keys:
            client.delete(*keys)


def run(args: argparse.Namespace, sandbox_url: str, *, cached: bool) -> list[str]:
    """The rows of one service run."""
    flush(args.cache)
    rows = []
    google = LocalGoogle()
    with tempfile.TemporaryDirectory() as tmp, BackgroundServer(google.app) as google_server:
        port = _free_port()
        env = environment(tmp, port, google, google_server.url, args, sandbox_url, cached=cached)
        prepared = events(google, env["CARDIN_PUBLIC_URL"], port)
        with service(env, port, args.workers) as child:
            started = worker_rss(child.pid)
            first_opens(port, prepared)  # account metadata fetched (each worker, once)
            if not cached:
                clear_requests(sandbox_url)
                phase = asyncio.run(load(port, prepared, args.concurrency, seconds=args.seconds))
                return [row("uncached", args, phase, pipedrive_requests(sandbox_url))]
            forget_results(args.cache)  # the first pass warmed the metadata: look up again
            clear_requests(sandbox_url)
            first = first_opens(port, prepared)
            rows.append(row("first opens", args, first, pipedrive_requests(sandbox_url)))
            rounds = settle(port, prepared, sandbox_url)
            clear_requests(sandbox_url)
            before = worker_cpu(child.pid)
            phase = asyncio.run(load(port, prepared, args.concurrency, seconds=args.seconds))
            # a worker replaced during the phase counts from 0
            cpu = [spent - before.get(pid, 0.0) for pid, spent in worker_cpu(child.pid).items()]
            rows.append(row("repeat opens", args, phase, pipedrive_requests(sandbox_url)))
            done = len(prepared) * (2 + len(rounds)) + len(phase.latencies)
            if args.opens > done:
                asyncio.run(load(port, prepared, args.concurrency, opens=args.opens - done))
            sizes = worker_rss(child.pid)
            rows.append(
                "\nPipedrive requests of each round of opens before the repeat opens: "
                + ", ".join(map(str, rounds))
                + " (until one made none). CPU per worker during the repeat opens: "
                + ", ".join(f"{seconds:.1f} s" for seconds in cpu)
            )
            rows.append(
                f"\nRSS per worker after {max(done, args.opens)} opens: "
                + ", ".join(f"{size:.0f} MB" for size in sizes)
                + " (at start: "
                + ", ".join(f"{size:.0f} MB" for size in started)
                + ")"
            )
    return rows


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cache", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--opens", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=50.0, help="sandbox ms per request")
    parser.add_argument("--skip-uncached", action="store_true")
    args = parser.parse_args()
    print(f"started {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, cache {args.cache}; {machine_pace()}")
    print("| case          |  w | lat  | conc |  opens | opens/s | p50 ms | p99 ms | Pipedrive |")
    print("|---------------|---:|-----:|-----:|-------:|--------:|-------:|-------:|----------:|")
    with sandbox_process() as sandbox_url:
        set_latency(sandbox_url, args.latency)
        for line in run(args, sandbox_url, cached=True):
            print(line, flush=True)
        if not args.skip_uncached:
            for line in run(args, sandbox_url, cached=False):
                print(line, flush=True)


if __name__ == "__main__":
    main()
