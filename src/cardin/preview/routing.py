"""An httpx transport that sends each host to an in-process ASGI app (tests and the demo).

The service's outbound calls go through one httpx client; swapping its transport for this one
points Pipedrive and Google at local stand-ins without touching the code that calls them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx


class HostRouter(httpx.AsyncBaseTransport):
    """Routes requests by host name to ASGI apps; unknown hosts fail like an unreachable server."""

    def __init__(
        self, apps: Mapping[str, Any], *, fallback: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._transports = {host: httpx.ASGITransport(app=app) for host, app in apps.items()}
        self._fallback = fallback

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Hand the request to the app serving its host."""
        transport = self._transports.get(request.url.host, self._fallback)
        if transport is None:
            raise httpx.ConnectError(f"no route to {request.url.host}", request=request)
        return await transport.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the fallback transport, if any."""
        if self._fallback is not None:
            await self._fallback.aclose()
