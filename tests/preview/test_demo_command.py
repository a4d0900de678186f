"""`cardin demo`: serves the whole demo on one loopback port and stops cleanly."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import httpx
import pytest
from rich.console import Console

from cardin.commands import ExitCode
from cardin.commands.demo import run_demo
from cardin.commands.servers import BackgroundServer
from cardin.preview.launch import free_port


def test_the_demo_serves_a_working_page_and_prints_its_address(tmp_path: Path) -> None:
    port = free_port()
    seen: dict[str, httpx.Response] = {}

    def browse() -> None:
        base = f"http://127.0.0.1:{port}"
        seen["page"] = httpx.get(f"{base}/preview/mail/solar-renewal", timeout=30)
        seen["health"] = httpx.get(f"{base}/healthz", timeout=5)

    out = io.StringIO()
    code = run_demo(port=port, console=Console(file=out), data_dir=tmp_path, wait=browse)

    assert code == ExitCode.OK
    assert f"Open http://127.0.0.1:{port}/" in out.getvalue()
    assert 'class="header-title">Élodie Marchand<' in seen["page"].text
    assert seen["health"].json() == {"status": "ok"}
    assert any(tmp_path.iterdir()), "the connectors are kept in --data-dir"


def test_a_busy_port_is_reported(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = io.StringIO()

        code = run_demo(port=port, console=Console(file=out), data_dir=tmp_path, wait=lambda: None)

    assert code == ExitCode.USAGE
    assert f"Cannot start the demo on port {port}" in out.getvalue()


def test_a_data_dir_that_is_a_file_is_reported_in_one_line(tmp_path: Path) -> None:
    a_file = tmp_path / "hostname"
    a_file.write_text("not a folder\n")
    out = io.StringIO()

    code = run_demo(
        port=free_port(), console=Console(file=out, width=80), data_dir=a_file, wait=lambda: None
    )

    assert code == ExitCode.USAGE == 2
    assert out.getvalue().count("\n") == 1
    assert f"Cannot use {a_file} as the data folder" in out.getvalue()
    assert "Traceback" not in out.getvalue()


def test_ctrl_c_while_the_server_starts_stops_it_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the server answers a moment before `start` sees it has started: Ctrl-C can come then
    port = free_port()
    started = BackgroundServer.start

    def interrupted(server: BackgroundServer, timeout: float = 10.0) -> None:
        started(server, timeout)
        raise KeyboardInterrupt

    monkeypatch.setattr(BackgroundServer, "start", interrupted)
    out = io.StringIO()

    try:
        code = run_demo(port=port, console=Console(file=out), data_dir=tmp_path, wait=lambda: None)
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C while the server started escaped the demo")

    assert code == ExitCode.OK
    assert "Stopping the demo" in out.getvalue()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)


def test_a_server_never_started_stops_without_error() -> None:
    BackgroundServer(object(), port=free_port()).stop()
