"""How stored objects become API answers: v2 persons with optional fields, v1 notes, users."""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable
from typing import Any

from cardin.sandbox.data import Company
from cardin.sandbox.errors import bad_request
from cardin.sandbox.paging import query_bool

JSON = dict[str, Any]

PERSON_KEYS = (
    "id",
    "name",
    "first_name",
    "last_name",
    "owner_id",
    "org_id",
    "add_time",
    "update_time",
    "emails",
    "phones",
    "is_deleted",
    "visible_to",
    "label_ids",
    "picture_id",
)
CONTACT_SYNC_KEYS = ("notes", "im", "birthday", "job_title", "postal_address")
PERSON_INCLUDE_FIELDS = (
    "next_activity_id",
    "last_activity_id",
    "open_deals_count",
    "related_open_deals_count",
    "closed_deals_count",
    "related_closed_deals_count",
    "participant_open_deals_count",
    "participant_closed_deals_count",
    "email_messages_count",
    "activities_count",
    "done_activities_count",
    "undone_activities_count",
    "files_count",
    "notes_count",
    "followers_count",
    "won_deals_count",
    "related_won_deals_count",
    "lost_deals_count",
    "related_lost_deals_count",
    "last_incoming_mail_time",
    "last_outgoing_mail_time",
    "marketing_status",
    "doi_status",
    "smart_bcc_email",
)
DEAL_INCLUDE_FIELDS = (
    "next_activity_id",
    "last_activity_id",
    "first_won_time",
    "products_count",
    "files_count",
    "notes_count",
    "followers_count",
    "email_messages_count",
    "activities_count",
    "done_activities_count",
    "undone_activities_count",
    "participants_count",
    "last_incoming_mail_time",
    "last_outgoing_mail_time",
    "smart_bcc_email",
    "source_lead_id",
)
OPTION_TYPES = ("enum", "set")


def check_include(requested: Iterable[str], allowed: Collection[str]) -> list[str]:
    """The requested `include_fields`, or a 400 naming the first one Pipedrive does not know."""
    fields = list(requested)
    for name in fields:
        if name not in allowed:
            raise bad_request(f"Validation failed: include_fields: Unknown field {name!r}")
    return fields


def custom_person_fields(company: Company) -> list[JSON]:
    """The company's custom person fields (v1 shape), in field order."""
    return [f for f in company.person_fields if f.get("edit_flag") and f.get("active_flag", True)]


def _option_labels(field: JSON, value: Any) -> Any:
    labels = {opt["id"]: opt["label"] for opt in field.get("options") or ()}
    if field["field_type"] == "enum":
        return {"id": value, "label": labels.get(value)}
    return [{"id": item, "label": labels.get(item)} for item in value]


def render_custom_fields(
    company: Company, stored: JSON, keys: Collection[str] | None, *, option_labels: bool
) -> JSON:
    """The v2 `custom_fields` map: every custom field's key, its value or None."""
    result: JSON = {}
    for field in custom_person_fields(company):
        key = field["key"]
        if keys is not None and key not in keys:
            continue
        value = copy.deepcopy(stored.get(key))
        if option_labels and value is not None and field["field_type"] in OPTION_TYPES:
            value = _option_labels(field, value)
        result[key] = value
    return result


def render_person(company: Company, person: JSON, query: dict[str, str]) -> JSON:
    """A v2 person as `GET /api/v2/persons/{id}` answers it, honouring the optional parameters."""
    data: JSON = {key: copy.deepcopy(person.get(key)) for key in PERSON_KEYS}
    if company.info.get("contact_sync"):
        data.update({key: copy.deepcopy(person.get(key)) for key in CONTACT_SYNC_KEYS})
    keys = _split(query.get("custom_fields"))
    if keys is not None and len(keys) > 15:  # noqa: PLR2004 - Pipedrive's documented maximum
        raise bad_request("Validation failed: custom_fields: A maximum of 15 keys is allowed")
    data["custom_fields"] = render_custom_fields(
        company,
        person.get("custom_fields") or {},
        keys,
        option_labels=bool(query_bool(query, "include_option_labels")),
    )
    if query_bool(query, "include_labels"):
        data["labels"] = _label_objects(company, person.get("label_ids") or [])
    include = check_include(_split(query.get("include_fields")) or [], PERSON_INCLUDE_FIELDS)
    if include:
        counts = person_counts(company, person)
        data.update({name: counts.get(name) for name in include if name in counts})
    return data


