"""Hypothesis strategies for add-on requests: valid Google events, then mutated.

An event is built as Google sends it (homepage, Gmail's contextual message trigger, or a card
action with its parameters and form inputs), with placeholders (`$…`) where the signed tokens,
the message ids and the user's connector ids go: the service fills them in when it sends the
request, so a mutation can move, drop or break them like any other value. Mutations change
types, drop keys, add keys, put huge or non-ASCII values in, and nest things wrongly; a few
requests are raw bytes that are not an event at all, or carry a bad `Authorization` header.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from cardin.actions import ListSection, Op
from cardin.actions import keys as params
from cardin.connectors import Feature
from cardin.preview.google import SCOPES
from cardin.sandbox import DEMO_TOKEN, INACTIVE_TOKEN, RICH_EMAIL, SECOND_TOKEN, UNKNOWN_EMAIL

ENDPOINTS = ("/addon/homepage", "/addon/message", "/addon/action")
USER_TOKEN = "$USER_ID_TOKEN"
OAUTH_TOKEN = "$OAUTH_TOKEN"
SYSTEM_TOKEN = "$SYSTEM_ID_TOKEN"
MESSAGES = 5
"""How many messages the service's Gmail holds for the probes ("$MESSAGE:0" … "$MESSAGE:4")."""
CONNECTORS = 3
"""How many connectors the probed user has ("$CONNECTOR:0" … "$CONNECTOR:2")."""
HUGE = 100_000  # issue 8 defect 6
"""The longest value the random search puts in: every rendered string is capped since."""

Json = Any
Path = tuple[str | int, ...]


def message(index: int) -> str:
    return f"$MESSAGE:{index}"


def access_token(index: int) -> str:
    return f"$ACCESS_TOKEN:{index}"


def connector(index: int) -> str:
    return f"$CONNECTOR:{index}"


@dataclass(frozen=True)
class Request:
    """One request to the add-on: where, the body (an event or raw bytes) and how it is signed."""

    path: str
    event: Json = None
    raw: bytes | None = None
    authorization: str = "signed"  # or one of AUTHORIZATIONS, or a whole "Bearer …" header
    user: int = 0
    notes: tuple[str, ...] = field(default=())

    def body(self, fill: Callable[[Json], Json]) -> bytes:
        """The bytes to send, placeholders filled in."""
        if self.raw is not None:
            return self.raw
        return json.dumps(fill(self.event)).encode("utf-8", "surrogatepass")


# --- valid events -------------------------------------------------------------------------------

LOCALES = ("en-US", "en-GB", "de-DE", "ja-JP", "fr", "pt-BR", "zz-ZZ", "")
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC", "Mars/Olympus", "")
EMAILS = (RICH_EMAIL, UNKNOWN_EMAIL, "zoe+news@fresh-startup.example", "not-an-address", "")
SECTIONS = (*(s.value for s in ListSection), "everything")
TOKENS = (DEMO_TOKEN, SECOND_TOKEN, INACTIVE_TOKEN, "bogus", "")
FEATURES = tuple(f.value for f in Feature)

texts = st.text(max_size=40)


def common(locale: str, zone: str) -> Json:
    body: Json = {"hostApp": "GMAIL", "platform": "WEB"}
    if locale:
        body["userLocale"] = locale
    if zone:
        body["timeZone"] = {"id": zone, "offset": 3_600_000}
    return body


def authorization() -> Json:
    return {
        "userOAuthToken": OAUTH_TOKEN,
        "userIdToken": USER_TOKEN,
        "systemIdToken": SYSTEM_TOKEN,
        "authorizedScopes": list(SCOPES),
    }


def gmail(index: int) -> Json:
    return {
        "messageId": message(index),
        "threadId": message(index).replace("MESSAGE", "THREAD"),
        "accessToken": access_token(index),
    }


@st.composite
def homepage_events(draw: st.DrawFn) -> Json:
    """What Gmail sends when no message is open."""
    locale, zone = draw(st.sampled_from(LOCALES)), draw(st.sampled_from(ZONES))
    return {"commonEventObject": common(locale, zone), "authorizationEventObject": authorization()}


@st.composite
def message_events(draw: st.DrawFn) -> Json:
    """The contextual trigger: a message of the user's Gmail was opened."""
    event = draw(homepage_events())
    event["gmail"] = gmail(draw(st.integers(0, MESSAGES - 1)))
    return event


def parameter_values() -> dict[str, st.SearchStrategy[str]]:
    """Plausible and implausible values of each action parameter."""
    connectors = st.sampled_from([connector(i) for i in range(CONNECTORS)])
    return {
        params.CONNECTOR: connectors | st.sampled_from(["", "c-unknown", "1"]) | texts,
        params.EMAIL: st.sampled_from(EMAILS) | texts,
        params.NAME: st.sampled_from(["Zoë Newcomer", ""]) | texts,
        params.SECTION: st.sampled_from(SECTIONS) | texts,
        params.PERSON_ID: st.sampled_from(["1", "0", "-1", "99999999999999999999"]) | texts,
        params.CONNECTOR_NAME: st.sampled_from(["Sales EU", ""]) | texts,
        params.FEATURES: st.lists(st.sampled_from(FEATURES)).map(",".join) | texts,
        params.RUN_MODE: st.sampled_from(["automatic", "manual", ""]) | texts,
        params.DASHBOARD: st.sampled_from(["true", "false"]) | texts,
        params.COMPANY_ID: st.sampled_from(["1", "2", "x"]),
        params.USER_ID: st.sampled_from(["1", "2", "x"]),
    }


