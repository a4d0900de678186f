"""The demo's one web app: the Gmail-like preview page, the add-on service and the sandbox.

`/` and `/preview/...` are the preview (an inbox beside the side panel); Pipedrive's API paths
and `/_sandbox/...` go to the sandbox; everything else (`/addon/...`, `/healthz`, `/static/...`)
is the add-on service, so its callback and icon URLs work in the browser as they are.

The demo answers loopback host names only (a DNS-rebound name gets 400), refuses state-changing
requests sent from another origin (403), and takes the panel's clicks as JSON only (415), so a
web page the user visits cannot read the sandbox's tokens, change them or click in the panel.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from cardin.preview.client import LANGUAGES, TIME_ZONES, AddOnClient, AddOnFailure, Region
from cardin.preview.environment import ACCOUNTS, DEMO_USER, DemoEnvironment
from cardin.preview.google import METADATA_SCOPE, READONLY_SCOPE, SCOPE_DESCRIPTIONS
from cardin.preview.inbox import MAILS, Mail, find_mail, install, message_id
from cardin.preview.render import CardRenderer
from cardin.preview.session import (
    Applied,
    Consent,
    Json,
    Panel,
    Panels,
    ScopeRequest,
    UnusableResponse,
    apply_response,
    form_inputs,
    missing_required,
    scope_request,
    text_values,
)
from cardin.sandbox import Sandbox

log = logging.getLogger(__name__)
COOKIE = "cardin_preview"
SANDBOX_PREFIXES = (
    "/_sandbox/",
    "/api/",
    "/v1/",
    "/oauth/authorize",
    "/oauth/token",
    "/oauth/revoke",
)
# 127.0.0.1, localhost or [::1], with any port: the names the demo is opened with
LOOPBACK_HOST = re.compile(r"(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?", re.IGNORECASE)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OWN_FETCH_SITES = frozenset({"same-origin", "none"})  # `none`: typed in or bookmarked
DECLINED = (
    "You did not allow Cardin for Pipedrive to {what}. Open the email again to be asked again."
)
# the optional permissions the demo page lets the user withdraw, to see the consent step again
REVOCABLE_SCOPES = (METADATA_SCOPE, READONLY_SCOPE)


@dataclass
class Preview:
    """The preview's state: the demo world, the panels of every browser, the add-on client."""

    env: DemoEnvironment
    renderer: CardRenderer
    panels: Panels
    client: AddOnClient | None = None

    @property
    def addon(self) -> AddOnClient:
        """The client of the add-on (set while the app runs)."""
        if self.client is None:
            raise RuntimeError("the preview is not running")
        return self.client

    def panel_html(self, panel: Panel, *, problem: str | None = None) -> str:
        """The side panel's HTML for the card on top of the panel's stack.

        A consent step asked for while opening the message is drawn over it.
        """
        top = panel.top
        rendered = self.renderer.render(top, values=panel.kept_values) if top else None
        version = panel.drawn(*((rendered.clicks, rendered.fields) if rendered else ((), ())))
        template = self.renderer.environment.get_template("panel.html")
        return template.render(
            card=rendered,
            depth=len(panel.stack),
            version=version,
            problem=problem,
            consent=self.consent_html(panel.consent) if panel.consent else None,
        )

    def consent_html(self, consent: Consent) -> str:
        """Google's consent step: who asks, for which permissions, Allow and Cancel."""
        template = self.renderer.environment.get_template("consent.html")
        asked = [(scope, SCOPE_DESCRIPTIONS.get(scope, scope)) for scope in consent.scopes]
        return template.render(scopes=asked, user=self.addon.user)

    def _consent(self, asked: ScopeRequest, click: Json | None, inputs: Json) -> Consent:
        google = self.env.google
        granted = google.scopes(self.addon.user.sub)
        if asked.all_scopes:
            scopes = tuple(s for s in google.manifest_scopes if s not in granted)
            return Consent(scopes or google.manifest_scopes, click, inputs)
        unlisted = [scope for scope in asked.scopes if scope not in google.manifest_scopes]
        if unlisted:
            raise UnusableResponse(
                f"the add-on asks for {', '.join(unlisted)}, which its manifest does not list"
            )
        return Consent(asked.scopes, click, inputs)

    async def trigger(self, panel: Panel, mail: Mail | None) -> str | None:
        """Open `mail` (or the homepage) as Gmail does: a fresh stack; the problem, if any.

        When the add-on asks for permissions first, the panel shows no card but the consent step.
        """
        panel.message_key = mail.key if mail else None
        panel.consent = None
        try:
            if mail is None:
                response = await self.addon.homepage(panel.region)
            else:
                response = await self.addon.message(message_id(mail), panel.region)
            asked = scope_request(response)
            if asked is not None:
                panel.consent = self._consent(asked, None, {})
                panel.show(Applied(()))
                return None
            panel.show(apply_response((), response, trigger=True))
        except (AddOnFailure, UnusableResponse) as exc:
            log.warning("the add-on's trigger answer cannot be shown: %s", exc)
            panel.show(Applied(()))
            return str(exc)
        return None

    async def press(self, panel: Panel, on_click: Json, raw_inputs: list[list[str]]) -> Json:
        """Send one click of the top card and apply the answer; JSON for the page.

        An answer without navigations (a notification or link alone) sends no panel: the page
        keeps the card as it is, with what the user typed, and its clicks stay valid. An answer
        asking for permissions sends the consent step (`consent`) to draw over the card.
        """
        inputs = form_inputs(raw_inputs)
        missing = missing_required(on_click, inputs, panel.fields)
        if missing:
            return {"invalid": missing}
        panel.consent = None
        return await self._act(panel, on_click, inputs)

    async def consent(self, panel: Panel, *, allow: bool) -> Json:
        """The user's choice on the consent step; JSON for the page.

        Allow grants the permissions and repeats what asked for them (the click with the same
        inputs, or opening the message), as Gmail does. Cancel closes the step: the card stays
        as it was, with what the user typed (`closed`); opening the message shows why nothing
        is there.
        """
        consent, panel.consent = panel.consent, None
        if consent is None:
            return {"reload": True}
        if not allow:
            if consent.on_trigger:
                what = "; ".join(SCOPE_DESCRIPTIONS.get(s, s) for s in consent.scopes)
                return {"html": self.panel_html(panel, problem=DECLINED.format(what=what.lower()))}
            return {"closed": True}
        self.env.google.grant(self.addon.user.sub, consent.scopes)
        if consent.on_trigger:
            problem = await self.trigger(panel, find_mail(panel.message_key or ""))
            return {"html": self.panel_html(panel, problem=problem)}
        return await self._act(panel, consent.click or {}, consent.inputs)

    async def _act(self, panel: Panel, on_click: Json, inputs: Json) -> Json:
        try:
            answer = await self._answer(panel, on_click, inputs)
            if isinstance(answer, ScopeRequest):
                panel.consent = self._consent(answer, on_click, inputs)
                return {"consent": self.consent_html(panel.consent)}
            applied = answer
        except (AddOnFailure, UnusableResponse) as exc:
            log.warning("the add-on's action answer cannot be shown: %s", exc)
            return {"notification": f"Preview: {exc}"}
        if not applied.navigated:
            told = {"notification": applied.notification, "link": applied.link}
            return {key: value for key, value in told.items() if value is not None}
        panel.show(applied, kept=text_values(inputs) if applied.updated else None)
        return {
            "html": self.panel_html(panel),
            "notification": applied.notification,
            "link": applied.link,
        }

    async def _answer(self, panel: Panel, on_click: Json, inputs: Json) -> Applied | ScopeRequest:
        if "card" in on_click:
            return Applied((*panel.stack, on_click["card"]), navigated=True)
        action = on_click.get("action") or on_click.get("openDynamicLinkAction") or {}
        parameters = {str(p["key"]): str(p["value"]) for p in action.get("parameters") or []}
        mail = find_mail(panel.message_key or "")
        response = await self.addon.action(
            str(action.get("function", "")),
            parameters=parameters,
            inputs=inputs,
            message_id=message_id(mail) if mail else None,
            region=panel.region,
        )
        return scope_request(response) or apply_response(panel.stack, response)


