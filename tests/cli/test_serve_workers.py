"""`cardin serve --workers N`: connections send without delay, on uvloop and httptools, and
are spread over the workers, also after one of them died.

The timed test is one of the few allowed: a real `cardin serve --workers 2` and the median of
sequential health checks, which a delayed ACK would hold at ~40 ms each.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
import uvloop
from cryptography.fernet import Fernet
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from cardin.commands import ExitCode
from cardin.commands.serve import APP, run_serve, uvicorn_options
from cardin.commands.workers import BALANCED, listening_socket, listening_sockets
from cardin.settings import Settings
from cardin.store import create_database_engine, database_revision, default_database_url


def nodelay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_the_listening_socket_is_tcp_with_no_delay() -> None:
    with listening_socket("127.0.0.1", 0) as sock:
        assert sock.proto == socket.IPPROTO_TCP
        assert nodelay(sock)
        assert sock.get_inheritable()  # the workers receive it


@pytest.mark.skipif(not BALANCED, reason="the kernel balances SO_REUSEPORT sockets on Linux")
def test_each_worker_gets_a_socket_of_its_own_on_one_port() -> None:
    sockets = listening_sockets("127.0.0.1", 0, 3)
    try:
        assert len(sockets) == 3
        assert len({sock.getsockname() for sock in sockets}) == 1  # port 0: one port for all
        for sock in sockets:
            assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
            assert sock.proto == socket.IPPROTO_TCP
            assert nodelay(sock)
    finally:
        for sock in sockets:
            sock.close()


@pytest.mark.skipif(not BALANCED, reason="SO_REUSEPORT as Linux has it")
def test_one_worker_has_one_socket_and_no_port_sharing() -> None:
    (sock,) = listening_sockets("127.0.0.1", 0, 1)
    with sock:
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 0


@pytest.mark.parametrize(
    "shared",
    [False, pytest.param(True, marks=pytest.mark.skipif(not BALANCED, reason="Linux only"))],
    ids=["plain", "SO_REUSEPORT"],
)
def test_a_port_in_use_is_one_line_and_no_workers(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    *,
    shared: bool,
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("workers were started")

    monkeypatch.setattr("cardin.commands.serve.Workers", refuse)
    monkeypatch.setenv("CARDIN_PUBLIC_URL", "https://cardin.example")
    monkeypatch.setenv("CARDIN_DATA_DIR", str(tmp_path))
    settings = Settings(google_service_account="sa@cardin.example", google_oauth_client_id="1")
    with socket.socket() as taken:
        if shared:  # another `cardin serve`, say: its workers would share the port with ours
            taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert run_serve(settings, host="127.0.0.1", port=port, workers=2) == ExitCode.UNAVAILABLE
    said = capsys.readouterr().err
    assert f"Cannot listen on http://127.0.0.1:{port}" in said
    engine = create_database_engine(default_database_url(tmp_path))
    try:
        assert database_revision(engine) is None  # the one holding the port keeps its schema
    finally:
        engine.dispose()


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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(tmp_path: Path, port: int, **env: str) -> subprocess.Popen[bytes]:
    """`cardin serve --workers 2` (in-process caches allowed) in a process of its own."""
    environment = {
        **os.environ,
        "CARDIN_GOOGLE_SERVICE_ACCOUNT": "sa@cardin.example",
        "CARDIN_GOOGLE_OAUTH_CLIENT_ID": "1234",
        "CARDIN_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "CARDIN_DATA_DIR": str(tmp_path),
        "CARDIN_DATABASE_URL": f"sqlite:///{tmp_path / 'cardin.sqlite3'}",
        "CARDIN_SECRET_KEY": Fernet.generate_key().decode(),
        "CARDIN_CACHE_URL": "memory://",
        **env,
    }
    return subprocess.Popen(  # noqa: S603 - our own entry point with fixed arguments
        [sys.executable, "-m", "cardin.cli", "serve", "--port", str(port), "--workers", "2",
         "--allow-memory-cache"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip


@dataclass(frozen=True)
class Served:
    """A running `cardin serve`: its port and process."""

    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[Served]:
    """`cardin serve --workers 2` (in-process caches allowed), once it answers."""
    port = free_port()
    child = serve(tmp_path, port)
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
        if BALANCED:
            listening_on(port, 2)
        yield Served(port, child)
    finally:
        child.terminate()
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(5)


def test_two_workers_answer_sequential_requests_without_the_delayed_ack(
    two_workers: Served,
) -> None:
    times = []
    with httpx.Client(timeout=5) as http:
        for _ in range(50):
            started = time.perf_counter()
            http.get(f"{two_workers.url}/healthz").raise_for_status()
            times.append(time.perf_counter() - started)
    # the delayed ACK would make each ~40 ms; a loaded machine stays well under 10
    assert statistics.median(times) < 0.010, sorted(times)


def listening_on(port: int, count: int) -> None:
    """Wait until `count` sockets listen on the port (each worker listens once it has started;
    until then the kernel gives every connection to the workers already listening)."""
    deadline = time.monotonic() + 60
    while True:
        states = [
            (int(line.split()[1].split(":")[1], 16), line.split()[3])
            for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        ]
        if states.count((port, "0A")) >= count:
            return
        assert time.monotonic() < deadline, f"{states.count((port, '0A'))} sockets listen"
        time.sleep(0.1)


def open_connections(port: int, count: int) -> list[http.client.HTTPConnection]:
    """`count` keep-alive connections opened together, each answered once (so accepted)."""
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=20) for _ in range(count)]
    for connection in connections:
        connection.connect()
    for connection in connections:
        connection.request("GET", "/healthz")
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 200
    return connections


def accepting_processes(port: int, connections: list[http.client.HTTPConnection]) -> set[int]:
    """The processes holding the service's end of the connections (Linux /proc)."""
    client_ports = {connection.sock.getsockname()[1] for connection in connections}
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, remote, state, inode = (line.split()[i] for i in (1, 2, 3, 9))
        to_service = state == "01" and int(local.split(":")[1], 16) == port  # established
        if to_service and int(remote.split(":")[1], 16) in client_ports:
            inodes.add(f"socket:[{inode}]")
    assert len(inodes) == len(connections)
    holders = set()
    for fds in Path("/proc").glob("[0-9]*/fd"):
        try:
            links = {str(fd.readlink()) for fd in fds.iterdir()}
        except OSError:
            continue  # gone, or not ours to read
        if links & inodes:
            holders.add(int(fds.parent.name))
    return holders


