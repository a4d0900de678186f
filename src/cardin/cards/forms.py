"""The write forms of the contact card: log the email, add a note, schedule an activity, create
a deal, add a contact. Each comes back with what was typed, the problem beside its field and
Pipedrive's refusal above, so nothing is lost; every submit carries the form's request key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from cardin.actions import About, CreateContact, CreateDeal, LogEmail, ScheduleActivity
from cardin.actions import AddNote as AddNoteAction
from cardin.actions.keys import (
    BODY_INPUT,
    CLOSE_DATE_INPUT,
    COMMENT_INPUT,
    CURRENCY_INPUT,
    DEAL_INPUT,
    DUE_INPUT,
    DURATION_INPUT,
    JOB_TITLE_INPUT,
    NOTE_INPUT,
    ORG_INPUT,
    PERSON_NAME_INPUT,
    PHONE_INPUT,
    STAGE_INPUT,
    SUBJECT_INPUT,
    SWITCH_ON,
    TITLE_INPUT,
    TYPE_INPUT,
    VALUE_INPUT,
)
from cardin.cards import icons
from cardin.cards.actions import call
from cardin.cards.context import CardContext
from cardin.cards.dashboard import MAX_DUPLICATES, duplicate_row
from cardin.cards.formparts import (
    MAX_OPTIONS,
    Field,
    FieldProblem,
    Frame,
    area,
    choice_field,
    epoch_ms,
    form_card,
)
from cardin.cards.home import more_hidden
from cardin.cards.parts import local
from cardin.cards.widgets import (
    GREY,
    RED,
    Json,
    bold,
    breakable_email,
    colored,
    date_time_picker,
    decorated,
    dropdown,
    lines,
    section,
    switch,
    text_input,
)
from cardin.contact.outcome import Failure

__all__ = [
    "DURATIONS",
    "MAX_OPTIONS",
    "ActivityView",
    "ContactFormView",
    "DealOption",
    "DealView",
    "DuplicateView",
    "EmailSummary",
    "FieldProblem",
    "FormState",
    "LogEmailView",
    "NoteView",
    "StageOption",
    "TypeOption",
    "render_activity_form",
    "render_contact_form",
    "render_deal_form",
    "render_log_email_form",
    "render_note_form",
]

DURATIONS = (0, 15, 30, 45, 60, 90, 120)
"""The durations offered for an activity, in minutes (0: none)."""


# --- view models ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class DealOption:
    """One of the person's open deals, offered in a form's deal dropdown."""

    id: int
    title: str


@dataclass(frozen=True, kw_only=True)
class FormState:
    """What every contact write form shares: whom it is about, its request key, its problems.

    `failure` is Pipedrive's refusal or failure of the last submit: shown above the form, with
    Retry (the same submit, same request key) when trying again may help.
    """

    about: About
    request_key: str
    contact_name: str
    deals: tuple[DealOption, ...] = ()
    problems: tuple[FieldProblem, ...] = ()
    failure: Failure | None = None


@dataclass(frozen=True, kw_only=True)
class EmailSummary:
    """The open message as the Log email form shows it (read-only)."""

    subject: str
    sender: str
    to: str
    cc: str
    sent_at: datetime | None
    gmail_url: str


@dataclass(frozen=True, kw_only=True)
class LogEmailView:
    """The Log email form: the message, the deal to log it on, a comment, the text opt-in."""

    state: FormState
    email: EmailSummary
    deal_id: int = 0
    comment: str = ""
    include_body: bool = False
    body_needs_consent: bool = True


@dataclass(frozen=True, kw_only=True)
class NoteView:
    """The Add note form: the text and the deal it goes on (0: the person)."""

    state: FormState
    content: str = ""
    deal_id: int = 0


@dataclass(frozen=True, kw_only=True)
class TypeOption:
    """An activity type of the company: key_string, name, Pipedrive icon key."""

    key: str
    name: str
    icon_key: str | None


@dataclass(frozen=True, kw_only=True)
class ActivityView:
    """The Schedule activity form; `due` is aware (shown in the reader's zone)."""

    state: FormState
    subject: str
    types: tuple[TypeOption, ...]
    activity_type: str
    due: datetime
    duration_minutes: int = 0
    deal_id: int = 0
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class StageOption:
    """A stage a new deal can start in, with its pipeline's name."""

    id: int
    pipeline: str
    stage: str


@dataclass(frozen=True, kw_only=True)
class DealView:
    """The Create deal form; `value` is as typed."""

    state: FormState
    title: str
    value: str = ""
    currency: str
    stages: tuple[StageOption, ...]
    stage_id: int | None = None
    expected_close: date | None = None


@dataclass(frozen=True, kw_only=True)
class DuplicateView:
    """A person Pipedrive may already have: name, why (a catalog id taking {name}), link."""

    name: str
    reason_message_id: str
    url: str


@dataclass(frozen=True, kw_only=True)
class ContactFormView:
    """The add-contact form for an unknown sender; `org_id`/`org_name`: the organization the
    address' domain points at (preselected), `organization`: the name in the field."""

    connector_id: str
    email: str
    sender_name: str | None
    request_key: str
    person_name: str
    organization: str = ""
    org_id: int | None = None
    org_name: str | None = None
    phone: str = ""
    job_title: str = ""
    duplicates: tuple[DuplicateView, ...] = ()
    problems: tuple[FieldProblem, ...] = ()
    failure: Failure | None = None


# --- the forms -----------------------------------------------------------------------------


def render_log_email_form(view: LogEmailView, ctx: CardContext) -> Json:
    """The message (read-only), the deal dropdown, a comment and "Include the message text"."""
    msgs, state = ctx.msgs, view.state
    consent = "form.log.body.consent" if view.body_needs_consent else "form.log.body.explain"
    include = switch(
        msgs.text("form.log.body"),
        name=BODY_INPUT,
        value=SWITCH_ON,
        selected=view.include_body,
        bottom=msgs.text(consent),
    )
    fields = [
        *_deal_field(ctx, state, view.deal_id),
        (COMMENT_INPUT, area(COMMENT_INPUT, msgs.text("form.log.comment"), view.comment)),
        (BODY_INPUT, include),
    ]
    submit = call(ctx, LogEmail(about=state.about, request_key=state.request_key))
    message = section([_message_widget(ctx, view.email)], header=msgs.text("form.log.message"))
    frame = _frame(
        state, "form.log.title", ("action.log_email", submit), "log_email_form", [message]
    )
    return form_card(ctx, frame, fields)


def render_note_form(view: NoteView, ctx: CardContext) -> Json:
    """The note's text (line breaks kept) and the deal it goes on."""
    msgs, state = ctx.msgs, view.state
    text = area(NOTE_INPUT, msgs.text("form.note.content"), view.content)
    fields = [(NOTE_INPUT, text), *_deal_field(ctx, state, view.deal_id)]
    action = AddNoteAction(about=state.about, request_key=state.request_key)
    submit = call(ctx, action, required=[NOTE_INPUT])
    frame = _frame(state, "form.note.title", ("action.add_note", submit), "note_form")
    return form_card(ctx, frame, fields)


def render_activity_form(view: ActivityView, ctx: CardContext) -> Json:
    """Subject, type, due date and time (in the reader's zone), duration, deal and note."""
    msgs, state = ctx.msgs, view.state
    offset = local(ctx, view.due).utcoffset() or timedelta(0)
    due = date_time_picker(
        DUE_INPUT,
        msgs.text("form.activity.due"),
        kind="DATE_AND_TIME",
        value_ms=epoch_ms(view.due),
        offset_minutes=int(offset.total_seconds() // 60),
    )
    subject = text_input(SUBJECT_INPUT, msgs.text("form.activity.subject"), value=view.subject)
    fields = [
        (SUBJECT_INPUT, subject),
        *_type_field(ctx, view),
        (DUE_INPUT, due),
        (DURATION_INPUT, _duration_field(ctx, view.duration_minutes)),
        *_deal_field(ctx, state, view.deal_id),
        (NOTE_INPUT, area(NOTE_INPUT, msgs.text("form.activity.note"), view.note)),
    ]
    action = ScheduleActivity(about=state.about, request_key=state.request_key)
    submit = call(ctx, action, required=[SUBJECT_INPUT])
    frame = _frame(state, "form.activity.title", ("action.schedule", submit), "activity_form")
    return form_card(ctx, frame, fields)


def render_deal_form(view: DealView, ctx: CardContext) -> Json:
    """Title, value and currency, the stage (with its pipeline), expected close date."""
    msgs, state = ctx.msgs, view.state
    close = view.expected_close
    closing = date_time_picker(
        CLOSE_DATE_INPUT,
        msgs.text("form.deal.expected_close"),
        kind="DATE_ONLY",
        value_ms=epoch_ms(datetime.combine(close, time(), tzinfo=UTC)) if close else None,
    )
    value = text_input(
        VALUE_INPUT,
        msgs.text("form.deal.value"),
        value=view.value,
        hint=msgs.text("form.deal.value.hint"),
    )
    fields = [
        (TITLE_INPUT, text_input(TITLE_INPUT, msgs.text("form.deal.title_label"),
                                 value=view.title)),
        (VALUE_INPUT, value),
        (CURRENCY_INPUT, text_input(CURRENCY_INPUT, msgs.text("form.deal.currency"),
                                    value=view.currency)),
        *_stage_field(ctx, view),
        (CLOSE_DATE_INPUT, closing),
    ]  # fmt: skip
    action = CreateDeal(about=state.about, request_key=state.request_key)
    submit = call(ctx, action, required=[TITLE_INPUT])
    frame = _frame(state, "form.deal.title", ("action.create_deal", submit), "deal_form")
    return form_card(ctx, frame, fields)


def render_contact_form(view: ContactFormView, ctx: CardContext) -> Json:
    """Name, the fixed email, organization, phone and job title; likely duplicates above."""
    msgs = ctx.msgs
    org_hint = "form.contact.org.linked" if view.org_id is not None else "form.contact.org.hint"
    email_label = msgs.text("form.contact.email")
    organization = text_input(
        ORG_INPUT,
        msgs.text("form.contact.organization"),
        value=view.organization or view.org_name or "",
        hint=msgs.text(org_hint),
    )
    fields: list[Field] = [
        (PERSON_NAME_INPUT, text_input(PERSON_NAME_INPUT, msgs.text("form.contact.name"),
                                       value=view.person_name)),
        (None, decorated(breakable_email(view.email), top=email_label,
                         start_icon=icons.known("EMAIL", email_label))),
        (ORG_INPUT, organization),
        (PHONE_INPUT, text_input(PHONE_INPUT, msgs.text("form.contact.phone"), value=view.phone)),
        (JOB_TITLE_INPUT, text_input(JOB_TITLE_INPUT, msgs.text("form.contact.job_title"),
                                     value=view.job_title)),
    ]  # fmt: skip
    action = CreateContact(
        connector_id=view.connector_id,
        email=view.email,
        name=view.sender_name or None,
        request_key=view.request_key,
        org_id=view.org_id,
        org_name=view.org_name if view.org_id is not None else None,
    )
    frame = Frame(
        title="form.contact.title",
        subtitle=breakable_email(view.email),
        problems=view.problems,
        failure=view.failure,
        submit=("form.contact.submit", call(ctx, action, required=[PERSON_NAME_INPUT])),
        name="contact_form",
        before=_duplicates(ctx, view),
    )
    return form_card(ctx, frame, fields)


def _frame(
    state: FormState, title: str, submit: tuple[str, Json], name: str, before: Sequence[Json] = ()
) -> Frame:
    """The frame of a contact write form: its title over the contact's name."""
    return Frame(
        title=title,
        subtitle=state.contact_name,
        problems=state.problems,
        failure=state.failure,
        submit=submit,
        name=name,
        before=before,
    )


# --- fields --------------------------------------------------------------------------------


def _deal_field(ctx: CardContext, state: FormState, deal_id: int) -> list[Field]:
    """The deal dropdown: "<person> (no deal)" first, then the person's open deals."""
    person = (ctx.msgs.text("form.attach.none", name=state.contact_name), "0", None)
    deals = [(d.title, str(d.id), None) for d in state.deals]
    return choice_field(
        ctx, DEAL_INPUT, ctx.msgs.text("form.attach"), deals, selected=str(deal_id),
        pinned=[person],
    )  # fmt: skip


def _type_field(ctx: CardContext, view: ActivityView) -> list[Field]:
    """The company's activity types, each with its icon."""
    base = ctx.icon_base_url.rstrip("/")
    options = [(t.name, t.key, _type_icon(base, t.icon_key)) for t in view.types]
    label = ctx.msgs.text("form.activity.type")
    return choice_field(ctx, TYPE_INPUT, label, options, selected=view.activity_type)


def _type_icon(base: str, icon_key: str | None) -> str:
    """The served PNG of an activity type's icon (an unknown key: the task icon)."""
    key = icon_key if icon_key in icons.ACTIVITY_ICON_KEYS else "task"
    return f"{base}/activity_{key}.png"


def _duration_field(ctx: CardContext, minutes: int) -> Json:
    """None, 15 min ... 2 hr; a duration typed elsewhere is kept as an extra choice."""
    choices = sorted({*DURATIONS, max(minutes, 0)})
    items = [(_duration_word(ctx, m), str(m)) for m in choices]
    label = ctx.msgs.text("form.activity.duration")
    return dropdown(DURATION_INPUT, label, items, selected=str(minutes))


def _duration_word(ctx: CardContext, minutes: int) -> str:
    """ "No duration", "30 min", "1 hr 30 min"."""
    if minutes <= 0:
        return ctx.msgs.text("form.activity.duration.none")
    return ctx.fmt.duration(timedelta(minutes=minutes))


def _stage_field(ctx: CardContext, view: DealView) -> list[Field]:
    """Every stage with its pipeline; no stages: a note that the default one is used."""
    msgs = ctx.msgs
    if not view.stages:
        return [(None, decorated(colored(msgs.text("form.deal.no_stages"), GREY)))]
    options = [
        (msgs.text("form.deal.stage.option", pipeline=s.pipeline, stage=s.stage), str(s.id), None)
        for s in view.stages
    ]
    selected = str(view.stage_id) if view.stage_id is not None else options[0][1]
    return choice_field(ctx, STAGE_INPUT, msgs.text("form.deal.stage"), options, selected=selected)


# --- read-only parts -----------------------------------------------------------------------


def _message_widget(ctx: CardContext, email: EmailSummary) -> Json:
    """Subject in bold; from, to, cc and the date in the reader's zone under it."""
    msgs = ctx.msgs
    sent = ctx.fmt.datetime(email.sent_at) if email.sent_at is not None else None
    details = [
        msgs.text("form.log.from", who=breakable_email(email.sender)) if email.sender else None,
        msgs.text("form.log.to", who=breakable_email(email.to)) if email.to else None,
        msgs.text("form.log.cc", who=breakable_email(email.cc)) if email.cc else None,
        msgs.text("form.log.sent", when=sent) if sent else None,
    ]
    subject = email.subject.strip() or msgs.text("form.log.no_subject")
    return decorated(
        lines([bold(subject), *details]),
        start_icon=icons.known("EMAIL", msgs.text("form.log.message")),
    )


def _duplicates(ctx: CardContext, view: ContactFormView) -> list[Json]:
    """The warning and each possible duplicate, linked (nothing without duplicates)."""
    if not view.duplicates:
        return []
    msgs = ctx.msgs
    rows = [decorated(colored(msgs.text("form.contact.duplicates"), RED))]
    shown = view.duplicates[:MAX_DUPLICATES]
    rows += [duplicate_row(ctx, d.name, _reason(ctx, d), d.url) for d in shown]
    if len(view.duplicates) > MAX_DUPLICATES:
        rows.append(more_hidden(ctx, len(view.duplicates) - MAX_DUPLICATES))
    return [section(rows, header=msgs.text("form.contact.duplicates.header"))]


def _reason(ctx: CardContext, dup: DuplicateView) -> str:
    """Why the person may be the same: the catalog's words, or the reason as given."""
    try:
        return ctx.msgs.text(dup.reason_message_id, name=dup.name)
    except KeyError:
        return dup.reason_message_id
