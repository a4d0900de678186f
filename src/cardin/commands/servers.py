"""Run an ASGI app with uvicorn on a background thread (the demo and the benchmarks need it)."""

from __future__ import annotations

import asyncio
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn


class BackgroundServer:
    """A uvicorn server on its own thread; `with` starts it and stops it cleanly."""

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0) -> None:
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name="cardin-server", daemon=True)
        self._host = host

    def _run(self) -> None:
        asyncio.run(self._server.serve())

    @property
    def url(self) -> str:
        """The base URL, with the port the operating system picked when port was 0."""
        sockets = [s for server in self._server.servers for s in server.sockets]
        port = sockets[0].getsockname()[1]
        return f"http://{self._host}:{port}"

    def start(self, timeout: float = 10.0) -> None:
        """Start serving; RuntimeError when the server could not start in time."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start (is the port in use?)")
            time.sleep(0.02)

    def stop(self) -> None:
        """Ask the server to finish and wait for its thread (if it was started)."""
        self._server.should_exit = True
        if self._thread.ident is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> BackgroundServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
