"""`python3 dev.py demo` and `dev.py test`: Ctrl-C ends them without a traceback, exit 130.

Each test starts dev.py in its own process group and interrupts it as a terminal does (SIGINT to
the whole group), or sends SIGINT to dev.py alone. The environment step is skipped: the commands
come from the interpreter running the tests.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cardin.preview.launch import free_port

ROOT = Path(__file__).resolve().parents[1]
READY_SECONDS = 60.0  # how long the command may take to start (a deadline, not an assertion)

pytestmark = pytest.mark.skipif(os.name != "posix", reason="process groups and SIGINT are POSIX")


def _dev(argv: list[str], *, grace: float = 10.0) -> subprocess.Popen[str]:
    script = (
        "import sys; from pathlib import Path; "
        f"sys.path.insert(0, {str(ROOT)!r}); import dev; "
        "dev.ensure_environment = lambda: None; dev.BIN = Path(sys.executable).parent; "
        f"dev.GRACE_SECONDS = {grace!r}; "
        f"sys.exit(dev.entry({argv!r}))"
    )
    return subprocess.Popen(  # noqa: S603 - this interpreter with a fixed script
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def _wait_until(ready: object, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while not callable(ready) or not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            out, err = process.communicate()
            pytest.fail(f"the command did not start:\n{out}\n{err}")
        time.sleep(0.1)


def _serves(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _waiting_test(tmp_path: Path) -> tuple[Path, Path]:
    started = tmp_path / "started"
    test = tmp_path / "test_waits.py"
    test.write_text(
        "import pathlib, time\n\n"
        "def test_waits():\n"
        f"    pathlib.Path({str(started)!r}).write_text('yes')\n"
        "    time.sleep(120)\n"
    )
    return test, started


def test_ctrl_c_on_the_demo_ends_it_quietly_with_130() -> None:
    port = free_port()
    process = _dev(["demo", "--port", str(port)])
    _wait_until(lambda: _serves(port), process)

    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=READY_SECONDS)

    assert process.returncode == 130, err
    assert "Traceback" not in err + out
    assert "KeyboardInterrupt" not in err + out
    assert "Stopping the demo" in out
    assert not _serves(port)


def test_ctrl_c_on_the_tests_ends_them_quietly_with_130(tmp_path: Path) -> None:
    test, started = _waiting_test(tmp_path)
    process = _dev(["test", str(test), "-n", "0", "-p", "no:cacheprovider"])
    _wait_until(started.exists, process)

    os.killpg(process.pid, signal.SIGINT)
    _out, err = process.communicate(timeout=READY_SECONDS)

    assert process.returncode == 130, err
    assert "Traceback" not in err


def test_a_sigint_sent_to_dev_py_alone_is_passed_on_to_the_command(tmp_path: Path) -> None:
    test, started = _waiting_test(tmp_path)
    process = _dev(["test", str(test), "-n", "0", "-p", "no:cacheprovider"], grace=0.2)
    _wait_until(started.exists, process)

    process.send_signal(signal.SIGINT)  # the command itself is not told
    out, err = process.communicate(timeout=READY_SECONDS)

    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "1 passed" not in out, "the command was stopped, not left to finish"


def test_a_command_that_exits_by_itself_keeps_its_status() -> None:
    sys.path.insert(0, str(ROOT))
    import dev  # noqa: PLC0415 - the bootstrap script at the repo root, not a package

    assert dev.run([sys.executable, "-c", "raise SystemExit(3)"]) == 3
    assert dev.run([sys.executable, "-c", "pass"]) == 0