def _panel_of(preview: Preview, request: Request) -> Panel:
    return preview.panels.get(request.cookies.get(COOKIE))


def _with_cookie(response: Response, panel: Panel) -> Response:
    response.set_cookie(COOKIE, panel.id, httponly=True, samesite="strict")
    return response


async def _page(request: Request, mail: Mail | None) -> Response:
    preview: Preview = request.app.state.preview
    panel = _panel_of(preview, request)
    async with panel.lock:
        problem = await preview.trigger(panel, mail)
        html = preview.panel_html(panel, problem=problem)
    page = preview.renderer.environment.get_template("page.html").render(
        mails=MAILS,
        mail=mail,
        panel=html,
        user=DEMO_USER,
        accounts=ACCOUNTS,
        tokens=preview.env.tokens,
        rotated=request.query_params.get("rotated"),
        permissions=_permissions(preview),
        languages=LANGUAGES,
        time_zones=TIME_ZONES,
        region=panel.region,
        here=request.url.path,
    )
    return _with_cookie(HTMLResponse(page), panel)


def _permissions(preview: Preview) -> list[tuple[str, str, bool]]:
    granted = preview.env.google.scopes(DEMO_USER.sub)
    return [(scope, SCOPE_DESCRIPTIONS[scope], scope in granted) for scope in REVOCABLE_SCOPES]


