"""Typed, tolerant models of the Pipedrive payloads Cardin reads (API v2 first, v1 where needed).

Tolerant: Pipedrive answers `null` for most absent values (more than its OpenAPI files declare),
so nearly every field is optional; timestamps come as v1 "YYYY-MM-DD HH:MM:SS" (UTC) or v2
RFC 3339; a malformed date or time becomes None rather than failing the whole payload. Unknown
properties are ignored. A payload of the wrong shape (a list where an object belongs, a missing
id) still fails validation, and the client reports it as BadResponse. So does a company domain
that is not a DNS label (UnexpectedCompanyDomain): URLs are built from it, so it is refused, not
repaired.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from cardin.pipedrive.urls import company_domain

UNEXPECTED_DOMAIN = "unexpected_company_domain"
"""The validation error type of a `company_domain` that is not a DNS label."""


def _parse_datetime(raw: Any) -> datetime | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    text = raw.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    # v1 timestamps carry no zone and are UTC.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _parse_date(raw: Any) -> date | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip()[:10])
    except ValueError:
        return None


def _parse_time(raw: Any) -> time | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    try:
        return time.fromisoformat(raw.strip())
    except ValueError:
        return None


def _parse_duration(raw: Any) -> timedelta | None:
    if not isinstance(raw, str) or not raw.strip():
        return None
    parts = raw.strip().split(":")
    if not 2 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):  # noqa: PLR2004 - HH:MM[:SS]
        return None
    hours, minutes, *rest = (int(p) for p in parts)
    return timedelta(hours=hours, minutes=minutes, seconds=rest[0] if rest else 0)


def _company_domain(raw: Any) -> str | None:
    # Links and the API base are built from it: anything but one DNS label is refused, not
    # repaired, so that the caller can tell "Pipedrive said something unexpected" apart.
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        with contextlib.suppress(ValueError):
            return company_domain(raw)
    raise PydanticCustomError(UNEXPECTED_DOMAIN, "the company domain is not a DNS label")


def _bool_or_none(raw: Any) -> bool | None:
    # v1 sends 0/1 and sometimes "0"/"1" for flags.
    if raw is None or isinstance(raw, bool):
        return raw
    if isinstance(raw, int | str) and str(raw) in {"0", "1"}:
        return str(raw) == "1"
    return None


Timestamp = Annotated[datetime | None, BeforeValidator(_parse_datetime)]
Day = Annotated[date | None, BeforeValidator(_parse_date)]
TimeOfDay = Annotated[time | None, BeforeValidator(_parse_time)]
Duration = Annotated[timedelta | None, BeforeValidator(_parse_duration)]
Flag = Annotated[bool | None, BeforeValidator(_bool_or_none)]
CompanyDomain = Annotated[str | None, BeforeValidator(_company_domain)]


class PipedriveModel(BaseModel):
    """Base: frozen, ignores unknown properties."""

    model_config = ConfigDict(frozen=True, extra="ignore")


# --- users and company ---------------------------------------------------------------------


class Language(PipedriveModel):
    """The UI language of a user."""

    language_code: str | None = None
    country_code: str | None = None


class User(PipedriveModel):
    """A Pipedrive user (`/v1/users`, `/v1/users/{id}`)."""

    id: int
    name: str | None = None
    email: str | None = None
    active_flag: Flag = True
    is_deleted: Flag = False
    icon_url: str | None = None
    locale: str | None = None
    timezone_name: str | None = None
    default_currency: str | None = None


class CurrentUser(User):
    """The token's user with the company data (`/v1/users/me`)."""

    company_id: int
    company_name: str | None = None
    company_domain: CompanyDomain = None
    language: Language | None = None


# --- metadata ------------------------------------------------------------------------------


class FieldOption(PipedriveModel):
    """An option of an enum or set field; ids are ints for custom fields, strings for built-ins."""

    id: int | str
    label: str | None = None
    color: str | None = None


class PersonField(PipedriveModel):
    """A person field definition (`/api/v2/personFields`)."""

    field_code: str
    field_name: str | None = None
    field_type: str | None = None
    options: list[FieldOption] | None = None
    is_custom_field: Flag = False


