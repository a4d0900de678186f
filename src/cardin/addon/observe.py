"""Every HTTP request measured and logged once: a pure ASGI middleware around the add-on.

It gives the request an id (a caller's `x-request-id` when it is a plain short token, else a new
one, sent back in the response's header), opens the request's log context (`cardin.logs`: the
handler adds the verified user's `sub` and the outcome), and when the response has gone
records its latency in the endpoint's histogram (`cardin.metrics`) and writes one log line:
method, endpoint, status, outcome, duration. Endpoints are the service's own routes; any other
path counts as "other", so that a scan of random URLs cannot grow the metrics.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cardin import logs, metrics

log = logging.getLogger("cardin.request")

ENDPOINTS = frozenset(
    {"/addon/homepage", "/addon/message", "/addon/action", "/healthz", "/metrics"}
)
_QUIET = frozenset({"/healthz", "/metrics", "/static/icons"})
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def endpoint_of(path: str) -> str:
    """The metrics label of a path: the route, the icons as one, anything else "other"."""
    if path in ENDPOINTS:
        return path
    if path.startswith("/static/icons/"):
        return "/static/icons"
    return "other"


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            given = str(value.decode("latin-1"))
            if _REQUEST_ID.fullmatch(given):
                return given
    return uuid.uuid4().hex[:16]


class Observed:
    """The middleware (see the module's docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer through the app, measured and logged."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        context = logs.RequestContext(_request_id(scope))
        status = 500
        header = (b"x-request-id", context.request_id.encode())

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message = {**message, "headers": [*message.get("headers", ()), header]}
            await send(message)

        started = time.perf_counter()
        with logs.request_scope(context):
            try:
                await self.app(scope, receive, sending)
            finally:
                seconds = time.perf_counter() - started
                endpoint = endpoint_of(scope["path"])
                metrics.REQUEST_SECONDS.labels(endpoint).observe(seconds)
                level = logging.DEBUG if endpoint in _QUIET else logging.INFO
                log.log(
                    level,
                    "%s %s %d",
                    scope["method"],
                    endpoint,
                    status,
                    extra={
                        "method": scope["method"],
                        "endpoint": endpoint,
                        "status": status,
                        "outcome": context.outcome,
                        "duration_ms": round(seconds * 1000, 2),
                    },
                )
