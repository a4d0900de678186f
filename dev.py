#!/usr/bin/env python3
"""Bootstrap and run Cardin on a fresh machine with nothing but Python 3.11.

    python3 dev.py demo      # run the main job: `cardin demo`
    python3 dev.py test      # run the test suite
    python3 dev.py cardin …  # any cardin command

The first run creates `.venv` and installs the pinned dependencies (`requirements.lock`) and
Cardin itself; later runs reinstall only when the lock file or pyproject.toml changed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".cardin-installed"
TEST_COMMAND = ["pytest", "-n", "2", "-q"]


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
    return subprocess.call(args, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
