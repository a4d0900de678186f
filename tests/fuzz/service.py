"""The add-on service in-process, as the event probes talk to it: synchronously, one request at
a time, with the user's connectors put back as they were before each request.

The service runs in its own event loop (an `asyncio.Runner`) for as long as the probe lasts, with
the demo sandbox as Pipedrive and a local Google that signs the tokens and holds the messages.
Every answer is timed, and every log record of level ERROR or with a traceback is kept with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from cardin.connectors import ALL_FEATURES
from cardin.connectors.model import ConnectorSettings, RunMode
from cardin.pipedrive import ApiToken
from cardin.sandbox import (
    DEMO_TOKEN,
    INACTIVE_COMPANY_ID,
    INACTIVE_TOKEN,
    RICH_EMAIL,
    SECOND_COMPANY_ID,
    SECOND_TOKEN,
    Sandbox,
    demo_dataset,
)
from tests.conftest import TODAY
from tests.fuzz.checks import response_problem
from tests.fuzz.events import (
    OAUTH_TOKEN,
    SYSTEM_TOKEN,
    USER_TOKEN,
    Request,
    access_token,
    connector,
    message,
)
from tests.service.harness import PUBLIC_URL, SANDBOX_URL, Harness, User, running
from tests.service.test_flow import account

ACTION_URL = f"{PUBLIC_URL}/addon/action"
SLOW = 5.0
"""Seconds: an answer that takes longer is a failure."""
USERS = (
    User("google-sub-fuzz-ann", "ann@aurora-demo.example"),  # three connectors
    User("google-sub-fuzz-bob", "bob@other.example"),  # none
)
_CONNECTORS = (
    ("Aurora", DEMO_TOKEN, RunMode.AUTOMATIC, 1),
    ("Second", SECOND_TOKEN, RunMode.MANUAL, SECOND_COMPANY_ID),
    ("Lapsed", INACTIVE_TOKEN, RunMode.AUTOMATIC, INACTIVE_COMPANY_ID),
)
_STATUSES = frozenset({200, 400, 401})


@dataclass(frozen=True)
class Answer:
    """What the service answered to one request."""

    status: int
    body: bytes
    seconds: float
    logged: tuple[str, ...] = ()

    def problem(self) -> str | None:
        """Why this answer breaks the contract (200 with a valid card, 400 with a reason, 401)."""
        if self.logged:
            return f"logged: {self.logged[0][:500]}"
        if self.status not in _STATUSES:
            return f"HTTP {self.status}: {self.body[:300]!r}"
        if self.seconds > SLOW:
            return f"answered after {self.seconds:.1f} s"
        return self._body_problem()

    def _body_problem(self) -> str | None:
        try:
            payload = json.loads(self.body)
        except ValueError:
            return f"HTTP {self.status} with a body that is not JSON: {self.body[:200]!r}"
        if self.status == 200:
            return response_problem(payload, ACTION_URL)
        reason = payload.get("error") if isinstance(payload, dict) else None
        if set(payload) != {"error"} or not isinstance(reason, str) or not reason.strip():
            return f"HTTP {self.status} without a reason: {payload}"
        return None


class _Records(logging.Handler):
    """Keeps the log records that signal a failure: ERROR and above, or any with a traceback."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.kept: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep a failure record, with its traceback."""
        if record.levelno >= logging.ERROR or record.exc_info:
            trace = logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
            self.kept.append(f"{record.name}: {record.getMessage()} {trace}")


