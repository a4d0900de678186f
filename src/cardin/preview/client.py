"""The preview's side of the add-on protocol: events signed as Google signs them, sent in-process.

Every request carries an ID token from `LocalGoogle` for the exact URL called, and the event's
user token for the demo user; the service verifies both against LocalGoogle's certificates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from cardin.preview.google import TIME_ZONE, LocalGoogle

Json = dict[str, Any]
TIMEOUT = 30.0
# what the demo page offers: Gmail's language setting and the browser's zone, as events carry them
LANGUAGES = {
    "en-US": "English (US)",
    "en-GB": "English (UK)",
    "de-DE": "Deutsch",
    "de-CH": "Deutsch (Schweiz)",
}
TIME_ZONES = (
    TIME_ZONE,
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Australia/Sydney",
)


@dataclass(frozen=True)
class Region:
    """The `userLocale` and `timeZone` the events of one side panel carry."""

    locale: str = "en-US"
    time_zone: str = TIME_ZONE

    @classmethod
    def chosen(cls, locale: str, time_zone: str) -> Region:
        """A language and zone the page offers (ValueError for any other)."""
        if locale not in LANGUAGES:
            raise ValueError(f"the demo offers no language {locale!r}")
        if time_zone not in TIME_ZONES:
            raise ValueError(f"the demo offers no time zone {time_zone!r}")
        return cls(locale, time_zone)


DEFAULT_REGION = Region()


@dataclass(frozen=True)
class GoogleUser:
    """The Gmail user of the preview."""

    sub: str
    email: str
    name: str


class AddOnFailure(Exception):
    """The add-on did not answer with JSON Gmail could show; the message says what happened."""


class AddOnClient:
    """Sends Gmail's events to the add-on at `public_url` through `http`."""

    def __init__(
        self, http: httpx.AsyncClient, google: LocalGoogle, public_url: str, user: GoogleUser
    ) -> None:
        self._http = http
        self._google = google
        self.public_url = public_url.rstrip("/")
        self.user = user

    async def homepage(self, region: Region = DEFAULT_REGION) -> Json:
        """The homepage trigger (no message open)."""
        url = f"{self.public_url}/addon/homepage"
        return await self._send(url, self._event(None, region, audience=url))

    async def message(self, message_id: str, region: Region = DEFAULT_REGION) -> Json:
        """The contextual trigger for an opened message."""
        url = f"{self.public_url}/addon/message"
        return await self._send(url, self._event(message_id, region, audience=url))

    async def action(
        self,
        function: str,
        *,
        parameters: Mapping[str, str],
        inputs: Mapping[str, Json],
        message_id: str | None,
        region: Region = DEFAULT_REGION,
    ) -> Json:
        """A card action: its parameters and the card's form inputs, to the action's URL."""
        if not self.is_own(function):
            raise AddOnFailure(f"the action calls {function}, outside the add-on")
        event = self._event(message_id, region, parameters=parameters, audience=function)
        if inputs:
            event["commonEventObject"]["formInputs"] = dict(inputs)
        return await self._send(function, event)

    def is_own(self, url: str) -> bool:
        """Whether `url` is one of the add-on's own endpoints."""
        return url.startswith(f"{self.public_url}/")

    def _event(
        self,
        message_id: str | None,
        region: Region,
        *,
        parameters: Mapping[str, str] | None = None,
        audience: str | None = None,
    ) -> Json:
        return self._google.event(
            sub=self.user.sub,
            email=self.user.email,
            message_id=message_id,
            parameters=parameters,
            locale=region.locale,
            time_zone=region.time_zone,
            audience=audience,
        )

    async def _send(self, url: str, event: Json) -> Json:
        headers = {"authorization": self._google.authorization(url)}
        try:
            response = await self._http.post(url, json=event, headers=headers, timeout=TIMEOUT)
        except httpx.HTTPError as exc:
            raise AddOnFailure(f"the add-on did not answer ({type(exc).__name__})") from exc
        if response.status_code != httpx.codes.OK:
            raise AddOnFailure(f"the add-on answered HTTP {response.status_code}")
        try:
            payload = response.json()
        except ValueError as exc:
            raise AddOnFailure("the add-on's answer is not JSON") from exc
        if not isinstance(payload, dict):
            raise AddOnFailure("the add-on's answer is not a JSON object")
        return payload
