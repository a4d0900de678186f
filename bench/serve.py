"""Service benchmark: `cardin serve` on loopback, message opens driven from another process.

Starts the sandbox (its own process, rate limits off, optional latency), a local Google (in this
process: certificates and Gmail metadata), and `cardin serve` as a subprocess on a fresh SQLite
database seeded with 1 or 3 automatic connectors. This process is the load generator: it POSTs
signed contextual-trigger events for messages from the demo company's persons and prints
requests per second and p50/p99 latency. Account metadata is warmed first; the per-address result
cache is off (CARDIN_RESULT_TTL=0), so every open is a full lookup in every connector, except in
the "cached" rows where repeat opens are answered from the result cache.

    .venv/bin/python bench/serve.py [--seconds N] [--concurrency C] [--latency MS]
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
from datetime import UTC, datetime
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

from cardin.commands.servers import BackgroundServer
from cardin.connectors import ALL_FEATURES
from cardin.connectors.model import ConnectorSettings, RunMode
from cardin.contact.model import Account
from cardin.pipedrive import ApiToken
from cardin.preview.google import LocalGoogle
from cardin.sandbox import (
    COLLEAGUE_TOKEN,
    DEMO_COMPANY_ID,
    DEMO_TOKEN,
    SECOND_COMPANY_ID,
    SECOND_TOKEN,
    demo_dataset,
)
from cardin.store import (
    ConnectorStore,
    TokenCipher,
    create_database_engine,
    upgrade_database,
)
from lookup import _free_port, sandbox_process, set_latency

SUB, USER_EMAIL = "bench-user", "bench@aurora-demo.example"
TOKENS = (
    (DEMO_TOKEN, DEMO_COMPANY_ID),
    (COLLEAGUE_TOKEN, DEMO_COMPANY_ID),
    (SECOND_TOKEN, SECOND_COMPANY_ID),
)


def seed(database_url: str, key: str, sandbox_url: str, connectors: int) -> None:
    """Store `connectors` automatic connectors for the benchmark user."""
    engine = create_database_engine(database_url)
    upgrade_database(engine)
    store = ConnectorStore(engine, TokenCipher(key))
    for n, (token, company) in enumerate(TOKENS[:connectors]):
        account = Account(company, "Co", "aurora-demo", 1, "U", "u@x", "en_US", "UTC")
        settings = ConnectorSettings(
            f"Account {n}", ALL_FEATURES, RunMode.AUTOMATIC, show_in_dashboard=True
        )
        store.create(
            SUB, settings, credential=ApiToken(token), base_url=sandbox_url, account=account
        )
    engine.dispose()


@contextmanager
def service(env: dict[str, str], port: int) -> Iterator[str]:
    """`cardin serve` as a subprocess; yields its base URL once it answers."""
    cardin = Path(sys.executable).with_name("cardin")
    child = subprocess.Popen(  # noqa: S603 - our own entry point with fixed arguments
        [str(cardin), "serve", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/healthz", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or child.poll() is not None:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        child.terminate()
        child.wait(10)


def events(google: LocalGoogle, public_url: str) -> list[tuple[bytes, str]]:
    """Signed message-open requests (body, Authorization), one per demo person."""
    company = demo_dataset().companies[0]
    emails = [p["emails"][0]["value"] for p in company.persons if p.get("emails")]
    audience = f"{public_url}/addon/message"
    prepared = []
    for n, email in enumerate(emails):
        message_id = f"msg-f:{1659728385805497086 + n}"
        google.add_message(message_id, sender=email, to=USER_EMAIL)
        event = google.event(sub=SUB, email=USER_EMAIL, message_id=message_id)
        prepared.append((json.dumps(event).encode(), google.authorization(audience)))
    return prepared


async def load(
    url: str, prepared: list[tuple[bytes, str]], seconds: float, concurrency: int
) -> list[float]:
    """Open messages from `concurrency` clients for `seconds`; the latencies of each."""
    latencies: list[float] = []
    stop = time.monotonic() + seconds
    async with httpx.AsyncClient(timeout=30) as http:

        async def client(offset: int) -> None:
            n = offset
            while time.monotonic() < stop:
                body, auth = prepared[n % len(prepared)]
                started = time.perf_counter()
                response = await http.post(
                    f"{url}/addon/message",
                    content=body,
                    headers={"authorization": auth, "content-type": "application/json"},
                )
                response.raise_for_status()
                latencies.append(time.perf_counter() - started)
                n += concurrency

        await asyncio.gather(*(client(i) for i in range(concurrency)))
    return latencies


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values fall."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(connectors: int, *, cached: bool, args: argparse.Namespace, sandbox_url: str) -> str:
    """One benchmark row."""
    with tempfile.TemporaryDirectory() as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        key = Fernet.generate_key().decode()
        seed(database_url, key, sandbox_url, connectors)
        google = LocalGoogle()
        with BackgroundServer(google.app) as google_server:
            port = _free_port()
            public_url = f"http://127.0.0.1:{port}"
            env = {
                "CARDIN_PUBLIC_URL": public_url,
                "CARDIN_DATABASE_URL": database_url,
                "CARDIN_SECRET_KEY": key,
                "CARDIN_DATA_DIR": tmp,
                "CARDIN_GOOGLE_SERVICE_ACCOUNT": google.service_account,
                "CARDIN_GOOGLE_OAUTH_CLIENT_ID": google.oauth_client_id,
                "CARDIN_GOOGLE_CERTS_URL": f"{google_server.url}/oauth2/v1/certs",
                "CARDIN_GMAIL_API_URL": google_server.url,
                "PIPEDRIVE_BASE_URL": sandbox_url,
                "CARDIN_RESULT_TTL": "600" if cached else "0",
            }
            prepared = events(google, public_url)
            with service(env, port) as url:
                asyncio.run(load(url, prepared, 3.0, args.concurrency))  # warm metadata (and cache)
                latencies = asyncio.run(load(url, prepared, args.seconds, args.concurrency))
    rps = len(latencies) / args.seconds
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    label = f"{connectors} connector{'s' if connectors > 1 else ''}"
    label += ", cached" if cached else ""
    return (
        f"| {label:<22} | {args.latency:6.0f} | {args.concurrency:4d} | {rps:7.1f} "
        f"| {p50:7.1f} | {p99:7.1f} |"
    )


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--latency", type=float, default=0.0, help="sandbox latency per request, ms"
    )
    args = parser.parse_args()
    print(f"started {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print("| case                   | lat ms | conc |   req/s | p50 ms  | p99 ms  |")
    print("|------------------------|-------:|-----:|--------:|--------:|--------:|")
    with sandbox_process() as sandbox_url:
        set_latency(sandbox_url, args.latency)
        for connectors, cached in ((1, False), (3, False), (1, True), (3, True)):
            print(run(connectors, cached=cached, args=args, sandbox_url=sandbox_url), flush=True)


if __name__ == "__main__":
    main()
