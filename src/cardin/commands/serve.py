"""`cardin serve`: the add-on HTTP service under uvicorn."""

from __future__ import annotations

import logging
import os

import uvicorn
from rich.console import Console

from cardin.commands import ExitCode
from cardin.settings import Settings

PUBLIC_URL_VARIABLE = "CARDIN_PUBLIC_URL"


def run_serve(settings: Settings, *, host: str, port: int, workers: int) -> int:
    """Serve until interrupted; 2 with a clear message when the configuration is incomplete."""
    console = Console(stderr=True, highlight=False)
    missing = [
        name
        for name, value in (
            ("CARDIN_GOOGLE_SERVICE_ACCOUNT", settings.google_service_account),
            ("CARDIN_GOOGLE_OAUTH_CLIENT_ID", settings.google_oauth_client_id),
        )
        if not value
    ]
    if missing:
        console.print(
            f"[red]Set {' and '.join(missing)} (from `gcloud workspace-add-ons "
            "get-authorization`) before serving.[/red]"
        )
        return ExitCode.USAGE
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    # the schema upgrade at start says each step at INFO: only its warnings belong in the log
    logging.getLogger("alembic").setLevel(logging.WARNING)
    listening = f"http://{host}:{port}"
    if "public_url" in settings.model_fields_set:
        console.print(f"Cardin add-on on {listening} (public URL {settings.public_url})")
    else:
        # No CARDIN_PUBLIC_URL: the service's own links must point where it listens. The app is
        # built by uvicorn (in each worker) from the environment, so the value goes there.
        os.environ[PUBLIC_URL_VARIABLE] = listening
        console.print(
            f"Cardin add-on on {listening} (set {PUBLIC_URL_VARIABLE} to the HTTPS URL Google "
            "calls)"
        )
    uvicorn.run(
        "cardin.addon.app:create_app",
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        proxy_headers=True,
        factory=True,
    )
    return ExitCode.OK
