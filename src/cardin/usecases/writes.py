"""Writing to Pipedrive from the contact card: log an email, add a note, schedule an activity,
create a deal, mark an activity done.

Every write is a feature of the connector (off: `FeatureOff`), checks what the user typed before
anything is sent (`Invalid`, one `Problem` per field), and happens at most once per form: the form
carries a request key issued when it was rendered, claimed in the store before the write
(`WriteRequests`). A replayed or double-clicked submit gets the first result (`Written` with
`replayed`); one that arrives while the first is still running waits a moment for it, then says it
is still saving. When Pipedrive may have taken a write without answering (`WriteUncertain`: a
timeout after sending, a dropped connection, a 5xx), the use case looks for what it wrote before
it offers a retry; only a write known not to have landed frees the key. The client never retries
writes itself except after a 429.

After a write the contact's cached result is dropped and the contact looked up afresh, so the new
item shows; the receipt says what the write cost in Pipedrive tokens.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from babel.numbers import NumberFormatError, parse_decimal

from cardin.actions import (
    CLOSE_DATE_INPUT,
    COMMENT_INPUT,
    CURRENCY_INPUT,
    DUE_INPUT,
    DURATION_INPUT,
    NOTE_INPUT,
    STAGE_INPUT,
    SUBJECT_INPUT,
    TITLE_INPUT,
    TYPE_INPUT,
    VALUE_INPUT,
    About,
    AddNote,
    CreateDeal,
    LogEmail,
    MarkDone,
    Op,
    ScheduleActivity,
)
from cardin.connectors import Feature
from cardin.connectors.model import Connector
from cardin.contact.compose import LoggedMessage, email_note_html, plain_to_html
from cardin.contact.model import Deal, DealStatus, Match
from cardin.contact.notes import note_plain_text
from cardin.contact.outcome import Failure, FailureKind, Outcome
from cardin.i18n.messages import messages_for
from cardin.lookup.metadata import AccountMetadata
from cardin.lookup.outcome import failure_of
from cardin.pipedrive import Deadline, PipedriveClient, PipedriveError, Unavailable
from cardin.pipedrive.errors import WriteUncertain
from cardin.pipedrive.models import ActivityTypeInfo, Stage
from cardin.store import AlreadyDone, Claimed, InFlight, LoggedEmail
from cardin.usecases.connectors import own_connector
from cardin.usecases.runs import (
    NeedsReauth,
    account_key,
    cache_id,
    look_up,
    stored_credential,
)
from cardin.usecases.services import Services

log = logging.getLogger(__name__)

MAX_SUBJECT = 255
MAX_TITLE = 255
MAX_NOTE = 50_000
MAX_DURATION = 24 * 60
DEFAULT_DURATION = 30
MORNING = time(9, 0)
FALLBACK_CURRENCY = "EUR"
WAIT_FOR_FIRST = 5.0
"""Seconds a repeated submit waits for the first one, still running, to finish."""
_POLL = 0.2
_LANDED_WINDOW = timedelta(minutes=10)
"""How recent (by Pipedrive's clock, which is the wall clock) an item must be to count as the
one a write that timed out made: older ones with the same text are someone's earlier work."""
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
"""The dates a due date or an expected close date may take."""
BUILT_IN_TYPES = (
    ("call", "Call", "call"),
    ("meeting", "Meeting", "meeting"),
    ("task", "Task", "task"),
    ("deadline", "Deadline", "deadline"),
    ("email", "Email", "email"),
    ("lunch", "Lunch", "lunch"),
)
"""Pipedrive's built-in activity types (key, name, icon), offered when the company's own list
cannot be loaded."""


# --- results -----------------------------------------------------------------------------------


class ProblemCode(enum.StrEnum):
    """What is wrong with one field of a form (the message id is `form.problem.<value>`)."""

    REQUIRED = "required"
    TOO_LONG = "too_long"
    NOT_A_NUMBER = "not_a_number"
    NEGATIVE = "negative"
    BAD_CURRENCY = "bad_currency"
    UNKNOWN_TYPE = "unknown_type"
    UNKNOWN_STAGE = "unknown_stage"
    BAD_DURATION = "bad_duration"
    OUT_OF_RANGE = "out_of_range"


@dataclass(frozen=True)
class Problem:
    """A field the user must correct (`field` is its input name), or the form as a whole;
    `limit` is the most characters the field takes (for TOO_LONG)."""

    field: str | None
    code: ProblemCode
    limit: int | None = None


class WriteKind(enum.StrEnum):
    """What a write made (the receipt's message id is `write.done.<value>`)."""

    EMAIL = "email"
    NOTE = "note"
    ACTIVITY = "activity"
    DEAL = "deal"
    DONE = "done"
    CONTACT = "contact"


@dataclass(frozen=True)
class Receipt:
    """What a write made (its Pipedrive id) and cost; `replayed` when it was an earlier submit's."""

    kind: WriteKind
    item_id: int
    tokens: int
    replayed: bool = False

    def as_record(self) -> dict[str, Any]:
        """The receipt as the store keeps it with the request key."""
        return {"kind": self.kind.value, "id": self.item_id, "tokens": self.tokens}

    @classmethod
    def of_record(cls, record: dict[str, Any] | None) -> Receipt | None:
        """The receipt a stored result stands for; None when it is unreadable."""
        try:
            kind = WriteKind(str((record or {})["kind"]))
            return cls(
                kind, int((record or {})["id"]), int((record or {})["tokens"]), replayed=True
            )
        except (KeyError, ValueError, TypeError):
            return None


@dataclass(frozen=True)
class FeatureOff:
    """The connector does not do this write (its feature is off)."""


@dataclass(frozen=True)
class NotShown:
    """The contact cannot be shown now (no match any more, or the lookup failed): its outcome."""

    connector: Connector
    outcome: Outcome


@dataclass(frozen=True)
class Basis:
    """What a write form stands on: the connector, the contact as looked up, the metadata."""

    connector: Connector
    about: About
    match: Match | None
    """The contact as looked up; None when a submit's lookup failed (the write goes ahead by
    the person's id, and the form, should it come back, keeps what was typed)."""
    metadata: AccountMetadata | None = None

    @property
    def open_deals(self) -> tuple[Deal, ...]:
        """The person's open deals as the lookup found them."""
        deals = self.match.contact.deals.items if self.match is not None else ()
        return tuple(d for d in deals if d.status is DealStatus.OPEN)

    @property
    def contact_name(self) -> str:
        """The person's name (as the button carried it when the lookup failed)."""
        if self.match is not None:
            return self.match.contact.name
        return self.about.name or self.about.email


@dataclass(frozen=True)
class Invalid:
    """Nothing sent: the form comes back with these problems and everything typed."""

    basis: Basis
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class WriteFailed:
    """Pipedrive refused or failed; nothing was written (or nothing that could be found)."""

    basis: Basis
    failure: Failure


@dataclass(frozen=True)
class StillSaving:
    """The same form's first submit is still being written: nothing done twice."""

    basis: Basis


@dataclass(frozen=True)
class Written:
    """The write happened (now, or for an earlier submit of the same form); `outcome` is the
    contact looked up afresh."""

    connector: Connector
    about: About
    receipt: Receipt
    outcome: Outcome


FormResult = FeatureOff | NotShown | Basis
SubmitResult = FeatureOff | NotShown | Invalid | WriteFailed | StillSaving | Written


# --- the message a log is about -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EmailMessage:
    """The open Gmail message as the add-on read it (headers; the text only when opted in)."""

    message_id: str
    """Gmail API id (hex)."""
    subject: str
    sender: str
    to: str
    cc: str
    sent_at: datetime | None
    gmail_url: str
    body: str | None = None


def gmail_url(message_id: str, user_email: str | None) -> str:
    """A link that opens the message in Gmail (for the user's account when known)."""
    account = f"?authuser={quote(user_email, safe='@')}" if user_email else ""
    return f"https://mail.google.com/mail/u/0/{account}#all/{message_id}"


# --- forms -------------------------------------------------------------------------------------


async def form_basis(
    services: Services,
    sub: str,
    about: About,
    feature: Feature,
    *,
    metadata: bool = False,
    submit: bool = False,
) -> FormResult:
    """What a write form needs: the connector (its feature on), the contact, and with `metadata`
    the account's activity types, pipelines and stages.

    A form opens only on a contact the lookup shows; a `submit` goes ahead when the lookup
    failed (Pipedrive knows the person by id), but not when the person is gone.
    """
    connector = await own_connector(services, sub, about.connector_id)
    if feature not in connector.features:
        return FeatureOff()
    outcome = await look_up(services, connector, about.email)
    meta = await _metadata(services, connector) if metadata else None
    if submit and isinstance(outcome, Failure):
        return Basis(connector, about, None, meta)
    if not isinstance(outcome, Match) or outcome.contact.id != about.person_id:
        return NotShown(connector, outcome)
    return Basis(connector, about, outcome, meta)


async def _metadata(services: Services, connector: Connector) -> AccountMetadata | None:
    """The account's metadata (cached); None when Pipedrive cannot give it now."""
    try:
        credential = await stored_credential(services, connector)
        return await services.engine.account_metadata(
            credential,
            account=account_key(connector),
            base_url=connector.base_url,
            deadline=services.lookup_deadline,
        )
    except (PipedriveError, NeedsReauth) as exc:
        log.info("metadata for the form unavailable: %s", exc)
        return None


def activity_types(metadata: AccountMetadata | None) -> tuple[ActivityTypeInfo, ...]:
    """The company's active activity types in Pipedrive's order; Pipedrive's built-in ones when
    the company's list could not be loaded."""
    found = metadata.activity_types if metadata is not None else None
    if not found:
        return tuple(
            ActivityTypeInfo(key_string=key, name=name, icon_key=icon, order_nr=n)
            for n, (key, name, icon) in enumerate(BUILT_IN_TYPES)
        )
    active = [t for t in found if t.active_flag]
    return tuple(sorted(active, key=lambda t: (t.order_nr is None, t.order_nr or 0)))


def in_range(day: date | None) -> bool:
    """Whether a picked date is one the forms take (EARLIEST to LATEST); None is."""
    return day is None or EARLIEST <= day <= LATEST


def stages(metadata: AccountMetadata | None) -> tuple[tuple[str, Stage], ...]:
    """Every stage with its pipeline's name, pipelines and stages in Pipedrive's order."""
    if metadata is None or not metadata.pipelines or not metadata.stages:
        return ()
    order = {p.id: (p.order_nr or 0, i) for i, p in enumerate(metadata.pipelines)}
    names = {p.id: p.name or "" for p in metadata.pipelines}
    known = [(s.pipeline_id, s) for s in metadata.stages if s.pipeline_id in names]
    known.sort(key=lambda found: (order[found[0]], found[1].order_nr or 0))
    return tuple((names[pipeline], stage) for pipeline, stage in known if pipeline is not None)


def default_currency(metadata: AccountMetadata | None) -> str:
    """The company's default currency (EUR when unknown)."""
    currency = metadata.me.default_currency if metadata is not None else None
    return (currency or FALLBACK_CURRENCY).upper()


def next_working_morning(now: datetime, zone: str) -> datetime:
    """09:00 on the next working day (Monday to Friday) in `zone`, aware."""
    tz = _zone(zone)
    day = now.astimezone(tz).date() + timedelta(days=1)
    while day.weekday() >= 5:  # noqa: PLR2004 - Saturday and Sunday
        day += timedelta(days=1)
    return datetime.combine(day, MORNING, tzinfo=tz)


def follow_up_subject(subject: str | None, locale: str) -> str:
    """ "Follow up: <subject>" (the subject of the open email), or just "Follow up"."""
    msgs = messages_for(locale)
    if subject and subject.strip():
        return msgs.text("form.activity.follow_up", subject=subject.strip())[:MAX_SUBJECT]
    return msgs.text("form.activity.follow_up_plain")


def deal_title(basis: Basis, subject: str | None) -> str:
    """The organization's (else the person's) name, and the email's subject when there is one."""
    org = basis.match.contact.organization if basis.match is not None else None
    name = org.name if org is not None else basis.contact_name
    if subject and subject.strip():
        return f"{name} – {subject.strip()}"[:MAX_TITLE]
    return name[:MAX_TITLE]


def default_deal(basis: Basis) -> int:
    """The deal a log or note goes to by default: the only open deal, else none (0)."""
    deals = basis.open_deals
    return deals[0].id if len(deals) == 1 else 0


# --- submits -----------------------------------------------------------------------------------


async def log_email(
    services: Services,
    sub: str,
    action: LogEmail,
    message: EmailMessage,
    *,
    zone: str,
    locale: str,
) -> SubmitResult:
    """Log the message as a note on the person or the picked deal; once per message."""
    basis = await form_basis(services, sub, action.about, Feature.LOG_EMAILS, submit=True)
    if not isinstance(basis, Basis):
        return basis
    connector = basis.connector
    logged = await services.logged.find(
        owner=sub, connector_id=connector.id, message_id=message.message_id
    )
    if logged is not None:
        receipt = Receipt(WriteKind.EMAIL, logged.note_id, 0, replayed=True)
        return await _written(services, basis, receipt, forget=False)
    if len(action.comment) > MAX_NOTE:
        return Invalid(basis, (Problem(COMMENT_INPUT, ProblemCode.TOO_LONG, MAX_NOTE),))
    content = email_note_html(_logged_message(message, action.comment, zone, locale))
    deal_id = action.deal_id or None
    person_id = None if deal_id else action.about.person_id

    async def write(client: PipedriveClient) -> int:
        note = await client.create_note(content=content, person_id=person_id, deal_id=deal_id)
        return note.id

    async def remember(note_id: int) -> None:
        entry = LoggedEmail(
            owner=sub,
            connector_id=connector.id,
            message_id=message.message_id,
            person_id=action.about.person_id,
            note_id=note_id,
            deal_id=deal_id,
            logged_at=services.clock(),
        )
        await services.logged.record(entry)

    return await _perform(
        services,
        sub,
        basis,
        op=action.op,
        request_key=action.request_key,
        kind=WriteKind.EMAIL,
        write=write,
        landed=_note_finder(content, person_id=person_id, deal_id=deal_id),
        after=remember,
    )


def _logged_message(message: EmailMessage, comment: str, zone: str, locale: str) -> LoggedMessage:
    msgs = messages_for(locale)
    sent = ""
    if message.sent_at is not None:
        local = message.sent_at.astimezone(_zone(zone))
        sent = f"{local:%Y-%m-%d %H:%M} ({zone})"
    lines = (
        (msgs.text("log.from"), message.sender),
        (msgs.text("log.to"), message.to),
        (msgs.text("log.cc"), message.cc),
        (msgs.text("log.date"), sent),
    )
    subject = message.subject.strip() or msgs.text("log.no_subject")
    return LoggedMessage(
        subject=msgs.text("log.title", subject=subject),
        lines=lines,
        link_text=msgs.text("log.open_in_gmail"),
        gmail_url=message.gmail_url,
        comment=comment,
        body=message.body,
    )


async def add_note(services: Services, sub: str, action: AddNote) -> SubmitResult:
    """Add the typed note (line breaks kept) to the person or the picked deal."""
    basis = await form_basis(services, sub, action.about, Feature.WRITE_NOTES, submit=True)
    if not isinstance(basis, Basis):
        return basis
    problems = []
    if not action.content.strip():
        problems.append(Problem(NOTE_INPUT, ProblemCode.REQUIRED))
    elif len(action.content) > MAX_NOTE:
        problems.append(Problem(NOTE_INPUT, ProblemCode.TOO_LONG, MAX_NOTE))
    if problems:
        return Invalid(basis, tuple(problems))
    content = plain_to_html(action.content)
    deal_id = action.deal_id or None
    person_id = None if deal_id else action.about.person_id

    async def write(client: PipedriveClient) -> int:
        note = await client.create_note(content=content, person_id=person_id, deal_id=deal_id)
        return note.id

    return await _perform(
        services,
        sub,
        basis,
        op=action.op,
        request_key=action.request_key,
        kind=WriteKind.NOTE,
        write=write,
        landed=_note_finder(content, person_id=person_id, deal_id=deal_id),
    )


async def schedule_activity(services: Services, sub: str, action: ScheduleActivity) -> SubmitResult:
    """Create the activity (API v2) with the person as its primary participant."""
    basis = await form_basis(services, sub, action.about, Feature.WRITE_ACTIVITIES, metadata=True)
    if not isinstance(basis, Basis):
        return basis
    problems = _activity_problems(action, basis.metadata)
    if problems:
        return Invalid(basis, problems)
    subject = action.subject.strip()
    due = action.due
    duration = timedelta(minutes=action.duration_minutes) if action.duration_minutes else None
    note = plain_to_html(action.note) if action.note.strip() else None
    deal_id = action.deal_id or None
    owner_id = basis.connector.account.user_id

    async def write(client: PipedriveClient) -> int:
        activity = await client.create_activity(
            subject=subject,
            type=action.activity_type,
            due=due,
            duration=duration,
            person_id=action.about.person_id,
            deal_id=deal_id,
            note=note,
            owner_id=owner_id,
        )
        return activity.id

    since = _landed_since()

    async def landed(client: PipedriveClient) -> int | None:
        found = await client.activities(person_id=action.about.person_id, limit=100)
        for item in found:
            same_due = due is None or item.due_date == due.astimezone(ZoneInfo("UTC")).date()
            recent = item.add_time is None or item.add_time >= since
            same = item.subject == subject and item.type == action.activity_type
            if same and same_due and recent:
                return item.id
        return None

    return await _perform(
        services,
        sub,
        basis,
        op=action.op,
        request_key=action.request_key,
        kind=WriteKind.ACTIVITY,
        write=write,
        landed=landed,
    )


def _activity_problems(
    action: ScheduleActivity, metadata: AccountMetadata | None
) -> tuple[Problem, ...]:
    problems = []
    if not action.subject.strip():
        problems.append(Problem(SUBJECT_INPUT, ProblemCode.REQUIRED))
    elif len(action.subject.strip()) > MAX_SUBJECT:
        problems.append(Problem(SUBJECT_INPUT, ProblemCode.TOO_LONG, MAX_SUBJECT))
    types = activity_types(metadata)
    if not action.activity_type:
        problems.append(Problem(TYPE_INPUT, ProblemCode.REQUIRED))
    elif types and action.activity_type not in {t.key_string for t in types}:
        problems.append(Problem(TYPE_INPUT, ProblemCode.UNKNOWN_TYPE))
    if action.due is None:
        problems.append(Problem(DUE_INPUT, ProblemCode.REQUIRED))
    elif not in_range(action.due.date()):
        problems.append(Problem(DUE_INPUT, ProblemCode.OUT_OF_RANGE))
    if action.duration_minutes > MAX_DURATION:
        problems.append(Problem(DURATION_INPUT, ProblemCode.BAD_DURATION))
    if len(action.note) > MAX_NOTE:
        problems.append(Problem(NOTE_INPUT, ProblemCode.TOO_LONG, MAX_NOTE))
    return tuple(problems)


@dataclass(frozen=True)
class DealInput:
    """A checked Create deal form."""

    title: str
    value: Decimal | None
    currency: str
    pipeline_id: int | None
    stage_id: int | None
    expected_close: date | None


def check_deal(
    action: CreateDeal, metadata: AccountMetadata | None, locale: str
) -> DealInput | tuple[Problem, ...]:
    """The form's values, or what is wrong with them. The value may be written in the user's
    notation ("1.500,50" in German); the currency is a three-letter code."""
    problems = []
    title = action.title.strip()
    if not title:
        problems.append(Problem(TITLE_INPUT, ProblemCode.REQUIRED))
    elif len(title) > MAX_TITLE:
        problems.append(Problem(TITLE_INPUT, ProblemCode.TOO_LONG, MAX_TITLE))
    value: Decimal | None = None
    if action.value.strip():
        value = parse_amount(action.value, locale)
        if value is None:
            problems.append(Problem(VALUE_INPUT, ProblemCode.NOT_A_NUMBER))
        elif value < 0:
            problems.append(Problem(VALUE_INPUT, ProblemCode.NEGATIVE))
    currency = action.currency.strip().upper()
    if not (len(currency) == 3 and currency.isascii() and currency.isalpha()):  # noqa: PLR2004
        problems.append(Problem(CURRENCY_INPUT, ProblemCode.BAD_CURRENCY))
    if not in_range(action.expected_close):
        problems.append(Problem(CLOSE_DATE_INPUT, ProblemCode.OUT_OF_RANGE))
    pipeline_id = None
    if action.stage_id is not None:
        known = {stage.id: stage for _, stage in stages(metadata)}
        if known and action.stage_id not in known:
            problems.append(Problem(STAGE_INPUT, ProblemCode.UNKNOWN_STAGE))
        elif action.stage_id in known:
            pipeline_id = known[action.stage_id].pipeline_id
    if problems:
        return tuple(problems)
    return DealInput(title, value, currency, pipeline_id, action.stage_id, action.expected_close)


def parse_amount(text: str, locale: str) -> Decimal | None:
    """An amount typed in the user's notation (or plain "1500.50"); None when it is none."""
    tidy = text.strip().replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    for candidate in (locale.replace("-", "_"), "en_US"):
        try:
            value = parse_decimal(tidy, locale=candidate, strict=True)
        except (NumberFormatError, ValueError, LookupError):
            continue
        if value.is_finite() and abs(value) < Decimal(10) ** 15:
            return value
    return None


async def create_deal(
    services: Services, sub: str, action: CreateDeal, *, locale: str
) -> SubmitResult:
    """Create a deal linked to the person and their organization."""
    basis = await form_basis(
        services, sub, action.about, Feature.WRITE_DEALS, metadata=True, submit=True
    )
    if not isinstance(basis, Basis):
        return basis
    checked = check_deal(action, basis.metadata, locale)
    if isinstance(checked, tuple):
        return Invalid(basis, checked)
    org = basis.match.contact.organization if basis.match is not None else None
    owner_id = basis.connector.account.user_id
    since = _landed_since()

    async def write(client: PipedriveClient) -> int:
        deal = await client.create_deal(
            title=checked.title,
            person_id=action.about.person_id,
            org_id=org.id if org is not None else None,
            value=checked.value,
            currency=checked.currency,
            pipeline_id=checked.pipeline_id,
            stage_id=checked.stage_id,
            expected_close_date=checked.expected_close,
            owner_id=owner_id,
        )
        return deal.id

    async def landed(client: PipedriveClient) -> int | None:
        for deal in await client.deals_of_person(action.about.person_id, limit=100):
            recent = deal.add_time is None or deal.add_time >= since
            if deal.title == checked.title and recent:
                return deal.id
        return None

    return await _perform(
        services,
        sub,
        basis,
        op=action.op,
        request_key=action.request_key,
        kind=WriteKind.DEAL,
        write=write,
        landed=landed,
    )


async def mark_done(services: Services, sub: str, action: MarkDone) -> SubmitResult:
    """Mark the activity done. Doing it twice changes nothing, so it needs no request key, and
    after a timeout the retry simply asks again."""
    basis = await form_basis(services, sub, action.about, Feature.WRITE_ACTIVITIES, submit=True)
    if not isinstance(basis, Basis):
        return basis
    try:
        client = await write_client(services, basis.connector)
        activity = await client.mark_activity_done(action.activity_id)
    except NeedsReauth as exc:
        return WriteFailed(basis, exc.failure)
    except PipedriveError as exc:
        return WriteFailed(basis, write_failure(exc))
    receipt = Receipt(WriteKind.DONE, activity.id, client.meter.tokens)
    return await _written(services, basis, receipt)


# --- the write itself, at most once per request key ---------------------------------------------


async def _perform(
    services: Services,
    sub: str,
    basis: Basis,
    *,
    op: Op,
    request_key: str,
    kind: WriteKind,
    write: Callable[[PipedriveClient], Awaitable[int]],
    landed: Callable[[PipedriveClient], Awaitable[int | None]],
    after: Callable[[int], Awaitable[None]] | None = None,
) -> Written | WriteFailed | StillSaving:
    """Claim the key, write, remember the result; see the module's docstring."""
    first = await claim_request(services, sub, basis.connector, op, request_key)
    if isinstance(first, Busy):
        return StillSaving(basis)
    if isinstance(first, Receipt):
        if after is not None:  # idempotent: records what a crash may have left unrecorded
            await after(first.item_id)
        return await _written(services, basis, first, forget=False)
    key = {"owner": sub, "request_key": request_key}
    try:
        client = await write_client(services, basis.connector)
        item_id = await write_or_find(
            client,
            write,
            landed,
            check_seconds=services.lookup_deadline,
            check_first=isinstance(first, Takeover),
        )
    except NeedsReauth as exc:
        await services.writes.release(**key)
        return WriteFailed(basis, exc.failure)
    except WriteUncertain as exc:  # it may have landed: the next submit looks for it first
        await services.writes.abandon(**key)
        return WriteFailed(basis, write_failure(exc))
    except PipedriveError as exc:
        await services.writes.release(**key)
        return WriteFailed(basis, write_failure(exc))
    except BaseException:
        await asyncio.shield(services.writes.abandon(**key))
        raise
    receipt = Receipt(kind, item_id, client.meter.tokens)
    await services.writes.complete(owner=sub, request_key=request_key, result=receipt.as_record())
    if after is not None:
        await after(item_id)
    return await _written(services, basis, receipt)


class Busy:
    """Another submit of the same form is writing and did not finish in WAIT_FOR_FIRST seconds."""


class Takeover:
    """This submit writes, in place of an earlier one that stopped mid-write (a worker that
    died): that write may have landed, so look for it first."""


async def claim_request(
    services: Services, sub: str, connector: Connector, op: Op, request_key: str
) -> Receipt | Busy | Takeover | None:
    """None: this submit writes. A receipt: an earlier submit wrote. Busy: one is still
    writing. Takeover: this one writes after checking that a stopped one did not."""
    waited = 0.0
    while True:
        claim = await services.writes.claim(
            owner=sub,
            request_key=request_key,
            connector_id=connector.id,
            op=op.value,
            now=services.clock(),
        )
        if isinstance(claim, InFlight | AlreadyDone) and (
            claim.record.op != op.value or claim.record.connector_id != connector.id
        ):  # a key used for another form: nothing written, and nothing of the first shown
            log.warning("request %s: used for another op or connector", request_key[:8])
            return Busy()
        if isinstance(claim, AlreadyDone):
            receipt = Receipt.of_record(claim.record.result)
            if receipt is None:
                log.warning("request %s: unreadable stored result", request_key[:8])
                return Busy()
            return receipt
        if isinstance(claim, Claimed):
            return Takeover() if claim.previous is not None else None
        if not isinstance(claim, InFlight):  # pragma: no cover - Claim has three kinds
            return None
        if waited >= WAIT_FOR_FIRST:
            return Busy()
        await asyncio.sleep(_POLL)
        waited += _POLL


async def write_or_find(
    client: PipedriveClient,
    write: Callable[[PipedriveClient], Awaitable[int]],
    landed: Callable[[PipedriveClient], Awaitable[int | None]],
    *,
    check_seconds: float,
    check_first: bool = False,
) -> int:
    """The new item's id: written now, or found (first, with `check_first`; or after a write
    that may have landed unanswered, with a deadline of its own of `check_seconds`).

    Raises WriteUncertain when the write may have landed and the check could not tell;
    another PipedriveError when it surely did not (Unavailable when the check found nothing).
    """
    if check_first:
        found = await landed(client)
        if found is not None:
            return found
    try:
        return await write(client)
    except WriteUncertain as exc:
        log.info("write uncertain (%s): looking for it", exc)
        checker = client.within(Deadline.after(check_seconds))
        try:
            found = await landed(checker)
        except PipedriveError as check:
            log.info("could not check whether the write landed: %s", check)
            raise exc from check
        if found is None:
            raise Unavailable(f"{exc} (and it did not land)", path=exc.path) from exc
        return found


async def write_client(services: Services, connector: Connector) -> PipedriveClient:
    credential = await stored_credential(services, connector)
    client = services.engine.client(credential, connector.base_url, account=account_key(connector))
    return client.within(Deadline.after(services.lookup_deadline))


async def _written(
    services: Services, basis: Basis, receipt: Receipt, *, forget: bool = True
) -> Written:
    """The contact afresh after a write (the cached one, for an earlier submit's result)."""
    connector = basis.connector
    if forget:
        await services.results.forget(cache_id(connector), basis.about.email)
    outcome = await look_up(services, connector, basis.about.email, refresh=forget)
    return Written(connector, basis.about, receipt, outcome)


def _note_finder(
    content: str, *, person_id: int | None, deal_id: int | None
) -> Callable[[PipedriveClient], Awaitable[int | None]]:
    """Looks for a note with this text among the newest of the person or deal, added since
    the write began (within the window)."""
    wanted = note_plain_text(content)
    since = _landed_since()

    async def landed(client: PipedriveClient) -> int | None:
        for note in await client.notes(person_id=person_id, deal_id=deal_id, limit=20):
            recent = note.add_time is None or note.add_time >= since
            if recent and note.content is not None and note_plain_text(note.content) == wanted:
                return note.id
        return None

    return landed


def _landed_since() -> datetime:
    """The earliest add time of an item a write starting now may have made (wall clock, as
    Pipedrive's own; the window also absorbs a skew between the two clocks)."""
    return datetime.now(UTC) - _LANDED_WINDOW


def write_failure(exc: PipedriveError) -> Failure:
    """What stopped a write, for the form: Pipedrive's own message when it refused the input."""
    status = getattr(exc, "status", None)
    if status == 400:  # noqa: PLR2004 - Pipedrive refused the input as sent
        return Failure(FailureKind.REFUSED, str(exc))
    if status in (404, 410):
        return Failure(FailureKind.NOT_FOUND, str(exc))
    return failure_of(exc)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return ZoneInfo("UTC")
