"""Starting the demo on a free loopback port, and the system Chromium the browser checks drive."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

from cardin.commands.servers import BackgroundServer
from cardin.preview.app import create_demo_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running_demo(data_dir: Path, port: int | None = None) -> Iterator[str]:
    """The whole demo (sandbox, add-on, preview) served on loopback; yields its base URL."""
    chosen = port or free_port()
    url = f"http://127.0.0.1:{chosen}"
    with BackgroundServer(create_demo_app(url, data_dir), port=chosen):
        yield url