class ActivityTypeInfo(PipedriveModel):
    """An activity type (`/v1/activityTypes`); activities name it by `key_string`."""

    id: int
    key_string: str
    name: str | None = None
    icon_key: str | None = None
    active_flag: Flag = True
    order_nr: int | None = None


# --- search, persons, organizations ---------------------------------------------------------


class IdRef(PipedriveModel):
    """An `{id}` object."""

    id: int


class SearchOrganization(PipedriveModel):
    """The organization inside a search result."""

    id: int
    name: str | None = None


class PersonSearchItem(PipedriveModel):
    """A person as `/api/v2/persons/search` returns it: emails and phones as plain strings."""

    id: int
    name: str | None = None
    emails: list[str] | None = None
    phones: list[str] | None = None
    owner: IdRef | None = None
    organization: SearchOrganization | None = None


class SearchHit(PipedriveModel):
    """One result of a search."""

    result_score: float | None = None
    item: PersonSearchItem


class SearchResults(PipedriveModel):
    """The `data` of a search reply."""

    items: list[SearchHit] = Field(default_factory=list)


class ContactPoint(PipedriveModel):
    """An email or phone of a person."""

    value: str | None = None
    primary: Flag = False
    label: str | None = None


class Person(PipedriveModel):
    """A person (`/api/v2/persons/{id}`), with the counts asked for through include_fields."""

    id: int
    name: str | None = None
    owner_id: int | None = None
    org_id: int | None = None
    add_time: Timestamp = None
    update_time: Timestamp = None
    emails: list[ContactPoint] | None = None
    phones: list[ContactPoint] | None = None
    is_deleted: Flag = False
    label_ids: list[int] | None = None
    picture_id: int | None = None
    custom_fields: dict[str, Any] | None = None
    job_title: str | None = None
    open_deals_count: int | None = None
    won_deals_count: int | None = None
    lost_deals_count: int | None = None
    activities_count: int | None = None
    done_activities_count: int | None = None
    undone_activities_count: int | None = None
    notes_count: int | None = None


class Address(PipedriveModel):
    """A postal address object."""

    value: str | None = None
    formatted_address: str | None = None


class OrganizationInfo(PipedriveModel):
    """An organization (`/api/v2/organizations/{id}`)."""

    id: int
    name: str | None = None
    address: Address | None = None


class Picture(PipedriveModel):
    """A person's picture: URLs by size ("128", "512")."""

    pictures: dict[str, str] | None = None


# --- deals, activities, notes ----------------------------------------------------------------


class DealInfo(PipedriveModel):
    """A deal (`/api/v2/deals`)."""

    id: int
    title: str | None = None
    value: float | None = None
    currency: str | None = None
    status: str | None = None
    person_id: int | None = None
    org_id: int | None = None
    owner_id: int | None = None
    stage_id: int | None = None
    add_time: Timestamp = None
    update_time: Timestamp = None
    won_time: Timestamp = None
    lost_time: Timestamp = None
    close_time: Timestamp = None
    expected_close_date: Day = None
    lost_reason: str | None = None
    is_deleted: Flag = False


class ActivityInfo(PipedriveModel):
    """An activity (`/api/v2/activities`)."""

    id: int
    subject: str | None = None
    type: str | None = None
    done: Flag = False
    due_date: Day = None
    due_time: TimeOfDay = None
    duration: Duration = None
    note: str | None = None
    deal_id: int | None = None
    person_id: int | None = None
    owner_id: int | None = None
    add_time: Timestamp = None
    marked_as_done_time: Timestamp = None
    is_deleted: Flag = False


class NoteUser(PipedriveModel):
    """The author of a note, inline in the note."""

    name: str | None = None
    email: str | None = None


class NoteInfo(PipedriveModel):
    """A note (`/v1/notes`); `content` is HTML."""

    id: int
    content: str | None = None
    add_time: Timestamp = None
    update_time: Timestamp = None
    person_id: int | None = None
    deal_id: int | None = None
    user: NoteUser | None = None
    active_flag: Flag = True
    pinned_to_person_flag: Flag = False
    pinned_to_deal_flag: Flag = False
