"""The add-on's HTTP service: the app factory, its routes, and the one request pipeline.

Every add-on request goes: verify Google's ID token for the URL called (401; 503 when Google's
certificates cannot be fetched), parse the event (400), verify the user's ID token (401), then
the handler. A handler that fails unexpectedly is
logged and answered with an error card: Google never gets a 5xx or a stack trace.

Plain Starlette: every route takes the request and answers a response, so FastAPI's parameter
parsing and OpenAPI models would be loaded in each worker (about 6 MB of its memory) for nothing.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from cardin import logs, metrics
from cardin.addon.auth import AuthError, CertificatesUnavailable
from cardin.addon.dispatch import act
from cardin.addon.events import MAX_EVENT_BYTES, MalformedEvent, parse_event
from cardin.addon.handlers import AddOn
from cardin.addon.observe import Observed
from cardin.addon.runtime import Runtime, open_runtime
from cardin.addon.signin import (
    CALLBACK_PATH,
    keep_codes_out_of_the_access_log,
    pipedrive_callback,
    pipedrive_confirm,
    resuming,
)
from cardin.cards import ICON_DIR
from cardin.memory import freeze_what_the_start_made
from cardin.settings import Settings, load_settings

log = logging.getLogger(__name__)
Handler = Callable[[AddOn], Awaitable[dict[str, Any]]]


class CardResponse(JSONResponse):
    """A card as compact UTF-8 JSON, serialised by orjson (Starlette's own uses the standard
    library's encoder, several times slower on a contact card)."""

    def render(self, content: Any) -> bytes:
        """The JSON bytes of `content`."""
        return orjson.dumps(content)


def create_served_app() -> Starlette:
    """The add-on service as `cardin serve` runs it: once open, the objects its start made are
    kept out of the garbage collector's full passes (`cardin.memory.freeze_what_the_start_made`).
    Not in tests or the demo, which open many services in one process."""
    return create_app(freeze_after_start=True)


def create_app(
    settings: Settings | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    freeze_after_start: bool = False,
) -> Starlette:
    """The add-on service; `transport` replaces the network for outbound calls (tests, demo)."""
    config = settings or load_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_runtime(config, transport=transport) as runtime:
            app.state.runtime = runtime
            if freeze_after_start:
                freeze_what_the_start_made()
            yield

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/addon/homepage", homepage, methods=["POST"]),
        Route("/addon/message", message, methods=["POST"]),
        Route("/addon/action", action, methods=["POST"]),
        _without_head(Route(CALLBACK_PATH, pipedrive_signin, methods=["GET", "POST"])),
        Mount("/static/icons", StaticFiles(directory=ICON_DIR), name="icons"),
    ]
    if config.metrics:  # off by default: /metrics is not behind Google's authentication
        routes.append(Route("/metrics", metrics_endpoint, methods=["GET"]))
    keep_codes_out_of_the_access_log()
    return Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(Observed)])


def _without_head(route: Route) -> Route:
    """The route without the HEAD that Starlette adds to every GET route: a HEAD of the sign-in
    callback (a link checker, a prefetching proxy) would run it and use up the one-time sign-in
    before the user's GET. It answers 405, saying which methods are allowed."""
    assert route.methods is not None  # noqa: S101 - the routes above all name their methods
    route.methods.discard("HEAD")
    return route


async def pipedrive_signin(request: Request) -> Response:
    """Pipedrive's redirect after consent (GET), then the confirmation page's Connect (POST)."""
    if request.method == "POST":
        return await pipedrive_confirm(request)
    return await pipedrive_callback(request)


async def metrics_endpoint(_request: Request) -> Response:
    """Prometheus' text format (`cardin.metrics`), every worker's values."""
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)


async def healthz(_request: Request) -> Response:
    """Liveness: the process answers."""
    return JSONResponse({"status": "ok"})


async def homepage(request: Request) -> Response:
    """Gmail homepage trigger (no message open)."""
    return await _handle(request, resuming(AddOn.homepage))


async def message(request: Request) -> Response:
    """Gmail contextual trigger (a message was opened)."""
    return await _handle(request, resuming(AddOn.message))


async def action(request: Request) -> Response:
    """Every card callback, routed by its `op` parameter."""
    return await _handle(request, act)


def _audience(runtime: Runtime, request: Request) -> str:
    # Google signs for the public URL it called; rebuild it from the configured base, not from
    # the Host header a proxy may have rewritten.
    query = f"?{request.url.query}" if request.url.query else ""
    return f"{runtime.public_url}{request.url.path}{query}"


async def _body(request: Request) -> bytes:
    """The request body, refusing one larger than an event can be before reading it all."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_EVENT_BYTES:
            raise MalformedEvent(f"the event is larger than {MAX_EVENT_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def _handle(request: Request, handler: Handler) -> Response:
    runtime: Runtime = request.app.state.runtime
    try:
        await runtime.verifier.verify_request(
            request.headers.get("authorization"), _audience(runtime, request)
        )
        event = parse_event(await _body(request))
        user = await runtime.verifier.verify_user(event.authorization.user_id_token)
    except AuthError as exc:
        logs.set_outcome("unauthorized")
        return JSONResponse({"error": f"unauthorized: {exc}"}, status_code=401)
    except CertificatesUnavailable as exc:
        # Our side cannot check Google's signature right now: say so, so Google retries
        logs.set_outcome("unavailable")
        log.warning("cannot verify Google's ID tokens: %s", exc)
        return JSONResponse(
            {"error": f"service unavailable: {exc}"}, status_code=503, headers={"retry-after": "5"}
        )
    except MalformedEvent as exc:
        logs.set_outcome("malformed")
        return JSONResponse({"error": f"malformed event: {exc}"}, status_code=400)
    logs.set_user(user.sub)
    addon = AddOn(runtime, event, user)
    try:
        payload = await handler(addon)
        logs.set_outcome("ok")
    except Exception:  # the edge: log it, answer with a card, never a 5xx
        logs.set_outcome("failed")
        log.exception("add-on handler failed (user %s)", user.sub)
        payload = addon.unexpected_error()
    return CardResponse(payload)
