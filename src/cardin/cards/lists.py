"""The "show all" cards: one list of the contact in full, itself within Google's widget limit."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from cardin.cards import activities, deals
from cardin.cards.actions import ListSection
from cardin.cards.contact import DoneClick, contact_frame, other_widget
from cardin.cards.context import CardContext
from cardin.cards.general import email_widget, field_widget, phone_widget
from cardin.cards.limits import (
    LIST_DEAL_ACTIVITIES,
    LIST_DEAL_NOTES,
    MAX_WIDGETS,
    Budget,
    count_widgets,
    fit,
)
from cardin.cards.parts import note_widget, section_error, show_all
from cardin.cards.widgets import GREY, Json, colored, paragraph
from cardin.cards.widgets import section as make_section
from cardin.cards.writes import WriteOptions, mark_done, receipt_widget
from cardin.connectors.features import Feature
from cardin.contact.model import Activity, ActivityState, Deal, DealStatus, Match, Note

T = TypeVar("T")
_FEATURES = {
    ListSection.FIELDS: Feature.CUSTOM_FIELDS,
    ListSection.NOTES: Feature.NOTES,
    ListSection.DEALS: Feature.DEALS,
    ListSection.ACTIVITIES: Feature.ACTIVITIES,
}
_DEAL_ORDER = (DealStatus.OPEN, DealStatus.WON, DealStatus.LOST)
_ACTIVITY_ORDER = (ActivityState.OVERDUE, ActivityState.PLANNED, ActivityState.DONE)
# One widget stays free for the "showing N of M" row under a cut list.
_CUT_ROW = 1


@dataclass(frozen=True)
class _Options:
    """What a list builder is given besides the match: the widgets it may use, and the
    "Mark as done" clicks of open activities (None: no writes on this card)."""

    room: int = MAX_WIDGETS
    done: DoneClick | None = None


def render_list_card(
    match: Match,
    section: str,
    ctx: CardContext,
    *,
    writes: WriteOptions | None = None,
    sender_name: str | None = None,
) -> Json:
    """The pushed card listing one section in full; ValueError for an unknown section name.

    With `writes`, open activities offer "Mark as done" and the last write's receipt ends the
    card.
    """
    which = ListSection(section)
    feature = _FEATURES.get(which)
    receipt = writes.receipt if writes else None
    tail = [make_section([receipt_widget(ctx, receipt)])] if receipt else []
    done = functools.partial(mark_done, match, ctx, sender_name=sender_name) if writes else None
    options = _Options(room=MAX_WIDGETS - len(tail), done=done)
    if feature is not None and not ctx.has(feature):
        sections = [_nothing(ctx)]
    else:
        sections = _BUILDERS[which](match, ctx, options) or [_nothing(ctx)]
    return contact_frame(match, ctx, fit([*sections, *tail]), name=f"list_{which.value}")


def _nothing(ctx: CardContext) -> Json:
    return make_section([paragraph(colored(ctx.msgs.text("list.empty"), GREY))])


def _flat(
    match: Match,
    ctx: CardContext,
    which: ListSection,
    items: Sequence[T],
    *,
    total: int,
    render: Callable[[T, CardContext], Json],
    room: int,
) -> list[Json]:
    """One section with as many items as fit in `room` and a "showing N of M" row when cut."""
    budget = Budget(room)
    budget.take(_CUT_ROW)
    widgets = [render(item, ctx) for item in items[: budget.left]]
    shown = len(widgets)
    more = show_all(ctx, match, which, shown=shown, available=shown, total=max(total, len(items)))
    header = ctx.msgs.text(f"section.{which.value}")
    return [make_section([*widgets, more] if more else widgets, header=header)] if widgets else []


def _fields(match: Match, ctx: CardContext, options: _Options) -> list[Json]:
    contact = match.contact
    if contact.fields_error is not None:
        return [make_section([section_error(ctx, contact.fields_error, match)])]
    fields = contact.fields
    return _flat(
        match,
        ctx,
        ListSection.FIELDS,
        fields,
        total=len(fields),
        render=field_widget,
        room=options.room,
    )


def _emails(match: Match, ctx: CardContext, options: _Options) -> list[Json]:
    items = match.contact.emails
    return _flat(
        match, ctx, ListSection.EMAILS, items, total=len(items), render=email_widget,
        room=options.room,
    )  # fmt: skip


def _phones(match: Match, ctx: CardContext, options: _Options) -> list[Json]:
    items = match.contact.phones
    return _flat(
        match, ctx, ListSection.PHONES, items, total=len(items), render=phone_widget,
        room=options.room,
    )  # fmt: skip


def _others(match: Match, ctx: CardContext, options: _Options) -> list[Json]:
    items = match.others
    return _flat(
        match, ctx, ListSection.OTHERS, items, total=len(items), render=other_widget,
        room=options.room,
    )  # fmt: skip


def _notes(match: Match, ctx: CardContext, options: _Options) -> list[Json]:
    notes = match.contact.notes
    if notes.error is not None:
        return [make_section([section_error(ctx, notes.error, match)])]
    return _flat(
        match, ctx, ListSection.NOTES, notes.items, total=notes.total, render=_note,
        room=options.room,
    )  # fmt: skip


def _note(note: Note, ctx: CardContext) -> Json:
    return note_widget(ctx, note)


def _deals(match: Match, ctx: CardContext, options: _Options) -> list[Json]:
    """Deals grouped by status (open, won, lost), each with some notes and activities."""
    found, overview = match.contact.deals, match.contact.deals_overview
    if found.error is not None:
        return [make_section([section_error(ctx, found.error, match)])]
    head = [make_section([deals.overview_widget(overview, ctx)])] if overview else []
    groups = [(s.value, [d for d in found.items if d.status is s]) for s in _DEAL_ORDER]
    total = max(found.total, overview.total if overview else 0, len(found.items))
    render = functools.partial(_deal_block, match)
    return _grouped(
        match, ctx, ListSection.DEALS, head=head, groups=groups, total=total, render=render,
        room=options.room,
    )  # fmt: skip


def _deal_block(match: Match, deal: Deal, ctx: CardContext) -> list[Json]:
    click = deals.open_deal_click(deal, ctx, email=match.email, person_id=match.contact.id)
    return deals.deal_widgets(
        deal, ctx, notes=LIST_DEAL_NOTES, activities=LIST_DEAL_ACTIVITIES, open_deal=click
    )


def _activities(match: Match, ctx: CardContext, options: _Options) -> list[Json]:
    """Activities grouped as overdue, planned and done, in the lookup's order of relevance."""
    found, overview = match.contact.activities, match.contact.activities_overview
    if found.error is not None:
        return [make_section([section_error(ctx, found.error, match)])]
    head = [make_section([activities.overview_widget(overview, ctx)])] if overview else []
    groups = [(s.value, [a for a in found.items if a.state is s]) for s in _ACTIVITY_ORDER]
    total = max(found.total, overview.total if overview else 0, len(found.items))
    return _grouped(
        match,
        ctx,
        ListSection.ACTIVITIES,
        head=head,
        groups=groups,
        total=total,
        render=functools.partial(_activity_block, done=options.done),
        room=options.room,
    )


