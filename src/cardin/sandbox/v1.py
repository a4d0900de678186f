"""API v1 endpoints Cardin uses: users, activity types, currencies, person fields and notes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cardin.sandbox.calls import Call, ok
from cardin.sandbox.errors import bad_request, v1_user_not_found
from cardin.sandbox.paging import query_int, v1_page
from cardin.sandbox.render import render_note, render_user

JSON = dict[str, Any]
NOTE_SORT_FIELDS = (
    "id",
    "user_id",
    "deal_id",
    "person_id",
    "org_id",
    "content",
    "add_time",
    "update_time",
)
NOTE_FILTERS = ("user_id", "deal_id", "person_id", "org_id")
_SORT_PART = re.compile(r"^\s*(\w+)(?:\s+(ASC|DESC))?\s*$", re.IGNORECASE)


def users_me(call: Call) -> JSON:
    """`GET /v1/users/me`: the token's user with the company's facts."""
    company = call.company
    user = company.get("users", call.user_id)
    if user is None:
        raise v1_user_not_found()
    language, _, country = str(user["locale"]).partition("_")
    data = {
        **render_user(user, call.user_id),
        "company_id": company.id,
        "company_name": company.info["name"],
        "company_domain": company.info["domain"],
        "company_country": company.info["country"],
        "company_industry": company.info["industry"],
        "language": {"language_code": language, "country_code": country or language.upper()},
    }
    return ok(data)


def users(call: Call) -> JSON:
    """`GET /v1/users`: every user of the company (no pagination, as in Pipedrive)."""
    return ok([render_user(user, call.user_id) for user in call.company.users])


def user(call: Call) -> JSON:
    """`GET /v1/users/{id}`."""
    found = call.company.get("users", call.id)
    if found is None:
        raise v1_user_not_found()
    return ok(render_user(found, call.user_id))


def activity_types(call: Call) -> JSON:
    """`GET /v1/activityTypes`: every activity type, active or not."""
    return ok(list(call.company.activity_types))


def currencies(call: Call) -> JSON:
    """`GET /v1/currencies`, optionally filtered by `term` on code or name."""
    term = (call.query.get("term") or "").casefold()
    found = [
        currency
        for currency in call.company.currencies
        if term in currency["code"].casefold() or term in currency["name"].casefold()
    ]
    return ok(found)


def person_fields(call: Call) -> JSON:
    """`GET /v1/personFields` with start/limit pagination."""
    fields = [field for field in call.company.person_fields if field.get("active_flag", True)]
    page, additional = v1_page(fields, call.query)
    return ok(page, additional)


def notes(call: Call) -> JSON:
    """`GET /v1/notes` with the id filters, `sort` and start/limit pagination."""
    found = [note for note in call.company.notes if note["active_flag"]]
    for name in NOTE_FILTERS:
        wanted = query_int(call.query, name)
        if wanted is not None:
            found = [note for note in found if note.get(name) == wanted]
    # stable sorts from the last key to the first give the multi-key order
    for key, descending in reversed(_parse_sort(call.query.get("sort"))):
        found.sort(key=_note_key(key), reverse=descending)
    page, additional = v1_page(found, call.query)
    return ok([render_note(call.company, note, call.user_id) for note in page], additional)


def _parse_sort(text: str | None) -> list[tuple[str, bool]]:
    if not text:
        return [("id", False)]
    order = []
    for part in text.split(","):
        match = _SORT_PART.match(part)
        if not match or match.group(1) not in NOTE_SORT_FIELDS:
            raise bad_request(f"Invalid sort field or direction: {part.strip()!r}")
        order.append((match.group(1), (match.group(2) or "ASC").upper() == "DESC"))
    return order


def _note_key(key: str) -> Callable[[JSON], tuple[bool, Any]]:
    def sort_key(note: JSON) -> tuple[bool, Any]:
        value = note.get(key)
        # None sorts first ascending, as SQL NULLs do
        return (value is not None, value if value is not None else 0)

    return sort_key
