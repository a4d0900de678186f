"""`GET /v1/notes` (every filter the v1 spec documents, `sort`, start/limit pagination) and
`POST /v1/notes`.

A new note needs `content` (HTML, kept exactly as sent) and one of `deal_id`, `person_id`,
`org_id` (leads, projects and tasks are not simulated: naming one is a 400). A note on a deal is
also its person's and organization's unless the body says otherwise, as Pipedrive's notes and the
demo data are. Only an admin may name another author (`user_id`). The pin flags are 0 or 1 and
need the id they pin to. Refusals are v1 400s in the v1 envelope; a deleted deal is the 404 of a
deal that is gone.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from cardin.sandbox import bodies
from cardin.sandbox.calls import Call, ok
from cardin.sandbox.data import Company
from cardin.sandbox.errors import ApiError, v1_bad_request
from cardin.sandbox.paging import v1_page
from cardin.sandbox.query import (
    Query,
    invalid,
    query_date,
    query_flag,
    query_int,
    query_text,
    query_time,
    query_uuid,
)
from cardin.sandbox.render import render_note

JSON = dict[str, Any]
Keep = Callable[[JSON], bool]
SORT_FIELDS = (
    "id",
    "user_id",
    "deal_id",
    "person_id",
    "org_id",
    "content",
    "add_time",
    "update_time",
)
ID_FILTERS = ("user_id", "deal_id", "person_id", "org_id", "project_id", "task_id")
PINNED_TO = ("lead", "deal", "organization", "person", "project", "task")
PINNED_FLAGS = tuple(f"pinned_to_{kind}_flag" for kind in PINNED_TO)
# the id each pin flag of a new note needs
PIN_TARGETS = {
    "pinned_to_lead_flag": "lead_id",
    "pinned_to_deal_flag": "deal_id",
    "pinned_to_organization_flag": "org_id",
    "pinned_to_person_flag": "person_id",
    "pinned_to_project_flag": "project_id",
    "pinned_to_task_flag": "task_id",
}
_SORT_PART = re.compile(r"\s*(\w+)(?:\s+(ASC|DESC))?\s*", re.IGNORECASE)


def notes(call: Call) -> JSON:
    """Active notes matching every given filter, sorted, one page."""
    keep = note_filters(call.query)
    found = call.company.notes
    # the id filters first, as plain comparisons: they leave few of a large company's notes
    for test in keep:
        if isinstance(test, _Equals):
            found = [note for note in found if note.get(test.key) == test.value]
    rest = [test for test in keep if not isinstance(test, _Equals)]
    found = [note for note in found if note["active_flag"] and all(test(note) for test in rest)]
    # stable sorts from the last key to the first give the multi-key order
    for key, descending in reversed(parse_sort(call.query)):
        found.sort(key=_sort_key(key), reverse=descending)
    page, additional = v1_page(found, call.query)
    return ok([render_note(call.company, note, call.user_id) for note in page], additional)


def note_filters(query: Query) -> list[Keep]:
    """One test per filter the request gives; each bad value is a 400 naming its parameter."""
    keep: list[Keep] = []
    for name in ID_FILTERS:
        wanted = query_int(query, name)
        if wanted is not None:
            keep.append(_equals(name, wanted))
    lead = query_uuid(query, "lead_id")
    if lead is not None:
        keep.append(lambda note: str(note.get("lead_id") or "").lower() == lead)
    for name in PINNED_FLAGS:
        flag = query_flag(query, name)
        if flag is not None:
            keep.append(_flag_is(name, flag))
    keep.extend(_time_filters(query))
    return keep


@dataclass(frozen=True)
class _Equals:
    """The test of an id filter: the note's `key` is `value`."""

    key: str
    value: int

    def __call__(self, note: JSON) -> bool:
        return bool(note.get(self.key) == self.value)


def _equals(key: str, value: int) -> Keep:
    return _Equals(key, value)


def _flag_is(key: str, value: bool) -> Keep:  # noqa: FBT001 - the flag's wanted state
    return lambda note: bool(note.get(key)) is value


