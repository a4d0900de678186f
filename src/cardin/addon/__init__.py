"""The Google Workspace add-on's boundary: Google's requests, events and the Gmail API."""

import sys

# httpx imports its command-line client (rich, pygments, click: 4.5 MB of each service worker's
# memory, issue 12) whenever those packages are installed, as they are for Cardin's own command
# line. The service never runs httpx's client: marking the module absent makes httpx define its
# stand-in instead. tests/addon/test_worker_imports.py checks that a worker loads neither.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
