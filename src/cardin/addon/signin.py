"""Sign in with Pipedrive, at the edges: the callback page, and the card Gmail reloads after it.

`GET /oauth/pipedrive/callback` is the one endpoint Google does not call: Pipedrive sends the
user's browser there with `code` and `state` (or `error`). `cardin.usecases.signin.finish` does
the work; this module answers with a plain page in the user's language: the problem, or the
question "Connect Pipedrive Acme (Ann) to Cardin for ann@example.com?" whose Connect button
posts the state and the page's single-use value back to the same path (`signin.confirm` stores
the grant). The page that says it is connected closes its window when the browser lets it,
which makes Gmail reload the add-on (`onClose: RELOAD`); a page with a problem stays open to be
read. The reloaded card is
`resumed_card`: step 4 of the wizard for a new connector, the trigger's own card after a
reauthorization, or the step the user came from with the problem under it.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import HTMLResponse

from cardin.addon.handlers import AddOn
from cardin.addon.runtime import Runtime
from cardin.cards import (
    Json,
    render_behaviour_step,
    render_sign_in_reauth,
    render_token_step,
    trigger_response,
)
from cardin.connectors.model import Connector, ConnectorSettings
from cardin.connectors.setup import settings_of
from cardin.i18n.messages import Messages, messages_for
from cardin.usecases import signin
from cardin.usecases.connectors import own_connectors
from cardin.usecases.signin import (
    AwaitingConfirmation,
    Problem,
    SignedIn,
    SignInOutcome,
    SignInStarted,
)

log = logging.getLogger(__name__)

# The page's script closes the window the add-on opened (a window a script did not open may
# refuse: the text then asks the user to close it).
_CLOSE = "<script>setTimeout(function(){window.close()},1500)</script>"
_REFUSED = {Problem.FORGED, Problem.REPLAYED, Problem.EXPIRED}
_MAX_FORM = 4096
"""Bytes of the confirmation's form read at most (a state and a nonce: well under 1 KiB)."""
Handler = Callable[[AddOn], Awaitable[dict[str, Any]]]
CALLBACK_PATH = "/oauth/pipedrive/callback"


class RedactCallbackQuery(logging.Filter):
    """Keeps the callback's query (a code, a state) out of uvicorn's access log."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the callback's query by `?…` in an access-log record; keep every record."""
        args = record.args
        if isinstance(args, tuple) and len(args) > 2 and isinstance(args[2], str):  # noqa: PLR2004
            path = args[2]
            if path.startswith(CALLBACK_PATH + "?"):
                record.args = (*args[:2], CALLBACK_PATH + "?…", *args[3:])
        return True


def keep_codes_out_of_the_access_log() -> None:
    """Install RedactCallbackQuery on uvicorn's access logger (once)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactCallbackQuery) for f in access.filters):
        access.addFilter(RedactCallbackQuery())


async def pipedrive_callback(request: Request) -> HTMLResponse:
    """Check a sign-in and ask the user to confirm it; nothing is stored unless the state is
    genuine and the user connects."""
    runtime: Runtime = request.app.state.runtime
    query = request.query_params
    outcome = await signin.finish(
        runtime.services,
        state=query.get("state"),
        code=query.get("code"),
        error=query.get("error"),
    )
    if isinstance(outcome, AwaitingConfirmation):
        return _confirmation(outcome, query.get("state", ""))
    return _outcome_page(outcome)


async def pipedrive_confirm(request: Request) -> HTMLResponse:
    """The confirmation page's Connect: store the grant (once) and say so."""
    runtime: Runtime = request.app.state.runtime
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > _MAX_FORM:  # no form of this page is that long: refused below
            body = b""
            break
    form = parse_qs(body.decode("ascii", "replace"))
    outcome = await signin.confirm(
        runtime.services,
        state=next(iter(form.get("state", [])), None),
        confirm=next(iter(form.get("confirm", [])), None),
    )
    return _outcome_page(outcome)


def _outcome_page(outcome: SignInOutcome) -> HTMLResponse:
    locale = outcome.started.locale if outcome.started else None
    msgs = messages_for(locale)
    if isinstance(outcome, SignedIn):
        if outcome.created:
            text = msgs.text("signin.connected", company=outcome.connector.account.company_name)
        else:
            text = msgs.text("signin.reconnected", connector=outcome.connector.name)
        return _page(msgs, html.escape(text), close=True)
    status = 400 if outcome.problem in _REFUSED else 200
    text = msgs.text(f"signin.error.{outcome.problem.value}")
    return _page(msgs, html.escape(text), status=status)


