"""A stand-in add-on for the consent tests: the Log email form as the write is specified.

It asks for the read-only scope when "Include the message text" is on and the event lacks it,
then reads the message in full format with the event's tokens, as the real add-on will.
`with_stand_in` points a demo app's side panel at it.
"""

from __future__ import annotations

import base64
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cardin.addon.gmail import api_message_id
from cardin.preview.client import AddOnClient
from cardin.preview.environment import DEMO_USER
from cardin.preview.google import READONLY_SCOPE, LocalGoogle
from tests.cards.validate import assert_valid_response


def log_form(url: str) -> dict[str, Any]:
    """The stand-in's Log email form: a comment, the opt-in switch and the Log email button."""
    return {
        "name": "log_email",
        "header": {"title": "Log email"},
        "sections": [
            {
                "widgets": [
                    {"textInput": {"name": "comment", "label": "Comment"}},
                    {
                        "decoratedText": {
                            "text": "Include the message text",
                            "switchControl": {"name": "include_text", "value": "yes"},
                        }
                    },
                    {
                        "buttonList": {
                            "buttons": [
                                {
                                    "text": "Log email",
                                    "onClick": {"action": {"function": url}},
                                }
                            ]
                        }
                    },
                ]
            }
        ],
    }


def logged(text: str) -> dict[str, Any]:
    """The stand-in's answer after logging: what it read, as a paragraph."""
    return {
        "header": {"title": "Logged"},
        "sections": [{"widgets": [{"textParagraph": {"text": text}}]}],
    }


@dataclass
class StandInAddOn:
    """An add-on that asks for the read-only scope only when the user wants the message text."""

    google: LocalGoogle
    action_url: str
    events: list[dict[str, Any]] = field(default_factory=list)
    answer_with: dict[str, Any] | None = None

    def app(self) -> Starlette:
        async def message(_request: Request) -> JSONResponse:
            return self._checked(
                {"action": {"navigations": [{"pushCard": log_form(self.action_url)}]}}
            )

        async def action(request: Request) -> JSONResponse:
            event = await request.json()
            self.events.append(event)
            if self.answer_with is not None:
                return JSONResponse(self.answer_with)
            inputs = event["commonEventObject"].get("formInputs", {})
            wanted = "include_text" in inputs
            scopes = event["authorizationEventObject"]["authorizedScopes"]
            if wanted and READONLY_SCOPE not in scopes:
                return JSONResponse({"requesting_google_scopes": {"scopes": [READONLY_SCOPE]}})
            comment = inputs.get("comment", {}).get("stringInputs", {}).get("value", [""])[0]
            text = await self._text(event) if wanted else "(metadata only)"
            update = {"updateCard": logged(f"{comment}: {text}")}
            return self._checked({"renderActions": {"action": {"navigations": [update]}}})

        return Starlette(
            routes=[
                Route("/addon/homepage", message, methods=["POST"]),
                Route("/addon/message", message, methods=["POST"]),
                Route("/addon/action", action, methods=["POST"]),
            ]
        )

    async def _text(self, event: dict[str, Any]) -> str:
        gmail, authorization = event["gmail"], event["authorizationEventObject"]
        transport = httpx.ASGITransport(app=self.google.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://google.test") as http:
            answer = await http.get(
                f"/gmail/v1/users/me/messages/{api_message_id(gmail['messageId'])}",
                params={"format": "full"},
                headers={
                    "authorization": f"Bearer {authorization['userOAuthToken']}",
                    "x-goog-gmail-access-token": gmail["accessToken"],
                },
            )
        assert answer.status_code == 200, answer.text
        plain = next(p for p in answer.json()["payload"]["parts"] if p["mimeType"] == "text/plain")
        return base64.urlsafe_b64decode(plain["body"]["data"]).decode().split("\r\n")[2]

    def _checked(self, response: dict[str, Any]) -> JSONResponse:
        assert_valid_response(response, action_url=self.action_url)
        return JSONResponse(response)


def with_stand_in(app: Starlette) -> StandInAddOn:
    """Make the demo `app`'s side panel talk to a stand-in add-on once its lifespan starts."""
    preview = app.state.preview
    google: LocalGoogle = app.state.environment.google
    addon = StandInAddOn(google, f"{preview.env.public_url}/addon/action")
    original = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(inner: Any) -> AsyncIterator[None]:
        async with original(inner):
            transport = httpx.ASGITransport(app=addon.app())
            async with httpx.AsyncClient(transport=transport) as http:
                user, url = DEMO_USER, preview.env.public_url
                preview.client = AddOnClient(http, google, url, user)
                yield

    app.router.lifespan_context = lifespan
    return addon
