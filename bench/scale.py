"""Scale benchmark: many users of many companies, two workers, one Pipedrive budget per company.

Starts the sandbox (its own process, rate limits ON, Pipedrive's Lite plan: 20 requests per 2 s
per token, 10 searches per 2 s; latency per request as given) with `--companies` copies of the
demo company, each with `--users` API tokens; a local Google in this process; and `cardin serve
--workers 2` on PostgreSQL (a fresh schema in the test database, dropped after) and Redis (the
result cache, the metadata, the shared limiter, the coalescing locks). Every user has one
connector on their own token. One client per user opens messages back to back for `--seconds`:
a share of the opens are repeats of an address the user opened before (the result cache
answers), the rest new addresses, and some opens come twice at once (Gmail's prefetch). That is
well above a token's burst window: without the shared limiter it draws 429s.

Prints opens/s, p50/p99, Pipedrive requests, tokens per company, 429s (the target is 0) and the
limiter's waits (from `/metrics`).

    .venv/bin/python bench/scale.py [--seconds 30] [--latency MS] [--companies 5] [--users 10]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
import redis
from cryptography.fernet import Fernet
from psycopg import sql

from cardin.commands.servers import BackgroundServer
from cardin.connectors import ALL_FEATURES
from cardin.connectors.model import ConnectorSettings, RunMode
from cardin.contact.model import Account
from cardin.pipedrive import ApiToken
from cardin.pipedrive.costs import path_template
from cardin.preview.google import LocalGoogle
from cardin.sandbox import Company, Dataset, Sandbox, demo_dataset
from cardin.store import ConnectorStore, TokenCipher, create_database_engine, upgrade_database
from lookup import _free_port, set_latency

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FIRST_COMPANY = 7_400_001


@dataclass(frozen=True)
class UserSpec:
    """One Google user of the add-on with one connector on their own Pipedrive token."""

    sub: str
    email: str
    token: str
    company_id: int
    user_id: int


def companies(count: int, users: int) -> tuple[Dataset, list[UserSpec]]:
    """`count` copies of the demo company on the Lite plan, `users` tokens each."""
    demo = demo_dataset().companies[0]
    made, specs = [], []
    for n in range(count):
        data = copy.deepcopy(demo.to_json())
        company_id = FIRST_COMPANY + n
        data["company"].update(id=company_id, plan="lite", seats=users, domain=f"scale{n}")
        user_ids = [u["id"] for u in data["users"]]
        data["tokens"] = {}
        for u in range(users):
            token = f"scale{n:02d}user{u:02d}".ljust(40, "0")
            user_id = user_ids[u % len(user_ids)]
            data["tokens"][token] = user_id
            specs.append(
                UserSpec(f"scale-{n}-{u}", f"user{u}@scale{n}.example", token, company_id, user_id)
            )
        made.append(Company.from_json(data))
    return Dataset(made), specs


def _serve_sandbox(count: int, users: int, port: int) -> None:
    import uvicorn  # noqa: PLC0415 - only the child process serves

    dataset, _ = companies(count, users)
    sandbox = Sandbox(dataset, rate_limits=True, timeout_seconds=30.0)
    uvicorn.run(sandbox.app, host="127.0.0.1", port=port, log_level="error")


@contextmanager
def sandbox_process(count: int, users: int) -> Iterator[str]:
    """The sandbox in a child process; yields its base URL."""
    import multiprocessing  # noqa: PLC0415

    port = _free_port()
    child = multiprocessing.get_context("spawn").Process(
        target=_serve_sandbox, args=(count, users, port), daemon=True
    )
    child.start()
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/_sandbox/latency", child.is_alive)
        yield url
    finally:
        child.terminate()
        child.join(10)


def wait_for(url: str, alive: Callable[[], bool]) -> None:
    """Return once `url` answers; raise when it does not within a minute or `alive` says no."""
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(url, timeout=1).raise_for_status()
        except httpx.HTTPError:
            if time.monotonic() > deadline or not alive():
                raise
            time.sleep(0.1)
        else:
            return


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh schema in the test database; its URL; dropped after."""
    name = f"cardin_scale_{uuid.uuid4().hex[:12]}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{name}"
    finally:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as c:
            c.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def clear_redis(url: str) -> None:
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter("cardin:*"))
    if keys:
        client.delete(*keys)
    client.close()


