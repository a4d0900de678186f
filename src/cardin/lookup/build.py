"""Pure assembly of what a lookup fetched into the contact model (no I/O).

The engine (`cardin.lookup.engine`) fetches; this module turns the fetched payloads, the
account's metadata and the resolved names into a `Contact`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from cardin.contact.fields import ReferenceNames, to_field_values
from cardin.contact.model import (
    Account,
    Contact,
    Deal,
    FieldValue,
    MatchReason,
    Note,
    Organization,
    OtherMatch,
    Section,
    SectionError,
)
from cardin.lookup import assemble
from cardin.lookup.metadata import AccountMetadata
from cardin.lookup.plan import Parts
from cardin.pipedrive.models import ActivityInfo, DealInfo, NoteInfo, Person, User

T = TypeVar("T")
S = TypeVar("S")


@dataclass(frozen=True)
class PersonData:
    """Round-2 results for one person."""

    notes: list[NoteInfo] | SectionError | None
    deals: list[DealInfo] | SectionError | None
    activities: list[ActivityInfo] | SectionError | None


@dataclass(frozen=True)
class DealDetails:
    """Round-3 results for one deal shown in detail."""

    notes: list[NoteInfo] | SectionError | None
    activities: list[ActivityInfo] | SectionError | None


@dataclass
class Names:
    """Names resolved in round 3, and the users whose look-up failed (not: who are unknown)."""

    organizations: dict[int, str] = field(default_factory=dict)
    persons: dict[int, str] = field(default_factory=dict)
    users: dict[int, User] = field(default_factory=dict)
    user_errors: dict[int, SectionError] = field(default_factory=dict)


@dataclass(frozen=True)
class Fetched:
    """Everything the rounds fetched for the best person."""

    person: Person
    data: PersonData
    deals: list[DealInfo]
    details: dict[int, DealDetails]
    names: Names
    picture: str | None


class ContactBuilder:
    """Builds the contact of one account's lookup from what was fetched."""

    def __init__(
        self, meta: AccountMetadata, account: Account, *, parts: Parts, now: datetime, email: str
    ) -> None:
        self.meta = meta
        self.account = account
        self.links = assemble.Links(account.company_domain)
        self.parts = parts
        self.now = now
        self.email = email
        self.users = {u.id: u for u in meta.users or []}

    def contact(self, fetched: Fetched) -> Contact:
        person, data, names = fetched.person, fetched.data, fetched.names
        users = {**self.users, **names.users}
        titles = {d.id: d.title or f"#{d.id}" for d in fetched.deals}
        types = assemble.activity_types_by_key(self.meta.activity_types)
        tz = assemble.zone(self.account.timezone)
        ctx = assemble.ActivityContext(types, titles, self.links, self.now, tz)
        activities = section(
            data.activities,
            lambda a: assemble.activities_section(a, ctx, person.activities_count),
        )
        owner_id = person.owner_id if self.parts.owner else None
        owner = users.get(owner_id) if owner_id else None
        return Contact(
            id=person.id,
            name=person.name or self.email,
            url=self.links.person(person.id),
            emails=assemble.emails_of(person),
            phones=assemble.phones_of(person),
            labels=assemble.labels_of(person, self.meta.person_fields),
            organization=self._organization(person.org_id, names),
            fields=self._fields(person, names, users),
            fields_error=self.meta.fields_error if self.parts.custom_fields else None,
            is_active=not person.is_deleted,
            added=person.add_time,
            updated=person.update_time,
            picture_url=fetched.picture,
            job_title=person.job_title,
            owner=assemble.owner_of(owner),
            owner_error=names.user_errors.get(owner_id) if owner_id and not owner else None,
            notes=section(data.notes, lambda n: self._person_notes(n, person, fetched)),
            deals=section(data.deals, lambda _: self._deals(fetched, ctx)),
            deals_overview=(
                assemble.deals_overview(fetched.deals, person)
                if isinstance(data.deals, list)
                else None
            ),
            activities=activities,
            activities_overview=(
                assemble.activities_overview(activities, person)
                if isinstance(data.activities, list)
                else None
            ),
        )

    def _person_notes(
        self, notes: list[NoteInfo], person: Person, fetched: Fetched
    ) -> Section[Note]:
        """The person's notes but those shown under one of their deals (a note linked to both
        is shown once: with its deal)."""
        on_deals = {
            note.id
            for details in fetched.details.values()
            if isinstance(details.notes, list)
            for note in details.notes
        }
        kept = [n for n in notes if n.id not in on_deals]
        total = person.notes_count
        if total is not None:
            total = max(0, total - (len(notes) - len(kept)))
        return assemble.notes_section(kept, total)

    def _fields(
        self, person: Person, names: Names, users: Mapping[int, User]
    ) -> tuple[FieldValue, ...]:
        if not self.parts.custom_fields or not person.custom_fields:
            return ()
        ref_names = ReferenceNames(
            users={i: u.name for i, u in users.items() if u.name},
            organizations=names.organizations,
            persons=names.persons,
        )
        return to_field_values(
            person.custom_fields,
            assemble.field_definitions(self.meta.person_fields),
            names=ref_names,
            company_domain=self.account.company_domain,
        )

    def _organization(self, org_id: int | None, names: Names) -> Organization | None:
        if not org_id or not self.parts.organization:
            return None
        name = names.organizations.get(org_id) or f"#{org_id}"
        return Organization(org_id, name, self.links.organization(org_id))

    def _deals(self, fetched: Fetched, ctx: assemble.ActivityContext) -> Section[Deal]:
        items = []
        for deal in fetched.deals:
            details = fetched.details.get(deal.id, DealDetails(None, None))
            notes = (
                section(details.notes, assemble.notes_section)
                if details.notes is not None
                else None
            )
            activities = (
                section(details.activities, lambda a: assemble.activities_section(a, ctx))
                if details.activities is not None
                else None
            )
            organization = self._organization(deal.org_id, fetched.names)
            items.append(
                assemble.to_deal(
                    deal,
                    links=self.links,
                    organization=organization,
                    notes=notes,
                    activities=activities,
                )
            )
        return Section(items=tuple(items), total=len(items))

    def other(self, person: Person, reason: MatchReason, names: Names) -> OtherMatch:
        org = names.organizations.get(person.org_id) if person.org_id else None
        url = self.links.person(person.id)
        return OtherMatch(person.id, person.name or self.email, url, org, reason)


def selected(deals: list[DealInfo] | SectionError | None) -> list[DealInfo]:
    """The deals to show, most relevant first; none when they could not be fetched."""
    return assemble.select_deals(deals) if isinstance(deals, list) else []


def search_reason(email: str) -> MatchReason:
    return MatchReason(email=email, label="other", is_primary=False)


def section(outcome: T | SectionError | None, build: Callable[[T], Section[S]]) -> Section[S]:
    """The built section, an empty one for a part not fetched, or the part's error."""
    if outcome is None:
        return Section()
    if isinstance(outcome, SectionError):
        return Section(error=outcome)
    return build(outcome)
