"""`cardin lookup`: one lookup, printed for a terminal; errors become one line and an exit code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from rich.console import Console

from cardin.cache import MemoryCache
from cardin.cards import CardContext, Json, render_outcome_card, trigger_response
from cardin.commands import ExitCode
from cardin.connectors import ALL_FEATURES
from cardin.contact.model import LookupResult
from cardin.contact.outcome import Failure, Outcome
from cardin.i18n.format import Formatter
from cardin.links import BILLING_PAGE_URL, TOKEN_PAGE_URL
from cardin.lookup import LookupEngine
from cardin.lookup.outcome import failure_of
from cardin.pipedrive import (
    ApiToken,
    InvalidToken,
    NotFound,
    PaymentRequired,
    PipedriveError,
    RateLimited,
    UntrustedHost,
)
from cardin.pipedrive.urls import DEFAULT_BASE_URL
from cardin.terminal import render_result

CONNECTOR_NAME = "Pipedrive"


async def lookup_once(email: str, *, token: str, base_url: str, timeout: float) -> LookupResult:
    """Look `email` up with a fresh engine (one process, one lookup)."""
    async with httpx.AsyncClient(follow_redirects=False) as http:
        engine = LookupEngine(http, MemoryCache(), timeout=timeout, api_base=base_url)
        # No connector, so no account known before the call: its metadata is not cached (one
        # lookup per process would not use it again anyway).
        return await engine.lookup(email, credential=ApiToken(token), base_url=base_url)


@dataclass(frozen=True)
class LookupRequest:
    """What `cardin lookup` was asked: the address, the account, and how to print."""

    email: str
    token: str
    base_url: str
    locale: str | None
    timeout: float
    as_json: bool
    public_url: str


async def run_lookup(request: LookupRequest, *, console: Console, errors: Console) -> int:
    """Print the lookup of the address; the exit status says how it went."""
    try:
        result = await lookup_once(
            request.email, token=request.token, base_url=request.base_url, timeout=request.timeout
        )
    except PipedriveError as exc:
        if request.as_json:
            return _print_json(console, failure_of(exc), request)
        # the terminal edge says what to do, from the client's own error
        message, code = failure_message(exc, request.base_url)
        errors.print(f"[red]{message}[/red]", highlight=False)
        return code
    if request.as_json:
        return _print_json(console, result, request)
    account = result.account
    render_result(result, console, Formatter(request.locale or account.locale, account.timezone))
    return ExitCode.OK


def _print_json(console: Console, outcome: Outcome, request: LookupRequest) -> int:
    # Written as is: rich would re-indent and wrap what must stay exactly the add-on's JSON.
    console.file.write(json.dumps(trigger_json(outcome, request), ensure_ascii=False) + "\n")
    return ExitCode.OK


def trigger_json(outcome: Outcome, request: LookupRequest) -> Json:
    """The add-on's answer to a Gmail contextual trigger on a message from the address."""
    account = None if isinstance(outcome, Failure) else outcome.account
    public_url = request.public_url.rstrip("/")
    ctx = CardContext(
        locale=request.locale or (account.locale if account else "en_US"),
        timezone=account.timezone if account else "UTC",
        features=ALL_FEATURES,
        action_url=f"{public_url}/addon/action",
        icon_base_url=f"{public_url}/static/icons",
        now=datetime.now(UTC),
    )
    card = render_outcome_card(outcome, ctx, email=request.email, connector_name=CONNECTOR_NAME)
    return trigger_response(card)


def failure_message(exc: PipedriveError, base_url: str) -> tuple[str, int]:
    """One line that says what went wrong and what to do, and the exit status."""
    if isinstance(exc, NotFound):
        # a lookup's own calls (the search, the account) exist on every Pipedrive API
        message = (
            f"{base_url} does not look like Pipedrive's API: it answered 404 (not found) to "
            f"{exc.path or 'the lookup'}. Check --base-url or PIPEDRIVE_BASE_URL (Pipedrive's is "
            f"{DEFAULT_BASE_URL})."
        )
        return message, ExitCode.UNAVAILABLE
    if isinstance(exc, UntrustedHost):
        message = (
            f"{base_url} is not an address the API token may be sent to: use Pipedrive's API "
            f"({DEFAULT_BASE_URL}) or a full http(s) URL of your proxy or sandbox, without "
            "credentials, query or fragment, in --base-url or PIPEDRIVE_BASE_URL."
        )
        return message, ExitCode.USAGE
    if isinstance(exc, InvalidToken):
        message = (
            f"Pipedrive refused the API token: copy your current token from {TOKEN_PAGE_URL} "
            "and pass it with --token or PIPEDRIVE_API_TOKEN."
        )
        return message, ExitCode.INVALID_TOKEN
    if isinstance(exc, PaymentRequired):
        message = (
            "This Pipedrive account is inactive (trial ended or payment failed): an admin can "
            f"reactivate it at {BILLING_PAGE_URL}."
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
