"""The Gmail API, metadata only: the headers and labels of the message the user opened.

The only place that sees httpx for Gmail: every call has a deadline and every failure becomes a
`GmailError` whose message carries neither the OAuth token nor the message token.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_BASE_URL = "https://gmail.googleapis.com"
METADATA_HEADERS = ("From", "To", "Cc", "Reply-To", "Subject")
_PREFIXED_ID = re.compile(r"msg-[af]:(\d{1,20})")
_PLAIN_ID = re.compile(r"[0-9A-Za-z_-]{1,128}")
_ADDRESS_HEADERS = frozenset({"to", "cc"})
_Query = list[tuple[str, str | int | float | bool | None]]


class GmailError(Exception):
    """The message's headers could not be read; `status` is Gmail's HTTP status when it answered."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class GmailAccessDenied(GmailError):
    """401/403: the user's token or the message token is invalid, or a scope is missing."""


class GmailNotFound(GmailError):
    """404: the message does not exist (any more) for this user."""


class GmailUnavailable(GmailError):
    """Timeout, connection failure, 429 or 5xx: try again later."""


class GmailBadReply(GmailError):
    """Gmail answered something that is not a message resource."""


@dataclass(frozen=True)
class MessageHeaders:
    """The raw address and subject headers of one message, and its labels."""

    sender: str | None
    to: str | None
    cc: str | None
    reply_to: str | None
    subject: str | None
    label_ids: tuple[str, ...] = ()

    @property
    def is_sent(self) -> bool:
        """Whether Gmail filed the message as sent by the user."""
        return "SENT" in self.label_ids


def api_message_id(raw: str) -> str:
    """The Gmail API's hex id of an add-on message id ("msg-f:<decimal>"); plain ids unchanged."""
    prefixed = _PREFIXED_ID.fullmatch(raw)
    if prefixed is not None:
        number = int(prefixed.group(1))
        if not 0 < number < 2**64:
            raise ValueError("message id out of range")
        return format(number, "x")
    if _PLAIN_ID.fullmatch(raw) is None:
        raise ValueError("not a Gmail message id")
    return raw


class _Header(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    name: str
    value: str


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    headers: list[_Header] = Field(default_factory=list)


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    id: str
    label_ids: list[str] = Field(default_factory=list, alias="labelIds")
    payload: _Payload = Field(default_factory=_Payload)


class GmailClient:
    """Reads message metadata for the user of an add-on event; shares the caller's httpx client."""

    def __init__(
        self, http: httpx.AsyncClient, base_url: str = DEFAULT_BASE_URL, *, timeout: float = 5.0
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout

    async def message_headers(
        self, message_id: str, *, oauth_token: str, access_token: str | None
    ) -> MessageHeaders:
        """`users.messages.get` in metadata format: From, To, Cc, Reply-To, Subject and labels."""
        try:
            api_id = api_message_id(message_id)
        except ValueError as exc:
            raise GmailNotFound("not a Gmail message id") from exc
        headers = {"authorization": f"Bearer {oauth_token}", "accept": "application/json"}
        if access_token:
            headers["x-goog-gmail-access-token"] = access_token
        params: _Query = [("format", "metadata")]
        params.extend(("metadataHeaders", name) for name in METADATA_HEADERS)
        url = f"{self._base_url}/gmail/v1/users/me/messages/{api_id}"
        response = await self._get(url, params, headers)
        _raise_for_status(response, secrets=(oauth_token, access_token or ""))
        return _headers(_message(response))

    async def _get(self, url: str, params: _Query, headers: dict[str, str]) -> httpx.Response:
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._http.get(
                    url, params=params, headers=headers, timeout=self._timeout
                )
                await response.aread()
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise GmailUnavailable(f"Gmail did not answer within {self._timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise GmailUnavailable(f"cannot reach Gmail ({type(exc).__name__})") from exc
        return response


def _raise_for_status(response: httpx.Response, *, secrets: tuple[str, ...]) -> None:
    status = response.status_code
    if status == 200:  # noqa: PLR2004 - the only success users.messages.get has
        return
    if status in (401, 403):
        text = _error_text(response, "Gmail refused the token")
        for secret in filter(None, secrets):
            text = text.replace(secret, "…")
        raise GmailAccessDenied(text, status=status)
    if status == 404:  # noqa: PLR2004
        raise GmailNotFound("Gmail has no such message", status=status)
    if status == 429 or status >= 500:  # noqa: PLR2004
        raise GmailUnavailable(f"Gmail answered HTTP {status}", status=status)
    raise GmailBadReply(f"Gmail answered HTTP {status}", status=status)


def _error_text(response: httpx.Response, fallback: str) -> str:
    """Google's error message, which names the problem (e.g. a missing scope)."""
    try:
        error = response.json().get("error")
        message = error.get("message") if isinstance(error, dict) else None
    except (ValueError, AttributeError):
        message = None
    if isinstance(message, str) and message:
        return f"{fallback} (HTTP {response.status_code}: {message[:200]})"
    return f"{fallback} (HTTP {response.status_code})"


def _message(response: httpx.Response) -> _Message:
    try:
        return _Message.model_validate_json(response.content)
    except ValidationError as exc:
        raise GmailBadReply("Gmail's reply is not a message resource") from exc


def _headers(message: _Message) -> MessageHeaders:
    values: dict[str, list[str]] = {}
    for header in message.payload.headers:
        values.setdefault(header.name.lower(), []).append(header.value)

    def value(name: str) -> str | None:
        found = values.get(name)
        if not found:
            return None
        # repeated To/Cc headers add recipients; any other header counts once
        return ", ".join(found) if name in _ADDRESS_HEADERS else found[0]

    return MessageHeaders(
        sender=value("from"),
        to=value("to"),
        cc=value("cc"),
        reply_to=value("reply-to"),
        subject=value("subject"),
        label_ids=tuple(message.label_ids),
    )
