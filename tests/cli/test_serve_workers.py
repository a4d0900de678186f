"""`cardin serve --workers N`: connections send without delay, on uvloop and httptools.

The timed test is one of the few allowed: a real `cardin serve --workers 2` and the median of
sequential health checks, which a delayed ACK would hold at ~40 ms each.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
import uvloop
from cryptography.fernet import Fernet
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from cardin.commands import ExitCode
from cardin.commands.serve import APP, listening_socket, run_serve, uvicorn_options
from cardin.settings import Settings


def nodelay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_the_listening_socket_is_tcp_with_no_delay() -> None:
    with listening_socket("127.0.0.1", 0) as sock:
        assert sock.proto == socket.IPPROTO_TCP
        assert nodelay(sock)
        assert sock.get_inheritable()  # the workers receive it


def test_a_port_in_use_is_one_line_and_no_workers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("workers were started")

    monkeypatch.setattr("cardin.commands.serve.Multiprocess", refuse)
    monkeypatch.setenv("CARDIN_PUBLIC_URL", "https://cardin.example")
    settings = Settings(google_service_account="sa@cardin.example", google_oauth_client_id="1")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert run_serve(settings, host="127.0.0.1", port=port, workers=2) == ExitCode.UNAVAILABLE
    said = capsys.readouterr().err
    assert f"Cannot listen on http://127.0.0.1:{port}" in said


async def accepted_nodelay() -> int:
    """TCP_NODELAY of a connection accepted on the socket by the running loop's server."""
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    def connected(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.set_result(nodelay(writer.get_extra_info("socket")))
        writer.close()

    sock = listening_socket("127.0.0.1", 0)
    server = await asyncio.start_server(connected, sock=sock)
    async with server:
        _reader, writer = await asyncio.open_connection(*sock.getsockname())
        try:
            return await asyncio.wait_for(accepted, 5)
        finally:
            writer.close()


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_accepted_connections_send_without_delay(loop: str) -> None:
    run = uvloop.run if loop == "uvloop" else asyncio.run
    assert run(accepted_nodelay()) == 1


def test_uvicorn_picks_uvloop_and_httptools() -> None:
    config = uvicorn.Config(APP, **uvicorn_options(Settings(), "127.0.0.1", 0, 2))
    factory = config.get_loop_factory()
    assert factory is not None
    loop = factory()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()
    config.load()
    assert config.http_protocol_class is HttpToolsProtocol


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[str]:
    """`cardin serve --workers 2` (in-process caches allowed); its base URL once it answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "CARDIN_GOOGLE_SERVICE_ACCOUNT": "sa@cardin.example",
        "CARDIN_GOOGLE_OAUTH_CLIENT_ID": "1234",
        "CARDIN_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "CARDIN_DATA_DIR": str(tmp_path),
        "CARDIN_DATABASE_URL": f"sqlite:///{tmp_path / 'cardin.sqlite3'}",
        "CARDIN_SECRET_KEY": Fernet.generate_key().decode(),
        "CARDIN_CACHE_URL": "memory://",
    }
    child = subprocess.Popen(  # noqa: S603 - our own entry point with fixed arguments
        [sys.executable, "-m", "cardin.cli", "serve", "--port", str(port), "--workers", "2",
         "--allow-memory-cache"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/healthz", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                if child.poll() is not None:
                    pytest.fail(f"cardin serve exited: {child.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        child.terminate()
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(5)


def test_two_workers_answer_sequential_requests_without_the_delayed_ack(two_workers: str) -> None:
    times = []
    with httpx.Client(timeout=5) as http:
        for _ in range(50):
            started = time.perf_counter()
            http.get(f"{two_workers}/healthz").raise_for_status()
            times.append(time.perf_counter() - started)
    # the delayed ACK would make each ~40 ms; a loaded machine stays well under 10
    assert statistics.median(times) < 0.010, sorted(times)