def _confirmation(awaiting: AwaitingConfirmation, state: str) -> HTMLResponse:
    """The question, and a Connect button that posts the state and the single-use value."""
    msgs = messages_for(awaiting.started.locale)
    account = awaiting.account
    email = awaiting.started.google_email
    question = (
        msgs.text(
            "signin.confirm.question",
            company=account.company_name,
            user=account.user_name,
            email=email,
        )
        if email
        else msgs.text(
            "signin.confirm.question_unnamed", company=account.company_name, user=account.user_name
        )
    )
    form = (
        f"<form method='post' action='{CALLBACK_PATH}'>"
        f"<input type='hidden' name='state' value='{html.escape(state, quote=True)}'>"
        f"<input type='hidden' name='confirm' value='{html.escape(awaiting.confirm, quote=True)}'>"
        f"<button type='submit' id='connect'>{html.escape(msgs.text('signin.confirm.button'))}"
        "</button></form>"
    )
    note = html.escape(msgs.text("signin.confirm.not_you"))
    return _page(msgs, f"{html.escape(question)}</p>{form}<p>{note}", closing_hint=False)


def _page(
    msgs: Messages,
    outcome_html: str,
    *,
    status: int = 200,
    close: bool = False,
    closing_hint: bool = True,
) -> HTMLResponse:
    """A plain page: the title, what happened (escaped by the caller), and, when `close`, a
    script that closes the window after a moment."""
    title = html.escape(msgs.text("signin.page.title"))
    hint = f"<p>{html.escape(msgs.text('signin.close'))}</p>" if closing_hint else ""
    body = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{title}</title></head>"
        "<body style='font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem'>"
        f"<h1>{title}</h1><p id='outcome'>{outcome_html}</p>"
        f"{hint}{_CLOSE if close else ''}</body></html>"
    )
    # No other site may frame the page (its Connect button must not be clicked unseen). The
    # page's address (a code, a state) goes to no other site; the Connect button's post to this
    # one carries the page's origin (under `no-referrer` a browser sends `Origin: null`).
    headers = {
        "cache-control": "no-store",
        "referrer-policy": "same-origin",
        "x-frame-options": "DENY",
        "content-security-policy": "frame-ancestors 'none'",
    }
    return HTMLResponse(body, status_code=status, headers=headers)


async def sign_in_url(
    addon: AddOn,
    settings: ConnectorSettings,
    *,
    setup_key: str | None = None,
    connector_id: str | None = None,
) -> str | None:
    """A fresh consent link for this user and wizard (None when the deployment has no app)."""
    started = SignInStarted(
        addon.user.sub,
        settings,
        setup_key=setup_key,
        connector_id=connector_id,
        locale=addon.context().locale,
        google_email=addon.user.email,
    )
    return await signin.begin(addon.services, started)


async def resumed_card(addon: AddOn) -> Json | None:
    """The card that continues a sign-in the user just finished; None when there is none."""
    outcome = await signin.take_result(addon.services, addon.user.sub)
    if outcome is None or outcome.started is None:
        return None
    started = outcome.started
    if isinstance(outcome, SignedIn):
        if not outcome.created:
            return None  # reauthorized: the trigger's own card works again
        connector = outcome.connector
        return render_behaviour_step(
            addon.context(connector), connector=connector, settings=started.settings
        )
    error = f"signin.error.{outcome.problem.value}"
    if started.connector_id is not None:
        owned = await own_connectors(addon.services, addon.user.sub)
        reauthorized = next((c for c in owned if c.id == started.connector_id), None)
        if reauthorized is not None and reauthorized.signed_in:
            return await reauth_card(addon, reauthorized, error=error)
    return await token_card(
        addon,
        started.settings,
        setup_key=started.setup_key,
        connector_id=started.connector_id,
        error=error if outcome.holder is None else None,
        already=outcome.holder,
    )


async def token_card(
    addon: AddOn,
    settings: ConnectorSettings,
    *,
    setup_key: str | None,
    connector_id: str | None,
    error: str | None = None,
    already: Connector | None = None,
    reauth: bool = False,
) -> Json:
    """Step 3 (or a token reauthorization) with "Sign in with Pipedrive" when there is an app."""
    url = await sign_in_url(addon, settings, setup_key=setup_key, connector_id=connector_id)
    return render_token_step(
        addon.context(),
        settings=settings,
        connector_id=connector_id,
        error=error,
        reauth=reauth,
        setup_key=setup_key if connector_id is None else None,
        already=already,
        sign_in_url=url,
    )


async def reauth_card(
    addon: AddOn, connector: Connector, *, error: str | None = None, wider: bool = False
) -> Json:
    """The reauthorization of a signed-in connector: the same sign-in again."""
    settings = settings_of(connector)
    url = await sign_in_url(addon, settings, connector_id=connector.id)
    wider = wider or await signin.needs_wider_scopes(addon.services, connector)
    if url is None:  # the deployment lost its app: a token is the way left
        return await token_card(
            addon, settings, setup_key=None, connector_id=connector.id, reauth=True
        )
    return render_sign_in_reauth(
        addon.context(connector),
        connector=connector,
        sign_in_url=url,
        error=error,
        wider_scopes=wider,
    )


def resuming(handler: Handler) -> Handler:
    """The trigger `handler`, unless a sign-in just finished: then the card that continues it."""

    async def run(addon: AddOn) -> dict[str, Any]:
        card = await resumed_card(addon)
        if card is not None:
            return trigger_response(card)
        return await handler(addon)

    return run
