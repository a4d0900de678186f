"""A scripted Pipedrive behind an httpx transport: the world's replies, a fault or a given body
per call, and a record of what was asked.

Calls are told apart by what the lookup asks for, not only by path: the best person's
`/api/v2/persons/{id}` is another call than the other match's, and notes of a deal another
than notes of the person.
"""

from __future__ import annotations

import asyncio
import enum
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

from tests.fuzz.world import BEST_ID, OTHER_ID, World

BASE_URL = "https://pipedrive.test"
HOST = "pipedrive.test"
RETRY_AFTER = "3"


class Call(enum.StrEnum):
    """One kind of request a lookup makes."""

    ME = "users/me"
    USERS = "users"
    USER = "users/{id}"
    ACTIVITY_TYPES = "activityTypes"
    PERSON_FIELDS = "personFields"
    PIPELINES = "pipelines"
    STAGES = "stages"
    SEARCH = "persons/search"
    PERSON = "persons/{best}"
    OTHER_PERSON = "persons/{other}"
    REFERENCED_PERSON = "persons/{referenced}"
    PICTURE = "persons/{id}/picture"
    ORGANIZATION = "organizations/{id}"
    DEALS = "deals"
    ACTIVITIES = "activities?person_id"
    DEAL_ACTIVITIES = "activities?deal_id"
    NOTES = "notes?person_id"
    DEAL_NOTES = "notes?deal_id"
    CREATE_PERSON = "POST persons"


class Fault(enum.StrEnum):
    """A way one Pipedrive call can fail."""

    S401 = "401"
    S402 = "402"
    S403 = "403"
    S404 = "404"
    S410 = "410"
    S429 = "429"
    S500 = "500"
    S502 = "502"
    S503 = "503"
    TIMEOUT = "timeout"
    MALFORMED = "malformed"
    TRUNCATED = "truncated"
    HTML = "html"
    EMPTY = "empty"


_FIXED = {
    "/v1/users/me": Call.ME,
    "/v1/users": Call.USERS,
    "/v1/activityTypes": Call.ACTIVITY_TYPES,
    "/api/v2/personFields": Call.PERSON_FIELDS,
    "/api/v2/pipelines": Call.PIPELINES,
    "/api/v2/stages": Call.STAGES,
    "/api/v2/persons/search": Call.SEARCH,
    "/api/v2/deals": Call.DEALS,
}
# path → (the call with a deal_id, the call without)
_BY_DEAL = {
    "/api/v2/activities": (Call.DEAL_ACTIVITIES, Call.ACTIVITIES),
    "/v1/notes": (Call.DEAL_NOTES, Call.NOTES),
}
_WITH_ID = (
    (re.compile(r"/api/v2/persons/(\d+)/picture"), Call.PICTURE),
    (re.compile(r"/api/v2/persons/(\d+)"), Call.PERSON),
    (re.compile(r"/v1/users/(\d+)"), Call.USER),
    (re.compile(r"/api/v2/organizations/(\d+)"), Call.ORGANIZATION),
)
_PERSONS = {BEST_ID: Call.PERSON, OTHER_ID: Call.OTHER_PERSON}
_HTML_PAGE = b"<!DOCTYPE html><html><head><title>Login</title></head><body><h1>Sign in</h1></body>"


def classify(request: httpx.Request) -> Call | None:
    """Which call a request is (None: one the lookup never makes)."""
    path = request.url.path
    if request.method == "POST":
        return Call.CREATE_PERSON if path == "/api/v2/persons" else None
    if path in _BY_DEAL:
        with_deal, without = _BY_DEAL[path]
        return with_deal if "deal_id" in request.url.params else without
    if path in _FIXED:
        return _FIXED[path]
    for pattern, call in _WITH_ID:
        found = pattern.fullmatch(path)
        if found is not None:
            person = _PERSONS.get(int(found.group(1)), Call.REFERENCED_PERSON)
            return person if call is Call.PERSON else call
    return None


def path_id(request: httpx.Request) -> int:
    """The numeric id in a request's path (0 when there is none)."""
    found = re.search(r"/(\d+)(?:/|$)", request.url.path)
    return int(found.group(1)) if found else 0


