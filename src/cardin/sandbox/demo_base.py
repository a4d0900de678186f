"""Building blocks of the demo data: a clock relative to "today", users, fields and catalogs."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

JSON = dict[str, Any]
_UUID_NAMESPACE = uuid.UUID("6f0c5a53-3f29-4f0b-9a55-0c4a8c2f3e11")


@dataclass(frozen=True, slots=True)
class DemoClock:
    """Dates and timestamps as offsets in days from a fixed `today`, in Pipedrive's formats."""

    today: date

    def day(self, days: int) -> str:
        """A `YYYY-MM-DD` date `days` from today (negative is the past)."""
        return (self.today + timedelta(days=days)).isoformat()

    def moment(self, days: int, hour: int = 9, minute: int = 0) -> datetime:
        """A UTC moment `days` from today at hour:minute."""
        return datetime.combine(self.today + timedelta(days=days), time(hour, minute), UTC)

    def v2(self, days: int, hour: int = 9, minute: int = 0) -> str:
        """An API v2 timestamp (RFC 3339, Z)."""
        return self.moment(days, hour, minute).strftime("%Y-%m-%dT%H:%M:%SZ")

    def v1(self, days: int, hour: int = 9, minute: int = 0) -> str:
        """An API v1 timestamp (`YYYY-MM-DD HH:MM:SS`, UTC)."""
        return self.moment(days, hour, minute).strftime("%Y-%m-%d %H:%M:%S")


def field_key(company: str, name: str) -> str:
    """A custom field's 40-hex key, stable for a company and field name."""
    return hashlib.sha1(f"{company}/{name}".encode(), usedforsecurity=False).hexdigest()


def stable_uuid(text: str) -> str:
    """A UUID derived from `text` (for permission sets and similar ids)."""
    return str(uuid.uuid5(_UUID_NAMESPACE, text))


@dataclass(frozen=True, slots=True)
class UserSpec:
    """The facts that vary between demo users."""

    id: int
    name: str
    email: str
    locale: str
    timezone: str
    offset: str
    currency: str = "EUR"
    active: bool = True
    admin: bool = False


def build_user(spec: UserSpec, clock: DemoClock, *, created_company: bool = False) -> JSON:
    """A v1 user object (without `is_you`, which depends on who asks)."""
    access = [
        {
            "app": "sales",
            "admin": spec.admin,
            "permission_set_id": stable_uuid(f"sales/{spec.admin}"),
        }
    ]
    if spec.admin:
        access.append({"app": "global", "admin": True, "permission_set_id": stable_uuid("global")})
    return {
        "id": spec.id,
        "name": spec.name,
        "default_currency": spec.currency,
        "locale": spec.locale,
        "lang": 1,
        "email": spec.email,
        "phone": None,
        "activated": spec.active,
        "last_login": clock.v1(-1 if spec.active else -220, 8, 12 + spec.id),
        "created": clock.v1(-1500 + spec.id * 40, 10, 0),
        "modified": clock.v1(-3 if spec.active else -200, 16, 45),
        "has_created_company": created_company,
        "access": access,
        "active_flag": spec.active,
        "timezone_name": spec.timezone,
        "timezone_offset": spec.offset,
        "role_id": 1,
        "icon_url": None,
        "is_deleted": False,
    }


def person_field(
    field_id: int,
    key: str,
    name: str,
    field_type: str,
    clock: DemoClock,
    *,
    options: list[JSON] | None = None,
    options_deleted: list[JSON] | None = None,
    custom: bool = True,
    active: bool = True,
    description: str | None = None,
) -> JSON:
    """A v1 person field object."""
    return {
        "id": field_id,
        "key": key,
        "name": name,
        "order_nr": field_id % 100,
        "field_type": field_type,
        "description": description,
        "add_time": clock.v1(-1400 + field_id % 100, 11, 0),
        "update_time": clock.v1(-300 + field_id % 100, 11, 0),
        "last_updated_by_user_id": 1 if custom else None,
        "created_by_user_id": 1 if custom else None,
        "active_flag": active,
        "edit_flag": custom,
        "index_visible_flag": True,
        "details_visible_flag": True,
        "add_visible_flag": not custom,
        "important_flag": False,
        "bulk_edit_allowed": True,
        "searchable_flag": field_type in ("varchar", "text", "phone"),
        "filtering_allowed": True,
        "sortable_flag": True,
        "mandatory_flag": key == "name",
        "options": options,
        "options_deleted": options_deleted or [],
        "is_subfield": False,
        "subfields": [],
    }


DEFAULT_LABELS = [
    {"id": 1, "label": "Customer", "color": "green"},
    {"id": 2, "label": "Hot lead", "color": "red"},
    {"id": 3, "label": "Warm lead", "color": "yellow"},
    {"id": 4, "label": "Cold lead", "color": "blue"},
]
VISIBILITY_OPTIONS = [
    {"id": "1", "label": "Owner only"},
    {"id": "3", "label": "Owner's visibility group"},
    {"id": "5", "label": "Owner's visibility group and sub-groups"},
    {"id": "7", "label": "Entire company"},
]


