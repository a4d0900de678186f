"""What a service worker loads: not httpx's command-line client (rich, pygments), which would
hold 4.5 MB of each worker's memory for nothing."""

from __future__ import annotations

import json
import subprocess
import sys

# What a uvicorn worker of `cardin serve` imports: the parent's main module (multiprocessing's
# spawn imports it: the `cardin` command, which imports cardin.cli), its supervisor's process
# module, the logging configuration, then the app factory.
WORKER = """
import json, sys
import cardin.cli, uvicorn.supervisors.multiprocess, cardin.logs, cardin.addon.app
import httpx
print(json.dumps({name: name in sys.modules for name in ("pygments", "rich.syntax", "httpx")}))
"""


def test_a_worker_loads_httpx_without_its_command_line_client() -> None:
    done = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", WORKER], capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(done.stdout) == {"pygments": False, "rich.syntax": False, "httpx": True}
