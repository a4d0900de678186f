"""The Gmail API, metadata only: the headers and labels of the message the user opened.

The only place that sees httpx for Gmail: every call has a deadline and every failure becomes a
`GmailError` whose message carries neither the OAuth token nor the message token. A message's
headers never change (of its labels only SENT is read, which does not either), so with a cache
they are kept per user and message after the first successful read for that user (never shared
with another user); the message's text is not kept.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cardin.cache import Cache
from cardin.contact.notes import note_plain_text

DEFAULT_BASE_URL = "https://gmail.googleapis.com"
METADATA_HEADERS = ("From", "To", "Cc", "Reply-To", "Subject", "Date")
READONLY_SCOPE = "https://www.googleapis.com/auth/gmail.addons.current.message.readonly"
"""The scope that reads the open message's text (asked for only when a user opts in)."""
MAX_TEXT = 100_000
"""The most characters of a message's text read (the note keeps fewer)."""
_PREFIXED_ID = re.compile(r"msg-[af]:(\d{1,20})")
_PLAIN_ID = re.compile(r"[0-9A-Za-z_-]{1,128}")
_ADDRESS_HEADERS = frozenset({"to", "cc"})
HEADERS_TTL = 24 * 3600.0
"""How long a message's headers are kept for a user (they never change, nor does the SENT label,
the one label read; the day bounds the cache's size)."""
_HEADERS_KEY_VERSION = "1"
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
    date: str | None = None
    """The Date header as sent."""
    received: datetime | None = None
    """When Gmail received the message (`internalDate`)."""
    api_id: str | None = None
    """The message's Gmail API id (hex)."""

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


