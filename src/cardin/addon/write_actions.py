"""The writes from the contact card, rendered: the forms, their submits, and Mark as done.

A form action pushes its form with a new request key. A submit's answer is, by what the use case
returned: the same form again with the problems beside their fields and everything typed kept
(`Invalid`), with Pipedrive's reason and a Retry (`WriteFailed`), a notice while the first submit
of that form is still running (`StillSaving`), or the contact card refreshed with the new item
and a receipt of the cost (`Written`): the message's dashboard when the write was made from the
default connector of the open message, else the contact card under the form.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from cardin.actions import (
    DUE_INPUT,
    About,
    ActivityForm,
    AddContact,
    AddNote,
    CreateContact,
    CreateDeal,
    DealForm,
    LogEmail,
    LogEmailForm,
    MarkDone,
    NoteForm,
    ScheduleActivity,
)
from cardin.addon.gmail import READONLY_SCOPE, GmailError, MessageHeaders, api_message_id
from cardin.addon.handlers import AddOn, scope_request
from cardin.cards import (
    DUPLICATE_SAME_DOMAIN,
    DUPLICATE_SAME_NAME,
    Json,
    action_response,
    pop,
    pop_to_root,
    push,
    render_list_card,
    update,
)
from cardin.cards.forms import (
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
    render_activity_form,
    render_contact_form,
    render_deal_form,
    render_log_email_form,
    render_note_form,
)
from cardin.cards.states import render_error_card
from cardin.cards.writes import WriteReceipt
from cardin.connectors import Feature
from cardin.connectors.model import Connector
from cardin.contact.model import Match
from cardin.contact.outcome import Failure, Outcome
from cardin.store import new_request_key
from cardin.usecases import contacts, writes
from cardin.usecases.contacts import DuplicateReason
from cardin.usecases.people import Participant
from cardin.usecases.writes import (
    Basis,
    EmailMessage,
    FeatureOff,
    Invalid,
    NotShown,
    Problem,
    ProblemCode,
    StillSaving,
    WriteFailed,
    Written,
)

log = logging.getLogger(__name__)
_REASONS = {
    DuplicateReason.SAME_NAME: DUPLICATE_SAME_NAME,
    DuplicateReason.SAME_DOMAIN: DUPLICATE_SAME_DOMAIN,
}


# --- the forms ---------------------------------------------------------------------------------


async def log_email_form(addon: AddOn, action: LogEmailForm) -> Json:
    """Push the Log email form for the open message."""
    headers = await _headers(addon)
    if isinstance(headers, dict):
        return headers
    basis = await writes.form_basis(
        addon.services, addon.user.sub, action.about, Feature.LOG_EMAILS
    )
    if not isinstance(basis, Basis):
        return _not_shown(addon, basis, action.about)
    view = LogEmailView(
        state=_state(basis, new_request_key()),
        email=_summary(addon, headers),
        deal_id=writes.default_deal(basis),
        body_needs_consent=_lacks_readonly(addon),
    )
    return action_response(push(render_log_email_form(view, addon.context(basis.connector))))


async def note_form(addon: AddOn, action: NoteForm) -> Json:
    """Push the Add note form."""
    basis = await writes.form_basis(
        addon.services, addon.user.sub, action.about, Feature.WRITE_NOTES
    )
    if not isinstance(basis, Basis):
        return _not_shown(addon, basis, action.about)
    view = NoteView(state=_state(basis, new_request_key()), deal_id=writes.default_deal(basis))
    return action_response(push(render_note_form(view, addon.context(basis.connector))))


async def activity_form(addon: AddOn, action: ActivityForm) -> Json:
    """Push the Schedule activity form: "Follow up: <subject>", next working day 09:00."""
    basis = await writes.form_basis(
        addon.services, addon.user.sub, action.about, Feature.WRITE_ACTIVITIES, metadata=True
    )
    if not isinstance(basis, Basis):
        return _not_shown(addon, basis, action.about)
    ctx = addon.context(basis.connector)
    subject = await _subject(addon)
    types = _types(basis)
    view = ActivityView(
        state=_state(basis, new_request_key()),
        subject=writes.follow_up_subject(subject, ctx.locale),
        types=types,
        activity_type=types[0].key if types else "",
        due=writes.next_working_morning(addon.services.clock(), ctx.timezone),
        duration_minutes=writes.DEFAULT_DURATION,
    )
    return action_response(push(render_activity_form(view, ctx)))


async def deal_form(addon: AddOn, action: DealForm) -> Json:
    """Push the Create deal form: title from the organization (or person) and the subject."""
    basis = await writes.form_basis(
        addon.services, addon.user.sub, action.about, Feature.WRITE_DEALS, metadata=True
    )
    if not isinstance(basis, Basis):
        return _not_shown(addon, basis, action.about)
    options = _stages(basis)
    view = DealView(
        state=_state(basis, new_request_key()),
        title=writes.deal_title(basis, await _subject(addon)),
        currency=writes.default_currency(basis.metadata),
        stages=options,
        stage_id=options[0].id if options else None,
    )
    return action_response(push(render_deal_form(view, addon.context(basis.connector))))


async def add_contact_form(addon: AddOn, action: AddContact) -> Json:
    """Push the add-contact form (likely duplicates listed above it)."""
    found = await contacts.contact_form(addon.services, addon.user.sub, action)
    if isinstance(found, contacts.FeatureOff):
        return action_response(notification=addon.text("notice.feature_off"))
    ctx = addon.context(found.connector)
    if isinstance(found, contacts.AddFailed):
        card = render_error_card(
            found.failure, ctx, connector_name=found.connector.name, email=found.person.email
        )
        return action_response(push(card))
    view = ContactFormView(
        connector_id=found.connector.id,
        email=found.person.email,
        sender_name=found.person.name,
        request_key=new_request_key(),
        person_name=found.name,
        organization=found.org_name or "",
        org_id=found.org_id,
        org_name=found.org_name,
        duplicates=tuple(
            DuplicateView(name=d.name, reason_message_id=_REASONS[d.reason], url=d.url)
            for d in found.duplicates
        ),
    )
    return action_response(push(render_contact_form(view, ctx)))


# --- the submits -------------------------------------------------------------------------------


async def log_email(addon: AddOn, action: LogEmail) -> Json:
    """Log the open message (with its text when opted in: then Google asks for the scope)."""
    if action.include_body and _lacks_readonly(addon):
        return {"requesting_google_scopes": {"scopes": [READONLY_SCOPE]}}
    headers = await _headers(addon)
    if isinstance(headers, dict):
        return headers
    body = await _body(addon) if action.include_body else None
    if action.include_body and body is None:  # asked for, not given: log nothing without it
        return action_response(notification=addon.text("write.notice.no_text"))
    summary = _summary(addon, headers)
    message = EmailMessage(
        message_id=headers.api_id or "",
        subject=summary.subject,
        sender=summary.sender,
        to=summary.to,
        cc=summary.cc,
        sent_at=summary.sent_at,
        gmail_url=summary.gmail_url,
        body=body,
    )
    ctx = addon.context()
    result = await writes.log_email(
        addon.services,
        addon.user.sub,
        action,
        message,
        zone=ctx.timezone,
        locale=ctx.locale,
    )

    def form(basis: Basis, problems: tuple[Problem, ...], failure: Failure | None) -> Json:
        view = LogEmailView(
            state=_state(basis, action.request_key, problems, failure),
            email=summary,
            deal_id=action.deal_id,
            comment=action.comment,
            include_body=action.include_body,
            body_needs_consent=_lacks_readonly(addon),
        )
        return render_log_email_form(view, addon.context(basis.connector))

    return await _answer(addon, action.about, result, form)


async def add_note(addon: AddOn, action: AddNote) -> Json:
    """Add the note; the form again when it is empty or Pipedrive refused it."""
    result = await writes.add_note(addon.services, addon.user.sub, action)

    def form(basis: Basis, problems: tuple[Problem, ...], failure: Failure | None) -> Json:
        view = NoteView(
            state=_state(basis, action.request_key, problems, failure),
            content=action.content,
            deal_id=action.deal_id,
        )
        return render_note_form(view, addon.context(basis.connector))

    return await _answer(addon, action.about, result, form)


async def schedule_activity(addon: AddOn, action: ScheduleActivity) -> Json:
    """Create the activity; the form again with what is missing."""
    result = await writes.schedule_activity(addon.services, addon.user.sub, action)

    def form(basis: Basis, problems: tuple[Problem, ...], failure: Failure | None) -> Json:
        ctx = addon.context(basis.connector)
        due = action.due
        if due is None or not writes.in_range(due.date()):  # shown again as the default
            due = writes.next_working_morning(addon.services.clock(), ctx.timezone)
        view = ActivityView(
            state=_state(basis, action.request_key, problems, failure),
            subject=action.subject,
            types=_types(basis),
            activity_type=action.activity_type,
            due=due,
            duration_minutes=action.duration_minutes,
            deal_id=action.deal_id,
            note=action.note,
        )
        return render_activity_form(view, ctx)

    return await _answer(addon, action.about, result, form)


async def create_deal(addon: AddOn, action: CreateDeal) -> Json:
    """Create the deal; the form again with what is wrong."""
    ctx = addon.context()
    result = await writes.create_deal(addon.services, addon.user.sub, action, locale=ctx.locale)

    def form(basis: Basis, problems: tuple[Problem, ...], failure: Failure | None) -> Json:
        close = action.expected_close if writes.in_range(action.expected_close) else None
        view = DealView(
            state=_state(basis, action.request_key, problems, failure),
            title=action.title,
            value=action.value,
            currency=action.currency,
            stages=_stages(basis),
            stage_id=action.stage_id,
            expected_close=close,
        )
        return render_deal_form(view, addon.context(basis.connector))

    return await _answer(addon, action.about, result, form)


async def mark_done(addon: AddOn, action: MarkDone) -> Json:
    """Mark the activity done and show the card (or list) it was on, refreshed."""
    result = await writes.mark_done(addon.services, addon.user.sub, action)
    if isinstance(result, FeatureOff):
        return action_response(notification=addon.text("notice.feature_off"))
    if isinstance(result, NotShown):
        return _not_shown(addon, result, action.about)
    if isinstance(result, WriteFailed):
        return action_response(notification=_failure_notice(addon, result.failure))
    if not isinstance(result, Written):  # pragma: no cover - mark_done has no other result
        return action_response()
    notice = addon.text("write.notice.done")
    card = await _done_card(addon, action, result)
    navigations = [update(card)] if card is not None else []
    return action_response(*navigations, notification=notice, state_changed=True)


async def _done_card(addon: AddOn, action: MarkDone, result: Written) -> Json | None:
    """The card Mark as done was clicked on, refreshed: the list, else the contact."""
    if action.section is not None and isinstance(result.outcome, Match):
        ctx = addon.context(result.connector)
        writes_shown = await addon.write_options(result.connector, receipt=_receipt(result))
        return render_list_card(
            result.outcome,
            action.section.value,
            ctx,
            writes=writes_shown,
            sender_name=action.about.name,
        )
    return await _contact_after(addon, result)


async def create_contact(addon: AddOn, action: CreateContact) -> Json:
    """Create the person from the form; their contact card in place of the form."""
    result = await contacts.create_contact(addon.services, addon.user.sub, action)
    if isinstance(result, contacts.FeatureOff):
        return action_response(notification=addon.text("notice.feature_off"))
    if isinstance(result, contacts.ContactSaving):
        return action_response(notification=addon.text("write.notice.saving"))
    ctx = addon.context(result.connector)
    if isinstance(result, contacts.ContactInvalid | contacts.AddFailed):
        problems = result.problems if isinstance(result, contacts.ContactInvalid) else ()
        failure = result.failure if isinstance(result, contacts.AddFailed) else None
        view = ContactFormView(
            connector_id=result.connector.id,
            email=result.person.email,
            sender_name=result.person.name,
            request_key=action.request_key,
            person_name=action.person_name,
            organization=action.organization,
            org_id=action.org_id,
            org_name=action.org_name,
            phone=action.phone,
            job_title=action.job_title,
            problems=tuple(_problem(p) for p in problems),
            failure=failure,
        )
        return action_response(update(render_contact_form(view, ctx)))
    person = result.person
    card = await _dashboard_or_card(addon, result.connector, result.outcome, person, None)
    notice = ctx.msgs.text("add.done", name=result.name)
    return action_response(*card, notification=notice, state_changed=True)


# --- answers -----------------------------------------------------------------------------------


FormRenderer = Callable[[Basis, tuple[Problem, ...], Failure | None], Json]


async def _answer(
    addon: AddOn, about: About, result: writes.SubmitResult, form: FormRenderer
) -> Json:
    """A submit's answer (see the module's docstring)."""
    if isinstance(result, FeatureOff):
        return action_response(notification=addon.text("notice.feature_off"))
    if isinstance(result, NotShown):
        return _not_shown(addon, result, about)
    if isinstance(result, StillSaving):
        return action_response(notification=addon.text("write.notice.saving"))
    if isinstance(result, Invalid):
        return action_response(update(form(result.basis, result.problems, None)))
    if isinstance(result, WriteFailed):
        return action_response(update(form(result.basis, (), result.failure)))
    person = Participant.of(about.email, about.name)
    navigations = await _dashboard_or_card(
        addon, result.connector, result.outcome, person, _receipt(result)
    )
    notice = addon.text(f"write.notice.{result.receipt.kind.value}")
    return action_response(*navigations, notification=notice, state_changed=True)


async def _dashboard_or_card(
    addon: AddOn,
    connector: Connector,
    outcome: Outcome,
    person: Participant,
    receipt: WriteReceipt | None,
) -> list[Json]:
    """Back from the form to the refreshed contact: the whole dashboard when the write came from
    the open message's default connector, else the contact card that was under the form."""
    card, is_dashboard = await _refreshed(addon, connector, outcome, person, receipt)
    if card is None:
        return [pop()]
    return [pop_to_root(), update(card)] if is_dashboard else [pop(), update(card)]


