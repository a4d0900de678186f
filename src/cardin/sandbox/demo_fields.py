"""The demo company's person fields: labels beyond the defaults and all 16 custom field types."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from cardin.sandbox.demo_base import (
    DEFAULT_LABELS,
    DemoClock,
    builtin_person_fields,
    field_key,
    person_field,
)

JSON = dict[str, Any]
COMPANY = "aurora-demo"
DELETED_USER_ID = 7  # the "Account manager" of the rich contact: a user no longer in the company
DELETED_INTEREST_ID = 106  # an option removed from "Interests" but still set on the rich contact

LABELS = [
    *DEFAULT_LABELS,
    {"id": 5, "label": "VIP", "color": "purple"},
    {"id": 6, "label": "Partner", "color": "orange"},
    {"id": 7, "label": "Do not contact", "color": "dark-gray"},
    {"id": 8, "label": "Investor", "color": "pink"},
]
LABEL = {option["label"]: option["id"] for option in LABELS}

INTERESTS = [
    {"id": 101, "label": "Webinars"},
    {"id": 102, "label": "Trade fairs"},
    {"id": 103, "label": "Newsletter"},
    {"id": 104, "label": "Product demos"},
    {"id": 105, "label": "Case studies"},
]
TIERS = [
    {"id": 111, "label": "Bronze", "color": "brown"},
    {"id": 112, "label": "Silver", "color": "gray"},
    {"id": 113, "label": "Gold", "color": "yellow"},
    {"id": 114, "label": "Platinum", "color": "blue"},
]

# (name, type, description); the order is the field order in Pipedrive's settings
CUSTOM_FIELDS: list[tuple[str, str, str]] = [
    ("Department", "varchar", "Department inside the organization"),
    ("Preferred language", "varchar_auto", "Language for calls and documents"),
    ("Background", "text", "How we know them, in their own words"),
    ("Satisfaction score", "double", "Last NPS-style score, 0 to 10"),
    ("Annual budget", "monetary", "Yearly purchasing budget"),
    ("Customer since", "date", "First order date"),
    ("Contract period", "daterange", "Current framework contract"),
    ("Best time to call", "time", "Local time that suits them"),
    ("Office hours", "timerange", "When they are reachable"),
    ("Interests", "set", "Marketing interests"),
    ("Customer tier", "enum", "Commercial tier"),
    ("Account manager", "user", "Responsible colleague"),
    ("Billing organization", "org", "Where invoices go"),
    ("Referred by", "people", "Who introduced them"),
    ("Direct line", "phone", "Desk phone without the switchboard"),
    ("Delivery address", "address", "Goods receiving address"),
]
KEY = {name: field_key(COMPANY, name) for name, _, _ in CUSTOM_FIELDS}
TIMEZONES = {
    "Europe/Paris": 319,
    "Europe/Berlin": 320,
    "Europe/London": 318,
    "Asia/Tokyo": 402,
    "Europe/Stockholm": 325,
    "America/Chicago": 121,
}


def demo_person_fields(clock: DemoClock) -> list[JSON]:
    """Built-in fields, the 16 custom fields and one deactivated custom field."""
    options: dict[str, list[JSON]] = {"Interests": INTERESTS, "Customer tier": TIERS}
    fields = builtin_person_fields(clock, LABELS)
    for index, (name, kind, description) in enumerate(CUSTOM_FIELDS, start=1):
        deleted = (
            [{"id": DELETED_INTEREST_ID, "label": "Print catalogue"}] if kind == "set" else None
        )
        fields.append(
            person_field(
                9100 + index,
                KEY[name],
                name,
                kind,
                clock,
                options=options.get(name),
                options_deleted=deleted,
                description=description,
            )
        )
    fields.append(
        person_field(
            9199,
            field_key(COMPANY, "Fax"),
            "Fax",
            "varchar",
            clock,
            active=False,
            description="No longer used",
        )
    )
    return fields


def time_value(value: str, zone: str, until: str | None = None) -> JSON:
    """A v2 time or timerange value."""
    data: JSON = {"value": value, "timezone_id": TIMEZONES[zone], "timezone_name": zone}
    if until is not None:
        data = {
            "value": value,
            "until": until,
            "timezone_id": TIMEZONES[zone],
            "timezone_name": zone,
        }
    return data


def address_value(
    street: str, number: str, city: str, postal: str, country: str, *, region: str | None = None
) -> JSON:
    """A v2 address value with every subfield."""
    value = f"{street} {number}, {postal} {city}, {country}"
    return {
        "value": value,
        "route": street,
        "street_number": number,
        "subpremise": None,
        "sublocality": None,
        "locality": city,
        "admin_area_level_1": region,
        "admin_area_level_2": None,
        "country": country,
        "postal_code": postal,
        "formatted_address": value,
    }


def rich_custom_values(clock: DemoClock, referrer_id: int) -> JSON:
    """Every custom field filled, including a deleted set option and a deleted user."""
    return {
        KEY["Department"]: "Achats & approvisionnement stratégique",
        KEY["Preferred language"]: "Français",
        KEY["Background"]: (
            "Met at Intersolar Europe in Munich.\n"
            "Runs procurement for 14 solar parks along the Côte d'Azur.\n\n"
            "Cares about: uptime guarantees, local service, French-language documentation."
        ),
        KEY["Satisfaction score"]: 8.7,
        KEY["Annual budget"]: {"value": 250000, "currency": "EUR"},
        KEY["Customer since"]: clock.day(-2210),
        KEY["Contract period"]: {"value": clock.day(-200), "until": clock.day(165)},
        KEY["Best time to call"]: time_value("09:30:00", "Europe/Paris"),
        KEY["Office hours"]: time_value("08:30:00", "Europe/Paris", until="17:30:00"),
        KEY["Interests"]: [101, 103, DELETED_INTEREST_ID],
        KEY["Customer tier"]: 114,
        KEY["Account manager"]: DELETED_USER_ID,
        KEY["Billing organization"]: 2,
        KEY["Referred by"]: referrer_id,
        KEY["Direct line"]: "+33 4 93 00 11 22",
        KEY["Delivery address"]: address_value(
            "Boulevard Stalingrad",
            "12",
            "Nice",
            "06300",
            "France",
            region="Provence-Alpes-Côte d'Azur",
        ),
    }


_DEPARTMENTS = ("Procurement", "Engineering", "Finance", "Operations", "Logistics", "IT", "Sales")
_LANGUAGES = ("English", "Deutsch", "Français", "日本語", "中文", "Русский", "Ελληνικά", "العربية")


def sample_custom_values(rng: random.Random, clock: DemoClock, org_id: int | None) -> JSON:
    """A plausible partial set of custom values for an ordinary contact."""
    # (share of contacts with a value, field, value maker)
    makers: list[tuple[float, str, Callable[[], Any]]] = [
        (0.7, "Department", lambda: rng.choice(_DEPARTMENTS)),
        (0.5, "Preferred language", lambda: rng.choice(_LANGUAGES)),
        (0.6, "Customer tier", lambda: rng.choice(TIERS)["id"]),
        (
            0.5,
            "Interests",
            lambda: sorted(o["id"] for o in rng.sample(INTERESTS, rng.randint(1, 3))),
        ),
        (0.5, "Satisfaction score", lambda: round(rng.uniform(4.0, 10.0), 1)),
        (0.4, "Customer since", lambda: clock.day(-rng.randint(60, 2500))),
        (0.5, "Account manager", lambda: rng.choice((1, 2, 3, 4, 6))),
        (0.3, "Billing organization", lambda: org_id),
        (
            0.3,
            "Annual budget",
            lambda: {
                "value": rng.choice((25_000, 60_000, 120_000, 400_000)),
                "currency": rng.choice(("EUR", "USD")),
            },
        ),
    ]
    values = {KEY[name]: make() for share, name, make in makers if rng.random() < share}
    return {key: value for key, value in values.items() if value is not None}
