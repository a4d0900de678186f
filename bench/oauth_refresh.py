"""OAuth refresh benchmark: concurrent lookups of one signed-in connector after its access token
died, in one process and in several "workers" (separate `Grants`, one cache and one database).

Prints, per case, how many refreshes Pipedrive was asked for (the target: one), whether every
lookup found the contact, and the median wall time of the batch against the same batch with a
live token. In process (the sandbox app through httpx's ASGI transport, an SQLite store in a
temporary folder), so the figures measure Cardin's locking, not a network.

    .venv/bin/python bench/oauth_refresh.py [--lookups 20] [--workers 4] [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

from cardin.cache import MemoryCache
from cardin.connectors import ALL_FEATURES
from cardin.connectors.model import Connector, ConnectorSettings, RunMode
from cardin.contact.model import Account, Match
from cardin.lookup import LookupEngine
from cardin.lookup.results import ResultCache
from cardin.pipedrive.oauth import OAuthApp, TokenEndpoint
from cardin.sandbox import DEMO_COMPANY_ID, DEMO_USER_ID, RICH_EMAIL, Sandbox, demo_dataset
from cardin.store import (
    ConnectorStore,
    LoggedEmails,
    TokenCipher,
    WriteRequests,
    create_database_engine,
    upgrade_database,
)
from cardin.usecases import runs
from cardin.usecases.grants import Grants
from cardin.usecases.services import Services

BASE = "http://sandbox.bench"
CLIENT_ID, SECRET = "bench", "bench-secret"  # the sandbox's bench app, not a secret
REDIRECT = "http://cardin.bench/oauth/pipedrive/callback"
ACCOUNT = Account(
    DEMO_COMPANY_ID, "Aurora", "aurora-demo", DEMO_USER_ID, "Maria", "m@a", "en", "UTC"
)


def _now() -> datetime:
    return datetime.now(UTC)


async def _batch(workers: list[Services], connector: Connector, lookups: int) -> tuple[float, bool]:
    started = time.perf_counter()
    outcomes = await asyncio.gather(
        *(
            runs.look_up(workers[i % len(workers)], connector, RICH_EMAIL, refresh=True)
            for i in range(lookups)
        )
    )
    return time.perf_counter() - started, all(isinstance(o, Match) for o in outcomes)


async def run(lookups: int, worker_count: int, repeats: int) -> None:
    """Print the figures of each case."""
    sandbox = Sandbox(demo_dataset(), rate_limits=False, oauth_clients={CLIENT_ID: SECRET})
    transport = httpx.ASGITransport(app=sandbox.app)
    with tempfile.TemporaryDirectory() as folder:
        database = create_database_engine(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        upgrade_database(database)
        cipher = TokenCipher(Fernet.generate_key())
        store = ConnectorStore(database, cipher)
        async with httpx.AsyncClient(transport=transport) as http:
            cache = MemoryCache()
            app = OAuthApp(CLIENT_ID, SECRET, BASE)
            endpoint = TokenEndpoint(http, app, configured_base=BASE)
            base = Services(
                store=store,
                writes=WriteRequests(database),
                logged=LoggedEmails(database),
                engine=LookupEngine(http, MemoryCache(), api_base=BASE),
                results=ResultCache(cache),
                cache=cache,
                cipher=cipher,
                api_base=BASE,
                lookup_deadline=20.0,
            )
            code = sandbox.oauth.approve(
                CLIENT_ID,
                REDIRECT,
                ("base", "contacts:read", "deals:read", "activities:read", "users:read"),
            )
            grant = await endpoint.exchange_code(code, REDIRECT)
            settings = ConnectorSettings("Bench", ALL_FEATURES, RunMode.MANUAL)
            connector = store.create(
                "bench", settings, credential=grant, base_url=grant.api_domain, account=ACCOUNT
            )
            for workers in (1, worker_count):
                services = [
                    replace(base, grants=Grants(app, endpoint, store, cache, REDIRECT, clock=_now))
                    for _ in range(workers)
                ]
                live, expired, asked = [], [], []
                found = True
                for _ in range(repeats):
                    seconds, ok = await _batch(services, connector, lookups)
                    live.append(seconds)
                    found &= ok
                    before = sandbox.oauth.refresh_requests
                    sandbox.oauth.expire_access_tokens()
                    seconds, ok = await _batch(services, connector, lookups)
                    expired.append(seconds)
                    found &= ok
                    asked.append(sandbox.oauth.refresh_requests - before)
                print(
                    f"{workers} worker(s), {lookups} concurrent lookups: refreshes asked per "
                    f"expiry {asked}, every lookup found the contact: {found}; median batch "
                    f"{statistics.median(live) * 1000:.0f} ms live, "
                    f"{statistics.median(expired) * 1000:.0f} ms after expiry"
                )
        database.dispose()


def main() -> None:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lookups", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    asyncio.run(run(options.lookups, options.workers, options.runs))


if __name__ == "__main__":
    main()
