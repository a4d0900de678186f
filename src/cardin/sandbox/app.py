"""The sandbox's ASGI app: Pipedrive's API paths go to the gateway, `/_sandbox/` to the controls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from cardin.sandbox.calls import ApiRequest
from cardin.sandbox.control import control_routes

if TYPE_CHECKING:
    from cardin.sandbox.gateway import Sandbox

API_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def build_app(sandbox: Sandbox) -> Starlette:
    """The ASGI app serving `sandbox`; every path outside `/_sandbox/` is Pipedrive's API."""

    async def api(request: Request) -> Response:
        answer = await sandbox.handle(
            ApiRequest(
                method=request.method,
                path=request.url.path,
                query=dict(request.query_params),
                token=request.headers.get("x-api-token"),
                body=await request.body(),
                base_url=str(request.base_url).rstrip("/"),
            )
        )
        return Response(
            answer.body,
            status_code=answer.status,
            headers=answer.headers,
            media_type=answer.media_type,
        )

    routes = [
        Mount("/_sandbox", routes=control_routes(sandbox)),
        Route("/{path:path}", api, methods=API_METHODS),
    ]
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
    return Starlette(routes=routes, middleware=middleware)
