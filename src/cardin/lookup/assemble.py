"""Pure assembly of Pipedrive payloads into the contact model: data in, data out, no I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cardin.contact.fields import FieldDefinition
from cardin.contact.model import (
    ActivitiesOverview,
    Activity,
    ActivityState,
    ActivityType,
    Deal,
    DealsOverview,
    DealStatus,
    Email,
    Label,
    MatchReason,
    MoneyValue,
    Note,
    Organization,
    Owner,
    Phone,
    Section,
)
from cardin.contact.notes import clean_note_html
from cardin.links import web_app_url
from cardin.pipedrive.models import (
    ActivityInfo,
    ActivityTypeInfo,
    ContactPoint,
    DealInfo,
    NoteInfo,
    Person,
    PersonField,
    PersonSearchItem,
    User,
)

EMAIL_LABELS = frozenset({"work", "home", "other"})
PHONE_LABELS = frozenset({"work", "home", "mobile", "other"})
LABEL_FIELD_CODES = ("label_ids", "label")


@dataclass(frozen=True, slots=True)
class Links:
    """Builds links into the Pipedrive web app of the company with this domain."""

    company_domain: str

    def person(self, person_id: int) -> str:
        """The person's page."""
        return web_app_url(self.company_domain, "person", person_id)

    def organization(self, org_id: int) -> str:
        """The organization's page."""
        return web_app_url(self.company_domain, "organization", org_id)

    def deal(self, deal_id: int) -> str:
        """The deal's page."""
        return web_app_url(self.company_domain, "deal", deal_id)

    def user(self, user_id: int) -> str:
        """The user's profile."""
        return web_app_url(self.company_domain, "users", "details", user_id)


def normalize_email(email: str) -> str:
    """Addresses compare case-insensitively, ignoring surrounding blanks."""
    return email.strip().casefold()


def has_email(addresses: Iterable[str | None], email: str) -> bool:
    """Whether any address equals `email`, case-insensitively."""
    wanted = normalize_email(email)
    return any(a is not None and normalize_email(a) == wanted for a in addresses)


def is_candidate(hit: PersonSearchItem, email: str) -> bool:
    """Whether a hit of the exact search on `email` holds it.

    A hit whose emails could not be read is trusted: the search itself matched on the address.
    """
    return hit.emails is None or has_email(hit.emails, email)


def match_reason(person: Person, email: str) -> MatchReason | None:
    """How `email` is filed on the person (primary first), or None if it is not theirs."""
    wanted = normalize_email(email)
    hits = [e for e in person.emails or [] if e.value and normalize_email(e.value) == wanted]
    if not hits:
        return None
    best = next((e for e in hits if e.primary), hits[0])
    return MatchReason(
        email=best.value or email, label=_label(best, EMAIL_LABELS), is_primary=bool(best.primary)
    )


def rank_candidates(persons: Sequence[Person], email: str) -> list[tuple[Person, MatchReason]]:
    """Persons holding `email`, best first: primary match, then most recently updated."""
    matched = [(p, r) for p in persons if (r := match_reason(p, email)) is not None]
    oldest = datetime.min.replace(tzinfo=UTC)
    matched.sort(key=lambda pr: (not pr[1].is_primary, -(pr[0].update_time or oldest).timestamp()))
    return matched


def _label(point: ContactPoint, allowed: frozenset[str]) -> str:
    label = (point.label or "").strip().lower()
    return label if label in allowed else "other"


def emails_of(person: Person) -> tuple[Email, ...]:
    """The person's emails, primary first."""
    emails = [
        Email(e.value, _label(e, EMAIL_LABELS), bool(e.primary))
        for e in person.emails or []
        if e.value
    ]
    return tuple(sorted(emails, key=lambda e: not e.is_primary))


def phones_of(person: Person) -> tuple[Phone, ...]:
    """The person's phones, primary first."""
    phones = [
        Phone(p.value, _label(p, PHONE_LABELS), bool(p.primary))
        for p in person.phones or []
        if p.value
    ]
    return tuple(sorted(phones, key=lambda p: not p.is_primary))


