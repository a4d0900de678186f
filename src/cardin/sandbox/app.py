"""The sandbox's ASGI app: Pipedrive's API paths go to the gateway, `/_sandbox/` to the controls,
`/oauth/` to the simulated OAuth server (`cardin.sandbox.oauth`).

Every method reaches the gateway, so it checks the token before it routes, as Pipedrive's does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from cardin.sandbox.calls import ApiRequest
from cardin.sandbox.control import control_routes
from cardin.sandbox.oauth import oauth_routes

if TYPE_CHECKING:
    from cardin.sandbox.gateway import Sandbox


class ConnectionDropped(Exception):
    """Raised after an answer has started, so that the server drops the connection (fault)."""


class _Api:
    """The ASGI endpoint of every API path, whatever its method."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        answer = await self.sandbox.handle(
            ApiRequest(
                method=request.method,
                # as decoded by the server: `request.url` would drop a decoded newline
                path=scope["path"],
                query=dict(request.query_params),
                token=request.headers.get("x-api-token"),
                body=await request.body(),
                base_url=str(request.base_url).rstrip("/"),
                bearer=_bearer(request.headers.get("authorization", "")),
            )
        )
        response = Response(
            answer.body,
            status_code=answer.status,
            headers=answer.headers,
            media_type=answer.media_type,
        )
        if answer.dropped:
            # start the answer, then fail: the server closes the connection mid-response
            await send({"type": "http.response.start", "status": answer.status, "headers": []})
            raise ConnectionDropped(scope["path"])
        await response(scope, receive, send)


def _bearer(header: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, else None."""
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def build_app(sandbox: Sandbox) -> Starlette:
    """The ASGI app serving `sandbox`; every path outside `/_sandbox/` and `/oauth/` is
    Pipedrive's API."""
    routes = [*oauth_routes(sandbox.oauth), Mount("/_sandbox", routes=control_routes(sandbox))]
    # the browser demo calls the sandbox from the add-on's origin
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["*"],
        )
    ]
    app = Starlette(routes=routes, middleware=middleware)
    # Every other path is Pipedrive's API: the router's fallback takes any path, even one that no
    # route pattern matches (a decoded %0A is a newline, which `{path:path}` does not match).
    app.router.default = _Api(sandbox)
    return app
