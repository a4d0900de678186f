"""`POST /api/v2/activities` and `PATCH /api/v2/activities/{id}`, with Pipedrive's body rules.

`type` is the `key_string` of one of the company's active activity types (`call` when absent, as
Pipedrive defaults it); a new activity without `subject` is named after its type, and without
`due_date` it is due today (UTC). `due_date` is `YYYY-MM-DD`; `due_time` (UTC) and `duration` are
`HH:MM` (or `HH:MM:SS`) and are answered as `HH:MM:SS`. `person_id` is the primary participant:
set through `participants` (`[{person_id, primary}]`; the first is primary when none is) or,
alone, it makes that person the primary participant; both at once must agree. Marking an activity
done stamps `marked_as_done_time`; undoing it clears it. Leads and projects are not simulated
(400). A deleted or unknown activity answers the v2 404; a deleted deal, the 404 of a gone deal.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cardin.sandbox import bodies
from cardin.sandbox.calls import Call, ok
from cardin.sandbox.data import Company
from cardin.sandbox.errors import v2_not_found
from cardin.sandbox.render import render_activity

JSON = dict[str, Any]
DEFAULT_TYPE = "call"
ATTENDEE_TEXTS = ("email", "name", "status")


def create_activity(call: Call) -> JSON:
    """`POST /api/v2/activities`: store the activity (listed and counted at once), answer it."""
    company, body = call.company, call.json_body()
    now = bodies.now_v2()
    activity: JSON = {
        "id": company.next_id("activities"),
        "subject": None,
        "type": DEFAULT_TYPE,
        "owner_id": call.user_id,
        "creator_user_id": call.user_id,
        "is_deleted": False,
        "add_time": now,
        "update_time": now,
        "deal_id": None,
        "lead_id": None,
        "person_id": None,
        "org_id": None,
        "project_id": None,
        "due_date": datetime.now(UTC).date().isoformat(),
        "due_time": None,
        "duration": None,
        "busy": False,
        "done": False,
        "marked_as_done_time": None,
        "location": None,
        "participants": [],
        "attendees": None,
        "conference_meeting_client": None,
        "conference_meeting_url": None,
        "conference_meeting_id": None,
        "public_description": None,
        "priority": None,
        "note": None,
    }
    _apply(company, activity, body, now)
    company.add("activities", activity)
    return ok(render_activity(activity, attendees=True))


def update_activity(call: Call) -> JSON:
    """`PATCH /api/v2/activities/{id}`: change the properties the body gives, answer the result."""
    company = call.company
    found = company.get("activities", call.id)
    if found is None or found["is_deleted"]:
        raise v2_not_found()
    body = call.json_body()
    updated = dict(found)
    now = bodies.now_v2()
    _apply(company, updated, body, now)  # validates everything before changing anything
    updated["update_time"] = now
    found.update(updated)
    company.reindex()  # the person and deal it links to may have changed
    return ok(render_activity(found, attendees=True))


def _apply(company: Company, activity: JSON, body: JSON, now: str) -> None:
    """Validate every property of `body` and set it on `activity`."""
    for name, what in (("lead_id", "Leads"), ("project_id", "Projects")):
        bodies.not_simulated(body, name, what)
    readers: dict[str, Callable[[], Any]] = {
        "subject": lambda: (bodies.text(body, "subject") or "").strip() or None,
        "type": lambda: _type(company, body),
        "owner_id": lambda: bodies.user(company, body, "owner_id", activity["owner_id"]),
        "deal_id": lambda: bodies.live_deal(company, body),
        "org_id": lambda: bodies.live(
            company, "organizations", "org_id", body["org_id"], "Organization"
        ),
        "due_date": lambda: bodies.day(body, "due_date"),
        "due_time": lambda: bodies.clock(body, "due_time"),
        "duration": lambda: bodies.clock(body, "duration", max_hours=99),
        "busy": lambda: bool(bodies.boolean(body, "busy")),
        "location": lambda: bodies.address(body, "location"),
        "priority": lambda: bodies.integer(body, "priority"),
        "public_description": lambda: bodies.text(body, "public_description"),
        "note": lambda: bodies.text(body, "note"),
        "attendees": lambda: _attendees(company, body["attendees"]),
    }
    for name, read in readers.items():
        if name in body:
            activity[name] = read()
    if "done" in body:
        _set_done(activity, bool(bodies.boolean(body, "done")), now)
    if "participants" in body or "person_id" in body:
        _set_participants(company, activity, body)
    if not activity["subject"]:
        activity["subject"] = _type_name(company, activity["type"])


def _type(company: Company, body: JSON) -> str:
    key = bodies.text(body, "type")
    active = {t["key_string"] for t in company.activity_types if t.get("active_flag", True)}
    if key is None or key not in active:
        raise bodies.refused("type", "Must be the key_string of an active activity type")
    return key


def _type_name(company: Company, key: str) -> str:
    found = next((t for t in company.activity_types if t["key_string"] == key), {})
    return str(found.get("name") or key)


def _set_done(activity: JSON, done: bool, now: str) -> None:  # noqa: FBT001 - the new state
    if done and not activity["done"]:
        activity["marked_as_done_time"] = now
    if not done:
        activity["marked_as_done_time"] = None
    activity["done"] = done


def _set_participants(company: Company, activity: JSON, body: JSON) -> None:
    person_id = bodies.live(company, "persons", "person_id", body.get("person_id"), "Person")
    if "participants" in body:
        participants = _participants(company, body.get("participants"))
        primary = next((p["person_id"] for p in participants if p["primary"]), None)
        if "person_id" in body and person_id != primary:
            raise bodies.refused("person_id", "Must be the primary participant")
    else:
        others = [p for p in activity["participants"] if p["person_id"] != person_id]
        participants = [{**p, "primary": False} for p in others]
        if person_id is not None:
            participants.insert(0, {"person_id": person_id, "primary": True})
        primary = person_id
    activity["participants"] = participants
    activity["person_id"] = primary


def _participants(company: Company, entries: Any) -> list[JSON]:
    if entries is None:
        return []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise bodies.refused("participants", "Must be an array of objects")
    result = []
    for entry in entries:
        person_id = bodies.live(
            company, "persons", "participants.person_id", entry.get("person_id"), "Person"
        )
        if person_id is None:
            raise bodies.refused("participants.person_id", "Each participant needs a person_id")
        primary = bodies.boolean(entry, "primary")
        result.append({"person_id": person_id, "primary": bool(primary)})
    if len({p["person_id"] for p in result}) < len(result):
        raise bodies.refused("participants", "A person can take part only once")
    if sum(p["primary"] for p in result) > 1:
        raise bodies.refused("participants", "Only one participant can be primary")
    if result and not any(p["primary"] for p in result):
        result[0]["primary"] = True
    return result


def _attendees(company: Company, entries: Any) -> list[JSON] | None:
    if entries is None:
        return None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise bodies.refused("attendees", "Must be an array of objects")
    result = []
    for entry in entries:
        attendee: JSON = {key: bodies.text(entry, key) for key in ATTENDEE_TEXTS}
        attendee["is_organizer"] = bool(bodies.boolean(entry, "is_organizer"))
        attendee["person_id"] = bodies.live(
            company, "persons", "attendees.person_id", entry.get("person_id"), "Person"
        )
        attendee["user_id"] = bodies.user(company, entry, "user_id")
        result.append(attendee)
    return result
