"""`cardin demo`: the sandbox, the add-on service and the side-panel preview on one local port."""

from __future__ import annotations

import signal
import socket
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from cardin.commands import ExitCode
from cardin.commands.servers import BackgroundServer
from cardin.preview.app import create_demo_app
from cardin.sandbox import DEMO_TOKEN, SECOND_TOKEN

HOST = "127.0.0.1"


def run_demo(
    *,
    port: int,
    console: Console,
    data_dir: str | Path | None = None,
    wait: Callable[[], object] | None = None,
) -> int:
    """Serve the demo on http://127.0.0.1:PORT/ until Ctrl-C (or until `wait` returns)."""
    with tempfile.TemporaryDirectory(prefix="cardin-demo-") as scratch:
        folder = Path(data_dir) if data_dir else Path(scratch)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            file = folder.exists() and not folder.is_dir()
            reason = "it is a file, not a folder" if file else exc.strerror or type(exc).__name__
            console.print(
                f"[red]Cannot use {folder} as the data folder: {reason}[/red]",
                soft_wrap=True,
                highlight=False,
            )
            return ExitCode.USAGE
        url = f"http://{HOST}:{port}"
        try:
            _check_free(port)
            server = BackgroundServer(create_demo_app(url, folder), host=HOST, port=port)
        except OSError as exc:
            console.print(f"[red]Cannot start the demo on port {port}: {exc}[/red]")
            return ExitCode.USAGE
        last_words = "Stopping the demo …"
        try:
            try:  # within the outer try: the server answers, so Ctrl-C may come, before it returns
                server.start(timeout=30.0)
            except RuntimeError as exc:
                last_words = f"[red]Cannot start the demo on port {port}: {exc}[/red]"
                return ExitCode.USAGE
            _greet(console, url, folder, kept=data_dir is not None)
            (wait or _until_stopped)()
        except KeyboardInterrupt:
            pass
        finally:
            console.print(last_words)
            server.stop()
    return ExitCode.OK


def _check_free(port: int) -> None:
    # uvicorn reports a busy port from its own thread with a traceback: ask the system first
    with socket.socket() as probe:
        probe.bind((HOST, port))


def _greet(console: Console, url: str, folder: Path, *, kept: bool) -> None:
    lines = [
        "[bold]Cardin demo[/bold]: Pipedrive sandbox + add-on service + side-panel preview",
        f"  Connected at start: Aurora Demo Trading (token {DEMO_TOKEN})",
        f"  To try the setup, add Second Sight Studio with {SECOND_TOKEN}",
        "  … or with “Sign in with Pipedrive” (one-minute access tokens: refreshing is seen)",
        f"  Data: {f'kept in {folder}' if kept else 'temporary, deleted on exit'}",
        "",
        f"Open {url}/   (Ctrl-C stops everything)",
    ]
    for line in lines:
        console.print(line, soft_wrap=True, highlight=False)


def _until_stopped() -> None:
    # Ctrl-C raises KeyboardInterrupt here; a TERM signal (a service manager, `kill`) stops the
    # same way, so the temporary data is removed in both cases
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    while not stop.wait(3600):
        pass
