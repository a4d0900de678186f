"""Pipedrive replies generated from Pipedrive's own OpenAPI files, with nulls allowed everywhere.

For each call the client reads, the 200 response schema of its operation is turned into a JSON
Schema that hypothesis-jsonschema can generate from: every property, item and value may also be
null (the specs under-declare nulls, `../shared/pipedrive/README.md`), a v1 `date-time` may also
be Pipedrive's "YYYY-MM-DD HH:MM:SS", `oneOf` becomes `anyOf`, and lists are kept short.

A generated reply is "anchored" (most of the time) so that the lookup goes on past it: the
search finds the world's persons with the looked-up address, the best person is the one asked
for and holds the address, and the person fields define the world's custom fields, whose values
are then arbitrary JSON. Anchoring only sets values of the declared types, so the reply still
matches the widened schema.
"""

from __future__ import annotations

import functools
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from cardin.contact.model import Match
from tests.fuzz.lookups import cards_problem, look_up, render
from tests.fuzz.upstream import Call, FakePipedrive
from tests.fuzz.world import BEST_ID, EMAIL, FIELD_TYPES, OTHER_ID

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "pipedrive"
V1, V2 = "openapi-v1.yaml", "openapi-v2.yaml"
OPERATIONS: dict[Call, tuple[str, str, str]] = {
    Call.ME: (V1, "/users/me", "get"),
    Call.USERS: (V1, "/users", "get"),
    Call.USER: (V1, "/users/{id}", "get"),
    Call.ACTIVITY_TYPES: (V1, "/activityTypes", "get"),
    Call.NOTES: (V1, "/notes", "get"),
    Call.DEAL_NOTES: (V1, "/notes", "get"),
    Call.PERSON_FIELDS: (V2, "/personFields", "get"),
    Call.PIPELINES: (V2, "/pipelines", "get"),
    Call.STAGES: (V2, "/stages", "get"),
    Call.SEARCH: (V2, "/persons/search", "get"),
    Call.PERSON: (V2, "/persons/{id}", "get"),
    Call.OTHER_PERSON: (V2, "/persons/{id}", "get"),
    Call.REFERENCED_PERSON: (V2, "/persons/{id}", "get"),
    Call.PICTURE: (V2, "/persons/{id}/picture", "get"),
    Call.ORGANIZATION: (V2, "/organizations/{id}", "get"),
    Call.DEALS: (V2, "/deals", "get"),
    Call.ACTIVITIES: (V2, "/activities", "get"),
    Call.DEAL_ACTIVITIES: (V2, "/activities", "get"),
    Call.CREATE_PERSON: (V2, "/persons", "post"),
}
"""Every call the client reads a reply of, with the operation that declares the reply."""
MAX_ITEMS = 2
V1_TIMESTAMP = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
_DROPPED = frozenset({"description", "example", "examples", "title", "nullable", "deprecated"})
_SUBSCHEMAS = ("items", "not")
_COMPOSITES = ("allOf", "anyOf", "oneOf")

Json = Any


@functools.cache
def spec(name: str) -> dict[str, Any]:
    """One of Pipedrive's OpenAPI files, parsed once per process."""
    with (SHARED / name).open(encoding="utf-8") as handle:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return yaml.load(handle, Loader=loader)  # type: ignore[no-any-return]  # noqa: S506 - safe loaders only


@functools.cache
def response_schema(call: Call) -> dict[str, Any]:
    """The declared 200 reply of the call's operation, as a widened JSON Schema.

    The reply has its data (a list of at least one item); inside it anything may be null.
    """
    v1 = OPERATIONS[call][0] == V1
    return widened(declared_schema(call), level=_ENVELOPE, v1=v1)


_ENVELOPE, _DATA, _INSIDE = "envelope", "data", "inside"


