"""The worker processes of `cardin serve --workers N`, each accepting on a socket of its own.

uvicorn's own supervisor hands every worker the same listening socket, and the worker that wakes
first accepts every connection waiting: keep-alive connections opened together (a proxy's, a
load test's) all land on one worker while the others idle. On Linux each worker here has its own
socket, bound to the same address with SO_REUSEPORT, and the kernel spreads new connections over
the sockets (by a hash of each connection's addresses and ports). Elsewhere, where SO_REUSEPORT
does not balance, every worker shares one socket as under uvicorn's supervisor.

A worker that dies (or stops answering the supervisor's health check) is replaced on its own
socket: the connections the kernel gives that socket meanwhile wait for the replacement (the
time a worker takes to start, a few seconds on a loaded machine), none is reset. The price of a
socket per worker: one worker cannot take another's connections, so a worker whose event loop is
stuck holds up its share of new connections until it is replaced (uvicorn answers the health
check from a thread of its own, so only a dead or wholly frozen process is). uvicorn's worker
process (`uvicorn.supervisors.multiprocess.Process`, not public API: pyproject pins uvicorn to the
minor release it was read from, and tests/cli/test_serve_workers.py runs it) runs each worker.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Process

log = logging.getLogger("uvicorn.error")

SIGNALS = tuple(
    getattr(signal, f"SIG{name}")
    for name in ("INT", "TERM", "HUP", "QUIT", "TTIN", "TTOU", "USR1", "USR2", "WINCH")
    if hasattr(signal, f"SIG{name}")
)
"""The signals the supervisor handles (their default would end it and orphan its workers)."""
_STOP = frozenset({signal.SIGINT, signal.SIGTERM})

BALANCED = sys.platform == "linux" and hasattr(socket, "SO_REUSEPORT")
"""Whether the kernel spreads connections over sockets bound with SO_REUSEPORT."""


def listening_socket(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    """A bound TCP socket for `host` and `port` whose connections send without delay.

    Linux passes TCP_NODELAY on to the accepted connections, and the IPPROTO_TCP protocol makes
    asyncio set it on each connection too (uvicorn's own socket has protocol 0: each small answer
    would wait for the client's delayed ACK, ~40 ms).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def listening_sockets(host: str, port: int, workers: int) -> list[socket.socket]:
    """One listening socket per worker on the same address (SO_REUSEPORT; port 0 takes one free
    port for all), or a single one to share where the kernel would not balance them.

    OSError when the address cannot be bound; no socket is left open then. A port someone
    already listens on is refused, even when their socket allows sharing it (another `cardin
    serve` would otherwise quietly take half of the connections).
    """
    if not BALANCED or workers == 1:
        return [listening_socket(host, port)]
    if port:
        listening_socket(host, port).close()  # in use: OSError, as with a single socket
    sockets = [listening_socket(host, port, reuse_port=True)]
    try:
        port = sockets[0].getsockname()[1]
        sockets.extend(listening_socket(host, port, reuse_port=True) for _ in range(workers - 1))
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


class Workers:
    """`count` uvicorn worker processes; worker i serves `sockets[i % len(sockets)]`.

    Signals, as under uvicorn's supervisor: INT and TERM stop the workers and then this process;
    HUP replaces each worker in turn (the new one serves before the old one stops); the others
    uvicorn's supervisor receives (QUIT, USR1, USR2, WINCH; TTIN and TTOU, which change the
    number of workers there, but here each worker has a socket of its own) are logged and
    ignored: none of them ends this process and leaves its workers without a supervisor.
    """

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket], count: int) -> None:
        self._config = config
        self._sockets = sockets
        self._count = count
        self._processes: list[Process] = []
        self._should_exit = threading.Event()
        self._signals: list[int] = []
        self._failed = False

    def run(self) -> bool:
        """Start the workers and keep them running until SIGINT or SIGTERM; then stop them.
        False when they stopped because a worker could not start."""
        for sig in SIGNALS:
            signal.signal(sig, self._received)
        log.info("Starting %d workers under process [%d]", self._count, os.getpid())
        try:
            for index in range(self._count):
                self._processes.append(self._start(index))
            while not self._should_exit.wait(0.5):
                self._handle_signals()
                self._keep_alive()
        finally:
            self._handle_signals()  # say why it stops (a stop ends the loop before its turn)
            for process in self._processes:
                process.terminate()
            for process in self._processes:
                process.join()
            log.info("Stopped the workers of process [%d]", os.getpid())
        return not self._failed

    def _received(self, signum: int, _frame: object) -> None:
        """A stop takes effect at once (a restart in progress sees it); the others wait for
        the supervisor's loop."""
        if signum in _STOP:
            self._should_exit.set()
        self._signals.append(signum)

    def _start(self, index: int) -> Process:
        process = Process(self._config, [self._sockets[index % len(self._sockets)]])
        process.start()
        return process

    def _handle_signals(self) -> None:
        while self._signals:
            signum = self._signals.pop(0)
            name = signal.Signals(signum).name
            if signum in _STOP:
                log.info("Received %s: stopping", name)
                return
            if signum == signal.SIGHUP:
                log.info("Received %s: replacing each worker", name)
                self._restart_all()
            else:
                log.warning("Received %s: ignored (restart with --workers N to change them)", name)

    def _restart_all(self) -> None:
        """Replace each worker in turn, on its own socket: the new one serves before the old one
        stops; a new one that does not start in time is dropped and the old one kept."""
        for index, old in enumerate(self._processes):
            if self._should_exit.is_set():
                return
            new = self._start(index)
            if not new.wait_until_ready(self._config.timeout_worker_healthcheck, self._should_exit):
                new.kill()
                new.join()
                if not self._should_exit.is_set():
                    failed = new.exitcode == STARTUP_FAILURE
                    why = "failed to start" if failed else "did not start in time"
                    log.error("Worker [%s] %s: keeping [%s]", new.pid, why, old.pid)
                return
            old.terminate()
            old.join()
            self._processes[index] = new

    def _keep_alive(self) -> None:
        """Replace a worker that died or hangs, on its own socket; give up (stop all) when one
        could not even start: the next would fail the same way."""
        for index, process in enumerate(self._processes):
            if self._should_exit.is_set():
                return
            if process.is_alive(timeout=self._config.timeout_worker_healthcheck):
                continue
            process.kill()
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                log.error("Worker [%s] failed to start: stopping", process.pid)
                self._failed = True
                self._should_exit.set()
                return
            if self._should_exit.is_set():
                return  # it ended with the others: a terminal's Ctrl-C reaches them all
            log.warning(
                "Worker [%s] ended (exit code %s): starting another on its socket",
                process.pid,
                process.exitcode,
            )
            self._processes[index] = self._start(index)
