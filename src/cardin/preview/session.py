"""One browser's side panel: its card stack, the open message, and Google's event pieces.

`apply_response` applies what the add-on answered (push, update, pop, popToRoot, popToCard,
notification, link) to a stack the way Gmail does; `scope_request` reads an answer that asks for
more Google permissions instead (granular consent); `form_inputs` turns the panel's inputs into
Google's `formInputs` shapes. They are pure, so the tests need no server.
"""

from __future__ import annotations

import asyncio
import secrets
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cardin.preview.client import DEFAULT_REGION, Region
from cardin.preview.render import safe_url

Json = dict[str, Any]
MAX_SESSIONS = 200
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class UnusableResponse(ValueError):
    """The add-on answered something Gmail would not show; the message says what."""


@dataclass(frozen=True)
class Applied:
    """A response applied to a stack: the new stack and what to tell the user.

    `navigated` is false for an answer without navigations (a notification or link alone): Gmail
    then leaves the panel as it is, with what the user typed.
    """

    stack: tuple[Json, ...]
    notification: str | None = None
    link: str | None = None
    updated: bool = False
    navigated: bool = False


@dataclass(frozen=True)
class ScopeRequest:
    """An answer asking the user for more Google permissions: the scopes, or all the manifest's."""

    scopes: tuple[str, ...] = ()
    all_scopes: bool = False


def scope_request(response: Mapping[str, Any]) -> ScopeRequest | None:
    """The permissions an answer asks for (`requesting_google_scopes`); None for other answers.

    UnusableResponse when the request names no scope (Gmail would show nothing to allow).
    """
    if "requesting_google_scopes" not in response:
        return None
    asked = response["requesting_google_scopes"]
    if not isinstance(asked, Mapping):
        raise UnusableResponse("requesting_google_scopes is not an object")
    if asked.get("all_scopes") is True:
        return ScopeRequest(all_scopes=True)
    scopes = asked.get("scopes")
    if (
        not isinstance(scopes, list)
        or not scopes
        or not all(isinstance(scope, str) and scope for scope in scopes)
    ):
        raise UnusableResponse("requesting_google_scopes names no scope")
    return ScopeRequest(tuple(dict.fromkeys(scopes)))


@dataclass(frozen=True)
class Consent:
    """Google's consent step shown in a panel, and what to repeat once the user allows.

    `scopes` are the permissions asked for; `click` is the card's click that was answered with
    the request (sent again with the same `inputs`), None when opening the message asked.
    """

    scopes: tuple[str, ...]
    click: Json | None = None
    inputs: Json = field(default_factory=dict)

    @property
    def on_trigger(self) -> bool:
        """Whether opening the message (not a click) asked for the permission."""
        return self.click is None


def _action_of(response: Mapping[str, Any], *, trigger: bool) -> Mapping[str, Any]:
    if "requesting_google_scopes" in response:
        raise UnusableResponse("the add-on asks for more Google permissions")
    root = response.get("renderActions", response)
    if trigger and "action" not in root and ("sections" in root or "header" in root):
        return {"navigations": [{"pushCard": dict(root)}]}  # a bare card is a trigger answer too
    action = root.get("action") if isinstance(root, Mapping) else None
    if not isinstance(action, Mapping):
        raise UnusableResponse("the answer has no action")
    return action


def navigate(stack: Sequence[Json], navigations: Iterable[Mapping[str, Any]]) -> tuple[Json, ...]:
    """The stack after Gmail applies `navigations` in order."""
    cards = list(stack)
    for step in navigations:
        if "pushCard" in step:
            cards.append(step["pushCard"])
        elif "updateCard" in step:
            cards[-1:] = [step["updateCard"]]
        elif step.get("pop"):
            cards = cards[:-1] if len(cards) > 1 else cards
        elif step.get("popToRoot"):
            cards = cards[:1]
        elif "popToCard" in step:
            cards = _popped_to(cards, str(step["popToCard"]))
        else:
            raise UnusableResponse(f"unknown navigation {sorted(step)}")
    return tuple(cards)


def _popped_to(cards: list[Json], name: str) -> list[Json]:
    for depth in range(len(cards) - 1, -1, -1):
        if cards[depth].get("name") == name:
            return cards[: depth + 1]
    return cards


def apply_response(
    stack: Sequence[Json], response: Mapping[str, Any], *, trigger: bool = False
) -> Applied:
    """Apply an add-on answer; a trigger's answer starts a fresh stack.

    `updated` says the top card was replaced in place (Gmail then keeps what the user typed).
    A link the browser must not open (not http, https, mailto or tel) is dropped.
    """
    action = _action_of(response, trigger=trigger)
    navigations = list(action.get("navigations") or [])
    cards = navigate([] if trigger else stack, navigations)
    if not cards:
        raise UnusableResponse("the answer shows no card")
    notification = (action.get("notification") or {}).get("text")
    link = safe_url((action.get("link") or {}).get("url"))
    updated = bool(navigations) and "updateCard" in navigations[-1]
    return Applied(cards, notification or None, link or None, updated, bool(navigations))


