"""`cardin lookup`: one lookup, printed for a terminal; errors become one line and an exit code."""

from __future__ import annotations

import httpx
from rich.console import Console

from cardin.cache import MemoryCache
from cardin.commands import BILLING_URL, TOKEN_HELP_URL, ExitCode
from cardin.contact.model import LookupResult
from cardin.i18n.format import Formatter
from cardin.lookup import LookupEngine
from cardin.pipedrive import (
    InvalidToken,
    PaymentRequired,
    PipedriveError,
    RateLimited,
)
from cardin.terminal import render_result


async def lookup_once(email: str, *, token: str, base_url: str, timeout: float) -> LookupResult:
    """Look `email` up with a fresh engine (one process, one lookup)."""
    async with httpx.AsyncClient(follow_redirects=False) as http:
        engine = LookupEngine(http, MemoryCache(), timeout=timeout)
        return await engine.lookup(email, token=token, base_url=base_url)


async def run_lookup(
    email: str,
    *,
    token: str,
    base_url: str,
    locale: str | None,
    timeout: float,
    console: Console,
    errors: Console,
) -> int:
    """Print the lookup of `email`; the exit status says how it went."""
    try:
        result = await lookup_once(email, token=token, base_url=base_url, timeout=timeout)
    except PipedriveError as exc:
        message, code = failure_message(exc)
        errors.print(f"[red]{message}[/red]", highlight=False)
        return code
    account = result.account
    render_result(result, console, Formatter(locale or account.locale, account.timezone))
    return ExitCode.OK


def failure_message(exc: PipedriveError) -> tuple[str, int]:
    """One line that says what went wrong and what to do, and the exit status."""
    if isinstance(exc, InvalidToken):
        message = (
            f"Pipedrive refused the API token: copy your current token from {TOKEN_HELP_URL} "
            "and pass it with --token or PIPEDRIVE_API_TOKEN."
        )
        return message, ExitCode.INVALID_TOKEN
    if isinstance(exc, PaymentRequired):
        message = (
            "This Pipedrive account is inactive (trial ended or payment failed): an admin can "
            f"reactivate it at {BILLING_URL}."
        )
        return message, ExitCode.PAYMENT_REQUIRED
    if isinstance(exc, RateLimited):
        wait = f" in {exc.retry_after:g} s" if exc.retry_after is not None else " later"
        return (
            f"Pipedrive's rate limit is reached for this account: try again{wait}.",
            ExitCode.UNAVAILABLE,
        )
    message = (
        f"Pipedrive could not be reached or answered badly ({exc}): check --base-url or "
        "PIPEDRIVE_BASE_URL and your connection, then try again."
    )
    return message, ExitCode.UNAVAILABLE
