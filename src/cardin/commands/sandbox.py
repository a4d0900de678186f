"""`cardin sandbox`: serve the Pipedrive simulator and say how to use it."""

from __future__ import annotations

import uvicorn
from rich.console import Console

from cardin.commands import ExitCode
from cardin.sandbox import (
    DEMO_TOKEN,
    INACTIVE_TOKEN,
    MINIMAL_EMAIL,
    RICH_EMAIL,
    SECOND_TOKEN,
    SHARED_EMAIL,
    build_sandbox,
)


def run_sandbox(
    *, host: str, port: int, data: str | None, latency: float, faults: str | None, seed: int
) -> int:
    """Serve until interrupted; 2 when the data file or the fault spec is unusable."""
    console = Console(stderr=True, highlight=False)
    try:
        sandbox = build_sandbox(data, latency, faults, seed)
    except (ValueError, OSError) as exc:
        console.print(f"[red]Cannot start the sandbox: {exc}[/red]")
        return ExitCode.USAGE
    base = f"http://{host}:{port}"
    console.print(f"Pipedrive sandbox on [bold]{base}[/bold] (use it as --base-url)")
    if data is None:
        console.print(f"  demo token:        {DEMO_TOKEN}")
        console.print(f"  second company:    {SECOND_TOKEN}")
        console.print(f"  inactive company:  {INACTIVE_TOKEN}  (answers 402)")
        console.print(f"  try: cardin lookup {RICH_EMAIL} --base-url {base} --token {DEMO_TOKEN}")
        console.print(f"       ({MINIMAL_EMAIL}, {SHARED_EMAIL}, or any unknown address)")
    uvicorn.run(sandbox.app, host=host, port=port, log_level="warning")
    return ExitCode.OK
