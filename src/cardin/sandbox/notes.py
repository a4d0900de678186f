"""`GET /v1/notes`: every filter the v1 spec documents, `sort`, and start/limit pagination."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from cardin.sandbox.calls import Call, ok
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
_SORT_PART = re.compile(r"\s*(\w+)(?:\s+(ASC|DESC))?\s*", re.IGNORECASE)


def notes(call: Call) -> JSON:
    """Active notes matching every given filter, sorted, one page."""
    keep = note_filters(call.query)
    found = [note for note in call.company.notes if note["active_flag"]]
    found = [note for note in found if all(test(note) for test in keep)]
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


def _equals(key: str, value: int) -> Keep:
    return lambda note: note.get(key) == value


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