def _split(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [part.strip() for part in text.split(",") if part.strip()]


def _label_objects(company: Company, label_ids: list[int]) -> list[JSON]:
    field = next((f for f in company.person_fields if f["key"] == "label_ids"), None)
    labels = {opt["id"]: opt["label"] for opt in (field or {}).get("options") or ()}
    return [{"id": label_id, "label": labels.get(label_id)} for label_id in label_ids]


def _activity_ids(activities: list[JSON]) -> tuple[int | None, int | None]:
    def when(activity: JSON) -> tuple[str, str, int]:
        return (activity["due_date"] or "", activity.get("due_time") or "", activity["id"])

    undone = sorted((a for a in activities if not a["done"]), key=when)
    done = sorted((a for a in activities if a["done"]), key=when)
    return (undone[0]["id"] if undone else None, done[-1]["id"] if done else None)


def person_counts(company: Company, person: JSON) -> JSON:
    """Every count field of a person, computed from its deals, activities and notes."""
    deals = [d for d in company.linked("deals.person_id", person["id"]) if not d["is_deleted"]]
    activities = [
        a for a in company.linked("activities.person_id", person["id"]) if not a["is_deleted"]
    ]
    notes = [n for n in company.linked("notes.person_id", person["id"]) if n["active_flag"]]
    statuses = [deal["status"] for deal in deals]
    won, lost, open_ = statuses.count("won"), statuses.count("lost"), statuses.count("open")
    done = sum(1 for a in activities if a["done"])
    next_id, last_id = _activity_ids(activities)
    return {
        "next_activity_id": next_id,
        "last_activity_id": last_id,
        "open_deals_count": open_,
        "related_open_deals_count": open_,
        "closed_deals_count": won + lost,
        "related_closed_deals_count": won + lost,
        "participant_open_deals_count": 0,
        "participant_closed_deals_count": 0,
        "won_deals_count": won,
        "related_won_deals_count": won,
        "lost_deals_count": lost,
        "related_lost_deals_count": lost,
        "activities_count": len(activities),
        "done_activities_count": done,
        "undone_activities_count": len(activities) - done,
        "notes_count": len(notes),
        "email_messages_count": 0,
        "files_count": 0,
        "followers_count": 1,
        "last_incoming_mail_time": None,
        "last_outgoing_mail_time": None,
        "smart_bcc_email": f"{company.info['domain']}+person{person['id']}@pipedrivemail.com",
    }


def render_deal(company: Company, deal: JSON, include: list[str]) -> JSON:
    """A v2 deal, with the requested `include_fields` computed from the data."""
    data = copy.deepcopy(deal)
    if not include:
        return data
    activities = [
        a for a in company.linked("activities.deal_id", deal["id"]) if not a["is_deleted"]
    ]
    notes = [n for n in company.notes if n.get("deal_id") == deal["id"] and n["active_flag"]]
    done = sum(1 for a in activities if a["done"])
    next_id, last_id = _activity_ids(activities)
    extra: JSON = {
        "next_activity_id": next_id,
        "last_activity_id": last_id,
        "first_won_time": deal.get("won_time"),
        "products_count": 0,
        "files_count": 0,
        "notes_count": len(notes),
        "followers_count": 1,
        "email_messages_count": 0,
        "activities_count": len(activities),
        "done_activities_count": done,
        "undone_activities_count": len(activities) - done,
        "participants_count": 1 if deal.get("person_id") else 0,
        "last_incoming_mail_time": None,
        "last_outgoing_mail_time": None,
        "smart_bcc_email": f"{company.info['domain']}+deal{deal['id']}@pipedrivemail.com",
        "source_lead_id": deal.get("source_lead_id"),
    }
    data.update({name: extra[name] for name in include})
    return data


def render_activity(activity: JSON, *, attendees: bool) -> JSON:
    """A v2 activity; `attendees` only when asked for with include_fields."""
    data = copy.deepcopy(activity)
    if not attendees:
        data.pop("attendees", None)
    return data


def render_user(user: JSON, me_id: int) -> JSON:
    """A v1 user as seen by the user `me_id` (`is_you`)."""
    return {**copy.deepcopy(user), "is_you": user["id"] == me_id}


def render_note(company: Company, note: JSON, me_id: int) -> JSON:
    """A v1 note with its inline `person`, `deal`, `organization` and `user` objects."""
    person = company.get("persons", note.get("person_id"))
    deal = company.get("deals", note.get("deal_id"))
    org = company.get("organizations", note.get("org_id"))
    user = company.get("users", note.get("user_id")) or {}
    return {
        **copy.deepcopy(note),
        "person": {"name": person["name"]} if person else None,
        "deal": {"title": deal["title"]} if deal else None,
        "organization": {"name": org["name"]} if org else None,
        "project": None,
        "user": {
            "email": user.get("email"),
            "icon_url": user.get("icon_url"),
            "is_you": note.get("user_id") == me_id,
            "name": user.get("name"),
        },
    }


def person_field_v2(field: JSON, include: Collection[str]) -> JSON:
    """A v1 person field in the v2 Fields API shape."""
    options = field.get("options")
    data: JSON = {
        "field_name": field["name"],
        "field_code": field["key"],
        "description": field.get("description"),
        "field_type": field["field_type"],
        "options": [_option_v2(opt) for opt in options] if options else None,
        "subfields": _subfields(field),
        "is_custom_field": bool(field["edit_flag"]),
        "is_optional_response_field": False,
    }
    if "ui_visibility" in include:
        data["ui_visibility"] = {
            "add_visible_flag": field.get("add_visible_flag", True),
            "details_visible_flag": field.get("details_visible_flag", True),
        }
    if "important_fields" in include:
        data["important_fields"] = {"enabled": bool(field.get("important_flag")), "stage_ids": []}
    if "required_fields" in include:
        data["required_fields"] = {"enabled": bool(field.get("mandatory_flag"))}
    return data


def _option_v2(option: JSON) -> JSON:
    return {
        "id": option["id"],
        "label": option["label"],
        "color": option.get("color"),
        "add_time": None,
        "update_time": None,
    }


_ADDRESS_PARTS = (
    "subpremise",
    "street_number",
    "route",
    "sublocality",
    "locality",
    "admin_area_level_1",
    "admin_area_level_2",
    "country",
    "postal_code",
    "formatted_address",
)


def _subfields(field: JSON) -> list[JSON] | None:
    key = field["key"]
    if field["field_type"] == "monetary":
        return [
            {"field_code": f"{key}_currency", "field_name": "Currency", "field_type": "varchar"}
        ]
    if field["field_type"] == "address":
        return [
            {
                "field_code": f"{key}_{part}",
                "field_name": part.replace("_", " ").capitalize(),
                "field_type": "varchar",
            }
            for part in _ADDRESS_PARTS
        ]
    return None
