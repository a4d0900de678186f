"""What a service worker loads: not the command line (typer, rich) nor httpx's command-line
client (pygments), which would hold megabytes of each worker's memory for nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# What a uvicorn worker of `cardin serve` imports: the parent's main script (multiprocessing's
# spawn runs it as __mp_main__: the `cardin` command, installed from pyproject.toml's entry
# point), its supervisor's process module, the logging configuration, then the app factory.
WORKER = """
import json, runpy, sys
runpy.run_path(sys.argv[1], run_name="__mp_main__")
import uvicorn.supervisors.multiprocess, cardin.logs, cardin.addon.app
cardin.addon.app.create_app()
names = ("pygments", "rich", "typer", "cardin.cli", "httpx", "cardin.command")
print(json.dumps({name: name in sys.modules for name in names}))
"""


def test_a_worker_loads_neither_the_command_line_nor_httpx_own() -> None:
    script = Path(sys.executable).with_name("cardin")
    assert "from cardin.command import main" in script.read_text()  # the installed command
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", WORKER, str(script)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    loaded = json.loads(done.stdout)
    assert loaded == {
        "pygments": False,
        "rich": False,
        "typer": False,
        "cardin.cli": False,
        "httpx": True,
        "cardin.command": True,
    }
