"""Cardin: the Gmail side panel for Pipedrive."""

import sys

# httpx imports its command-line client (rich's syntax and progress, pygments: 4.5 MB of each
# service worker's memory, issue 12) whenever those packages are installed, as they are for
# Cardin's own command line. Cardin never runs httpx's client: marking the module absent makes
# httpx define its stand-in instead. It is done here, before anything of Cardin's imports httpx:
# a `cardin serve` worker imports the command line's module first (multiprocessing's spawn
# imports the parent's main module). tests/addon/test_worker_imports.py checks it.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