def world_reply(world: World, call: Call, request: httpx.Request) -> dict[str, object]:
    """The world's body for one request."""
    deal_id = request.url.params.get("deal_id")
    replies = {
        Call.ME: world.me,
        Call.USERS: world.users,
        Call.USER: lambda: {"success": True, "data": world.user(path_id(request))},
        Call.ACTIVITY_TYPES: world.activity_types,
        Call.PERSON_FIELDS: world.person_fields,
        Call.PIPELINES: world.pipelines,
        Call.STAGES: world.stages,
        Call.SEARCH: world.search,
        Call.PERSON: lambda: world.person(path_id(request)),
        Call.OTHER_PERSON: lambda: world.person(path_id(request)),
        Call.REFERENCED_PERSON: lambda: world.person(path_id(request)),
        Call.CREATE_PERSON: lambda: world.person(BEST_ID),
        Call.PICTURE: world.picture,
        Call.ORGANIZATION: lambda: world.organization(path_id(request)),
        Call.DEALS: world.deals,
        Call.ACTIVITIES: lambda: world.activities(None),
        Call.DEAL_ACTIVITIES: lambda: world.activities(int(deal_id or 0)),
        Call.NOTES: lambda: world.notes(None),
        Call.DEAL_NOTES: lambda: world.notes(int(deal_id or 0)),
    }
    return replies[call]()


@dataclass
class Seen:
    """One request the fake answered."""

    call: Call | None
    url: str
    token: str | None


class FakePipedrive(httpx.AsyncBaseTransport):
    """Answers as `world` would, except for the calls given a fault or a body of their own.

    With `hang`, a TIMEOUT fault never answers (the caller's deadline has to end it); without,
    it raises httpx's own ReadTimeout at once, as httpx does when its timeout fires.
    """

    def __init__(
        self,
        world: World | None = None,
        *,
        faults: Mapping[Call, Fault] | None = None,
        bodies: Mapping[Call, object] | None = None,
        retry_after: str = RETRY_AFTER,
        hang: bool = False,
    ) -> None:
        self.world = world or World()
        self.faults = dict(faults or {})
        self.bodies = dict(bodies or {})
        self.retry_after = retry_after
        self.hang = hang
        self.seen: list[Seen] = []

    @property
    def calls(self) -> set[Call]:
        """Every kind of call made so far."""
        return {s.call for s in self.seen if s.call is not None}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer one request."""
        call = classify(request)
        self.seen.append(Seen(call, str(request.url), request.headers.get("x-api-token")))
        if call is None:
            return httpx.Response(404, json={"success": False, "error": "Unknown endpoint"})
        if call in self.faults:
            return await self._fault(self.faults[call], call, request)
        body = self.bodies[call] if call in self.bodies else world_reply(self.world, call, request)
        if call in _LISTS and not {"person_id", "deal_id"} & set(request.url.params):
            body = _more_exist(body)
        return httpx.Response(200, content=json.dumps(body).encode(), headers=_JSON)

    async def _fault(self, fault: Fault, call: Call, request: httpx.Request) -> httpx.Response:
        if fault is Fault.TIMEOUT:
            if self.hang:
                await asyncio.Event().wait()
            raise httpx.ReadTimeout("timed out", request=request)
        if fault.value.isdigit():
            status = int(fault.value)
            headers = {**_JSON, "retry-after": self.retry_after} if status == 429 else _JSON
            body = {"success": False, "error": f"HTTP {status}", "errorCode": status}
            return httpx.Response(status, content=json.dumps(body).encode(), headers=headers)
        full = json.dumps(world_reply(self.world, call, request)).encode()
        content = {
            Fault.MALFORMED: b'{"success": true, "data": {"id": 1,, "name": }',
            Fault.TRUNCATED: full[: len(full) // 2],
            Fault.HTML: _HTML_PAGE,
            Fault.EMPTY: b"",
        }[fault]
        content_type = "text/html; charset=utf-8" if fault is Fault.HTML else _JSON["content-type"]
        return httpx.Response(200, content=content, headers={"content-type": content_type})


_JSON = {"content-type": "application/json"}
_LISTS = frozenset({Call.DEALS, Call.ACTIVITIES, Call.NOTES})


def _more_exist(body: object) -> object:
    """The world is a company larger than a page: a company-wide list (no person or deal
    filter) says more items exist, so the lookup makes the per-person and per-deal calls that
    the matrix is about (`tests/lookup/test_plan.py` covers the company pages)."""
    if not isinstance(body, dict):
        return body
    more = {"next_cursor": "more", "pagination": {"more_items_in_collection": True}}
    return {**body, "additional_data": more}