def labels_of(person: Person, fields: Sequence[PersonField] | None) -> tuple[Label, ...]:
    """The person's labels with names and colours from the label field's options."""
    options = {}
    for field in fields or []:
        if field.field_code in LABEL_FIELD_CODES:
            options.update({str(o.id): o for o in field.options or []})
    labels = []
    for label_id in person.label_ids or []:
        option = options.get(str(label_id))
        name = option.label if option and option.label else f"#{label_id}"
        labels.append(Label(label_id, name, option.color if option else None))
    return tuple(labels)


def field_definitions(fields: Sequence[PersonField] | None) -> list[FieldDefinition]:
    """The custom person fields, in the order Pipedrive lists them."""
    definitions = []
    for order, field in enumerate(fields or []):
        if not field.is_custom_field:
            continue
        options = {o.id: o.label or "" for o in field.options or [] if isinstance(o.id, int)}
        definitions.append(
            FieldDefinition(
                key=field.field_code,
                name=field.field_name or field.field_code,
                field_type=field.field_type or "varchar",
                options=options,
                order=order,
            )
        )
    return definitions


def owner_of(user: User | None) -> Owner | None:
    """A user as an owner, active only when neither deactivated nor deleted."""
    if user is None:
        return None
    return Owner(
        id=user.id,
        name=user.name or f"#{user.id}",
        email=user.email,
        is_active=bool(user.active_flag) and not user.is_deleted,
        icon_url=user.icon_url,
    )


def to_note(note: NoteInfo) -> Note:
    """A note with its HTML reduced to the card-safe subset."""
    return Note(
        id=note.id,
        html=clean_note_html(note.content or ""),
        added=note.add_time,
        updated=note.update_time,
        author=note.user.name if note.user else None,
        is_pinned=bool(note.pinned_to_person_flag or note.pinned_to_deal_flag),
    )


def notes_section(notes: Sequence[NoteInfo], total: int | None = None) -> Section[Note]:
    """Active notes, newest first."""
    active = [n for n in notes if n.active_flag is not False]
    oldest = datetime.min.replace(tzinfo=UTC)
    active.sort(key=lambda n: n.add_time or oldest, reverse=True)
    items = tuple(to_note(n) for n in active)
    return Section(items=items, total=max(total or 0, len(items)))


def activity_types_by_key(types: Sequence[ActivityTypeInfo] | None) -> dict[str, ActivityType]:
    """Activity types by key_string."""
    return {
        t.key_string: ActivityType(t.key_string, t.name or t.key_string, t.icon_key or "task")
        for t in types or []
    }


def activity_state(activity: ActivityInfo, now: datetime, tz: ZoneInfo) -> ActivityState:
    """Done, overdue (due before now in the user's zone) or planned."""
    if activity.done:
        return ActivityState.DONE
    if activity.due_date is None:
        return ActivityState.PLANNED
    if activity.due_time is None:
        today = now.astimezone(tz).date()
        return ActivityState.OVERDUE if activity.due_date < today else ActivityState.PLANNED
    # Pipedrive stores due times in UTC.
    due = datetime.combine(activity.due_date, activity.due_time, tzinfo=UTC)
    return ActivityState.OVERDUE if due < now else ActivityState.PLANNED


@dataclass(frozen=True, slots=True)
class ActivityContext:
    """What turning activities into the model needs besides the activities."""

    types: Mapping[str, ActivityType]
    deal_titles: Mapping[int, str]
    links: Links
    now: datetime
    tz: ZoneInfo


def to_activity(activity: ActivityInfo, ctx: ActivityContext) -> Activity:
    """An activity with its type, state and linked deal."""
    key = activity.type or "task"
    kind = ctx.types.get(key, ActivityType(key, key.replace("_", " ").capitalize(), "task"))
    deal_id = activity.deal_id
    note = clean_note_html(activity.note) if activity.note else None
    return Activity(
        id=activity.id,
        subject=activity.subject or kind.name,
        type=kind,
        is_done=bool(activity.done),
        state=activity_state(activity, ctx.now, ctx.tz),
        due_date=activity.due_date,
        due_time=activity.due_time,
        duration=activity.duration,
        note_html=note or None,
        deal_id=deal_id,
        deal_title=ctx.deal_titles.get(deal_id) if deal_id else None,
        deal_url=ctx.links.deal(deal_id) if deal_id else None,
        marked_done=activity.marked_as_done_time,
    )