async def _refreshed(
    addon: AddOn,
    connector: Connector,
    outcome: Outcome,
    person: Participant,
    receipt: WriteReceipt | None,
) -> tuple[Json | None, bool]:
    """The card that shows the contact after a write, and whether it is the message's
    dashboard (the default connector's card of the message's first person)."""
    gmail = addon.event.gmail
    if connector.is_default and gmail is not None and gmail.message_id:
        participants = await addon.participants()
        if participants and participants[0].email == person.email:
            first, *others = participants
            # the lookup the write made just now, not the cache it filled: its cost is shown
            known = {connector.id: outcome}
            return await addon.dashboard(first, others, receipt=receipt, known=known), True
    writes_shown = await addon.write_options(connector, receipt=receipt)
    return addon.outcome_card(connector, outcome, person, writes=writes_shown), False


async def _contact_after(addon: AddOn, result: Written) -> Json | None:
    person = Participant.of(result.about.email, result.about.name)
    card, _ = await _refreshed(addon, result.connector, result.outcome, person, _receipt(result))
    return card


def _receipt(result: Written) -> WriteReceipt:
    return WriteReceipt(
        message_id=f"write.done.{result.receipt.kind.value}", tokens=result.receipt.tokens
    )


def _not_shown(addon: AddOn, result: FeatureOff | NotShown, about: About) -> Json:
    if isinstance(result, FeatureOff):
        return action_response(notification=addon.text("notice.feature_off"))
    person = Participant.of(about.email, about.name)
    card = addon.outcome_card(result.connector, result.outcome, person)
    return action_response(push(card)) if card is not None else action_response()


