"""`cardin lookup`: one lookup, printed for a terminal; errors become one line and an exit code."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
from rich.console import Console
from rich.text import Text

from cardin.cache import MemoryCache
from cardin.cards import CardContext, Json, render_outcome_card, trigger_response
from cardin.commands import ExitCode
from cardin.connectors import ALL_FEATURES
from cardin.contact.model import LookupResult
from cardin.contact.outcome import Failure, Outcome
from cardin.i18n.format import Formatter
from cardin.i18n.messages import messages_for
from cardin.links import BILLING_PAGE_URL, TOKEN_PAGE_URL
from cardin.lookup import LookupEngine
from cardin.lookup.outcome import failure_of
from cardin.pipedrive import (
    ApiToken,
    BadResponse,
    InvalidToken,
    NotFound,
    PaymentRequired,
    PipedriveClient,
    PipedriveError,
    RateLimited,
    UntrustedHost,
)
from cardin.pipedrive.urls import DEFAULT_BASE_URL
from cardin.terminal import render_result

CONNECTOR_NAME = "Pipedrive"


async def lookup_once(
    email: str, *, token: str, base_url: str, timeout: float, replies: Replies | None = None
) -> LookupResult:
    """Look `email` up with a fresh engine (one process, one lookup); `replies` keeps notes."""
    hooks = {"response": [replies.record]} if replies is not None else {}
    async with httpx.AsyncClient(follow_redirects=False, event_hooks=hooks) as http:
        engine = LookupEngine(http, MemoryCache(), timeout=timeout, api_base=base_url)
        # No connector, so no account known before the call: its metadata is not cached (one
        # lookup per process would not use it again anyway).
        return await engine.lookup(email, credential=ApiToken(token), base_url=base_url)


@dataclass
class Replies:
    """The answers no Pipedrive API gives, as they came: they tell another server from Pipedrive.

    Pipedrive answers its API calls in JSON, a refused token included (`{"success": false,
    "error": "unauthorized access", ...}`); only its edge's 403, 429 and 5xx pages may be HTML.
    A web page, or a 401 without Pipedrive's envelope, comes from some other server.
    """

    foreign: list[str] = field(default_factory=list)

    async def record(self, response: httpx.Response) -> None:
        """An httpx response hook: note the reply if it is not one of Pipedrive's."""
        status = response.status_code
        if status >= 500 or status in {403, 429}:  # noqa: PLR2004 - the edge's own pages
            return
        kind = response.headers.get("content-type", "").partition(";")[0].strip().lower()
        path = response.request.url.path
        if not (kind == "application/json" or kind.endswith("+json")):
            self.foreign.append(f"{status} with {kind or 'no content type'} to {path}")
        elif status == 401:  # noqa: PLR2004
            await response.aread()
            try:
                body = response.json()
            except (ValueError, RecursionError):
                body = None
            if not (isinstance(body, dict) and body.get("success") is False):
                self.foreign.append(f"401 without Pipedrive's error envelope to {path}")


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
    timezone: str | None = None


async def run_lookup(request: LookupRequest, *, console: Console, errors: Console) -> int:
    """Print the lookup of the address; the exit status says how it went."""
    replies = Replies()
    try:
        result = await lookup_once(
            request.email,
            token=request.token,
            base_url=request.base_url,
            timeout=request.timeout,
            replies=replies,
        )
    except PipedriveError as exc:
        if request.as_json:
            return _print_json(console, failure_of(exc), request)
        # the terminal edge says what to do, from the client's own error and the replies seen
        message, code = await explain_failure(exc, request, replies)
        errors.print(Text(message, style="red"), soft_wrap=True, highlight=False)
        return code
    if request.as_json:
        return _print_json(console, result, request)
    account = result.account
    locale = request.locale or account.locale
    # the zone the add-on falls back to when Gmail sends none: the Pipedrive user's
    fmt = Formatter(locale, request.timezone or account.timezone)
    render_result(result, console, fmt, messages_for(locale))
    return ExitCode.OK


async def explain_failure(
    exc: PipedriveError, request: LookupRequest, replies: Replies
) -> tuple[str, int]:
    """`failure_message`, once the replies (and, for a refused token, the host) were asked.

    Pipedrive refuses any unknown path with the same 401 as a wrong token: when the base has a
    path, the token is tried once at the base's origin (the same host, already trusted with it).
    """
    foreign = replies.foreign[0] if replies.foreign else None
    if (
        foreign is None
        and type(exc) is InvalidToken
        and _has_path(request.base_url)
        and await _token_works(_origin(request.base_url), request.token, request.timeout)
    ):
        foreign = f"401 to a token that {_origin(request.base_url)} accepts"
    return failure_message(exc, request.base_url, foreign=foreign)


def _has_path(base_url: str) -> bool:
    return httpx.URL(base_url).path.strip("/") != ""


def _origin(base_url: str) -> str:
    url = httpx.URL(base_url)
    return str(url.copy_with(path="/", query=None, fragment=None)).rstrip("/")


async def _token_works(base_url: str, token: str, timeout: float) -> bool:
    """Whether `GET /v1/users/me` at `base_url` accepts the token."""
    async with httpx.AsyncClient(follow_redirects=False) as http:
        client = PipedriveClient(
            http,
            auth=ApiToken(token).auth(),
            base_url=base_url,
            configured_base=base_url,
            timeout=timeout,
        )
        try:
            await client.current_user()
        except PipedriveError:
            return False
    return True


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
        timezone=request.timezone or (account.timezone if account else "UTC"),
        features=ALL_FEATURES,
        action_url=f"{public_url}/addon/action",
        icon_base_url=f"{public_url}/static/icons",
        now=datetime.now(UTC),
    )
    card = render_outcome_card(outcome, ctx, email=request.email, connector_name=CONNECTOR_NAME)
    return trigger_response(card)


def failure_message(
    exc: PipedriveError, base_url: str, *, foreign: str | None = None
) -> tuple[str, int]:
    """One line that says what went wrong and what to do, and the exit status.

    `foreign` describes a reply no Pipedrive API gives (see `Replies`), if one came.
    """
    if isinstance(exc, UntrustedHost):
        message = (
            f"{base_url} is not an address the API token may be sent to: use Pipedrive's API "
            f"({DEFAULT_BASE_URL}) or a full http(s) URL of your proxy or sandbox, without "
            "credentials, query or fragment, in --base-url or PIPEDRIVE_BASE_URL."
        )
        return message, ExitCode.USAGE
    if isinstance(exc, NotFound):
        # a lookup's own calls (the search, the account) exist on every Pipedrive API
        foreign = f"404 (not found) to {exc.path or 'the lookup'}"
    if foreign is not None and isinstance(exc, (InvalidToken, NotFound, BadResponse)):
        message = (
            f"{base_url} is not a Pipedrive API: it answered {foreign}. Check --base-url or "
            f"PIPEDRIVE_BASE_URL (Pipedrive's is {DEFAULT_BASE_URL})."
        )
        return message, ExitCode.UNAVAILABLE
    if isinstance(exc, InvalidToken):
        message = (
            f"Pipedrive refused the API token: copy your current token from {TOKEN_PAGE_URL} "
            "and pass it with --token or PIPEDRIVE_API_TOKEN."
        )
        if _has_path(base_url):
            message += (
                f" Check --base-url too: Pipedrive's API has no path after the host "
                f"({DEFAULT_BASE_URL}), and it refuses an unknown path like a wrong token."
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