def seed(database_url: str, key: str, sandbox_url: str, specs: list[UserSpec]) -> None:
    """One automatic connector per user, on the user's token."""
    engine = create_database_engine(database_url)
    upgrade_database(engine)
    store = ConnectorStore(engine, TokenCipher(key))
    for spec in specs:
        n = spec.company_id - FIRST_COMPANY
        account = Account(
            spec.company_id, "Co", f"scale{n}", spec.user_id, "U", spec.email, "en_US", "UTC"
        )
        settings = ConnectorSettings(
            "Pipedrive", ALL_FEATURES, RunMode.AUTOMATIC, show_in_dashboard=True
        )
        store.create(
            spec.sub,
            settings,
            credential=ApiToken(spec.token),
            base_url=sandbox_url,
            account=account,
        )
    engine.dispose()


@contextmanager
def service(env: dict[str, str], port: int, workers: int) -> Iterator[str]:
    """`cardin serve --workers N` as a subprocess; yields its base URL once it answers."""
    cardin = Path(sys.executable).with_name("cardin")
    log = tempfile.NamedTemporaryFile(prefix="cardin-scale-", suffix=".log", delete=False)  # noqa: SIM115
    child = subprocess.Popen(  # noqa: S603 - our own entry point with fixed arguments
        [str(cardin), "serve", "--port", str(port), "--workers", str(workers)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/healthz", lambda: child.poll() is None)
        yield url
    finally:
        child.terminate()
        child.wait(15)
        log.close()
        print(f"(service log: {log.name})", file=sys.stderr)


@dataclass
class Load:
    """What the clients saw."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    repeats: int = 0
    doubles: int = 0


async def user_client(
    url: str,
    *,
    events: dict[str, bytes],
    authorization: str,
    stop: float,
    load: Load,
    rng: random.Random,
    repeat_share: float,
    double_share: float,
) -> None:
    """One user opening messages back to back: repeats, new addresses, some opened twice."""
    fresh = list(events)
    rng.shuffle(fresh)
    opened: list[str] = []
    async with httpx.AsyncClient(timeout=30) as http:

        async def open_one(email: str) -> None:
            started = time.perf_counter()
            response = await http.post(
                f"{url}/addon/message",
                content=events[email],
                headers={"authorization": authorization, "content-type": "application/json"},
            )
            load.latencies.append(time.perf_counter() - started)
            load.statuses[response.status_code] += 1

        while time.monotonic() < stop:
            if opened and (rng.random() < repeat_share or not fresh):
                email = rng.choice(opened)
                load.repeats += 1
            else:
                email = fresh.pop()
                opened.append(email)
            if rng.random() < double_share:
                load.doubles += 1
                await asyncio.gather(open_one(email), open_one(email))
            else:
                await open_one(email)


def prepared_events(google: LocalGoogle, specs: list[UserSpec]) -> dict[str, dict[str, bytes]]:
    """Per user, a signed message-open event for every person of the user's company."""
    emails = [p["emails"][0]["value"] for p in demo_dataset().companies[0].persons]
    events: dict[str, dict[str, bytes]] = {}
    serial = 1_759_728_385_805_497_086
    for spec in specs:
        mine = {}
        for email in emails:
            serial += 1
            message_id = f"msg-f:{serial}"
            google.add_message(message_id, sender=email, to=spec.email)
            event = google.event(sub=spec.sub, email=spec.email, message_id=message_id)
            mine[email] = json.dumps(event).encode()
        events[spec.sub] = mine
    return events


def metric_sum(text: str, name: str, *label_values: str) -> float:
    """The sum of a metric's samples in Prometheus' text format (those of its samples whose
    labels hold every one of `label_values`, when given)."""
    pattern = re.compile(rf"^{re.escape(name)}(\{{[^}}]*\}})? ([0-9.e+-]+)$", re.MULTILINE)
    return sum(
        float(value)
        for labels, value in pattern.findall(text)
        if all(f'="{v}"' in labels for v in label_values)
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> None:
    """Run the load and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--latency", type=float, default=50.0, help="sandbox latency, ms")
    parser.add_argument("--companies", type=int, default=5)
    parser.add_argument("--users", type=int, default=10, help="users (tokens) per company")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat-share", type=float, default=0.5)
    parser.add_argument("--double-share", type=float, default=0.1)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    args = parser.parse_args()
    started = datetime.now(UTC)
    _, specs = companies(args.companies, args.users)
    clear_redis(args.redis)
    google = LocalGoogle()
    with (
        sandbox_process(args.companies, args.users) as sandbox_url,
        postgres_schema() as database_url,
        tempfile.TemporaryDirectory() as tmp,
        BackgroundServer(google.app) as google_server,
    ):
        set_latency(sandbox_url, args.latency)
        key = Fernet.generate_key().decode()
        seed(database_url, key, sandbox_url, specs)
        port = _free_port()
        public_url = f"http://127.0.0.1:{port}"
        env = {
            "CARDIN_PUBLIC_URL": public_url,
            "CARDIN_DATABASE_URL": database_url,
            "CARDIN_CACHE_URL": args.redis,
            "CARDIN_SECRET_KEY": key,
            "CARDIN_DATA_DIR": tmp,
            "CARDIN_GOOGLE_SERVICE_ACCOUNT": google.service_account,
            "CARDIN_GOOGLE_OAUTH_CLIENT_ID": google.oauth_client_id,
            "CARDIN_GOOGLE_CERTS_URL": f"{google_server.url}/oauth2/v1/certs",
            "CARDIN_GMAIL_API_URL": google_server.url,
            "PIPEDRIVE_BASE_URL": sandbox_url,
            "CARDIN_METRICS": "1",
            "CARDIN_LOG_FORMAT": "json",
        }
        events = prepared_events(google, specs)
        authorization = google.authorization(f"{public_url}/addon/message")
        with service(env, port, args.workers) as url:
            httpx.delete(f"{sandbox_url}/_sandbox/requests", timeout=10).raise_for_status()
            load = Load()
            rng = random.Random(12)
            stop = time.monotonic() + args.seconds
            began = time.monotonic()

            async def everyone() -> None:
                await asyncio.gather(
                    *(
                        user_client(
                            url,
                            events=events[s.sub],
                            authorization=authorization,
                            stop=stop,
                            load=load,
                            rng=random.Random(rng.random()),
                            repeat_share=args.repeat_share,
                            double_share=args.double_share,
                        )
                        for s in specs
                    )
                )

            asyncio.run(everyone())
            elapsed = time.monotonic() - began
            metrics_text = httpx.get(f"{url}/metrics", timeout=10).text
            recorded = httpx.get(f"{sandbox_url}/_sandbox/requests", timeout=60).json()
    requests = recorded["requests"] if isinstance(recorded, dict) else recorded
    report(
        args,
        started=started,
        elapsed=elapsed,
        load=load,
        requests=requests,
        metrics_text=metrics_text,
    )


def report(
    args: argparse.Namespace,
    *,
    started: datetime,
    elapsed: float,
    load: Load,
    requests: list[dict[str, object]],
    metrics_text: str,
) -> None:
    opens = len(load.latencies)
    refused = sum(1 for r in requests if r["status"] == 429)
    tokens: Counter[object] = Counter()
    for r in requests:
        tokens[r["company_id"]] += int(r["cost"])  # type: ignore[call-overload]
    waits = metric_sum(metrics_text, "cardin_limiter_waits_total")
    coalesced = metric_sum(metrics_text, "cardin_coalesced_lookups_total")
    lookups = metric_sum(metrics_text, "cardin_lookups_total")
    print(
        f"started {started:%Y-%m-%d %H:%M} UTC; {args.companies} companies x {args.users} users, "
        f"{args.workers} workers, PostgreSQL + Redis, sandbox latency {args.latency:.0f} ms, "
        f"Lite plan limits, {args.seconds:.0f} s"
    )
    print(
        "| opens | opens/s | repeat | twice | p50 ms | p99 ms | non-200 | lookups | coalesced "
        "| Pipedrive req | 429s | limiter waits |"
    )
    print(
        "|------:|--------:|-------:|------:|-------:|-------:|--------:|--------:|----------:"
        "|--------------:|-----:|--------------:|"
    )
    non_ok = sum(n for status, n in load.statuses.items() if status != 200)
    print(
        f"| {opens} | {opens / elapsed:.1f} | {load.repeats} | {load.doubles} "
        f"| {percentile(load.latencies, 0.5) * 1000:.0f} "
        f"| {percentile(load.latencies, 0.99) * 1000:.0f} | {non_ok} | {lookups:.0f} "
        f"| {coalesced:.0f} | {len(requests)} | {refused} | {waits:.0f} |"
    )
    waited = {
        f"{window} {result}": metric_sum(metrics_text, "cardin_limiter_waits_total", window, result)
        for window in ("burst", "search")
        for result in ("sent", "gave_up", "sent_unpaced")
    }
    print()
    print("limiter waits: " + ", ".join(f"{k} {v:.0f}" for k, v in waited.items()), end="")
    refused_paths = Counter(path_template(str(r["path"])) for r in requests if r["status"] == 429)
    print(
        "; 429s by endpoint: " + (", ".join(f"{k} {n}" for k, n in refused_paths.items()) or "none")
    )
    print()
    print("| company | tokens | requests | 429s |")
    print("|--------:|-------:|---------:|-----:|")
    for company in sorted(c for c in tokens if c is not None):  # type: ignore[type-var]
        mine = [r for r in requests if r["company_id"] == company]
        print(
            f"| {company} | {tokens[company]} | {len(mine)} "
            f"| {sum(1 for r in mine if r['status'] == 429)} |"
        )


if __name__ == "__main__":
    main()
