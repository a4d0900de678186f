"""Run the sandbox over HTTP with uvicorn (what `cardin sandbox` does)."""

from __future__ import annotations

from pathlib import Path

from cardin.sandbox.data import Dataset
from cardin.sandbox.demo import demo_dataset
from cardin.sandbox.faults import FaultPlan
from cardin.sandbox.gateway import Sandbox
from cardin.sandbox.oauth import DEFAULT_ACCESS_TTL, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET


def build_sandbox(
    data_path: str | Path | None = None,
    latency_ms: float = 0.0,
    faults_spec: str | None = None,
    seed: int = 0,
    timeout_seconds: float = 30.0,
    *,
    access_ttl: float = DEFAULT_ACCESS_TTL,
) -> Sandbox:
    """A sandbox over the data file (or the demo data); ValueError for a bad spec or file.

    Its OAuth server knows the demo's app (`DEMO_CLIENT_ID`) and gives access tokens that live
    `access_ttl` seconds.
    """
    dataset = Dataset.load(data_path) if data_path else demo_dataset()
    return Sandbox(
        dataset,
        latency_ms=latency_ms,
        faults=FaultPlan.parse(faults_spec),
        seed=seed,
        timeout_seconds=timeout_seconds,
        oauth_clients={DEMO_CLIENT_ID: DEMO_CLIENT_SECRET},
        access_ttl=access_ttl,
    )


def serve(  # noqa: PLR0917 - the CLI passes its options in order
    host: str = "127.0.0.1",
    port: int = 8765,
    data_path: str | Path | None = None,
    latency_ms: float = 0.0,
    faults_spec: str | None = None,
    seed: int = 0,
) -> None:
    """Serve the sandbox until interrupted; the base URL is http://HOST:PORT."""
    import uvicorn  # noqa: PLC0415 - only the server needs it

    sandbox = build_sandbox(data_path, latency_ms, faults_spec, seed)
    uvicorn.run(sandbox.app, host=host, port=port, log_level="info")
