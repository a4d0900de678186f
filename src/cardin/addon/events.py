"""Google's event JSON parsed once, at the boundary, into typed frozen models.

Private wire models mirror Google's names (so a validation error names the field as Google
spells it); `parse_event` turns them into the public models below. Unknown fields are ignored.
A card action's parameters and inputs are parsed here too, once, into a typed `Action`.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

import orjson
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SkipValidation,
    StringConstraints,
    ValidationError,
)
from pydantic_core import ErrorDetails

from cardin.actions import Action, BadAction, parse_action

MAX_EVENT_BYTES = 1024 * 1024
_MS_PER_DAY = 86_400_000
# the years 1 to 9999, which Python's datetime can represent
_MIN_MS = -62_135_596_800_000
_MAX_MS = 253_402_300_799_999
# OAuth access tokens and JWTs are printable ASCII without spaces (RFC 6750's b64token, RFC 7519);
# anything else cannot go into an HTTP header and is not a token Google issued.
_Token = Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]*$")]


class MalformedEvent(Exception):
    """The request body is not an event Google would send; the message names the problem."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class CommonEvent(_Frozen):
    """`commonEventObject`: host, locale, time zone, action parameters and form values."""

    host_app: str | None = None
    platform: str | None = None
    user_locale: str | None = None
    time_zone_id: str | None = None
    time_zone_offset_ms: int | None = None
    parameters: dict[str, str] = Field(default_factory=dict)
    form_inputs: dict[str, list[str]] = Field(default_factory=dict)

    @property
    def locale(self) -> str | None:
        """The user's locale in Babel's spelling: "en-GB" → "en_GB"."""
        return self.user_locale.replace("-", "_") if self.user_locale else None


class AuthorizationEvent(_Frozen):
    """`authorizationEventObject`: the user's tokens and the scopes they granted."""

    user_oauth_token: str | None = None
    user_id_token: str | None = None
    system_id_token: str | None = None
    authorized_scopes: tuple[str, ...] = ()


class GmailEvent(_Frozen):
    """`gmail`: the open message, its thread and the per-message access token."""

    message_id: str | None = None
    thread_id: str | None = None
    access_token: str | None = None


class Event(_Frozen):
    """One add-on event: a trigger (homepage, message opened) or a card action."""

    common: CommonEvent
    authorization: AuthorizationEvent = Field(default_factory=AuthorizationEvent)
    gmail: GmailEvent | None = None
    # made by parse_event from `common` (a frozen dataclass: nothing for pydantic to check)
    action: SkipValidation[Action | None] = None
    """The card action the parameters stand for; None for a trigger (no parameters), or when
    `action_problem` says why they are no action (missing or malformed, see `BadAction`)."""
    action_problem: str | None = None

    def parameter(self, name: str) -> str | None:
        """The action parameter `name`, if the clicked widget sent it."""
        return self.common.parameters.get(name)

    def form_value(self, name: str) -> str | None:
        """The first value of the form input `name`, if any."""
        values = self.common.form_inputs.get(name)
        return values[0] if values else None


# --- Google's wire format ----------------------------------------------------------------------


