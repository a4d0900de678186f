"""`cardin serve`: the add-on HTTP service under uvicorn (uvloop and httptools, which uvicorn's
"auto" picks when installed).

With several workers the listening sockets are bound here, as TCP sockets with TCP_NODELAY, one
per worker on Linux (`cardin.commands.workers`): uvicorn's own socket is created with protocol
0, and asyncio sets TCP_NODELAY only on connections of a socket whose protocol is IPPROTO_TCP, so
each small response would wait for the client's delayed ACK (~40 ms); and with one socket shared
by all workers, the first to wake accepts every waiting connection.

Logging is configured by uvicorn in every worker from `cardin.logs.dict_config` (JSON lines, or
text in a terminal: `CARDIN_LOG_FORMAT`); the service writes its own line per request, so
uvicorn's access log is off. With `CARDIN_METRICS=1` and several workers, prometheus-client's
multiprocess mode is switched on (a fresh `PROMETHEUS_MULTIPROC_DIR`, unless one is set) before
the workers start, so that `/metrics` on any worker reports them all. One the operator sets must
be an empty directory (prometheus-client adds up every file in it, an earlier run's too): serving
with metrics refuses any other.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import uvicorn
from rich.console import Console
from rich.markup import escape

from cardin.commands import ExitCode
from cardin.commands.workers import Workers, listening_sockets
from cardin.logs import dict_config
from cardin.metrics import MULTIPROC_VARIABLE
from cardin.settings import Settings
from cardin.store import StoreError, create_database_engine, default_database_url, ensure_schema

PUBLIC_URL_VARIABLE = "CARDIN_PUBLIC_URL"
APP = "cardin.addon.app:create_served_app"


def uvicorn_options(settings: Settings, host: str, port: int, workers: int) -> dict[str, Any]:
    """uvicorn's options for the service (the app is built by the factory in each worker)."""
    return {
        "host": host,
        "port": port,
        "workers": workers,
        "log_level": "info",
        "log_config": dict_config(settings.log_format),
        "access_log": False,
        "proxy_headers": True,
        "ws": "none",  # no WebSocket endpoint: the websockets package stays unloaded
        "factory": True,
    }


def prepare_database(settings: Settings) -> None:
    """Bring the database to the current schema before any worker starts: the workers then
    find it current with one read each and never load Alembic (StoreError when it cannot be
    reached or upgraded)."""
    engine = create_database_engine(
        settings.database_url or default_database_url(settings.data_dir)
    )
    try:
        ensure_schema(engine)
    finally:
        engine.dispose()


def _multiproc_problem(directory: Path) -> str | None:
    """Why prometheus-client's multiprocess directory cannot be used; None when it is empty."""
    if not directory.is_dir():
        return "is not a directory: create it, empty"
    if any(directory.iterdir()):
        return (
            "is not empty: prometheus-client would add an earlier run's values to this one's;"
            " empty it before each start, or unset it"
        )
    return None


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
    preset = os.environ.get(MULTIPROC_VARIABLE)
    if settings.metrics and preset and (problem := _multiproc_problem(Path(preset))):
        message = f"[red]{MULTIPROC_VARIABLE} {escape(preset)} {problem}.[/red]"
        console.print(message, soft_wrap=True)  # one line, however long the path
        return ExitCode.USAGE
    if settings.metrics and workers > 1 and not preset:
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
    if workers == 1:
        # uvicorn binds through asyncio, which makes an IPPROTO_TCP socket: no delay already
        uvicorn.run(APP, **uvicorn_options(settings, host, port, workers))
        return ExitCode.OK
    return _serve_workers(settings, console, host=host, port=port, workers=workers)


def _serve_workers(
    settings: Settings, console: Console, *, host: str, port: int, workers: int
) -> int:
    """Serve with several workers, each on a listening socket of its own where the kernel
    balances them (`cardin.commands.workers`)."""
    try:
        sockets = listening_sockets(host, port, workers)
    except OSError as exc:
        console.print(f"[red]Cannot listen on http://{host}:{port}: {exc.strerror or exc}[/red]")
        return ExitCode.UNAVAILABLE
    try:
        # only once the port is ours: a second `cardin serve` refused the port must not migrate
        # the database under the one that has it
        prepare_database(settings)
    except StoreError as exc:
        for sock in sockets:
            sock.close()
        console.print(f"[red]{escape(str(exc))}[/red]", soft_wrap=True)
        return ExitCode.UNAVAILABLE
    try:
        config = uvicorn.Config(APP, **uvicorn_options(settings, host, port, workers))
        served = Workers(config, sockets, workers).run()
    finally:
        for sock in sockets:
            sock.close()
    if not served:
        console.print("[red]The workers could not start: their log above says why.[/red]")
        return ExitCode.UNAVAILABLE
    return ExitCode.OK