class Service:
    """The add-on, its sandbox and its Google, for one probe run."""

    def __init__(self, data_dir: Path) -> None:
        self._data_dir = data_dir
        self._runner = asyncio.Runner()
        self._stack = contextlib.AsyncExitStack()
        self.harness: Harness
        self.client: httpx.AsyncClient
        self.messages: list[str] = []
        self._baseline: list[tuple[str, object]] = []

    def __enter__(self) -> Service:
        self._runner.run(self._start())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._runner.run(self._stack.aclose())
        self._runner.close()

    async def _start(self) -> None:
        sandbox = Sandbox(demo_dataset(TODAY), rate_limits=False)
        self.harness = await self._stack.enter_async_context(running(sandbox, self._data_dir))
        # a crash inside the app becomes the 500 Google would get, not an exception here
        transport = httpx.ASGITransport(app=self.harness.app, raise_app_exceptions=False)
        self.client = await self._stack.enter_async_context(httpx.AsyncClient(transport=transport))
        ann = USERS[0].email
        h = self.harness
        self.messages = [
            h.message(sender=f"Élodie Marchand <{RICH_EMAIL}>", to=ann),
            h.message(sender="Zoë Newcomer <zoe@fresh-startup.example>", to=ann, cc="x@y.example"),
            h.message(
                sender='"<script>alert(1)</script></font>" <eve@evil.example>',
                to=f"{ann}, a@b.example, c@d.example",
            ),
            h.message(sender=ann, to=f"Élodie <{RICH_EMAIL}>, bo@olympia.example", labels=["SENT"]),
            "msg-f:1234567",  # not in the user's Gmail
        ]
        self._reseed()

    # --- the user's connectors ------------------------------------------------------------------

    @property
    def store(self) -> Any:
        return self.harness.app.state.runtime.store

    def connectors(self) -> list[str]:
        """The probed user's connector ids, in order."""
        return [c.id for c in self.store.list(USERS[0].sub)]

    def _state(self) -> list[tuple[str, object]]:
        return [(c.id, c.updated_at) for u in USERS for c in self.store.list(u.sub)]

    def _reseed(self) -> None:
        for user in USERS:
            for existing in self.store.list(user.sub):
                self.store.delete(user.sub, existing.id)
        for name, token, mode, company in _CONNECTORS:
            settings = ConnectorSettings(name, ALL_FEATURES, mode, show_in_dashboard=True)
            self.store.create(
                USERS[0].sub,
                settings,
                credential=ApiToken(token),
                base_url=SANDBOX_URL,
                account=account(company),
            )
        self._baseline = self._state()

    def reset(self) -> None:
        """Put the connectors back if the last request changed them."""
        if self._state() != self._baseline:
            self._reseed()

    # --- requests ------------------------------------------------------------------------------

    def send(self, request: Request) -> Answer:
        """Send one request as Google would (placeholders filled in) and time the answer."""
        self.reset()
        return self._runner.run(self._send(request))

    async def _send(self, request: Request) -> Answer:
        url = f"{PUBLIC_URL}{request.path}"
        user = USERS[request.user]
        body = request.body(lambda event: self.fill(event, user, url))
        headers = {"content-type": "application/json"}
        header = self._authorization(request.authorization, url)
        if header is not None:
            headers["authorization"] = header
        with _capture() as records:
            started = time.perf_counter()
            response = await self.client.post(url, content=body, headers=headers)
            seconds = time.perf_counter() - started
        return Answer(response.status_code, response.content, seconds, tuple(records.kept))

    def _authorization(self, kind: str, url: str) -> str | None:
        if kind.startswith("Bearer "):
            return kind
        google = self.harness.google
        return {
            "signed": lambda: google.authorization(url),
            "none": lambda: None,
            "garbage": lambda: "Bearer not.a.jwt",
            "other-endpoint": lambda: google.authorization(f"{PUBLIC_URL}/addon/other"),
            "basic": lambda: "Basic dXNlcjpwYXNz",
        }[kind]()

    def fill(self, node: Any, user: User, url: str) -> Any:
        """The event with every placeholder replaced by its real value."""
        if isinstance(node, dict):
            return {key: self.fill(value, user, url) for key, value in node.items()}
        if isinstance(node, list):
            return [self.fill(value, user, url) for value in node]
        if isinstance(node, str) and node.startswith("$"):
            return self._value(node, user, url)
        return node

    def _value(self, placeholder: str, user: User, url: str) -> str:
        google = self.harness.google
        fixed = {
            USER_TOKEN: lambda: google.user_token(user.sub, user.email),
            OAUTH_TOKEN: lambda: google.oauth_token(user.sub),
            SYSTEM_TOKEN: lambda: google.system_token(url),
        }
        if placeholder in fixed:
            return fixed[placeholder]()
        ids = self.connectors()
        for index, message_id in enumerate(self.messages):
            found = {
                message(index): message_id,
                message(index).replace("MESSAGE", "THREAD"): message_id.replace("msg", "thread"),
                access_token(index): google.message_token(message_id),
            }
            if placeholder in found:
                return found[placeholder]
        for index, connector_id in enumerate(ids):
            if placeholder == connector(index):
                return connector_id
        return placeholder


@contextlib.contextmanager
def _capture() -> Iterator[_Records]:
    handler = _Records()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
