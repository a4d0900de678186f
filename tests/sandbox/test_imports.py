"""The sandbox stands alone: it simulates Pipedrive without Cardin's client, lookup or cards."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = ("cardin.pipedrive", "cardin.lookup", "cardin.contact", "cardin.cards")


def test_importing_the_sandbox_loads_none_of_cardins_other_layers() -> None:
    program = (
        "import json, sys, cardin.sandbox, cardin.sandbox.routes; "
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('cardin'))))"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter with a fixed program
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    loaded = json.loads(result.stdout)
    assert "cardin.sandbox.gateway" in loaded
    assert [name for name in loaded if name.startswith(FORBIDDEN)] == []
