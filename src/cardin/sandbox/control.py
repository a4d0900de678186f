"""`/_sandbox/` control endpoints for a running sandbox (no Pipedrive token needed).

`GET/DELETE /_sandbox/requests`, `GET/PUT /_sandbox/faults` (`{"spec": "..."}`),
`GET/PUT /_sandbox/latency` (`{"ms": 50}`), `POST /_sandbox/rotate-token` (`{"token": old}` gives
`{"token": new}`), `GET /_sandbox/tokens`, `GET/PUT /_sandbox/permissions`, and the person pictures
the API's picture URLs point at.

`PUT /_sandbox/permissions` with `{"token": "...", "write": false}` takes the write permission
from that token's user: every write (POST, PUT, PATCH, DELETE) they send answers Pipedrive's 403
("You do not have permissions to do this."), reads still work; `"write": true` gives it back. Both
methods answer `{"without_write": [{"company_id": ..., "user_id": ...}]}`; an unknown token is a
404, a body without a token or a boolean `write` a 400. Fault kinds (`PUT /_sandbox/faults`) are
listed in `faults.py`: `landed` and `dropped` apply a write and then never answer it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from cardin.sandbox.data import Company
from cardin.sandbox.faults import FaultPlan
from cardin.sandbox.pictures import avatar_svg

if TYPE_CHECKING:
    from cardin.sandbox.gateway import Sandbox

JSON = dict[str, Any]
Endpoint = Callable[[Request], Awaitable[Response]]


class ControlError(Exception):
    """A refused control request: its status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def _json_body(request: Request) -> JSON:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        raise ControlError(400, "the body must be JSON") from None
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


def _guarded(endpoint: Callable[[Request], Awaitable[JSON]]) -> Endpoint:
    async def run(request: Request) -> Response:
        try:
            return JSONResponse(await endpoint(request))
        except ControlError as error:
            return JSONResponse({"error": error.message}, status_code=error.status)

    return run


def control_routes(sandbox: Sandbox) -> list[Route]:
    """The control routes of `sandbox`, relative to `/_sandbox`."""

    async def requests(request: Request) -> JSON:
        if request.method == "DELETE":
            sandbox.reset_log()
        return {"requests": [record.to_json() for record in sandbox.requests]}

    async def faults(request: Request) -> JSON:
        if request.method == "PUT":
            spec = (await _json_body(request)).get("spec") or ""
            try:
                sandbox.set_faults(FaultPlan.parse(str(spec)))
            except ValueError as error:
                raise ControlError(400, str(error)) from None
        return {"spec": str(sandbox.faults)}

    async def latency(request: Request) -> JSON:
        if request.method == "PUT":
            ms = (await _json_body(request)).get("ms")
            if isinstance(ms, bool) or not isinstance(ms, int | float):
                raise ControlError(400, "'ms' must be a number of milliseconds")
            if not math.isfinite(ms) or ms < 0:
                raise ControlError(400, "'ms' must be a number of milliseconds, 0 or more")
            sandbox.latency_ms = float(ms)
        return {"ms": sandbox.latency_ms}

    async def rotate(request: Request) -> JSON:
        token = (await _json_body(request)).get("token")
        try:
            return {"token": sandbox.rotate_token(str(token))}
        except KeyError:
            raise ControlError(404, "unknown token") from None

    async def permissions(request: Request) -> JSON:
        if request.method == "PUT":
            body = await _json_body(request)
            token, write = body.get("token"), body.get("write")
            if not isinstance(token, str) or not isinstance(write, bool):
                raise ControlError(400, 'the body must be {"token": "...", "write": true|false}')
            try:
                sandbox.set_write_permission(token, allowed=write)
            except KeyError:
                raise ControlError(404, "unknown token") from None
        users = sorted(sandbox.without_write)
        return {"without_write": [{"company_id": c, "user_id": u} for c, u in users]}

    async def tokens(_: Request) -> JSON:
        return {"companies": [_company_tokens(company) for company in sandbox.dataset.companies]}

    async def picture(request: Request) -> Response:
        params = request.path_params
        try:
            company = sandbox.dataset.company(params["company"])
            svg = avatar_svg(company, params["picture"], params["size"])
        except KeyError:
            return Response("not found", status_code=404, media_type="text/plain")
        return Response(svg, media_type="image/svg+xml")

    return [
        Route("/requests", _guarded(requests), methods=["GET", "DELETE"]),
        Route("/faults", _guarded(faults), methods=["GET", "PUT"]),
        Route("/latency", _guarded(latency), methods=["GET", "PUT"]),
        Route("/rotate-token", _guarded(rotate), methods=["POST"]),
        Route("/tokens", _guarded(tokens), methods=["GET"]),
        Route("/permissions", _guarded(permissions), methods=["GET", "PUT"]),
        Route("/pictures/{company:int}/{picture:int}_{size:int}.svg", picture, methods=["GET"]),
    ]


def _company_tokens(company: Company) -> JSON:
    names = {user["id"]: user["name"] for user in company.users}
    return {
        "id": company.id,
        "name": company.info["name"],
        "domain": company.info["domain"],
        "plan": company.plan,
        "active": company.is_active,
        "tokens": [
            {"token": token, "user_id": user_id, "user_name": names.get(user_id)}
            for token, user_id in company.tokens.items()
        ],
    }
