"""An add-on service wired to the sandbox and to a local Google, all in-process.

Google's requests are signed by `LocalGoogle`'s own key and the service fetches the matching
certificates from it through the configurable certificate URL: verification is real.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet
from starlette.applications import Starlette

from cardin.addon.app import create_app
from cardin.preview.google import LocalGoogle
from cardin.preview.routing import HostRouter
from cardin.sandbox import Sandbox
from cardin.settings import Settings

PUBLIC_URL = "https://cardin.test"
SANDBOX_URL = "http://sandbox.test"
GOOGLE_URL = "http://google.test"
_messages = itertools.count(1_659_728_385_805_497_086)


LOOKUP_DEADLINE = 5.0
"""The harness's lookup deadline (a test of a slow Pipedrive sets its own)."""


def settings_for(data_dir: Path, **overrides: Any) -> Settings:
    """Settings pointing the service at the local stand-ins."""
    values: dict[str, Any] = {
        "public_url": PUBLIC_URL,
        "data_dir": data_dir,
        "database_url": f"sqlite:///{data_dir / 'cardin.sqlite3'}",
        "secret_key": Fernet.generate_key().decode(),
        "google_service_account": "service-123@gcp-sa-gsuiteaddons.iam.gserviceaccount.com",
        "google_oauth_client_id": "cardin-local.apps.googleusercontent.com",
        "google_certs_url": f"{GOOGLE_URL}/oauth2/v1/certs",
        "gmail_api_url": GOOGLE_URL,
        "PIPEDRIVE_BASE_URL": SANDBOX_URL,
        # room for a lookup on a loaded 2-core CI machine (the sandbox runs in this process; at
        # 1 s and 3 s a two-account open once ran out of time beside the browser tests)
        "pipedrive_timeout": 2.0,
        "lookup_deadline": LOOKUP_DEADLINE,
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class User:
    """A Google user of the add-on."""

    sub: str
    email: str


@dataclass
class Harness:
    """Talks to the add-on as Google would."""

    app: Starlette
    client: httpx.AsyncClient
    google: LocalGoogle
    sandbox: Sandbox
    calls: list[dict[str, Any]] = field(default_factory=list)

    def message(
        self, *, sender: str, to: str = "", cc: str = "", labels: Sequence[str] = ()
    ) -> str:
        """A message in Gmail; returns its event id (msg-f:…)."""
        message_id = f"msg-f:{next(_messages)}"
        self.google.add_message(message_id, sender=sender, to=to, cc=cc, labels=labels)
        return message_id

    async def post(
        self,
        path: str,
        user: User,
        *,
        message_id: str | None = None,
        parameters: Mapping[str, str] | None = None,
        form: Mapping[str, Sequence[str]] | None = None,
        authorization: str | None = "auto",
        body: bytes | None = None,
    ) -> httpx.Response:
        """POST an event to the add-on, signed for the URL called."""
        url = f"{PUBLIC_URL}{path}"
        event = self.google.event(
            sub=user.sub,
            email=user.email,
            message_id=message_id,
            parameters=parameters,
            form_inputs=form,
        )
        headers = {"content-type": "application/json"}
        if authorization == "auto":
            headers["authorization"] = self.google.authorization(url)
        elif authorization is not None:
            headers["authorization"] = authorization
        content = body if body is not None else json.dumps(event).encode()
        return await self.client.post(url, content=content, headers=headers)

    async def open(self, user: User, message_id: str) -> dict[str, Any]:
        """Open a message: the contextual trigger's JSON."""
        response = await self.post("/addon/message", user, message_id=message_id)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def act(
        self,
        user: User,
        parameters: Mapping[str, str],
        *,
        form: Mapping[str, Sequence[str]] | None = None,
        message_id: str | None = None,
    ) -> dict[str, Any]:
        """Press a card button: the action callback's JSON."""
        response = await self.post(
            "/addon/action", user, parameters=parameters, form=form, message_id=message_id
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


@asynccontextmanager
async def running(
    sandbox: Sandbox,
    data_dir: Path,
    *,
    extra_apps: Mapping[str, Any] | None = None,
    **overrides: Any,
) -> AsyncIterator[Harness]:
    """Start the add-on (its lifespan) against the sandbox and a local Google."""
    google = LocalGoogle()
    apps = {"sandbox.test": sandbox.app, "google.test": google.app, **(extra_apps or {})}
    router = HostRouter(apps)
    app = create_app(settings_for(data_dir, **overrides), transport=router)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport) as client:
            yield Harness(app, client, google, sandbox)


def walk(node: Any) -> Any:
    """Every dict inside a JSON value."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def actions_of(response: Mapping[str, Any]) -> list[dict[str, str]]:
    """The parameters of every callback action in a response's cards."""
    found = []
    for node in walk(dict(response)):
        action = node.get("action") if isinstance(node.get("action"), dict) else None
        if action and "function" in action:
            found.append({p["key"]: p["value"] for p in action.get("parameters", [])})
    return found


def action(response: Mapping[str, Any], op: str, **matching: str) -> dict[str, str]:
    """The one action with this op (and these parameter values) offered by the response."""
    candidates = [
        a
        for a in actions_of(response)
        if a.get("op") == op and all(a.get(k) == v for k, v in matching.items())
    ]
    assert candidates, f"no {op} action in {[a.get('op') for a in actions_of(response)]}"
    return candidates[0]


def top_card(response: Mapping[str, Any]) -> dict[str, Any]:
    """The last card a response pushes or updates."""
    root = response.get("renderActions", response)
    navigations = root["action"].get("navigations", [])
    cards = [n.get("pushCard") or n.get("updateCard") for n in navigations]
    cards = [c for c in cards if c]
    assert cards, f"no card in {response}"
    return cards[-1]  # type: ignore[no-any-return]


def text_of(response: Mapping[str, Any]) -> str:
    """All of a response as text, for 'it says X' checks."""
    return json.dumps(response, ensure_ascii=False)
