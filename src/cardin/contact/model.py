"""What a looked-up contact is: frozen, typed data that the cards and the terminal view render.

Nothing here knows HTTP, Pipedrive's JSON or Google's cards. Values that depend on the reader's
locale (dates, money) stay typed here and are formatted at render time (`cardin.i18n`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Generic, TypeVar

T = TypeVar("T")

# --- custom field values -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TextValue:
    """Free text (varchar, varchar_auto, text, and the fallback for unknown types)."""

    text: str
    multiline: bool = False


@dataclass(frozen=True, slots=True)
class NumberValue:
    """A plain number (double)."""

    number: Decimal


@dataclass(frozen=True, slots=True)
class MoneyValue:
    """An amount in a currency; `currency` is an ISO 4217 or Pipedrive custom code."""

    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class DateSpan:
    """A date (end is None) or a date range (either end may be missing when half-filled)."""

    start: date | None
    end: date | None = None
    is_range: bool = False


@dataclass(frozen=True, slots=True)
class TimeSpan:
    """A time of day or a time range, with the time zone Pipedrive stored it in (if any)."""

    start: time | None
    end: time | None = None
    is_range: bool = False
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class OptionsValue:
    """Chosen option labels of an enum (one) or set (several) field."""

    labels: tuple[str, ...]


class RefKind(enum.StrEnum):
    """What a reference field points at in Pipedrive."""

    USER = "user"
    ORGANIZATION = "organization"
    PERSON = "person"


@dataclass(frozen=True, slots=True)
class Reference:
    """A user, organization or person; `name` is None when it could not be resolved."""

    kind: RefKind
    id: int
    name: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class PhoneValue:
    """A phone number field (tap to call)."""

    number: str


@dataclass(frozen=True, slots=True)
class AddressValue:
    """A postal address; `formatted` is the one-line form."""

    formatted: str
    country: str | None = None
    locality: str | None = None


FieldData = (
    TextValue
    | NumberValue
    | MoneyValue
    | DateSpan
    | TimeSpan
    | OptionsValue
    | Reference
    | PhoneValue
    | AddressValue
)


@dataclass(frozen=True, slots=True)
class FieldValue:
    """One non-empty custom field of a person: its name, Pipedrive type and typed value."""

    key: str
    name: str
    field_type: str
    value: FieldData


# --- the person ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Email:
    """An email address of the person; `label` is work, home or other."""

    value: str
    label: str = "work"
    is_primary: bool = False


@dataclass(frozen=True, slots=True)
class Phone:
    """A phone number of the person; `label` is work, home, mobile or other."""

    value: str
    label: str = "work"
    is_primary: bool = False


@dataclass(frozen=True, slots=True)
class Label:
    """A person label, with its Pipedrive colour name (blue, green, ...) when it has one."""

    id: int
    name: str
    color: str | None = None


@dataclass(frozen=True, slots=True)
class Organization:
    """The person's organization."""

    id: int
    name: str
    url: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class Owner:
    """A Pipedrive user: the owner of a person, deal or activity."""

    id: int
    name: str
    email: str | None = None
    is_active: bool = True
    icon_url: str | None = None


@dataclass(frozen=True, slots=True)
class Note:
    """A note; `html` is already reduced to the card-safe subset (`cardin.contact.notes`)."""

    id: int
    html: str
    added: datetime | None = None
    updated: datetime | None = None
    author: str | None = None
    is_pinned: bool = False


class DealStatus(enum.StrEnum):
    """Pipedrive deal status."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"


class ActivityState(enum.StrEnum):
    """Where an activity stands relative to now."""

    DONE = "done"
    OVERDUE = "overdue"
    PLANNED = "planned"


@dataclass(frozen=True, slots=True)
class ActivityType:
    """An activity type: `key` is Pipedrive's key_string, `icon_key` one of its 40 icon names."""

    key: str
    name: str
    icon_key: str


@dataclass(frozen=True, slots=True)
class Activity:
    """An activity of the person or of a deal."""

    id: int
    subject: str
    type: ActivityType
    is_done: bool
    state: ActivityState
    due_date: date | None = None
    due_time: time | None = None
    duration: timedelta | None = None
    note_html: str | None = None
    deal_id: int | None = None
    deal_title: str | None = None
    deal_url: str | None = None
    url: str | None = None
    marked_done: datetime | None = None


# No slots: typing assigns __orig_class__ on Section[T](...) instances.
@dataclass(frozen=True)
class Section(Generic[T]):
    """A list section of the contact: the items fetched, or why they could not be fetched.

    `total` counts every item Pipedrive has (it can exceed `len(items)` when the lookup fetched
    only the most relevant ones); `error` is set when this part is unavailable.
    """

    items: tuple[T, ...] = ()
    total: int = 0
    error: SectionError | None = None

    @property
    def is_available(self) -> bool:
        """Whether this part was fetched (possibly empty)."""
        return self.error is None