def widened(schema: Json, *, level: str = _INSIDE, v1: bool = False) -> Json:
    """The OpenAPI schema as JSON Schema in which anything inside the reply's data may be null."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _DROPPED or key.startswith("x-"):
            continue
        if key == "properties":
            out[key] = {
                name: widened(sub, level=_inner(level, name), v1=v1) for name, sub in value.items()
            }
            if level == _ENVELOPE and "data" in value:
                out["required"] = ["data"]
        elif key in _SUBSCHEMAS or (key == "additionalProperties" and isinstance(value, dict)):
            out[key] = widened(value, v1=v1)
        elif key in _COMPOSITES:
            # null satisfies every member once widened: oneOf would then refuse it
            out["anyOf" if key == "oneOf" else key] = [
                widened(sub, level=level, v1=v1) for sub in value
            ]
        else:
            out[key] = value
    if out.get("type") == "array":
        out["maxItems"] = min(out.get("maxItems", MAX_ITEMS), MAX_ITEMS)
        if level == _DATA:
            out["minItems"] = 1
    if v1 and out.get("format") == "date-time":
        del out["format"]
        out = {"anyOf": [{**out, "format": "date-time"}, {**out, "pattern": V1_TIMESTAMP}, out]}
    return out if level in (_ENVELOPE, _DATA) else _nullable(out)


def _inner(level: str, name: str) -> str:
    """The level of a property: the reply's data is there and not null."""
    return _DATA if level == _ENVELOPE and name == "data" else _INSIDE


def completed(value: Json, schema: Json) -> Json:
    """The value with every property its schema declares, null where it has none: Pipedrive
    answers that way (generating every property instead is five times slower)."""
    if not isinstance(schema, dict):
        return value
    for key in ("allOf", "anyOf"):
        for sub in schema.get(key, ()):
            value = completed(value, sub)
    if isinstance(value, dict) and "properties" in schema:
        for name, sub in schema["properties"].items():
            value[name] = completed(value[name], sub) if name in value else None
    elif isinstance(value, list) and "items" in schema:
        value[:] = [completed(item, schema["items"]) for item in value]
    return value


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        schema = {**schema, "type": [*kinds, "null"]}
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
        return schema
    if "anyOf" in schema:
        return {**schema, "anyOf": [*schema["anyOf"], {"type": "null"}]}
    return schema


FORMATS = {"uuid": st.uuids().map(str)}
"""Formats the specs use that hypothesis-jsonschema does not know."""


def declared_schema(call: Call) -> dict[str, Any]:
    """The declared 200 reply of the call's operation, as the OpenAPI file has it."""
    name, path, method = OPERATIONS[call]
    response = spec(name)["paths"][path][method]["responses"]["200"]
    return response["content"]["application/json"]["schema"]  # type: ignore[no-any-return]


@functools.cache
def generated(call: Call) -> st.SearchStrategy[Json]:
    """Replies to the call as the widened schema allows them."""
    return from_schema(response_schema(call), custom_formats=FORMATS)


@st.composite
def replies(draw: st.DrawFn, call: Call) -> Json:
    """Replies to the call: mostly complete (every property, null where it has none), some
    sparse (properties missing), a few without data."""
    reply = draw(generated(call))
    shape = draw(st.sampled_from(("complete", "complete", "sparse", "no data")))
    if shape == "complete":
        return completed(reply, response_schema(call))
    if shape == "no data":
        reply["data"] = None
    return reply


# --- anchoring ----------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=4,
)
"""Any JSON value, for the custom fields' values."""


def _search(data: Json, _draw: st.DrawFn) -> Json:
    data = data if isinstance(data, dict) else {}
    hits = [h if isinstance(h, dict) else {} for h in _list(data.get("items"))] + [{}, {}]
    found = []
    for person_id, hit in zip((BEST_ID, OTHER_ID), hits, strict=False):
        item = hit.get("item") if isinstance(hit.get("item"), dict) else {}
        emails = [*_list(item.get("emails")), EMAIL]
        found.append({**hit, "item": {**item, "id": person_id, "emails": emails}})
    return {**data, "items": found}