def _failure_notice(addon: AddOn, failure: Failure) -> str:
    """A failed Mark as done in a notification: the forms' words for the failure."""
    msgs = addon.context().msgs
    key = f"form.failure.{failure.kind.value}"
    return msgs.text(key if msgs.has(key) else "form.failure.other")


# --- building the views ------------------------------------------------------------------------


def _state(
    basis: Basis,
    request_key: str,
    problems: tuple[Problem, ...] = (),
    failure: Failure | None = None,
) -> FormState:
    return FormState(
        about=basis.about,
        request_key=request_key,
        contact_name=basis.contact_name,
        deals=tuple(DealOption(id=d.id, title=d.title) for d in basis.open_deals),
        problems=tuple(_problem(p) for p in problems),
        failure=failure,
    )


PROBLEM_WORDS = {  # the catalog's words for each problem a use case finds
    ProblemCode.REQUIRED: "form.required",
    ProblemCode.TOO_LONG: "form.too_long",
    ProblemCode.NOT_A_NUMBER: "form.not_a_number",
    ProblemCode.NEGATIVE: "form.negative",
    ProblemCode.BAD_CURRENCY: "form.currency",
    ProblemCode.UNKNOWN_TYPE: "form.unknown_type",
    ProblemCode.UNKNOWN_STAGE: "form.unknown_stage",
    ProblemCode.BAD_DURATION: "form.bad_duration",
    ProblemCode.OUT_OF_RANGE: "form.out_of_range",
}