class SectionErrorKind(enum.StrEnum):
    """Why a part of the contact is missing: the card words and offers a retry from this."""

    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"
    FORBIDDEN = "forbidden"
    BAD_RESPONSE = "bad_response"


@dataclass(frozen=True, slots=True)
class SectionError:
    """A part of the lookup that failed; `retry_after` in seconds for rate limits."""

    kind: SectionErrorKind
    message: str
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class Deal:
    """A deal of the person, with its notes and activities when those were fetched."""

    id: int
    title: str
    status: DealStatus
    value: MoneyValue | None
    url: str
    organization: Organization | None = None
    expected_close: date | None = None
    won_time: datetime | None = None
    lost_time: datetime | None = None
    lost_reason: str | None = None
    added: datetime | None = None
    updated: datetime | None = None
    stage: str | None = None
    notes: Section[Note] | None = None
    activities: Section[Activity] | None = None


@dataclass(frozen=True, slots=True)
class DealsOverview:
    """Counts over all of the person's deals, and the open value per currency."""

    total: int
    open: int
    won: int
    lost: int
    open_value: tuple[MoneyValue, ...] = ()


@dataclass(frozen=True, slots=True)
class ActivitiesOverview:
    """Counts over the person's activities and the next one due."""

    total: int
    done: int
    overdue: int
    planned: int
    next_due: Activity | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    """A Pipedrive person as the side panel shows them."""

    id: int
    name: str
    url: str
    emails: tuple[Email, ...] = ()
    phones: tuple[Phone, ...] = ()
    labels: tuple[Label, ...] = ()
    organization: Organization | None = None
    fields: tuple[FieldValue, ...] = ()
    fields_error: SectionError | None = None
    is_active: bool = True
    added: datetime | None = None
    updated: datetime | None = None
    picture_url: str | None = None
    job_title: str | None = None
    owner: Owner | None = None
    owner_error: SectionError | None = None
    notes: Section[Note] = field(default_factory=Section)
    deals: Section[Deal] = field(default_factory=Section)
    deals_overview: DealsOverview | None = None
    activities: Section[Activity] = field(default_factory=Section)
    activities_overview: ActivitiesOverview | None = None

    @property
    def primary_email(self) -> Email | None:
        """The primary email, else the first one."""
        return next(
            (e for e in self.emails if e.is_primary), self.emails[0] if self.emails else None
        )


# --- the answer of a lookup ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MatchReason:
    """Why this person matched: the address that matched and how it is filed on the person."""

    email: str
    label: str
    is_primary: bool

    def describe(self) -> str:
        """English one-liner for logs and the terminal ('primary work email a@b.c')."""
        rank = "primary" if self.is_primary else "secondary"
        return f"{rank} {self.label} email {self.email}"


@dataclass(frozen=True, slots=True)
class OtherMatch:
    """Another person with the same address, listed below the best match."""

    id: int
    name: str
    url: str
    organization: str | None
    reason: MatchReason


@dataclass(frozen=True, slots=True)
class Account:
    """The Pipedrive company and user a credential opens, as `GET /v1/users/me` reports them.

    The one account model: a connector records it when its credential is checked, and every
    lookup reads it afresh. A connector stores the first eight facts only, so a stored account
    has the defaults for `language` and `default_currency` (nothing shown depends on them).
    """

    company_id: int
    company_name: str
    company_domain: str
    user_id: int
    user_name: str
    user_email: str
    locale: str
    timezone: str
    language: str = "en"
    default_currency: str = "USD"


@dataclass(frozen=True, slots=True)
class Usage:
    """What a lookup cost: requests sent, Pipedrive tokens spent, the last rate-limit state seen."""

    requests: int = 0
    tokens: int = 0
    rate_limit_remaining: int | None = None
    rate_limit_limit: int | None = None
    daily_requests_left: int | None = None


@dataclass(frozen=True, slots=True)
class Match:
    """The best matching person, why they matched, and the other persons with the same address."""

    email: str
    contact: Contact
    reason: MatchReason
    account: Account
    others: tuple[OtherMatch, ...] = ()
    usage: Usage = Usage()
    fetched_at: datetime | None = None

    @property
    def is_partial(self) -> bool:
        """Whether some part of the contact could not be fetched."""
        c = self.contact
        if c.fields_error is not None or c.owner_error is not None:
            return True
        parts: list[Section[Note] | Section[Deal] | Section[Activity]] = [
            c.notes,
            c.deals,
            c.activities,
        ]
        for deal in c.deals.items:
            parts.extend(p for p in (deal.notes, deal.activities) if p is not None)
        return any(not p.is_available for p in parts)


@dataclass(frozen=True, slots=True)
class NoMatch:
    """No person in this Pipedrive account has the address."""

    email: str
    account: Account
    search_url: str
    usage: Usage = Usage()


LookupResult = Match | NoMatch