async def inbox_page(request: Request) -> Response:
    """The inbox with the add-on's homepage in the side panel."""
    return await _page(request, None)


async def mail_page(request: Request) -> Response:
    """One demo mail opened: the add-on's contextual card in the side panel."""
    mail = find_mail(request.path_params["key"])
    if mail is None:
        return RedirectResponse("/", status_code=303)
    return await _page(request, mail)


class BadRequest(Exception):
    """A request the panel's page would not send: its status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def _json_body(request: Request) -> dict[str, Any]:
    # JSON only: a cross-site page can post text/plain or a form without a CORS preflight
    kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if kind != "application/json":
        raise BadRequest(415, "the body must be sent as application/json")
    try:
        body = await request.json()
    except (ValueError, RecursionError):
        raise BadRequest(400, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise BadRequest(400, "the body must be a JSON object")
    return body


def _version_of(body: dict[str, Any]) -> int:
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise BadRequest(400, "version is required (a number)")
    return version


def _index_of(body: dict[str, Any]) -> int:
    index = body.get("click")
    if not isinstance(index, int) or isinstance(index, bool):
        raise BadRequest(400, "click is required (a number)")
    return index


def _allow_of(body: dict[str, Any]) -> bool:
    allow = body.get("allow")
    if not isinstance(allow, bool):
        raise BadRequest(400, "allow is required (true or false)")
    return allow


def _inputs_of(body: dict[str, Any]) -> list[list[str]]:
    inputs = body.get("inputs", [])
    if not isinstance(inputs, list):
        raise BadRequest(400, "inputs must be a list of [name, kind, value(, offset)] entries")
    for number, entry in enumerate(inputs):
        if (
            not isinstance(entry, list)
            or not 3 <= len(entry) <= 4  # noqa: PLR2004 - name, kind, value and the offset
            or not all(isinstance(part, str) for part in entry)
        ):
            raise BadRequest(
                400, f"inputs[{number}] must be [name, kind, value] or [name, kind, value, offset]"
            )
    return inputs


def _refused(error: BadRequest) -> Response:
    return JSONResponse({"error": error.message}, status_code=error.status)


async def click(request: Request) -> Response:
    """A click on the side panel's card: the new panel, a notification or a link to open."""
    preview: Preview = request.app.state.preview
    try:
        body = await _json_body(request)
        version, index, raw_inputs = _version_of(body), _index_of(body), _inputs_of(body)
    except BadRequest as error:
        return _refused(error)
    panel = _panel_of(preview, request)
    async with panel.lock:
        on_click = panel.click(version, index)
        if on_click is None:
            return JSONResponse({"reload": True})
        return JSONResponse(await preview.press(panel, on_click, raw_inputs))


async def consent(request: Request) -> Response:
    """Allow or Cancel on Google's consent step in the side panel."""
    preview: Preview = request.app.state.preview
    try:
        body = await _json_body(request)
        version, allow = _version_of(body), _allow_of(body)
    except BadRequest as error:
        return _refused(error)
    panel = _panel_of(preview, request)
    async with panel.lock:
        if not panel.is_current(version) or panel.consent is None:
            return JSONResponse({"reload": True})
        return JSONResponse(await preview.consent(panel, allow=allow))


async def back(request: Request) -> Response:
    """The side panel's back arrow: pop one card of the card drawn last (else reload)."""
    preview: Preview = request.app.state.preview
    try:
        version = _version_of(await _json_body(request))
    except BadRequest as error:
        return _refused(error)
    panel = _panel_of(preview, request)
    async with panel.lock:
        if not panel.is_current(version):
            return JSONResponse({"reload": True})  # another tab has drawn since: its card stays
        panel.back()
        return JSONResponse({"html": preview.panel_html(panel)})


async def rotate_token(request: Request) -> Response:
    """Change a demo account's token in the sandbox; the page shows the new one."""
    preview: Preview = request.app.state.preview
    if preview.panels.find(request.cookies.get(COOKIE)) is None:
        # the page's cookie is SameSite=strict: a form on another site cannot send it
        return JSONResponse({"error": "open the demo's page first"}, status_code=403)
    key = request.path_params["account"]
    if key not in preview.env.tokens:
        return JSONResponse({"error": "unknown account"}, status_code=404)
    preview.env.rotate(key)
    # a plain form post (urlencoded); python-multipart is not needed for one field
    fields = parse_qs((await request.body()).decode("utf-8", "replace"))
    return RedirectResponse(f"{_back_to(fields)}?rotated={key}", status_code=303)