def _time_filters(query: Query) -> list[Keep]:
    keep: list[Keep] = []
    # "The date ... from which notes to fetch" / "until which notes to fetch to": both inclusive
    first, last = query_date(query, "start_date"), query_date(query, "end_date")
    if first is not None:
        keep.append(lambda note: _added_on(note) >= first)
    if last is not None:
        keep.append(lambda note: _added_on(note) <= last)
    since = query_time(query, "updated_since")
    if since is not None:
        keep.append(lambda note: _v1_time(note["update_time"]) >= since)
    return keep


def _added_on(note: JSON) -> date:
    return _v1_time(note["add_time"]).date()


def _v1_time(text: str) -> datetime:
    """A v1 timestamp (`YYYY-MM-DD HH:MM:SS`, UTC) as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def parse_sort(query: Query) -> list[tuple[str, bool]]:
    """`sort` as (field, descending) pairs: `field_1 ASC, field_2 DESC`; by id when absent."""
    text = query_text(query, "sort")
    if text is None:
        return [("id", False)]
    order = []
    for part in text.split(","):
        match = _SORT_PART.fullmatch(part)
        if not match or match.group(1) not in SORT_FIELDS:
            raise invalid("sort", f"Invalid sort field or direction: {part.strip()!r}")
        order.append((match.group(1), (match.group(2) or "ASC").upper() == "DESC"))
    return order


def _sort_key(key: str) -> Callable[[JSON], tuple[bool, Any]]:
    def sort_key(note: JSON) -> tuple[bool, Any]:
        value = note.get(key)
        # None sorts first ascending, as SQL NULLs do
        return (value is not None, value if value is not None else 0)

    return sort_key


def add_note(call: Call) -> JSON:
    """`POST /v1/notes`: store the note (listed and counted at once) and answer it."""
    try:
        note = _new_note(call.company, call.json_body(), call.user_id)
    except ApiError as error:
        if error.status != 400:  # noqa: PLR2004 - only validation is worded differently in v1
            raise
        raise v1_bad_request(str(error.body["error"])) from None
    call.company.add("notes", note)
    return ok(render_note(call.company, note, call.user_id))


def _new_note(company: Company, body: JSON, user_id: int) -> JSON:
    content = bodies.text(body, "content")
    if content is None or not content.strip():
        raise bodies.refused("content", "Note content is required")
    for name, what in (("lead_id", "Leads"), ("project_id", "Projects"), ("task_id", "Tasks")):
        bodies.not_simulated(body, name, what)
    deal_id = bodies.live_deal(company, body, v1=True)
    person_id = bodies.live(company, "persons", "person_id", body.get("person_id"), "Person")
    org_id = bodies.live(company, "organizations", "org_id", body.get("org_id"), "Organization")
    if deal_id is None and person_id is None and org_id is None:
        raise bodies.refused("deal_id", "One of deal_id, person_id or org_id is required")
    deal = company.get("deals", deal_id) or {}
    if "person_id" not in body:
        person_id = deal.get("person_id")
    if "org_id" not in body:
        org_id = deal.get("org_id")
    author = bodies.user(company, body, "user_id", user_id)
    if author != user_id and not _is_admin(company, user_id):
        raise bodies.refused("user_id", "Only an admin can change the author")
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    ids = {"deal_id": deal_id, "person_id": person_id, "org_id": org_id}
    return {
        "id": company.next_id("notes"),
        "active_flag": True,
        "add_time": bodies.timestamp(body, "add_time", v1=True) or now,
        "update_time": now,
        "content": content,
        **ids,
        "lead_id": None,
        "project_id": None,
        "task_id": None,
        "user_id": author,
        "last_update_user_id": user_id,
        **_pins(body, ids),
    }


def _pins(body: JSON, ids: JSON) -> JSON:
    pins = {}
    for flag, target in PIN_TARGETS.items():
        value = body.get(flag)
        if value is not None and (isinstance(value, bool) or value not in (0, 1)):
            raise bodies.refused(flag, "Must be one of 0, 1")
        if value == 1 and ids.get(target) is None:
            raise bodies.refused(flag, f"Pinning needs {target}")
        pins[flag] = value == 1
    return pins


def _is_admin(company: Company, user_id: int) -> bool:
    found = company.get("users", user_id) or {}
    return any(access.get("admin") for access in found.get("access") or ())
