"""The demo's one web app: the Gmail-like preview page, the add-on service and the sandbox.

`/` and `/preview/...` are the preview (an inbox beside the side panel); Pipedrive's API paths
and `/_sandbox/...` go to the sandbox; everything else (`/addon/...`, `/healthz`, `/static/...`)
is the add-on service, so its callback and icon URLs work in the browser as they are.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from cardin.preview.client import AddOnClient, AddOnFailure
from cardin.preview.environment import ACCOUNTS, DEMO_USER, DemoEnvironment
from cardin.preview.inbox import MAILS, Mail, find_mail, install, message_id
from cardin.preview.render import CardRenderer
from cardin.preview.session import (
    Applied,
    Json,
    Panel,
    Panels,
    UnusableResponse,
    apply_response,
    form_inputs,
    missing_required,
    text_values,
)
from cardin.sandbox import Sandbox

log = logging.getLogger(__name__)
COOKIE = "cardin_preview"
SANDBOX_PREFIXES = ("/_sandbox/", "/api/", "/v1/")


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
        """The side panel's HTML for the card on top of the panel's stack."""
        top = panel.top
        rendered = self.renderer.render(top, values=panel.kept_values) if top else None
        version = panel.drawn(rendered.clicks if rendered else ())
        template = self.renderer.environment.get_template("panel.html")
        return template.render(
            card=rendered, depth=len(panel.stack), version=version, problem=problem
        )

    async def trigger(self, panel: Panel, mail: Mail | None) -> str | None:
        """Open `mail` (or the homepage) as Gmail does: a fresh stack; the problem, if any."""
        panel.message_key = mail.key if mail else None
        try:
            if mail is None:
                response = await self.addon.homepage()
            else:
                response = await self.addon.message(message_id(mail))
            panel.show(apply_response((), response, trigger=True))
        except (AddOnFailure, UnusableResponse) as exc:
            log.warning("the add-on's trigger answer cannot be shown: %s", exc)
            panel.show(Applied(()))
            return str(exc)
        return None

    async def press(self, panel: Panel, on_click: Json, raw_inputs: list[list[str]]) -> Json:
        """Send one click of the top card and apply the answer; JSON for the page."""
        inputs = form_inputs(raw_inputs)
        missing = missing_required(on_click, inputs)
        if missing:
            return {"invalid": missing}
        try:
            applied = await self._answer(panel, on_click, inputs)
        except (AddOnFailure, UnusableResponse) as exc:
            log.warning("the add-on's action answer cannot be shown: %s", exc)
            return {"notification": f"Preview: {exc}"}
        panel.show(applied, kept=text_values(inputs) if applied.updated else None)
        return {
            "html": self.panel_html(panel),
            "notification": applied.notification,
            "link": applied.link,
        }

    async def _answer(self, panel: Panel, on_click: Json, inputs: Json) -> Applied:
        if "card" in on_click:
            return Applied((*panel.stack, on_click["card"]))
        action = on_click.get("action") or on_click.get("openDynamicLinkAction") or {}
        parameters = {str(p["key"]): str(p["value"]) for p in action.get("parameters") or []}
        mail = find_mail(panel.message_key or "")
        response = await self.addon.action(
            str(action.get("function", "")),
            parameters=parameters,
            inputs=inputs,
            message_id=message_id(mail) if mail else None,
        )
        return apply_response(panel.stack, response)


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
        here=request.url.path,
    )
    return _with_cookie(HTMLResponse(page), panel)


async def inbox_page(request: Request) -> Response:
    """The inbox with the add-on's homepage in the side panel."""
    return await _page(request, None)


async def mail_page(request: Request) -> Response:
    """One demo mail opened: the add-on's contextual card in the side panel."""
    mail = find_mail(request.path_params["key"])
    if mail is None:
        return RedirectResponse("/", status_code=303)
    return await _page(request, mail)


def _click_request(body: Any) -> tuple[int, int, list[list[str]]]:
    if not isinstance(body, dict):
        raise TypeError("the body must be a JSON object")
    version, index, inputs = body.get("version"), body.get("click"), body.get("inputs", [])
    if not isinstance(version, int) or not isinstance(index, int) or not isinstance(inputs, list):
        raise TypeError("version, click and inputs are required")
    return version, index, [[str(part) for part in entry] for entry in inputs]


async def click(request: Request) -> Response:
    """A click on the side panel's card: the new panel, a notification or a link to open."""
    preview: Preview = request.app.state.preview
    try:
        version, index, raw_inputs = _click_request(await request.json())
    except (ValueError, TypeError) as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    panel = _panel_of(preview, request)
    async with panel.lock:
        on_click = panel.click(version, index)
        if on_click is None:
            return JSONResponse({"reload": True})
        return JSONResponse(await preview.press(panel, on_click, raw_inputs))


async def back(request: Request) -> Response:
    """The side panel's back arrow: pop one card."""
    preview: Preview = request.app.state.preview
    panel = _panel_of(preview, request)
    async with panel.lock:
        panel.back()
        return JSONResponse({"html": preview.panel_html(panel)})


async def rotate_token(request: Request) -> Response:
    """Change a demo account's token in the sandbox; the page shows the new one."""
    preview: Preview = request.app.state.preview
    key = request.path_params["account"]
    if key not in preview.env.tokens:
        return JSONResponse({"error": "unknown account"}, status_code=404)
    preview.env.rotate(key)
    # a plain form post (urlencoded); python-multipart is not needed for one field
    fields = parse_qs((await request.body()).decode("utf-8", "replace"))
    back_to = (fields.get("next") or ["/"])[0]
    if not back_to.startswith("/") or back_to.startswith("//"):
        back_to = "/"
    return RedirectResponse(f"{back_to}?rotated={key}", status_code=303)


async def favicon(_request: Request) -> Response:
    """The add-on's logo as the page's icon."""
    return RedirectResponse("/static/icons/logo.png", status_code=301)


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
        Route("/preview/tokens/{account}/rotate", rotate_token, methods=["POST"]),
        Mount("/preview/static", app=static, name="preview-static"),
        Mount("", app=_Backends(env.sandbox, env.service)),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.preview = preview
    app.state.environment = env
    return app