def _activity_block(
    activity: Activity, ctx: CardContext, *, done: DoneClick | None = None
) -> list[Json]:
    click = done(activity) if done is not None else None
    return [activities.activity_widget(activity, ctx, done=click)]


def _grouped(
    match: Match,
    ctx: CardContext,
    which: ListSection,
    *,
    head: list[Json],
    groups: Sequence[tuple[str, Sequence[T]]],
    total: int,
    render: Callable[[T, CardContext], list[Json]],
    room: int,
) -> list[Json]:
    """A section per non-empty group ("Open deals (3)"), items in order while they fit.

    Filling stops at the first item that does not fit, so what is shown is always a prefix of
    the relevance order, never a later group ahead of a cut earlier one.
    """
    budget = Budget(room)
    budget.take(_CUT_ROW + count_widgets(head))
    sections, shown, full = list(head), 0, False
    for name, items in groups:
        widgets: list[Json] = []
        for item in items if not full else ():
            block = render(item, ctx)
            if not budget.take(len(block)):
                full = True
                break
            widgets.extend(block)
            shown += 1
        if widgets:
            key = f"list.{which.value}.{name}"
            header = ctx.msgs.plural(key, len(items), count=ctx.fmt.number(len(items)))
            sections.append(make_section(widgets, header=header))
    more = show_all(ctx, match, which, shown=shown, available=shown, total=total)
    return [*sections, make_section([more])] if more else sections


_BUILDERS: dict[ListSection, Callable[[Match, CardContext, _Options], list[Json]]] = {
    ListSection.FIELDS: _fields,
    ListSection.EMAILS: _emails,
    ListSection.PHONES: _phones,
    ListSection.OTHERS: _others,
    ListSection.NOTES: _notes,
    ListSection.DEALS: _deals,
    ListSection.ACTIVITIES: _activities,
}