@pytest.mark.skipif(not BALANCED, reason="the kernel balances SO_REUSEPORT sockets on Linux")
def test_connections_opened_together_are_spread_over_the_workers(two_workers: Served) -> None:
    connections = open_connections(two_workers.port, 16)
    try:
        # one shared socket gave all of them to the worker that woke first; with a socket per
        # worker, all 16 on one of two has a chance of 2 in 65,536
        assert len(accepting_processes(two_workers.port, connections)) == 2
    finally:
        for connection in connections:
            connection.close()


@pytest.mark.skipif(not BALANCED, reason="the kernel balances SO_REUSEPORT sockets on Linux")
def test_a_dead_worker_is_replaced_on_its_socket(two_workers: Served) -> None:
    connections = open_connections(two_workers.port, 16)
    workers = accepting_processes(two_workers.port, connections)
    for connection in connections:
        connection.close()
    killed = min(workers)
    os.kill(killed, signal.SIGKILL)
    # Until the replacement accepts, the connections the kernel gives the dead worker's socket
    # wait in its queue; none is refused, and each is answered once the replacement runs.
    connections = open_connections(two_workers.port, 16)
    try:
        now = accepting_processes(two_workers.port, connections)
        assert killed not in now
        assert len(now) == 2
        assert two_workers.process.poll() is None
    finally:
        for connection in connections:
            connection.close()


def workers_of(served: Served) -> set[int]:
    """The service's worker processes (not multiprocessing's resource tracker; Linux /proc)."""
    children: set[int] = set()
    for task in Path(f"/proc/{served.process.pid}/task").iterdir():
        children.update(int(child) for child in (task / "children").read_text().split())
    return {
        child
        for child in children
        if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes()
    }


@pytest.mark.skipif(not BALANCED, reason="reads Linux /proc")
def test_a_hangup_replaces_each_worker_and_the_service_goes_on(two_workers: Served) -> None:
    before = workers_of(two_workers)
    assert len(before) == 2
    os.kill(two_workers.process.pid, signal.SIGHUP)  # uvicorn's default would end the parent
    deadline = time.monotonic() + 60
    while (now := workers_of(two_workers)) & before or len(now) != 2:
        assert two_workers.process.poll() is None, "the supervisor ended"
        assert time.monotonic() < deadline, f"workers before {before}, now {now}"
        time.sleep(0.2)
    connections = open_connections(two_workers.port, 16)
    try:
        assert accepting_processes(two_workers.port, connections) == now
    finally:
        for connection in connections:
            connection.close()


@pytest.mark.skipif(not BALANCED, reason="reads Linux /proc")
def test_other_signals_are_ignored_not_fatal(two_workers: Served) -> None:
    before = workers_of(two_workers)
    for sig in (signal.SIGUSR1, signal.SIGQUIT, signal.SIGTTIN):
        os.kill(two_workers.process.pid, sig)
    time.sleep(1.5)  # three turns of the supervisor's loop
    assert two_workers.process.poll() is None
    assert workers_of(two_workers) == before
    httpx.get(f"{two_workers.url}/healthz", timeout=5).raise_for_status()


def test_workers_that_cannot_start_stop_the_service_with_an_error(tmp_path: Path) -> None:
    child = serve(tmp_path, free_port(), CARDIN_CACHE_URL="unknown://cache")  # each worker fails
    try:
        _, err = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == ExitCode.UNAVAILABLE
    assert "The workers could not start" in err.decode()


def test_a_terminate_stops_the_workers_and_says_so(two_workers: Served) -> None:
    two_workers.process.terminate()
    _, err = two_workers.process.communicate(timeout=30)
    said = err.decode()
    assert two_workers.process.returncode == 0
    assert "Received SIGTERM: stopping" in said
    assert "Stopped the workers" in said