def builtin_person_fields(clock: DemoClock, labels: list[JSON]) -> list[JSON]:
    """The built-in person fields every Pipedrive company has (types the v1 spec allows)."""
    specs: list[tuple[str, str, str, list[JSON] | None]] = [
        ("name", "Name", "varchar", None),
        ("first_name", "First name", "varchar", None),
        ("last_name", "Last name", "varchar", None),
        ("email", "Email", "varchar", None),
        ("phone", "Phone", "phone", None),
        ("org_id", "Organization", "org", None),
        ("owner_id", "Owner", "user", None),
        ("label_ids", "Labels", "set", labels),
        ("visible_to", "Visible to", "visible_to", VISIBILITY_OPTIONS),
        ("add_time", "Person created", "date", None),
        ("update_time", "Update time", "date", None),
    ]
    return [
        person_field(9000 + index, key, name, kind, clock, options=options, custom=False)
        for index, (key, name, kind, options) in enumerate(specs, start=1)
    ]


ACTIVITY_TYPES: list[tuple[str, str, str, bool, bool]] = [
    # (name, key_string, icon_key, active, custom)
    ("Call", "call", "call", True, False),
    ("Meeting", "meeting", "meeting", True, False),
    ("Task", "task", "task", True, False),
    ("Deadline", "deadline", "deadline", True, False),
    ("Email", "email", "email", True, False),
    ("Lunch", "lunch", "lunch", True, False),
    ("Product demo", "product_demo", "presentation", True, True),
    ("Site visit", "site_visit", "car", True, True),
    ("Contract review", "contract_review", "document", True, True),
    ("Trade fair", "trade_fair", "plane", True, True),
    ("Webinar", "webinar", "bulb", False, True),
]


def activity_types(clock: DemoClock) -> list[JSON]:
    """v1 activity types: the six defaults plus custom ones, one of them deactivated."""
    return [
        {
            "id": index,
            "order_nr": index,
            "name": name,
            "key_string": key,
            "icon_key": icon,
            "active_flag": active,
            "color": "FFFFFF" if not custom else "3C8DFF",
            "is_custom_flag": custom,
            "add_time": clock.v1(-1500 + index, 9, 0),
            "update_time": clock.v1(-400 + index, 9, 0),
        }
        for index, (name, key, icon, active, custom) in enumerate(ACTIVITY_TYPES, start=1)
    ]


_CURRENCIES = [
    ("EUR", "Euro", 2, "€"),
    ("USD", "US Dollar", 2, "$"),
    ("GBP", "British Pound", 2, "£"),
    ("JPY", "Japanese Yen", 0, "¥"),
    ("SEK", "Swedish Krona", 2, "kr"),
    ("CHF", "Swiss Franc", 2, "CHF"),
    ("PLN", "Polish Zloty", 2, "zł"),
    ("CNY", "Chinese Yuan", 2, "¥"),
    ("AED", "UAE Dirham", 2, "د.إ"),
    ("RUB", "Russian Ruble", 2, "₽"),
]


def currencies() -> list[JSON]:
    """v1 currencies, JPY with no decimals."""
    return [
        {
            "id": index,
            "code": code,
            "name": name,
            "decimal_points": points,
            "symbol": symbol,
            "active_flag": True,
            "is_custom_flag": False,
        }
        for index, (code, name, points, symbol) in enumerate(_CURRENCIES, start=1)
    ]


PIPELINES = [(1, "Sales"), (2, "Partnerships")]
STAGES = [
    # (id, pipeline, name, probability)
    (1, 1, "Qualified", 10),
    (2, 1, "Contact made", 20),
    (3, 1, "Demo scheduled", 40),
    (4, 1, "Proposal made", 60),
    (5, 1, "Negotiations started", 80),
    (6, 2, "Introduction", 10),
    (7, 2, "Evaluation", 50),
    (8, 2, "Contract", 90),
]


def pipelines(clock: DemoClock) -> list[JSON]:
    """v2 pipelines."""
    return [
        {
            "id": pid,
            "name": name,
            "order_nr": pid,
            "is_deleted": False,
            "is_deal_probability_enabled": True,
            "add_time": clock.v2(-1400 + pid),
            "update_time": clock.v2(-90 + pid),
        }
        for pid, name in PIPELINES
    ]


def stages(clock: DemoClock) -> list[JSON]:
    """v2 stages of both pipelines."""
    order = {pid: 0 for pid, _ in PIPELINES}
    result = []
    for sid, pid, name, probability in STAGES:
        order[pid] += 1
        result.append(
            {
                "id": sid,
                "order_nr": order[pid],
                "name": name,
                "is_deleted": False,
                "deal_probability": probability,
                "pipeline_id": pid,
                "is_deal_rot_enabled": pid == 1,
                "days_to_rotten": 30 if pid == 1 else None,
                "add_time": clock.v2(-1400 + sid),
                "update_time": clock.v2(-90 + sid),
            }
        )
    return result
