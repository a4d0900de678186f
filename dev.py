#!/usr/bin/env python3
"""Bootstrap and run Cardin on a fresh machine with nothing but Python 3.11.

    python3 dev.py demo      # run the main job: `cardin demo`
    python3 dev.py test      # run the test suite
    python3 dev.py cardin …  # any cardin command

The first run creates `.venv` and installs the pinned dependencies (`requirements.lock`) and
Cardin itself; later runs reinstall only when the lock file or pyproject.toml changed.
Ctrl-C ends any of them quietly with exit status 130 (128 + SIGINT), as shells report it.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".cardin-installed"
TEST_COMMAND = ["pytest", "-n", "2", "-q"]
INTERRUPTED = 130  # 128 + SIGINT: what a shell reports for a command ended by Ctrl-C
GRACE_SECONDS = 10.0  # how long an interrupted command may take to stop by itself


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in ("requirements.lock", "pyproject.toml"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def ensure_environment() -> None:
    """Create the virtual environment and install what the lock file pins, when needed."""
    if sys.version_info < (3, 11):
        sys.exit("Cardin needs Python 3.11 or newer.")
    if not (BIN / "python").exists():
        print("Creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = _fingerprint()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("Installing dependencies from requirements.lock …", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(ROOT / "requirements.lock")], check=True)
    subprocess.run([*pip, "--no-deps", "-e", str(ROOT)], check=True)
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    """Dispatch `demo`, `test` or `cardin …` inside the project environment."""
    if not argv or argv[0] in {"-h", "--help"}:
        print(__doc__)
        return 0
    ensure_environment()
    command, rest = argv[0], argv[1:]
    if command == "demo":
        args = [str(BIN / "cardin"), "demo", *rest]
    elif command == "test":
        args = [str(BIN / TEST_COMMAND[0]), *TEST_COMMAND[1:], *rest]
    elif command == "cardin":
        args = [str(BIN / "cardin"), *rest]
    else:
        print(f"Unknown command {command!r}: use demo, test or cardin.", file=sys.stderr)
        return 2
    return run(args)


def run(args: list[str]) -> int:
    """Run `args` in the project folder; its exit status, or 130 when Ctrl-C ended it."""
    process = subprocess.Popen(args, cwd=ROOT)
    try:
        status = process.wait()
    except KeyboardInterrupt:
        _stop(process)
        return INTERRUPTED
    return INTERRUPTED if status == -signal.SIGINT else status


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Let the command end on the Ctrl-C the terminal sent it too; pass the signal on when it
    was sent to this process alone, and kill the command when it does not stop."""
    try:
        process.wait(timeout=GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGINT)
    except KeyboardInterrupt:
        pass  # Ctrl-C again: stop now
    else:
        return
    try:
        process.wait(timeout=GRACE_SECONDS)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        process.kill()
        process.wait()


def entry(argv: list[str]) -> int:
    """`main`, with Ctrl-C at any point (installing included) ending quietly with 130."""
    try:
        return main(argv)
    except KeyboardInterrupt:
        print(file=sys.stderr)  # end the line the terminal's ^C was echoed on
        return INTERRUPTED


if __name__ == "__main__":
    sys.exit(entry(sys.argv[1:]))
