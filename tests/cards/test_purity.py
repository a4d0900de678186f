"""The pure core stays pure: importing the cards, the contact model and i18n loads no I/O."""

from __future__ import annotations

import subprocess
import sys

IO_MODULES = (
    "httpx",
    "sqlalchemy",
    "redis",
    "starlette",
    "cardin.pipedrive",
    "cardin.lookup",
    "cardin.store",
    "cardin.addon",
)
PROBE = f"""
import sys
import cardin.cards, cardin.contact, cardin.contact.outcome, cardin.i18n
io = {{"httpx", "sqlalchemy", "redis", "starlette"}}
loaded = [m for m, module in sys.modules.items() if module is not None]  # None: marked absent
print(sorted(m for m in loaded if m.split(".")[0] in io or m.startswith({IO_MODULES!r})))
"""


def test_importing_the_pure_core_in_a_fresh_interpreter_loads_no_io() -> None:
    # A fresh interpreter: this one has loaded everything the other tests use.
    # S603: the test's own interpreter running the fixed probe above.
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