def form_values() -> dict[str, st.SearchStrategy[list[str]]]:
    """Plausible and implausible values of each form input."""
    one = st.lists(texts, max_size=2)
    return {
        params.NAME_INPUT: st.sampled_from([["Sales"], [""], []]) | one,
        params.FEATURES_INPUT: st.lists(st.sampled_from(FEATURES), max_size=4) | one,
        params.TOKEN_INPUT: st.sampled_from(TOKENS).map(lambda t: [t]) | one,
        params.RUN_MODE_INPUT: st.sampled_from([["automatic"], ["manual"]]) | one,
        params.DASHBOARD_INPUT: st.sampled_from([["true"], []]) | one,
        params.SEARCH_INPUT: st.sampled_from(EMAILS).map(lambda e: [e]) | one,
    }


@st.composite
def action_events(draw: st.DrawFn) -> Json:
    """A card action: an op (mostly a real one) with some of its parameters and form inputs."""
    event = draw(homepage_events())
    op = draw(st.sampled_from([o.value for o in Op]) | texts)
    values = parameter_values()
    chosen = draw(st.lists(st.sampled_from(sorted(values)), unique=True, max_size=6))
    parameters = {params.OP: op, **{k: draw(values[k]) for k in chosen}}
    event["commonEventObject"]["parameters"] = parameters
    inputs = form_values()
    typed = draw(st.lists(st.sampled_from(sorted(inputs)), unique=True, max_size=3))
    if typed:
        event["commonEventObject"]["formInputs"] = {
            name: {"stringInputs": {"value": draw(inputs[name])}} for name in typed
        }
    if draw(st.booleans()):
        event["gmail"] = gmail(draw(st.integers(0, MESSAGES - 1)))
    return event


EVENTS = {
    "/addon/homepage": homepage_events(),
    "/addon/message": message_events(),
    "/addon/action": action_events(),
}


# --- mutations ----------------------------------------------------------------------------------

NON_ASCII = (
    "Zoë Ångström",
    "山田太郎",
    "\u202egnp.exe",  # right-to-left override
    "e\u0301\u0301\u0301",
    "\U0001f4a9",
    "\x00nul",
    "\ufeffbom",
    "lone \ud800 surrogate",  # valid JSON ("\ud800"), but not text
)


def odd_values(huge: int = HUGE) -> st.SearchStrategy[Json]:
    """Values of the wrong type, empty, huge, non-ASCII or wrongly nested."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(["", " ", "0", "true", "null", "[]", "{}"]),
        st.sampled_from(NON_ASCII),
        st.text(min_size=1, max_size=20),
        st.integers(1000, huge).map(lambda n: "x" * n),
        st.integers(1000, huge).map(lambda n: "é" * n),
    )
    return scalars | st.lists(scalars, max_size=3) | st.dictionaries(texts, scalars, max_size=3)


def paths(node: Json, prefix: Path = ()) -> Iterator[Path]:
    """Every path inside a JSON value, the root first."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from paths(value, (*prefix, i))


def get(node: Json, path: Path) -> Json:
    for step in path:
        node = node[step]
    return node


def put(root: Json, path: Path, value: Json) -> Json:
    """The tree with the value at `path` replaced (the root itself when the path is empty)."""
    if not path:
        return value
    get(root, path[:-1])[path[-1]] = value
    return root


def drop(root: Json, path: Path) -> Json:
    """The tree without the entry at `path` (the root cannot be dropped)."""
    if path:
        del get(root, path[:-1])[path[-1]]
    return root


MUTATIONS = ("replace", "drop", "wrap-in-list", "wrap-in-object", "add-key", "stringify")


@st.composite
def mutated(draw: st.DrawFn, events: st.SearchStrategy[Json], huge: int = HUGE) -> Json:
    """An event with one to three mutations at random places."""
    event = copy.deepcopy(draw(events))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(paths(event))))
        kind = draw(st.sampled_from(MUTATIONS))
        target = get(event, path)
        if kind == "replace":
            event = put(event, path, draw(odd_values(huge)))
        elif kind == "drop":
            event = drop(event, path)
        elif kind == "wrap-in-list":
            event = put(event, path, [target])
        elif kind == "wrap-in-object":
            event = put(event, path, {"value": target})
        elif kind == "stringify":
            event = put(event, path, json.dumps(target))
        elif isinstance(target, dict):
            target[draw(texts)] = draw(odd_values(huge))
    return event


RAW_BODIES = (
    b"",
    b"not json",
    b"{",
    b'{"commonEventObject": {',
    b"[]",
    b"null",
    b'"event"',
    b"\xff\xfe\x00{}",
    b'{"commonEventObject": {"userLocale": "\xc3"}}',
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a": ' * 5_000 + b"1" + b"}" * 5_000,
    b'{"commonEventObject": {}, "x": "' + b"y" * (1024 * 1024) + b'"}',
)
AUTHORIZATIONS = ("none", "garbage", "other-endpoint", "basic")


@st.composite
def requests(draw: st.DrawFn, huge: int = HUGE) -> Request:
    """A request to one of the three endpoints: mostly a mutated event, properly signed."""
    path = draw(st.sampled_from(ENDPOINTS))
    kind = draw(st.sampled_from(list(EVENTS)))
    user = draw(st.sampled_from([0, 0, 0, 1]))
    roll = draw(st.integers(0, 19))
    if roll == 0:
        return Request(path, raw=draw(st.sampled_from(RAW_BODIES)), user=user)
    event = draw(EVENTS[kind]) if roll < 5 else draw(mutated(EVENTS[kind], huge))
    signed = draw(st.sampled_from(AUTHORIZATIONS)) if roll == 1 else "signed"
    return Request(path, event=event, authorization=signed, user=user)


def strings(node: Json) -> Iterator[str]:
    """Every string in a JSON value, keys included."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)