def _list(value: Json) -> list[Json]:
    return value if isinstance(value, list) else []


def _person(data: Json, draw: st.DrawFn) -> Json:
    data = data if isinstance(data, dict) else {}
    emails = _list(data.get("emails"))
    primary = {"value": EMAIL, "primary": True, "label": "work"}
    fields = {f"cf_{kind}": draw(json_values) for kind in FIELD_TYPES}
    return {**data, "id": BEST_ID, "emails": [*emails, primary], "custom_fields": fields}


def _person_fields(data: Json, draw: st.DrawFn) -> Json:
    fields = data if isinstance(data, list) else []
    return [
        {**field, "field_code": f"cf_{kind}", "field_type": kind, "is_custom_field": True}
        for field, kind in zip(fields, draw(st.permutations(FIELD_TYPES)), strict=False)
        if isinstance(field, dict)
    ]


_ANCHORS = {Call.SEARCH: _search, Call.PERSON: _person, Call.PERSON_FIELDS: _person_fields}


# --- the probe ----------------------------------------------------------------------------------

LOOKUP_CALLS = tuple(call for call in Call if call is not Call.CREATE_PERSON)
REQUIRED = frozenset({Call.ME, Call.SEARCH, Call.PERSON})
"""The calls without which there is no contact to show."""


@dataclass(frozen=True)
class Reply:
    """A generated reply to one call; `anchored` when it was tied to the world's persons."""

    call: Call
    body: Json
    anchored: bool


@st.composite
def replies_to(draw: st.DrawFn, call: Call) -> Reply:
    """A reply to the call: mostly anchored to the world so that the lookup goes on."""
    body = draw(replies(call))
    anchor = _ANCHORS.get(call)
    if not isinstance(body, dict) or not draw(st.sampled_from((True, True, True, False))):
        return Reply(call, body, anchored=False)
    body["success"] = True
    if anchor is not None:
        body["data"] = anchor(body.get("data"), draw)
    return Reply(call, body, anchored=anchor is not None)


@st.composite
def lookups(draw: st.DrawFn) -> tuple[Reply, ...]:
    """Generated replies to one to three of a lookup's calls (the world answers the others)."""
    calls = draw(st.lists(st.sampled_from(LOOKUP_CALLS), min_size=1, max_size=2, unique=True))
    return tuple(draw(replies_to(call)) for call in calls)


def must_find(replies: tuple[Reply, ...]) -> bool:
    """Whether the contact must be shown: no required call got a reply that misleads it."""
    return all(r.call not in REQUIRED or r.anchored for r in replies)


CRASH = "crash: "
HIDDEN = "the contact is hidden: "


@dataclass(frozen=True)
class Probed:
    """How one lookup over generated replies ended: the outcome's kind and any problem."""

    outcome: str
    problem: str | None


async def probe_lookup(replies: tuple[Reply, ...]) -> Probed:
    """The lookup's outcome for these replies, and what is wrong with it or its cards."""
    fake = FakePipedrive(bodies={reply.call: reply.body for reply in replies})
    try:
        outcome = await look_up(fake)
        rendered = render(outcome)
    except Exception as exc:  # noqa: BLE001 - a crash is what the probe reports
        return Probed("crash", CRASH + "".join(traceback.format_exception(exc))[-2000:])
    kind = type(outcome).__name__
    problem = cards_problem(rendered)
    if problem is not None:
        return Probed(kind, problem)
    if not isinstance(outcome, Match) and must_find(replies):
        return Probed(kind, f"{HIDDEN}{outcome!r}")
    return Probed(kind, None)


async def lookup_problem(replies: tuple[Reply, ...]) -> str | None:
    """What is wrong with the lookup's outcome and cards for these replies (None: nothing)."""
    return (await probe_lookup(replies)).problem