class _Body(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    data: str | None = None


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    mime_type: str | None = Field(None, alias="mimeType")
    headers: list[_Header] = Field(default_factory=list)
    body: _Body | None = None
    parts: list[_Payload] = Field(default_factory=list)


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    id: str
    label_ids: list[str] = Field(default_factory=list, alias="labelIds")
    payload: _Payload = Field(default_factory=_Payload)
    internal_date: str | None = Field(None, alias="internalDate")


def headers_key(user: str, api_id: str) -> str:
    """Cache key of one message's headers as read for one user (both hashed together)."""
    digest = hashlib.sha256(f"{user}\0{api_id}".encode()).hexdigest()[:32]
    return f"cardin:gmail-headers:{_HEADERS_KEY_VERSION}:{digest}"


def dump_headers(headers: MessageHeaders) -> bytes:
    """Headers as cached (JSON)."""
    return orjson.dumps(
        {
            "sender": headers.sender,
            "to": headers.to,
            "cc": headers.cc,
            "reply_to": headers.reply_to,
            "subject": headers.subject,
            "label_ids": headers.label_ids,
            "date": headers.date,
            "received": headers.received.isoformat() if headers.received else None,
            "api_id": headers.api_id,
        }
    )


def load_headers(raw: bytes) -> MessageHeaders | None:
    """Cached headers; None when the value is not what `dump_headers` writes."""
    try:
        data = orjson.loads(raw)
        received = data["received"]
        labels = data["label_ids"]
        headers = MessageHeaders(
            sender=_optional_text(data["sender"]),
            to=_optional_text(data["to"]),
            cc=_optional_text(data["cc"]),
            reply_to=_optional_text(data["reply_to"]),
            subject=_optional_text(data["subject"]),
            label_ids=tuple(_text_item(label) for label in labels),
            date=_optional_text(data["date"]),
            received=None if received is None else datetime.fromisoformat(_text_item(received)),
            api_id=_optional_text(data["api_id"]),
        )
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
    if headers.received is not None and headers.received.tzinfo is None:
        return None
    return headers


def _optional_text(value: object) -> str | None:
    return None if value is None else _text_item(value)


def _text_item(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not a text")
    return value


class GmailClient:
    """Reads message metadata for the user of an add-on event; shares the caller's httpx client.

    With a `cache`, the headers read for a user are kept there (`HEADERS_TTL`).
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 5.0,
        cache: Cache | None = None,
    ) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout
        self._cache = cache

    async def message_headers(
        self,
        message_id: str,
        *,
        oauth_token: str,
        access_token: str | None,
        user: str | None = None,
    ) -> MessageHeaders:
        """`users.messages.get` in metadata format: From, To, Cc, Reply-To, Subject and labels.

        `user` is the verified Google user's `sub` the tokens belong to: with a cache, what was
        read for that user before is answered without asking Gmail.
        """
        try:
            api_id = api_message_id(message_id)
        except ValueError as exc:
            raise GmailNotFound("not a Gmail message id") from exc
        if self._cache is None or not user:
            return await self._read_headers(api_id, oauth_token, access_token)
        key = headers_key(user, api_id)
        raw = await self._cache.get(key)
        cached = load_headers(raw) if raw is not None else None
        if cached is not None:
            return cached
        headers = await self._read_headers(api_id, oauth_token, access_token)
        await self._cache.set(key, dump_headers(headers), HEADERS_TTL)
        return headers

    async def _read_headers(
        self, api_id: str, oauth_token: str, access_token: str | None
    ) -> MessageHeaders:
        headers = {"authorization": f"Bearer {oauth_token}", "accept": "application/json"}
        if access_token:
            headers["x-goog-gmail-access-token"] = access_token
        params: _Query = [("format", "metadata")]
        params.extend(("metadataHeaders", name) for name in METADATA_HEADERS)
        url = f"{self._base_url}/gmail/v1/users/me/messages/{api_id}"
        response = await self._get(url, params, headers)
        _raise_for_status(response, secrets=(oauth_token, access_token or ""))
        return _headers(_message(response))

    async def message_text(
        self, message_id: str, *, oauth_token: str, access_token: str | None
    ) -> str:
        """The message's text (`users.messages.get`, full format; needs READONLY_SCOPE): its
        first text/plain part, else its HTML reduced to text; "" when it has neither."""
        try:
            api_id = api_message_id(message_id)
        except ValueError as exc:
            raise GmailNotFound("not a Gmail message id") from exc
        headers = {"authorization": f"Bearer {oauth_token}", "accept": "application/json"}
        if access_token:
            headers["x-goog-gmail-access-token"] = access_token
        url = f"{self._base_url}/gmail/v1/users/me/messages/{api_id}"
        response = await self._get(url, [("format", "full")], headers)
        _raise_for_status(response, secrets=(oauth_token, access_token or ""))
        return _text(_message(response).payload)[:MAX_TEXT]

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
        date=value("date"),
        received=_received(message.internal_date),
        api_id=message.id,
    )


def _received(raw: str | None) -> datetime | None:
    """`internalDate` (milliseconds since the epoch, as a string) as an aware time."""
    if raw is None or not raw.isdigit() or len(raw) > 15:  # noqa: PLR2004 - beyond year 33658
        return None
    return datetime.fromtimestamp(int(raw) / 1000, UTC)


def _text(payload: _Payload) -> str:
    """The first text/plain part (depth first), else the first text/html one as text."""
    plain = _part(payload, "text/plain")
    if plain is not None:
        return plain
    marked = _part(payload, "text/html")
    return note_plain_text(marked) if marked is not None else ""


def _part(payload: _Payload, mime_type: str) -> str | None:
    if (payload.mime_type or "").lower() == mime_type and payload.body and payload.body.data:
        return _decoded(payload.body.data)
    for part in payload.parts:
        found = _part(part, mime_type)
        if found is not None:
            return found
    return None


def _decoded(data: str) -> str | None:
    """A part's body: base64url (padding optional), read as UTF-8 with replacement."""
    try:
        raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw.decode("utf-8", errors="replace").replace("\r\n", "\n")
