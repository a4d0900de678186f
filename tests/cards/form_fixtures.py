"""View models of the write forms the card tests render: plain, with problems, with failures."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from cardin.actions import About
from cardin.actions.keys import (
    COMMENT_INPUT,
    CURRENCY_INPUT,
    NOTE_INPUT,
    PERSON_NAME_INPUT,
    SUBJECT_INPUT,
    TITLE_INPUT,
    VALUE_INPUT,
)
from cardin.cards import (
    ActivityView,
    ContactFormView,
    DealOption,
    DealView,
    DuplicateView,
    EmailSummary,
    FieldProblem,
    FormState,
    LogEmailView,
    NoteView,
    StageOption,
    TypeOption,
)
from cardin.cards.icons import ACTIVITY_ICON_KEYS
from cardin.contact.outcome import Failure, FailureKind
from tests.cards.fixtures import APP

REQUEST_KEY = "0123456789abcdef0123456789abcdef"
ABOUT = About(connector_id="conn-1", email="ada@engines.example", person_id=1, name="Ada L.")
DEALS = (DealOption(id=101, title="Engines for 50 seats"), DealOption(id=102, title="Support"))
STATE = FormState(about=ABOUT, request_key=REQUEST_KEY, contact_name="Ada Lovelace", deals=DEALS)
EMAIL = EmailSummary(
    subject="Quote for the difference engine",
    sender="Ada Lovelace <ada@engines.example>",
    to="Sam Seller <sam@acme.example>",
    cc="Charles Babbage <charles@engines.example>",
    sent_at=datetime(2026, 11, 20, 9, 12, tzinfo=UTC),
    gmail_url="https://mail.google.com/mail/u/0/#all/17088a2c5b91b2fe",
)
TYPES = (
    TypeOption(key="call", name="Call", icon_key="call"),
    TypeOption(key="meeting", name="Meeting", icon_key="meeting"),
    TypeOption(key="email", name="Email", icon_key="email"),
    TypeOption(key="task", name="Task", icon_key="task"),
    TypeOption(key="odd", name="Custom type", icon_key=None),
)
STAGES = (
    StageOption(id=1, pipeline="Sales", stage="Qualified"),
    StageOption(id=2, pipeline="Sales", stage="Proposal made"),
    StageOption(id=7, pipeline="Partners", stage="Lead in"),
)
# Due: next working day 09:00 in Berlin (08:00 UTC in November).
DUE = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
RATE_LIMITED = Failure(FailureKind.RATE_LIMITED, "429 too many requests", retry_after=120)
UNAVAILABLE = Failure(FailureKind.UNAVAILABLE, "timeout after 10 s")
FORBIDDEN = Failure(FailureKind.FORBIDDEN, "You do not have permission to add deals.")
INTERNAL = Failure(FailureKind.INTERNAL, "Traceback: KeyError('x')")


def with_problems(state: FormState, *problems: FieldProblem) -> FormState:
    """The state with these problems."""
    return replace(state, problems=problems)


def with_failure(state: FormState, failure: Failure) -> FormState:
    """The state after Pipedrive refused or failed the last submit."""
    return replace(state, failure=failure)


def log_email(state: FormState = STATE, **changes: object) -> LogEmailView:
    """The Log email form for the fixture message."""
    return replace(LogEmailView(state=state, email=EMAIL), **changes)


def note(state: FormState = STATE, **changes: object) -> NoteView:
    """An empty Add note form."""
    return replace(NoteView(state=state), **changes)


def activity(state: FormState = STATE, **changes: object) -> ActivityView:
    """The Schedule activity form with its defaults."""
    view = ActivityView(
        state=state,
        subject="Follow up: Quote for the difference engine",
        types=TYPES,
        activity_type="call",
        due=DUE,
    )
    return replace(view, **changes)


def deal(state: FormState = STATE, **changes: object) -> DealView:
    """The Create deal form with its defaults."""
    view = DealView(
        state=state,
        title="Analytical Engines Ltd: Quote for the difference engine",
        currency="EUR",
        stages=STAGES,
    )
    return replace(view, **changes)


DUPLICATES = (
    DuplicateView(
        name="Ada Lovelace",
        reason_message_id="add_contact.duplicate.same_name",
        url=f"{APP}/person/1",
    ),
    DuplicateView(
        name="Charles Babbage",
        reason_message_id="add_contact.duplicate.same_domain",
        url=f"{APP}/person/4",
    ),
)


def contact(**changes: object) -> ContactFormView:
    """The add-contact form for a new sender whose domain points at one organization."""
    view = ContactFormView(
        connector_id="conn-1",
        email="grace@engines.example",
        sender_name="Grace Hopper",
        request_key=REQUEST_KEY,
        person_name="Grace Hopper",
        org_id=11,
        org_name="Analytical Engines Ltd",
    )
    return replace(view, **changes)


PROBLEMS = {
    "note": (FieldProblem(field=NOTE_INPUT, message_id="form.required"),),
    "log_email": (
        FieldProblem(field=COMMENT_INPUT, message_id="form.too_long", values={"limit": "20000"}),
        FieldProblem(field=None, message_id="form.out_of_range"),
    ),
    "activity": (
        FieldProblem(field=SUBJECT_INPUT, message_id="form.required"),
        FieldProblem(field="due_input", message_id="form.due_required"),
    ),
    "deal": (
        FieldProblem(field=TITLE_INPUT, message_id="form.required"),
        FieldProblem(field=VALUE_INPUT, message_id="form.not_a_number"),
        FieldProblem(field=CURRENCY_INPUT, message_id="form.currency"),
    ),
    "contact": (FieldProblem(field=PERSON_NAME_INPUT, message_id="form.required"),),
}

LONG_NAME = "Ada Augusta King, Countess of Lovelace " * 20
MANY_DEALS = tuple(DealOption(id=5000 + i, title=f"Deal number {i} " * 10) for i in range(200))
MANY_TYPES = tuple(
    TypeOption(key=f"type_{i}", name=f"Type {i}", icon_key=ACTIVITY_ICON_KEYS[i % 40])
    for i in range(60)
)
MANY_STAGES = tuple(
    StageOption(id=100 + i, pipeline=f"Pipeline {i // 10}", stage=f"Stage {i % 10}")
    for i in range(150)
)
CLOSE = date(2027, 1, 31)
