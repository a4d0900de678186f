"""`cardin demo`: the sandbox with the demo company, and lookups of its demo persons over HTTP."""

from __future__ import annotations

import asyncio

from rich.console import Console
from rich.rule import Rule

from cardin.commands import ExitCode
from cardin.commands.lookup import failure_message, lookup_once
from cardin.commands.servers import BackgroundServer
from cardin.i18n.format import Formatter
from cardin.pipedrive import PipedriveError
from cardin.sandbox import DEMO_TOKEN, RICH_EMAIL, SHARED_EMAIL, UNKNOWN_EMAIL, build_sandbox
from cardin.terminal import render_result

DEMO_EMAILS = (RICH_EMAIL, SHARED_EMAIL, UNKNOWN_EMAIL)


def run_demo(*, port: int, console: Console) -> int:
    """Start the sandbox on `port`, look the demo persons up through it, then stop."""
    sandbox = build_sandbox()
    try:
        server = BackgroundServer(sandbox.app, port=port)
        server.start()
    except (RuntimeError, OSError) as exc:
        console.print(f"[red]Cannot start the sandbox on port {port}: {exc}[/red]")
        return ExitCode.USAGE
    try:
        console.print(f"Pipedrive sandbox with the demo company on {server.url}")
        return asyncio.run(_lookups(server.url, console))
    finally:
        server.stop()


async def _lookups(base_url: str, console: Console) -> int:
    for email in DEMO_EMAILS:
        console.print(Rule(f"cardin lookup {email}"))
        try:
            result = await lookup_once(email, token=DEMO_TOKEN, base_url=base_url, timeout=8.0)
        except PipedriveError as exc:
            message, code = failure_message(exc)
            console.print(f"[red]{message}[/red]")
            return code
        account = result.account
        render_result(result, console, Formatter(account.locale, account.timezone))
    console.print(
        f"\nTry your own: cardin sandbox --port 8765, then cardin lookup EMAIL "
        f"--base-url http://127.0.0.1:8765 --token {DEMO_TOKEN}"
    )
    return ExitCode.OK
