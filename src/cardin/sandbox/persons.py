"""Creating a person from a `POST /api/v2/persons` body, with Pipedrive's validation rules.

From the v2 migration guide: only `name` is required; emails and phones are objects where only
`value` is required, `label` defaults to `work` and the first one is primary when none is; the owner
defaults to the token's user. Every other property the v2 spec declares is checked against its
declared type (a boolean is not an integer) and kept; a value of the wrong type is a 400 naming it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cardin.sandbox.bodies import ADDRESS_PARTS, VISIBILITIES, is_int, live, refused
from cardin.sandbox.data import Company
from cardin.sandbox.render import custom_person_fields

JSON = dict[str, Any]
MARKETING_STATUSES = ("no_consent", "unsubscribed", "subscribed", "archived")
TEXT_KEYS = ("notes", "birthday", "job_title")


def create_person_from_body(company: Company, body: JSON, user_id: int) -> JSON:
    """Validate the body, store the new person in `company` and return it."""
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise refused("name", "Name is required")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    first, _, last = name.strip().partition(" ")
    person: JSON = {
        "id": company.next_id("persons"),
        "name": name.strip(),
        "first_name": first,
        "last_name": last or None,
        "owner_id": _owner(company, body.get("owner_id", user_id)),
        "org_id": _organization(company, body.get("org_id")),
        "add_time": _add_time(body.get("add_time")) or now,
        "update_time": now,
        "emails": _contacts(body.get("emails"), "emails"),
        "phones": _contacts(body.get("phones"), "phones"),
        "is_deleted": False,
        "visible_to": _visibility(body.get("visible_to", 3)),
        "label_ids": _labels(company, body.get("label_ids")),
        "picture_id": None,
        "custom_fields": _custom_fields(company, body.get("custom_fields")),
        "im": _contacts(body.get("im"), "im"),
        "postal_address": _address(body.get("postal_address")),
        "marketing_status": _marketing_status(body.get("marketing_status")),
    }
    person.update({key: _text(body.get(key), key) for key in TEXT_KEYS})
    company.add_person(person)
    return person


def _owner(company: Company, owner_id: Any) -> int:
    if not is_int(owner_id) or company.get("users", owner_id) is None:
        raise refused("owner_id", "User not found")
    return int(owner_id)


def _organization(company: Company, org_id: Any) -> int | None:
    return live(company, "organizations", "org_id", org_id, "Organization")


def _add_time(value: Any) -> str | None:
    if value is None:
        return None
    reason = "Must be a date-time such as 2025-01-01T10:20:00Z"
    if not isinstance(value, str):
        raise refused("add_time", reason)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise refused("add_time", reason) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _contacts(entries: Any, name: str) -> list[JSON]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise refused(name, "Must be an array of objects")
    result = [_contact(entry, name) for entry in entries]
    if result and not any(entry["primary"] for entry in result):
        result[0]["primary"] = True
    return result


def _contact(entry: Any, name: str) -> JSON:
    if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
        raise refused(name, "Each item needs a string value")
    primary, label = entry.get("primary", False), entry.get("label", "work")
    if not isinstance(primary, bool):
        raise refused(name, "primary must be a boolean")
    if not isinstance(label, str):
        raise refused(name, "label must be a string")
    return {"value": entry["value"], "primary": primary, "label": label or "work"}


def _visibility(value: Any) -> int:
    if not is_int(value) or value not in VISIBILITIES:
        raise refused("visible_to", "Must be one of 1, 3, 5, 7")
    return int(value)


def _labels(company: Company, label_ids: Any) -> list[int]:
    if label_ids is None:
        return []
    field = next((f for f in company.person_fields if f["key"] == "label_ids"), {})
    known = {option["id"] for option in field.get("options") or ()}
    if not isinstance(label_ids, list) or not all(
        is_int(label) and label in known for label in label_ids
    ):
        raise refused("label_ids", "Unknown label id")
    return [int(label) for label in label_ids]


def _address(value: Any) -> JSON | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(value.get(part, ""), str) for part in ADDRESS_PARTS
    ):
        raise refused("postal_address", "Must be an object of strings")
    return {
        **{part: value.get(part) for part in ADDRESS_PARTS},
        "formatted_address": value.get("value"),
    }


def _marketing_status(value: Any) -> str | None:
    if value is None:
        return None
    if value not in MARKETING_STATUSES:
        raise refused("marketing_status", f"Must be one of {', '.join(MARKETING_STATUSES)}")
    return str(value)


def _text(value: Any, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise refused(name, "Must be a string")
    return value


def _custom_fields(company: Company, values: Any) -> JSON:
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise refused("custom_fields", "Must be an object")
    fields = {field["key"]: field for field in custom_person_fields(company)}
    for key, value in values.items():
        if key not in fields:
            raise refused("custom_fields", f"Unknown field {key!r}")
        if fields[key]["field_type"] == "set" and value == []:
            # the v2 spec: clear a set with null; an empty array is a validation error
            raise refused(f"custom_fields.{key}", "Use null to clear a set")
    return {key: value for key, value in values.items() if value is not None}
