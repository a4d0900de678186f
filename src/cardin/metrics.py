"""The service's Prometheus metrics: defined once here, recorded by the layers that see them.

A leaf: it imports prometheus-client only, so the engine, the use cases and the edges may all
record into it. `/metrics` (`cardin.addon.app`, on only with `CARDIN_METRICS=1`) renders them.
With several uvicorn workers `cardin serve` sets `PROMETHEUS_MULTIPROC_DIR` before the workers
start: each worker then writes its values to files there and `exposition` adds them up.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

REQUEST_SECONDS = Histogram(
    "cardin_request_seconds",
    "Time to answer an HTTP request, by endpoint",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
LOOKUPS = Counter(
    "cardin_lookups_total",
    "One connector's lookups, by outcome (match, no_match, a failure kind, budget_cached)",
    ["outcome"],
)
RESULT_CACHE = Counter(
    "cardin_result_cache_total", "Result cache reads by a lookup, by result (hit, miss)", ["result"]
)
COALESCED = Counter(
    "cardin_coalesced_lookups_total",
    "Lookups that waited for an identical one in flight, by how they ended (shared, ran)",
    ["result"],
)
PIPEDRIVE_REQUESTS = Counter(
    "cardin_pipedrive_requests_total",
    "Requests sent to Pipedrive, by endpoint (path template) and status (none: no answer)",
    ["endpoint", "status"],
)
PIPEDRIVE_TOKENS = Counter(
    "cardin_pipedrive_tokens_total",
    "Pipedrive tokens spent (documented costs), by endpoint and status",
    ["endpoint", "status"],
)
LIMITER_WAITS = Counter(
    "cardin_limiter_waits_total",
    "Requests held back for a full burst window, by window (burst, search) and how the wait "
    "ended (sent; gave_up: not sent, answered as a 429; sent_unpaced: sent without a slot, "
    "the window's limit not yet known)",
    ["window", "result"],
)
LIMITER_WAIT_SECONDS = Histogram(
    "cardin_limiter_wait_seconds",
    "Time requests waited for a burst window",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0),
)


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type; every worker's values
    when the service runs in multiprocess mode."""
    if os.environ.get(MULTIPROC_VARIABLE):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
