"""Sign in with Pipedrive, at the edges: the callback page, and the card Gmail reloads after it.

`GET /oauth/pipedrive/callback` is the one endpoint Google does not call: Pipedrive sends the
user's browser there with `code` and `state` (or `error`). `cardin.usecases.signin.finish` does
the work; this module answers with a plain page in the user's language that says what happened
("Connected to Acme — return to Gmail", or the problem) and closes its window when the browser
lets it, which makes Gmail reload the add-on (`onClose: RELOAD`). The reloaded card is
`resumed_card`: step 4 of the wizard for a new connector, the trigger's own card after a
reauthorization, or the step the user came from with the problem under it.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from typing import Any

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
from cardin.i18n.messages import messages_for
from cardin.usecases import signin
from cardin.usecases.connectors import own_connectors
from cardin.usecases.signin import Problem, SignedIn, SignInStarted

log = logging.getLogger(__name__)

# The page's script closes the window the add-on opened (a window a script did not open may
# refuse: the text then asks the user to close it).
_CLOSE = "<script>setTimeout(function(){window.close()},1500)</script>"
_REFUSED = {Problem.FORGED, Problem.REPLAYED, Problem.EXPIRED}
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
    """Finish a sign-in and say how it went; nothing is stored unless the state is genuine."""
    runtime: Runtime = request.app.state.runtime
    query = request.query_params
    outcome = await signin.finish(
        runtime.services,
        state=query.get("state"),
        code=query.get("code"),
        error=query.get("error"),
    )
    locale = outcome.started.locale if outcome.started else None
    msgs = messages_for(locale)
    if isinstance(outcome, SignedIn):
        if outcome.created:
            text = msgs.text("signin.connected", company=outcome.connector.account.company_name)
        else:
            text = msgs.text("signin.reconnected", connector=outcome.connector.name)
        return _page(msgs.text("signin.page.title"), text, msgs.text("signin.close"))
    status = 400 if outcome.problem in _REFUSED else 200
    text = msgs.text(f"signin.error.{outcome.problem.value}")
    return _page(msgs.text("signin.page.title"), text, msgs.text("signin.close"), status=status)


def _page(title: str, text: str, close: str, *, status: int = 200) -> HTMLResponse:
    """A plain page: the title, what happened, and a script that closes the window."""
    body = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<title>{html.escape(title)}</title></head>"
        "<body style='font-family:sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem'>"
        f"<h1>{html.escape(title)}</h1><p id='outcome'>{html.escape(text)}</p>"
        f"<p>{html.escape(close)}</p>{_CLOSE}</body></html>"
    )
    headers = {"cache-control": "no-store", "referrer-policy": "no-referrer"}
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
