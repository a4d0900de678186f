"""`cardin serve`: the add-on HTTP service under uvicorn.

Logging is configured by uvicorn in every worker from `cardin.logs.dict_config` (JSON lines, or
text in a terminal: `CARDIN_LOG_FORMAT`); the service writes its own line per request, so
uvicorn's access log is off. With `CARDIN_METRICS=1` and several workers, prometheus-client's
multiprocess mode is switched on (a fresh `PROMETHEUS_MULTIPROC_DIR`, unless one is set) before
the workers start, so that `/metrics` on any worker reports them all.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile

import uvicorn
from rich.console import Console

from cardin.commands import ExitCode
from cardin.logs import dict_config
from cardin.metrics import MULTIPROC_VARIABLE
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
    if settings.metrics and workers > 1 and not os.environ.get(MULTIPROC_VARIABLE):
        directory = tempfile.mkdtemp(prefix="cardin-metrics-")
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        os.environ[MULTIPROC_VARIABLE] = directory  # the workers inherit it
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
        log_config=dict_config(settings.log_format),
        access_log=False,
        proxy_headers=True,
        factory=True,
    )
    return ExitCode.OK