async def revoke_scope(request: Request) -> Response:
    """Withdraw one of the demo user's optional Google permissions (to see the consent again)."""
    preview: Preview = request.app.state.preview
    if preview.panels.find(request.cookies.get(COOKIE)) is None:
        return JSONResponse({"error": "open the demo's page first"}, status_code=403)
    fields = parse_qs((await request.body()).decode("utf-8", "replace"))
    scope = (fields.get("scope") or [""])[0]
    if scope not in REVOCABLE_SCOPES:
        return JSONResponse({"error": "not a permission the demo can withdraw"}, status_code=400)
    preview.env.google.revoke(DEMO_USER.sub, [scope])
    return RedirectResponse(_back_to(fields), status_code=303)


async def choose_region(request: Request) -> Response:
    """The language and time zone the panel's events carry from now on; the page opens again."""
    preview: Preview = request.app.state.preview
    panel = preview.panels.find(request.cookies.get(COOKIE))
    if panel is None:
        return JSONResponse({"error": "open the demo's page first"}, status_code=403)
    fields = parse_qs((await request.body()).decode("utf-8", "replace"))
    try:
        region = Region.chosen((fields.get("locale") or [""])[0], (fields.get("zone") or [""])[0])
    except ValueError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    async with panel.lock:
        panel.region = region
    return RedirectResponse(_back_to(fields), status_code=303)


def _back_to(fields: dict[str, list[str]]) -> str:
    back_to = (fields.get("next") or ["/"])[0]
    return back_to if back_to.startswith("/") and not back_to.startswith("//") else "/"


async def favicon(_request: Request) -> Response:
    """The add-on's logo as the page's icon."""
    return RedirectResponse("/static/icons/logo.png", status_code=301)


class LoopbackOnly:
    """Serves loopback host names only, and state-changing requests from the demo's own origin.

    Another host name means DNS rebinding (a site whose name now points at 127.0.0.1): 400.
    A POST, PUT or DELETE whose `Origin` is not the address the page was loaded from, or that the
    browser marks as not same-origin (`Sec-Fetch-Site`), comes from another site: 403. Clients
    that send neither header (curl, the tests' httpx) are not browsers and pass.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if not LOOPBACK_HOST.fullmatch(host):
            response: Response = Response("Invalid host header", status_code=400)
        elif scope.get("method", "GET") not in SAFE_METHODS and not self._own(scope, headers):
            response = Response("Cross-site request refused", status_code=403)
        else:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)

    @staticmethod
    def _own(scope: Scope, headers: Headers) -> bool:
        origin = headers.get("origin")
        own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}".lower()
        if origin is not None and origin.lower() != own:
            return False
        site = headers.get("sec-fetch-site")
        return site is None or site.lower() in OWN_FETCH_SITES


class _Backends:
    """Sends Pipedrive's API paths to the sandbox and every other path to the add-on service."""

    def __init__(self, sandbox: Sandbox, service: Any) -> None:
        self._sandbox = sandbox.app
        self._service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        app = self._sandbox if path.startswith(SANDBOX_PREFIXES) else self._service
        await app(scope, receive, send)


def create_demo_app(
    public_url: str, data_dir: Path, *, sandbox: Sandbox | None = None
) -> Starlette:
    """The demo served at `public_url` (http://127.0.0.1:PORT), its data kept in `data_dir`."""
    env = DemoEnvironment(public_url, data_dir, sandbox=sandbox)
    install(env.google)
    preview = Preview(env, CardRenderer(), Panels())

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with env.service.router.lifespan_context(env.service):
            await env.connect_first_account()
            transport = httpx.ASGITransport(app=env.service)
            async with httpx.AsyncClient(transport=transport) as http:
                preview.client = AddOnClient(http, env.google, env.public_url, DEMO_USER)
                yield
                preview.client = None

    static = StaticFiles(directory=str(files("cardin.preview") / "static"))
    routes = [
        Route("/", inbox_page, methods=["GET"]),
        Route("/favicon.ico", favicon, methods=["GET"]),
        Route("/preview/mail/{key}", mail_page, methods=["GET"]),
        Route("/preview/click", click, methods=["POST"]),
        Route("/preview/back", back, methods=["POST"]),
        Route("/preview/consent", consent, methods=["POST"]),
        Route("/preview/tokens/{account}/rotate", rotate_token, methods=["POST"]),
        Route("/preview/scopes/revoke", revoke_scope, methods=["POST"]),
        Route("/preview/region", choose_region, methods=["POST"]),
        Mount("/preview/static", app=static, name="preview-static"),
        Mount("", app=_Backends(env.sandbox, env.service)),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(LoopbackOnly)])
    app.state.preview = preview
    app.state.environment = env
    return app
