"""Creating a person from a `POST /api/v2/persons` body, with Pipedrive's validation rules.

From the v2 migration guide: only `name` is required; emails and phones are objects where only
`value` is required, `label` defaults to `work` and the first one is primary when none is; the owner
defaults to the token's user.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cardin.sandbox.data import Company
from cardin.sandbox.errors import bad_request
from cardin.sandbox.render import custom_person_fields

JSON = dict[str, Any]
VISIBILITIES = (1, 3, 5, 7)
CONTACT_SYNC_KEYS = ("notes", "im", "birthday", "job_title", "postal_address")


def create_person_from_body(company: Company, body: JSON, user_id: int) -> JSON:
    """Validate the body, store the new person in `company` and return it."""
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("Validation failed: name: Name is required")
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    first, _, last = name.strip().partition(" ")
    person: JSON = {
        "id": company.next_id("persons"),
        "name": name.strip(),
        "first_name": first,
        "last_name": last or None,
        "owner_id": _owner(company, body.get("owner_id", user_id)),
        "org_id": _organization(company, body.get("org_id")),
        "add_time": now,
        "update_time": now,
        "emails": _contacts(body.get("emails"), "emails"),
        "phones": _contacts(body.get("phones"), "phones"),
        "is_deleted": False,
        "visible_to": _visibility(body.get("visible_to", 3)),
        "label_ids": _labels(company, body.get("label_ids")),
        "picture_id": None,
        "custom_fields": _custom_fields(company, body.get("custom_fields")),
    }
    person.update({key: body.get(key) for key in CONTACT_SYNC_KEYS})
    company.add_person(person)
    return person


def _owner(company: Company, owner_id: Any) -> int:
    if not isinstance(owner_id, int) or company.get("users", owner_id) is None:
        raise bad_request("Validation failed: owner_id: User not found")
    return owner_id


def _organization(company: Company, org_id: Any) -> int | None:
    if org_id is None:
        return None
    if not isinstance(org_id, int) or company.get("organizations", org_id) is None:
        raise bad_request("Validation failed: org_id: Organization not found")
    return org_id


def _contacts(entries: Any, name: str) -> list[JSON]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise bad_request(f"Validation failed: {name}: Must be an array of objects")
    result = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("value"), str):
            raise bad_request(f"Validation failed: {name}: Each item needs a string value")
        result.append(
            {
                "value": entry["value"],
                "primary": bool(entry.get("primary", False)),
                "label": str(entry.get("label") or "work"),
            }
        )
    if result and not any(entry["primary"] for entry in result):
        result[0]["primary"] = True
    return result


def _visibility(value: Any) -> int:
    if value not in VISIBILITIES:
        raise bad_request("Validation failed: visible_to: Must be one of 1, 3, 5, 7")
    return int(value)


def _labels(company: Company, label_ids: Any) -> list[int]:
    if label_ids is None:
        return []
    field = next((f for f in company.person_fields if f["key"] == "label_ids"), {})
    known = {option["id"] for option in field.get("options") or ()}
    if not isinstance(label_ids, list) or any(label not in known for label in label_ids):
        raise bad_request("Validation failed: label_ids: Unknown label id")
    return [int(label) for label in label_ids]


def _custom_fields(company: Company, values: Any) -> JSON:
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise bad_request("Validation failed: custom_fields: Must be an object")
    fields = {field["key"]: field for field in custom_person_fields(company)}
    for key, value in values.items():
        if key not in fields:
            raise bad_request(f"Validation failed: custom_fields: Unknown field {key!r}")
        if fields[key]["field_type"] == "set" and value == []:
            # the v2 spec: clear a set with null; an empty array is a validation error
            raise bad_request(f"Validation failed: custom_fields.{key}: Use null to clear a set")
    return {key: value for key, value in values.items() if value is not None}
