"""Profile of a warm repeat message open, in one process (cProfile).

The add-on app runs in this process behind httpx's ASGI transport (no uvicorn), with the
in-memory cache; the sandbox runs in its own process and a local Google in a thread here. Each
demo person's message is opened once (full lookups, metadata and headers cached), then the
repeat opens are profiled: the functions with the most own time and the most cumulative time.

    .venv/bin/python bench/profile_open.py [--opens 500] [--top 30]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import tempfile
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

from cardin.addon.app import create_app
from cardin.commands.servers import BackgroundServer
from cardin.preview.google import LocalGoogle
from cardin.sandbox import demo_dataset
from cardin.settings import Settings
from lookup import sandbox_process
from serve import SUB, USER_EMAIL, seed

PUBLIC_URL = "http://cardin.bench"


async def opens(app: object, google: LocalGoogle, count: int, profile: cProfile.Profile) -> None:
    """Open each person once, then `count` repeat opens under the profiler."""
    company = demo_dataset().companies[0]
    emails = [p["emails"][0]["value"] for p in company.persons if p.get("emails")]
    requests = []
    for n, email in enumerate(emails):
        message_id = f"msg-f:{1659728385805497086 + n}"
        google.add_message(message_id, sender=email, to=USER_EMAIL)
        body = json.dumps(google.event(sub=SUB, email=USER_EMAIL, message_id=message_id))
        token = google.system_token(f"{PUBLIC_URL}/addon/message", expires_in=3600)
        requests.append((body, {"authorization": f"Bearer {token}"}))
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with (
        app.router.lifespan_context(app),  # type: ignore[attr-defined]
        httpx.AsyncClient(transport=transport, base_url=PUBLIC_URL) as http,
    ):
        for body, headers in requests:
            (await http.post("/addon/message", content=body, headers=headers)).raise_for_status()
        profile.enable()
        for n in range(count):
            body, headers = requests[n % len(requests)]
            (await http.post("/addon/message", content=body, headers=headers)).raise_for_status()
        profile.disable()


def main() -> None:
    """Print the profile."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opens", type=int, default=500)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    google = LocalGoogle()
    profile = cProfile.Profile()
    with (
        sandbox_process() as sandbox_url,
        tempfile.TemporaryDirectory() as tmp,
        BackgroundServer(google.app) as google_server,
    ):
        database_url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        key = Fernet.generate_key().decode()
        seed(database_url, key, sandbox_url)
        settings = Settings(
            public_url=PUBLIC_URL,
            database_url=database_url,
            secret_key=key,
            data_dir=Path(tmp),
            google_service_account=google.service_account,
            google_oauth_client_id=google.oauth_client_id,
            google_certs_url=f"{google_server.url}/oauth2/v1/certs",
            gmail_api_url=google_server.url,
            pipedrive_base_url=sandbox_url,
        )
        asyncio.run(opens(create_app(settings), google, args.opens, profile))
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
