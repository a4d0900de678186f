"""How stored objects become API answers: v2 persons, organizations, deals; v1 notes and users."""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from cardin.sandbox.counts import deal_counts, organization_counts, person_counts
from cardin.sandbox.data import Company
from cardin.sandbox.query import Query, invalid, query_bool, query_choices, query_list

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
ORGANIZATION_INCLUDE_FIELDS = (
    "next_activity_id",
    "last_activity_id",
    "open_deals_count",
    "related_open_deals_count",
    "closed_deals_count",
    "related_closed_deals_count",
    "email_messages_count",
    "people_count",
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
    "smart_bcc_email",
)
OPTION_TYPES = ("enum", "set")
MAX_CUSTOM_FIELD_KEYS = 15  # `custom_fields`: "A maximum of 15 keys is allowed"


@dataclass(frozen=True, slots=True)
class ItemOptions:
    """The optional parts of a v2 person, organization or deal a request asks for."""

    include: tuple[str, ...] = ()
    custom_keys: tuple[str, ...] | None = None
    option_labels: bool = False
    labels: bool = False

    @classmethod
    def parse(cls, query: Query, include: Collection[str]) -> ItemOptions:
        """Read `include_fields` (from `include`), `custom_fields` and the two label flags."""
        keys = query_list(query, "custom_fields")
        if len(keys) > MAX_CUSTOM_FIELD_KEYS:
            raise invalid("custom_fields", f"A maximum of {MAX_CUSTOM_FIELD_KEYS} keys is allowed")
        return cls(
            include=tuple(query_choices(query, "include_fields", tuple(include))),
            custom_keys=tuple(keys) if "custom_fields" in query else None,
            option_labels=bool(query_bool(query, "include_option_labels")),
            labels=bool(query_bool(query, "include_labels")),
        )

    def without_field_definitions(self, kind: str) -> ItemOptions:
        """These options for an object type whose fields the sandbox does not keep.

        Option labels and label names come from the type's field definitions, which the sandbox
        has for persons only: asking for them on `kind` is refused, never answered without them.
        """
        if self.option_labels:
            raise invalid("include_option_labels", f"{kind} fields are not simulated")
        if self.labels:
            raise invalid("include_labels", f"{kind} labels are not simulated")
        return self


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


def render_person(company: Company, person: JSON, options: ItemOptions) -> JSON:
    """A v2 person as `GET /api/v2/persons/{id}` answers it, with the optional parts asked for."""
    data: JSON = {key: copy.deepcopy(person.get(key)) for key in PERSON_KEYS}
    if company.info.get("contact_sync"):
        data.update({key: copy.deepcopy(person.get(key)) for key in CONTACT_SYNC_KEYS})
    data["custom_fields"] = render_custom_fields(
        company,
        person.get("custom_fields") or {},
        options.custom_keys,
        option_labels=options.option_labels,
    )
    if options.labels:
        data["labels"] = _label_objects(company, person.get("label_ids") or [])
    if options.include:
        counts = person_counts(company, person)
        data.update({name: counts.get(name) for name in options.include if name in counts})
    return data


def render_organization(company: Company, org: JSON, options: ItemOptions) -> JSON:
    """A v2 organization, with the optional parts asked for."""
    data = copy.deepcopy(org)
    data["custom_fields"] = _pick(data.get("custom_fields") or {}, options.custom_keys)
    if options.include:
        counts = organization_counts(company, org)
        data.update({name: counts[name] for name in options.include})
    return data


def render_deal(
    company: Company, deal: JSON, options: ItemOptions, notes: Mapping[int, int] | None = None
) -> JSON:
    """A v2 deal, with the optional parts asked for (a shallow copy: an answer is encoded at once
    and only its top-level keys are set here). `notes`: the deals' note counts when a page of
    deals counted them at once (`note_counts`)."""
    data = dict(deal)
    data["custom_fields"] = _pick(data.get("custom_fields") or {}, options.custom_keys)
    if options.include:
        extra = deal_counts(company, deal, notes)
        data.update({name: extra[name] for name in options.include})
    return data


def _pick(values: Mapping[str, Any], keys: Collection[str] | None) -> JSON:
    return {key: value for key, value in values.items() if keys is None or key in keys}


def _label_objects(company: Company, label_ids: list[int]) -> list[JSON]:
    field = next((f for f in company.person_fields if f["key"] == "label_ids"), None)
    labels = {opt["id"]: opt["label"] for opt in (field or {}).get("options") or ()}
    return [{"id": label_id, "label": labels.get(label_id)} for label_id in label_ids]


def render_activity(activity: JSON, *, attendees: bool) -> JSON:
    """A v2 activity; `attendees` only when asked for with include_fields (a shallow copy, as
    `render_deal`)."""
    data = dict(activity)
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
        **note,
        "person": {"name": person["name"]} if person else None,
        "deal": {"title": deal["title"]} if deal else None,
        "organization": {"name": org["name"]} if org else None,
        "project": None,
        "task_id": note.get("task_id"),
        "task": None,
        "pinned_to_task_flag": bool(note.get("pinned_to_task_flag")),
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
