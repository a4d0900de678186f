"""Typed, tolerant models of the Pipedrive payloads Cardin reads (API v2 first, v1 where needed).

Tolerant per field: Pipedrive answers `null` for more values than its OpenAPI files declare, and
a hostile or broken upstream can send anything. A property that cannot be read (null where a
value belongs, the wrong type, a NaN) is dropped and takes its default; an unreadable element of
a list or an object of values is dropped from it; each drop is logged at debug level, without
the value. Only the identity fields without which there is no item (an id, a field's code, an
activity type's key) fail the item; the item is then dropped from the list it came in, and a
reply that is not an object at all still fails, which the client reports as BadResponse.
A company domain that is not a DNS label is refused, not dropped (UnexpectedCompanyDomain):
URLs are built from it, so the caller must be able to say Pipedrive reported something odd.
Timestamps come as v1 "YYYY-MM-DD HH:MM:SS" (UTC) or v2 RFC 3339. Unknown properties are ignored.
"""

from __future__ import annotations

import contextlib
import logging
import types
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, ClassVar, Self, Union, get_args, get_origin

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationError,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from cardin.pipedrive.urls import company_domain

log = logging.getLogger(__name__)
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
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # "0001-01-01T00:00:00+05:00" lies before the first representable UTC
        return None


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
    try:
        return timedelta(hours=hours, minutes=minutes, seconds=rest[0] if rest else 0)
    except OverflowError:  # beyond timedelta's 999,999,999 days: no duration either
        return None


def _company_domain(raw: Any) -> str | None:
    # Links and the API base are built from it: anything but one DNS label is refused, not
    # repaired, so that the caller can tell "Pipedrive said something unexpected" apart.
    if raw is None or raw == "":
        return None
    if isinstance(raw, str):
        with contextlib.suppress(ValueError):
            return company_domain(raw)
    raise PydanticCustomError(UNEXPECTED_DOMAIN, "the company domain is not a DNS label")


def _flag(raw: Any) -> bool:
    # v1 sends 0/1 and sometimes "0"/"1" for flags; anything else is unreadable (and so dropped,
    # leaving the field's default).
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | str) and str(raw) in {"0", "1"}:
        return str(raw) == "1"
    raise ValueError("not a flag")


Timestamp = Annotated[datetime | None, BeforeValidator(_parse_datetime)]
Day = Annotated[date | None, BeforeValidator(_parse_date)]
TimeOfDay = Annotated[time | None, BeforeValidator(_parse_time)]
Duration = Annotated[timedelta | None, BeforeValidator(_parse_duration)]
Flag = Annotated[bool, BeforeValidator(_flag)]
CompanyDomain = Annotated[str | None, BeforeValidator(_company_domain)]
# Pipedrive's ids are positive 64-bit integers (and stored as such): anything else is no id
Id = Annotated[int, Field(ge=0, le=2**63 - 1)]


class PipedriveModel(BaseModel):
    """Base: frozen, ignores unknown properties, drops the properties it cannot read."""

    model_config = ConfigDict(frozen=True, extra="ignore", allow_inf_nan=False)

    # Lists read whole or not at all: an unreadable element fails the model instead of vanishing.
    whole_lists: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="wrap")
    @classmethod
    def _drop_unreadable(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        try:
            return handler(data)
        except ValidationError as exc:
            if not isinstance(data, Mapping):
                raise
            return handler(_without_unreadable(cls, data, exc))


def _without_unreadable(
    model: type[PipedriveModel], data: Mapping[str, Any], exc: ValidationError
) -> dict[str, Any]:
    """`data` without what `exc` found unreadable; re-raises `exc` when an identity field is."""
    readable = dict(data)
    dropped: dict[str, set[int | str]] = {}
    for error in exc.errors():
        loc = error["loc"]
        name = loc[0] if loc else None
        field = model.model_fields.get(name) if isinstance(name, str) else None
        refused = error["type"] == UNEXPECTED_DOMAIN  # refused on purpose: not "unreadable"
        if refused or field is None or not isinstance(name, str) or name in model.whole_lists:
            raise exc
        value = readable.get(name)
        if len(loc) > 1 and _holds_items(field) and isinstance(value, list | Mapping):
            dropped.setdefault(name, set()).add(loc[1])
        elif field.is_required():
            raise exc
        else:
            readable.pop(name, None)
        where = ".".join(str(part) for part in loc)
        log.debug("Pipedrive %s: dropped unreadable %s (%s)", model.__name__, where, error["type"])
    for name, keys in dropped.items():
        readable[name] = _without_items(readable[name], keys)
    return readable


def _holds_items(field: FieldInfo) -> bool:
    """Whether the field is a list or an object of values (whose elements can be dropped)."""
    annotation = field.annotation
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return any(get_origin(arg) in (list, dict) for arg in get_args(annotation))
    return origin in (list, dict)


def _without_items(value: list[Any] | Mapping[str, Any], keys: set[int | str]) -> Any:
    if isinstance(value, list):
        return [item for index, item in enumerate(value) if index not in keys]
    return {key: item for key, item in value.items() if key not in keys}


# --- users and company ---------------------------------------------------------------------


class Language(PipedriveModel):
    """The UI language of a user."""

    language_code: str | None = None
    country_code: str | None = None


class User(PipedriveModel):
    """A Pipedrive user (`/v1/users`, `/v1/users/{id}`)."""

    id: Id
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

    company_id: Id
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


class Pipeline(PipedriveModel):
    """A pipeline (`/api/v2/pipelines`); a deal's stage belongs to one."""

    id: int
    name: str | None = None
    order_nr: int | None = None
    is_deleted: Flag = False


class Stage(PipedriveModel):
    """A stage of a pipeline (`/api/v2/stages`), ordered within it by `order_nr`."""

    id: int
    name: str | None = None
    pipeline_id: int | None = None
    order_nr: int | None = None
    is_deleted: Flag = False


class ActivityTypeInfo(PipedriveModel):
    """An activity type (`/v1/activityTypes`); activities name it by `key_string`."""

    id: int | None = None
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
    """The `data` of a search reply; a hit that cannot be read fails the search.

    Dropping it could turn a match into "no match", and the card would then offer to add a
    person who is already there.
    """

    whole_lists: ClassVar[frozenset[str]] = frozenset({"items"})

    items: list[SearchHit] = Field(default_factory=list)


class OrganizationSearchItem(PipedriveModel):
    """An organization as `/api/v2/organizations/search` returns it."""

    id: int
    name: str | None = None


class OrganizationSearchHit(PipedriveModel):
    """One result of an organization search."""

    result_score: float | None = None
    item: OrganizationSearchItem


class OrganizationSearchResults(PipedriveModel):
    """The `data` of an organization search; a hit that cannot be read fails the search.

    Dropping it could turn "this organization exists" into "create it": a duplicate.
    """

    whole_lists: ClassVar[frozenset[str]] = frozenset({"items"})

    items: list[OrganizationSearchHit] = Field(default_factory=list)


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
    """An organization (`/api/v2/organizations/{id}`); fetched by id, so its own is not needed."""

    id: int | None = None
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
    activities_count: int | None = None
    notes_count: int | None = None


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