def activity_sort_key(activity: Activity) -> tuple[int, int, int]:
    """Relevance: the next planned first (soonest due), then overdue and done (latest due first)."""
    due = (activity.due_date or date.max).toordinal()
    rank = {ActivityState.PLANNED: 0, ActivityState.OVERDUE: 1, ActivityState.DONE: 2}
    if activity.state is ActivityState.PLANNED:
        return (0, due, activity.id)
    return (rank[activity.state], -due, activity.id)


def activities_section(
    activities: Sequence[ActivityInfo], ctx: ActivityContext, total: int | None = None
) -> Section[Activity]:
    """Activities, most relevant first."""
    items = sorted(
        (to_activity(a, ctx) for a in activities if not a.is_deleted), key=activity_sort_key
    )
    return Section(items=tuple(items), total=max(total or 0, len(items)))


def activities_overview(section: Section[Activity], person: Person) -> ActivitiesOverview:
    """Counts (Pipedrive's own when given) and the next activity due."""
    items = section.items
    done = sum(a.is_done for a in items)
    overdue = sum(a.state is ActivityState.OVERDUE for a in items)
    planned = [a for a in items if a.state is ActivityState.PLANNED]
    total = person.activities_count if person.activities_count is not None else len(items)
    return ActivitiesOverview(
        total=max(total, len(items)),
        done=person.done_activities_count if person.done_activities_count is not None else done,
        overdue=overdue,
        planned=len(planned),
        next_due=planned[0] if planned else None,
    )


def deal_status(deal: DealInfo) -> DealStatus:
    """The deal's status; unknown values count as open."""
    try:
        return DealStatus(deal.status or "open")
    except ValueError:
        return DealStatus.OPEN


def deal_value(deal: DealInfo) -> MoneyValue | None:
    """The deal's value in its currency, None when it has none."""
    if deal.value is None or not deal.currency:
        return None
    try:
        return MoneyValue(Decimal(str(deal.value)), deal.currency)
    except InvalidOperation:
        return None


def deal_relevance(deal: DealInfo) -> tuple[int, float]:
    """Open deals first, then won and lost ones; within each, the most recently changed first."""
    oldest = datetime.min.replace(tzinfo=UTC)
    is_closed = int(deal_status(deal) is not DealStatus.OPEN)
    return (is_closed, -(deal.update_time or deal.add_time or oldest).timestamp())


def select_deals(deals: Sequence[DealInfo]) -> list[DealInfo]:
    """Deals that are not deleted, most relevant first."""
    return sorted((d for d in deals if not d.is_deleted), key=deal_relevance)


def deals_overview(deals: Sequence[DealInfo], person: Person) -> DealsOverview:
    """Counts (Pipedrive's own when given) and the open value per currency."""
    statuses = [deal_status(d) for d in deals]
    open_totals: dict[str, Decimal] = {}
    for deal, status in zip(deals, statuses, strict=True):
        value = deal_value(deal)
        if status is DealStatus.OPEN and value is not None:
            open_totals[value.currency] = open_totals.get(value.currency, Decimal(0)) + value.amount
    counted = {s: statuses.count(s) for s in DealStatus}
    open_count = _prefer(person.open_deals_count, counted[DealStatus.OPEN])
    won = _prefer(person.won_deals_count, counted[DealStatus.WON])
    lost = _prefer(person.lost_deals_count, counted[DealStatus.LOST])
    return DealsOverview(
        total=open_count + won + lost,
        open=open_count,
        won=won,
        lost=lost,
        open_value=tuple(MoneyValue(v, c) for c, v in sorted(open_totals.items())),
    )


def _prefer(reported: int | None, counted: int) -> int:
    return max(reported, counted) if reported is not None else counted


def to_deal(
    deal: DealInfo,
    *,
    links: Links,
    organization: Organization | None,
    notes: Section[Note] | None = None,
    activities: Section[Activity] | None = None,
) -> Deal:
    """A deal of the person; notes and activities only for the deals that were detailed."""
    return Deal(
        id=deal.id,
        title=deal.title or f"#{deal.id}",
        status=deal_status(deal),
        value=deal_value(deal),
        url=links.deal(deal.id),
        organization=organization,
        expected_close=deal.expected_close_date,
        won_time=deal.won_time,
        lost_time=deal.lost_time,
        lost_reason=deal.lost_reason,
        added=deal.add_time,
        updated=deal.update_time,
        notes=notes,
        activities=activities,
    )


def zone(name: str) -> ZoneInfo:
    """The IANA zone, UTC when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
