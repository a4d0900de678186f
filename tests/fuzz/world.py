"""One small, consistent Pipedrive account as raw JSON replies, for the fake upstream.

The looked-up address belongs to two persons (the best match and another); the best one has an
organization, labels, an owner, one custom field of each of Pipedrive's 16 types (three of them
referring to a user, an organization and a person that the lookup must resolve), notes, two deals
with notes and activities, and activities of its own. So a lookup of `EMAIL` makes every call the
engine knows (`Call`), each once or more.

Every text Pipedrive can hold comes from `World.text(slot)`: the hostile-data test swaps it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

EMAIL = "ada@engines.example"
COMPANY_ID = 5001
COMPANY_DOMAIN = "engines"
ME_ID = 11
OWNER_ID = 12  # in /v1/users
REF_USER_ID = 13  # only through /v1/users/{id} (a custom field refers to it)
BEST_ID = 101
OTHER_ID = 102  # has EMAIL as a secondary address
REF_PERSON_ID = 103  # a custom field refers to it
ORG_ID = 201
REF_ORG_ID = 202
DEAL_IDS = (301, 302)
PIPELINE_IDS = (1, 2)
PICTURE_URL = "https://pictures.pipedrive.example/101_128.jpg"

Json = dict[str, Any]

# field code → (type, the v2 value on the person; `str` parts name their text slot)
FIELD_TYPES = (
    "varchar", "varchar_auto", "text", "double", "monetary", "date", "daterange", "time",
    "timerange", "set", "enum", "user", "org", "people", "phone", "address",
)  # fmt: skip

PLAIN: Mapping[str, str] = {
    "me.name": "Sam Seller",
    "me.company_name": "Analytical Engines Ltd",
    "me.locale": "en_US",
    "me.timezone_name": "Europe/Berlin",
    "me.default_currency": "EUR",
    "me.email": "sam@engines.example",
    "person.name": "Ada Lovelace",
    "person.job_title": "Countess",
    "other.name": "Ada L. (old record)",
    "referenced_person.name": "Mary Somerville",
    "organization.name": "Babbage & Co",
    "organization.address": "12 St James's Sq, London",
    "user.name": "Kim Lee",
    "owner.name": "Sam Seller",
    "owner.email": "sam@engines.example",
    "deal.title": "Engines for 50 seats",
    "deal.lost_reason": "Went with a competitor",
    "deal.currency": "EUR",
    "pipeline.name": "Sales",
    "stage.name": "Qualified",
    "activity.subject": "Demo call",
    "activity.note": "<p>Bring the <b>slides</b></p>",
    "activity_type.name": "Call",
    "activity_type.key": "site_visit",
    "activity_type.icon": "car",
    "activity.type": "follow_up",
    "note.content": '<p>Wants <b>50 seats</b>, see <a href="https://engines.example/rfp">RFP</a></p>',
    "note.author": "Sam Seller",
    "email.label": "work",
    "phone.label": "mobile",
    "phone.value": "+44 20 7946 0018",
    "label.name": "Customer",
    "label.color": "green",
    "field.name": "Custom field",
    "option.label": "Gold",
    "field.varchar": "Countess of Lovelace",
    "field.varchar_auto": "Computing",
    "field.text": "Mathematician.\nWrote the first program.",
    "field.monetary.currency": "EUR",
    "field.phone": "+44 20 7946 0000",
    "field.address": "10 Downing St, London SW1A 2AA, UK",
    "field.address.country": "United Kingdom",
    "field.address.locality": "London",
    "field.time.zone": "Europe/London",
}


def plain(slot: str) -> str:
    """The realistic text of a slot (`PLAIN`, else a readable stand-in)."""
    return PLAIN.get(slot, slot.replace(".", " ").capitalize())


def envelope(data: object, **additional: object) -> Json:
    """A successful Pipedrive reply."""
    reply: Json = {"success": True, "data": data}
    if additional:
        reply["additional_data"] = dict(additional)
    return reply


@dataclass(frozen=True)
class World:
    """The account's replies; `text` gives every text Pipedrive holds, `raw_fields` (when set)
    replaces every custom field value of the best person with that raw JSON value."""

    text: Callable[[str], str] = plain
    raw_fields: object = None
    fields: tuple[str, ...] = field(default=FIELD_TYPES)

    # --- metadata ----------------------------------------------------------------------------

    def me(self) -> Json:
        t = self.text
        return envelope(
            {
                "id": ME_ID,
                "name": t("me.name"),
                "email": t("me.email"),
                "company_id": COMPANY_ID,
                "company_name": t("me.company_name"),
                "company_domain": COMPANY_DOMAIN,
                "locale": t("me.locale"),
                "timezone_name": t("me.timezone_name"),
                "default_currency": t("me.default_currency"),
                "language": {"language_code": "en", "country_code": "US"},
                "active_flag": True,
                "is_deleted": False,
            }
        )

    def user(self, user_id: int) -> Json:
        t = self.text
        name = t("owner.name") if user_id == OWNER_ID else t("user.name")
        return {
            "id": user_id,
            "name": name,
            "email": t("owner.email"),
            "active_flag": user_id != REF_USER_ID,
            "is_deleted": False,
            "icon_url": None,
        }

    def users(self) -> Json:
        return envelope([self.user(ME_ID), self.user(OWNER_ID)])

    def activity_types(self) -> Json:
        t = self.text
        types = [
            ("call", "call"),
            ("meeting", "meeting"),
            ("custom_demo", "presentation"),
            (t("activity_type.key"), t("activity_type.icon")),
        ]
        return envelope(
            [
                {
                    "id": i,
                    "key_string": key,
                    "name": t("activity_type.name"),
                    "icon_key": icon,
                    "active_flag": True,
                }
                for i, (key, icon) in enumerate(types, start=1)
            ]
        )

    def person_fields(self) -> Json:
        t = self.text
        options = [{"id": i, "label": t("option.label"), "color": None} for i in (1, 2, 3)]
        label_options = [
            {"id": 1, "label": t("label.name"), "color": t("label.color")},
            {"id": 2, "label": t("label.name"), "color": "red"},
        ]
        fields: list[Json] = [
            {"field_code": "name", "field_name": "Name", "field_type": "varchar"},
            {
                "field_code": "label_ids",
                "field_name": "Labels",
                "field_type": "set",
                "options": label_options,
                "is_custom_field": False,
            },
        ]
        fields.extend(
            {
                "field_code": f"cf_{kind}",
                "field_name": f"{t('field.name')} ({kind})",
                "field_type": kind,
                "options": options if kind in ("set", "enum") else None,
                "is_custom_field": True,
            }
            for kind in self.fields
        )
        return envelope(fields, next_cursor=None)

    def pipelines(self) -> Json:
        t = self.text
        pipelines = [
            {"id": i, "name": t("pipeline.name"), "order_nr": i, "is_deleted": False}
            for i in PIPELINE_IDS
        ]
        return envelope(pipelines, next_cursor=None)

    def stages(self) -> Json:
        t = self.text
        stages = [
            {"id": 10 * p + n, "name": t("stage.name"), "pipeline_id": p, "order_nr": n}
            for p in PIPELINE_IDS
            for n in (1, 2)
        ]
        return envelope(stages, next_cursor=None)

    # --- persons -----------------------------------------------------------------------------

    def search(self) -> Json:
        t = self.text
        items = [
            {
                "result_score": 1.0,
                "item": {
                    "id": person_id,
                    "type": "person",
                    "name": t(slot),
                    "emails": [EMAIL],
                    "phones": [],
                    "owner": {"id": OWNER_ID},
                    "organization": {"id": ORG_ID, "name": t("organization.name")},
                },
            }
            for person_id, slot in ((BEST_ID, "person.name"), (OTHER_ID, "other.name"))
        ]
        return envelope({"items": items}, next_cursor=None)

    def person(self, person_id: int) -> Json:
        if person_id == BEST_ID:
            return envelope(self._best())
        t = self.text
        if person_id == OTHER_ID:
            emails = [
                {"value": f"other@{COMPANY_DOMAIN}.example", "primary": True, "label": "work"},
                {"value": EMAIL, "primary": False, "label": t("email.label")},
            ]
            return envelope(
                {"id": OTHER_ID, "name": t("other.name"), "emails": emails, "org_id": REF_ORG_ID}
            )
        return envelope({"id": person_id, "name": t("referenced_person.name")})

    def _best(self) -> Json:
        t = self.text
        return {
            "id": BEST_ID,
            "name": t("person.name"),
            "owner_id": OWNER_ID,
            "org_id": ORG_ID,
            "add_time": "2024-02-01T10:00:00Z",
            "update_time": "2026-11-01T09:30:00Z",
            "emails": [
                {"value": EMAIL, "primary": True, "label": "work"},
                {"value": f"ada.home@{COMPANY_DOMAIN}.example", "label": t("email.label")},
            ],
            "phones": [
                {"value": t("phone.value"), "primary": True, "label": t("phone.label")},
                {"value": "+44 20 7946 0019", "primary": False, "label": "home"},
            ],
            "is_deleted": False,
            "label_ids": [1, 2],
            "picture_id": 7,
            "job_title": t("person.job_title"),
            "custom_fields": self._custom_values(),
            "open_deals_count": 1,
            "won_deals_count": 1,
            "lost_deals_count": 0,
            "activities_count": 3,
            "done_activities_count": 1,
            "undone_activities_count": 2,
            "notes_count": 2,
        }

    def _custom_values(self) -> Json:
        if self.raw_fields is not None:
            return {f"cf_{kind}": self.raw_fields for kind in self.fields}
        t = self.text
        values: Json = {
            "varchar": t("field.varchar"),
            "varchar_auto": t("field.varchar_auto"),
            "text": t("field.text"),
            "double": 1234.5,
            "monetary": {"value": 25000, "currency": t("field.monetary.currency")},
            "date": "1815-12-10",
            "daterange": {"value": "2026-01-01", "until": "2026-12-31"},
            "time": {"value": "09:30:00", "timezone_name": t("field.time.zone")},
            "timerange": {
                "value": "09:00:00",
                "until": "17:00:00",
                "timezone_name": t("field.time.zone"),
            },
            "set": [1, 2],
            "enum": 3,
            "user": REF_USER_ID,
            "org": REF_ORG_ID,
            "people": REF_PERSON_ID,
            "phone": t("field.phone"),
            "address": {
                "value": t("field.address"),
                "formatted_address": t("field.address"),
                "country": t("field.address.country"),
                "locality": t("field.address.locality"),
            },
        }
        return {f"cf_{kind}": values[kind] for kind in self.fields}

    def picture(self) -> Json:
        return envelope({"id": 7, "item_id": BEST_ID, "pictures": {"128": PICTURE_URL}})

    def organization(self, org_id: int) -> Json:
        t = self.text
        address = {"value": t("organization.address")}
        return envelope({"id": org_id, "name": t("organization.name"), "address": address})

    # --- deals, activities, notes ------------------------------------------------------------

    def deals(self) -> Json:
        t = self.text
        first, second = DEAL_IDS
        deals = [
            {
                "id": first,
                "title": t("deal.title"),
                "value": 25000,
                "currency": t("deal.currency"),
                "status": "open",
                "person_id": BEST_ID,
                "org_id": ORG_ID,
                "owner_id": OWNER_ID,
                "add_time": "2026-09-01T10:00:00Z",
                "update_time": "2026-11-20T10:00:00Z",
                "expected_close_date": "2026-12-15",
            },
            {
                "id": second,
                "title": t("deal.title"),
                "value": 9900,
                "currency": "USD",
                "status": "lost",
                "person_id": BEST_ID,
                "org_id": REF_ORG_ID,
                "add_time": "2025-01-01T10:00:00Z",
                "update_time": "2025-11-03T10:00:00Z",
                "lost_time": "2025-11-03T10:00:00Z",
                "lost_reason": t("deal.lost_reason"),
            },
        ]
        return envelope(deals, next_cursor=None)

    def activities(self, deal_id: int | None) -> Json:
        t = self.text
        base = 400 + (deal_id or 0)
        rows = [
            (1, "call", False, "2026-12-01", "13:00:00"),
            (2, "meeting", True, "2026-10-01", None),
            (3, "custom_demo", False, "2026-11-02", None),
            (4, self.text("activity.type"), False, None, None),
        ]
        activities = [
            {
                "id": base + n,
                "subject": t("activity.subject"),
                "type": kind,
                "done": done,
                "due_date": due,
                "due_time": due_time,
                "duration": "00:30",
                "note": t("activity.note"),
                "deal_id": deal_id if deal_id is not None else DEAL_IDS[0],
                "person_id": BEST_ID,
                "owner_id": OWNER_ID,
                "is_deleted": False,
            }
            for n, kind, done, due, due_time in rows
        ]
        return envelope(activities, next_cursor=None)

    def notes(self, deal_id: int | None) -> Json:
        t = self.text
        notes = [
            {
                "id": 500 + (deal_id or 0) + n,
                "content": t("note.content"),
                "add_time": f"2026-11-0{n} 09:00:00",
                "update_time": f"2026-11-0{n} 09:00:00",
                "person_id": BEST_ID,
                "deal_id": deal_id,
                "user": {"name": t("note.author"), "email": t("owner.email")},
                "active_flag": True,
                "pinned_to_person_flag": n == 1,
            }
            for n in (1, 2)
        ]
        return envelope(notes)
