"""A doctored upstream: the sandbox behind a transport that rewrites replies or holds requests.

For the shapes the sandbox's own fault knobs cannot produce: a null or a wrong type in one field
of one payload, or a hang on one exact call (the person's notes but not a deal's, `/v1/users`
but not `/v1/users/me`).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

# Edits a reply's `data` in place.
Edit = Callable[[Any], object]


@dataclass(frozen=True)
class Call:
    """Which requests a rule is about: the path (a regex, whole) and some query parameters."""

    path: str
    query: Mapping[str, str | None] | None = None

    def covers(self, request: httpx.Request) -> bool:
        """Whether `request` is such a call (a None query value: the parameter is absent)."""
        if not re.fullmatch(self.path, request.url.path):
            return False
        params = request.url.params
        return all(params.get(key) == value for key, value in (self.query or {}).items())


class DoctoredUpstream(httpx.AsyncBaseTransport):
    """Passes requests to `inner`, except those a rule holds (until cleared) or rewrites."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.holds: list[Call] = []
        self.edits: list[tuple[Call, Edit]] = []
        self._released = asyncio.Event()

    def hold(self, call: Call) -> None:
        """Leave such requests unanswered until `clear` (the client's timeout ends them first)."""
        self.holds.append(call)

    def rewrite(self, call: Call, edit: Edit) -> None:
        """Apply `edit` to the `data` of every successful JSON reply to such a call."""
        self.edits.append((call, edit))

    def clear(self) -> None:
        """Drop every rule and answer what is still held."""
        self.holds.clear()
        self.edits.clear()
        self._released.set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Hold, answer, then rewrite."""
        if any(call.covers(request) for call in self.holds):
            await self._released.wait()
        response = await self.inner.handle_async_request(request)
        edits = [edit for call, edit in self.edits if call.covers(request)]
        if not edits or response.status_code != httpx.codes.OK:
            return response
        body = json.loads(await response.aread())
        for edit in edits:
            edit(body["data"])
        return httpx.Response(
            response.status_code,
            headers={"content-type": "application/json"},
            content=json.dumps(body).encode(),
        )


class Replaying(httpx.AsyncBaseTransport):
    """Answers a GET it has seen before as `inner` did then, and asks `inner` otherwise.

    For many lookups of the same person against a deterministic upstream (the sandbox without
    rate limits), at the cost of a dictionary look-up instead of a whole request.
    """

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self._answers: dict[tuple[str, str], tuple[int, list[tuple[bytes, bytes]], bytes]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """The answer seen before, or a new one (remembered when it is a GET)."""
        key = (str(request.url), request.headers.get("x-api-token", ""))
        if request.method == "GET" and key in self._answers:
            status, headers, content = self._answers[key]
            return httpx.Response(status, headers=headers, content=content)
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        if request.method == "GET":
            self._answers[key] = (response.status_code, response.headers.raw, content)
        return httpx.Response(response.status_code, headers=response.headers.raw, content=content)