def _date_input(kind: str, value: str, offset_minutes: int) -> Json | None:
    try:
        if kind == "time":
            hours, minutes = (int(part) for part in value.split(":")[:2])
            return {"timeInput": {"hours": hours, "minutes": minutes}}
        moment = datetime.fromisoformat(value).replace(tzinfo=UTC)
        if kind == "date":
            return {"dateInput": {"msSinceEpoch": str(_ms(moment))}}
        moment -= timedelta(minutes=offset_minutes)
    except (ValueError, OverflowError):
        return None
    picked = {"msSinceEpoch": str(_ms(moment)), "hasDate": True, "hasTime": True}
    return {"dateTimeInput": picked}


def _ms(moment: datetime) -> int:
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def _offset_minutes(entry: Sequence[str]) -> int:
    # the picker's timezoneOffsetDate travels as the optional fourth item of its entry
    extra = entry[3:4]
    try:
        return int(extra[0]) if extra else 0
    except ValueError:
        return 0


def form_inputs(raw: Iterable[Sequence[str]]) -> Json:
    """Google's `formInputs` from the panel's `[name, kind, value(, offset)]` entries.

    Text, choices and switches become `stringInputs` (an empty text field is left out, as an
    unchecked box is); date and time pickers become `dateInput`, `dateTimeInput`, `timeInput`.
    """
    strings: dict[str, list[str]] = {}
    dates: Json = {}
    for entry in raw:
        name, kind, value = (str(part) for part in entry[:3])
        if not name or value == "":
            continue
        if kind in {"date", "time", "datetime-local"}:
            offset = _offset_minutes(entry)
            picked = _date_input("datetime" if kind == "datetime-local" else kind, value, offset)
            if picked is not None:
                dates[name] = picked
        else:
            strings.setdefault(name, []).append(value)
    inputs: Json = {name: {"stringInputs": {"value": values}} for name, values in strings.items()}
    return {**inputs, **dates}


def missing_required(
    click: Mapping[str, Any], inputs: Mapping[str, Any], fields: Iterable[str] = ()
) -> list[str]:
    """The required widgets of a click's action that have no value (Gmail will not send it).

    They are the action's `requiredWidgets`, and with `allWidgetsAreRequired` every input widget
    of the card (`fields`, the names the renderer recorded).
    """
    action = click.get("action") or {}
    required = [str(name) for name in action.get("requiredWidgets") or []]
    if action.get("allWidgetsAreRequired"):
        required = [*required, *fields]
    return [name for name in dict.fromkeys(required) if name not in inputs]


def text_values(inputs: Mapping[str, Any]) -> dict[str, list[str]]:
    """The string values of `formInputs`, to refill the fields of an updated card."""
    return {
        name: list(value["stringInputs"]["value"])
        for name, value in inputs.items()
        if "stringInputs" in value
    }


@dataclass
class Panel:
    """One browser's side panel: the card stack, the open message, the drawn clicks, and the
    language and zone its events carry."""

    id: str
    stack: tuple[Json, ...] = ()
    message_key: str | None = None
    version: int = 0
    clicks: tuple[Json, ...] = ()
    fields: tuple[str, ...] = ()
    kept_values: dict[str, list[str]] = field(default_factory=dict)
    consent: Consent | None = None
    region: Region = DEFAULT_REGION
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def top(self) -> Json | None:
        """The card on top of the stack."""
        return self.stack[-1] if self.stack else None

    def show(self, applied: Applied, *, kept: Mapping[str, list[str]] | None = None) -> None:
        """Take the stack of an applied answer; `kept` refills the top card's text fields."""
        self.stack = applied.stack
        self.kept_values = dict(kept or {})

    def back(self) -> None:
        """Gmail's back arrow: pop one card (never the last)."""
        self.consent = None
        if len(self.stack) > 1:
            self.stack = self.stack[:-1]
        self.kept_values = {}

    def drawn(self, clicks: tuple[Json, ...], fields: tuple[str, ...] = ()) -> int:
        """Remember the clicks and input names of the top card as drawn; the page's version."""
        self.version += 1
        self.clicks = clicks
        self.fields = fields
        return self.version

    def is_current(self, version: int) -> bool:
        """Whether the page sent `version` from the card drawn last (not from a stale tab)."""
        return version == self.version

    def click(self, version: int, index: int) -> Json | None:
        """The click the page sent, when it belongs to the card drawn last."""
        if not self.is_current(version) or not 0 <= index < len(self.clicks):
            return None
        return self.clicks[index]


class Panels:
    """The panels of every browser, by cookie id; the least recently used are forgotten."""

    def __init__(self, limit: int = MAX_SESSIONS) -> None:
        self._panels: OrderedDict[str, Panel] = OrderedDict()
        self._limit = limit

    def find(self, panel_id: str | None) -> Panel | None:
        """The browser's panel when it has one (a request from the demo's own page)."""
        return self._panels.get(panel_id or "")

    def get(self, panel_id: str | None) -> Panel:
        """The browser's panel, or a new one with a fresh id."""
        panel = self._panels.get(panel_id or "")
        if panel is None:
            panel = Panel(secrets.token_urlsafe(18))
            self._panels[panel.id] = panel
        self._panels.move_to_end(panel.id)
        while len(self._panels) > self._limit:
            self._panels.popitem(last=False)
        return panel