class _Wire(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class _TimeZone(_Wire):
    id: str | None = None
    offset: int | None = None


class _StringInputs(_Wire):
    value: list[str] = Field(default_factory=list)


class _DateTimeInput(_Wire):
    ms_since_epoch: int = Field(alias="msSinceEpoch", ge=_MIN_MS, le=_MAX_MS)
    has_date: bool = Field(default=True, alias="hasDate")
    has_time: bool = Field(default=True, alias="hasTime")


class _DateInput(_Wire):
    ms_since_epoch: int = Field(alias="msSinceEpoch", ge=_MIN_MS, le=_MAX_MS)


class _TimeInput(_Wire):
    hours: int = Field(0, ge=0, le=23)
    minutes: int = Field(0, ge=0, le=59)


class _Inputs(_Wire):
    string_inputs: _StringInputs | None = Field(None, alias="stringInputs")
    date_time_input: _DateTimeInput | None = Field(None, alias="dateTimeInput")
    date_input: _DateInput | None = Field(None, alias="dateInput")
    time_input: _TimeInput | None = Field(None, alias="timeInput")


class _Common(_Wire):
    host_app: str | None = Field(None, alias="hostApp")
    platform: str | None = None
    user_locale: str | None = Field(None, alias="userLocale")
    time_zone: _TimeZone | None = Field(None, alias="timeZone")
    parameters: dict[str, str] | None = None
    form_inputs: dict[str, _Inputs] | None = Field(None, alias="formInputs")


class _Authorization(_Wire):
    user_oauth_token: _Token | None = Field(None, alias="userOAuthToken")
    # Google's prose spells it this way; every sample sends the capital-A form
    user_oauth_token_prose: _Token | None = Field(None, alias="userOauthToken")
    user_id_token: _Token | None = Field(None, alias="userIdToken")
    system_id_token: _Token | None = Field(None, alias="systemIdToken")
    authorized_scopes: list[str] | None = Field(None, alias="authorizedScopes")


class _Gmail(_Wire):
    message_id: str | None = Field(None, alias="messageId")
    thread_id: str | None = Field(None, alias="threadId")
    access_token: _Token | None = Field(None, alias="accessToken")


class _Event(_Wire):
    common: _Common = Field(alias="commonEventObject")
    authorization: _Authorization | None = Field(None, alias="authorizationEventObject")
    gmail: _Gmail | None = None


# --- parsing -----------------------------------------------------------------------------------


def parse_event(body: bytes) -> Event:
    """The event in a request body; raises MalformedEvent naming the first problem."""
    if len(body) > MAX_EVENT_BYTES:
        raise MalformedEvent(f"event is larger than {MAX_EVENT_BYTES} bytes")
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise MalformedEvent("event is not valid JSON") from exc
    if not isinstance(data, dict):
        raise MalformedEvent("event is not a JSON object")
    broken = _not_utf8(data)
    if broken is not None:
        raise MalformedEvent(f"{broken} is not valid UTF-8 text (it holds a lone surrogate)")
    try:
        wire = _Event.model_validate(data)
    except ValidationError as exc:
        raise MalformedEvent(_problem(exc.errors()[0])) from None
    common = _common(wire.common)
    action, problem = _card_action(common)
    return Event(
        common=common,
        authorization=_authorization(wire.authorization),
        gmail=_gmail(wire.gmail),
        action=action,
        action_problem=problem,
    )


def _not_utf8(data: dict[str, Any]) -> str | None:
    """Where the first string that UTF-8 cannot encode is (JSON's `\\ud800` escapes make them).

    Such a string breaks hashing, logging and the JSON of the answer, so the event is refused.
    Iterative: the JSON may be nested as deep as the parser allows. orjson, which refuses such
    a string, writes an event in a few microseconds: only what it refuses (such a string, or
    what it cannot write: nesting past 255 levels, an integer beyond 64 bits) is walked.
    """
    try:
        orjson.dumps(data)
    except orjson.JSONEncodeError:
        pass
    else:
        return None
    stack: list[tuple[tuple[int | str, ...], Any]] = [((), data)]
    while stack:
        loc, node = stack.pop()
        if isinstance(node, str) and not _encodes(node):
            return _location(loc)
        if isinstance(node, dict):
            for key, value in node.items():
                if not _encodes(key):
                    return f"a key of {_location(loc)}"
                stack.append(((*loc, key), value))
        elif isinstance(node, list):
            stack.extend(((*loc, i), value) for i, value in enumerate(node))
    return None


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _card_action(common: CommonEvent) -> tuple[Action | None, str | None]:
    """The action that the parameters stand for, or why they are none (not for a trigger)."""
    if not common.parameters:
        return None, None
    try:
        return parse_action(common.parameters, common.form_inputs), None
    except BadAction as exc:
        return None, str(exc)


def _common(wire: _Common) -> CommonEvent:
    zone = wire.time_zone or _TimeZone()
    return CommonEvent(
        host_app=wire.host_app,
        platform=wire.platform,
        user_locale=wire.user_locale or None,
        time_zone_id=zone.id or None,
        time_zone_offset_ms=zone.offset,
        parameters=dict(wire.parameters or {}),
        form_inputs={name: _values(inputs) for name, inputs in (wire.form_inputs or {}).items()},
    )


def _authorization(wire: _Authorization | None) -> AuthorizationEvent:
    if wire is None:
        return AuthorizationEvent()
    return AuthorizationEvent(
        user_oauth_token=wire.user_oauth_token or wire.user_oauth_token_prose,
        user_id_token=wire.user_id_token,
        system_id_token=wire.system_id_token,
        authorized_scopes=tuple(wire.authorized_scopes or ()),
    )


def _gmail(wire: _Gmail | None) -> GmailEvent | None:
    if wire is None:
        return None
    return GmailEvent(
        message_id=wire.message_id, thread_id=wire.thread_id, access_token=wire.access_token
    )


def _values(inputs: _Inputs) -> list[str]:
    """A form input's values as strings: text as sent, dates and times in ISO 8601 (UTC)."""
    if inputs.string_inputs is not None:
        return list(inputs.string_inputs.value)
    if inputs.date_time_input is not None:
        return [_date_time(inputs.date_time_input)]
    if inputs.date_input is not None:
        return [_instant(inputs.date_input.ms_since_epoch).date().isoformat()]
    if inputs.time_input is not None:
        return [time(inputs.time_input.hours, inputs.time_input.minutes).isoformat("minutes")]
    return []


def _date_time(value: _DateTimeInput) -> str:
    if value.has_date and not value.has_time:
        return _instant(value.ms_since_epoch).date().isoformat()
    if value.has_time and not value.has_date:
        return _instant(value.ms_since_epoch % _MS_PER_DAY).time().isoformat("minutes")
    return _instant(value.ms_since_epoch).isoformat()


def _instant(ms: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)


def _problem(error: ErrorDetails) -> str:
    where = _location(error["loc"])
    kind = error["type"]
    if kind == "missing":
        return f"{where} is missing"
    for fragment, must in _MUSTS:
        if fragment in kind:
            return f"{where} {must}"
    return f"{where} is invalid ({error['msg']})"


_MUSTS = (
    ("pattern", "must be a token of printable ASCII characters"),
    ("string", "must be a string"),
    ("dict", "must be an object"),
    ("model", "must be an object"),
    ("list", "must be a list"),
    ("int", "must be an integer"),
    ("bool", "must be true or false"),
    ("greater", "is out of range"),
    ("less", "is out of range"),
)


def _location(loc: tuple[int | str, ...]) -> str:
    where = ""
    for part in loc:
        where += f"[{part}]" if isinstance(part, int) else f".{part}" if where else str(part)
    return where or "event"