def _problem(problem: Problem) -> FieldProblem:
    """The words for a problem, beside its field."""
    if problem.code is ProblemCode.REQUIRED and problem.field == DUE_INPUT:
        return FieldProblem(field=problem.field, message_id="form.due_required")
    values = {"limit": str(problem.limit)} if problem.limit is not None else {}
    return FieldProblem(field=problem.field, message_id=PROBLEM_WORDS[problem.code], values=values)


def _types(basis: Basis) -> tuple[TypeOption, ...]:
    return tuple(
        TypeOption(key=t.key_string, name=t.name or t.key_string, icon_key=t.icon_key)
        for t in writes.activity_types(basis.metadata)
    )


def _stages(basis: Basis) -> tuple[StageOption, ...]:
    return tuple(
        StageOption(id=stage.id, pipeline=pipeline, stage=stage.name or str(stage.id))
        for pipeline, stage in writes.stages(basis.metadata)
    )


def _lacks_readonly(addon: AddOn) -> bool:
    return READONLY_SCOPE not in addon.event.authorization.authorized_scopes


async def _headers(addon: AddOn) -> MessageHeaders | Json:
    """The open message's headers, or the answer to give instead (a scope request, a notice)."""
    gmail, auth = addon.event.gmail, addon.event.authorization
    if gmail is None or not gmail.message_id or not auth.user_oauth_token:
        return action_response(notification=addon.text("write.notice.no_message"))
    if addon.lacks_metadata_scope():
        return scope_request()
    try:
        return await addon.runtime.gmail.message_headers(
            gmail.message_id,
            oauth_token=auth.user_oauth_token,
            access_token=gmail.access_token,
            user=addon.user.sub,
        )
    except GmailError as exc:
        log.warning("Gmail metadata unavailable: %s", exc)
        return action_response(notification=addon.text("notice.gmail_unreadable"))


async def _subject(addon: AddOn) -> str | None:
    """The open message's subject, when a message is open and readable."""
    headers = await _headers(addon)
    return headers.subject if isinstance(headers, MessageHeaders) else None


async def _body(addon: AddOn) -> str | None:
    gmail, auth = addon.event.gmail, addon.event.authorization
    if gmail is None or not gmail.message_id or not auth.user_oauth_token:
        return None
    try:
        return await addon.runtime.gmail.message_text(
            gmail.message_id, oauth_token=auth.user_oauth_token, access_token=gmail.access_token
        )
    except GmailError as exc:
        log.warning("Gmail message text unavailable: %s", exc)
        return None


def _summary(addon: AddOn, headers: MessageHeaders) -> EmailSummary:
    gmail = addon.event.gmail
    raw_id = headers.api_id or (gmail.message_id if gmail and gmail.message_id else "")
    try:
        api_id = api_message_id(raw_id)
    except ValueError:
        api_id = ""
    sent_at: datetime | None = headers.received
    return EmailSummary(
        subject=headers.subject or "",
        sender=headers.sender or "",
        to=headers.to or "",
        cc=headers.cc or "",
        sent_at=sent_at,
        gmail_url=writes.gmail_url(api_id, addon.user.email),
    )
