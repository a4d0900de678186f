"""The "show all" cards: one list of the contact in full, itself within Google's widget limit."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from cardin.actions import ShowAll
from cardin.cards import activities, deals
from cardin.cards.actions import ListSection, call, card_connector
from cardin.cards.contact import DoneClick, contact_frame, other_widget
from cardin.cards.context import CardContext
from cardin.cards.general import email_widget, field_widget, phone_widget
from cardin.cards.limits import (
    LIST_DEAL_ACTIVITIES,
    LIST_DEAL_NOTES,
    MAX_WIDGETS,
    count_widgets,
    fit,
)
from cardin.cards.paging import NAV_WIDGETS, Page, Rendered, cut, nav_widgets
from cardin.cards.parts import note_widgets, section_error
from cardin.cards.widgets import GREY, Json, button, colored, open_link, paragraph
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


@dataclass(frozen=True)
class _Options:
    """What a list builder is given besides the match: the widgets it may use, and the
    "Mark as done" clicks of open activities (None: no writes on this card)."""

    room: int = MAX_WIDGETS
    done: DoneClick | None = None
    page: int = 0


def render_list_card(
    match: Match,
    section: str,
    ctx: CardContext,
    *,
    writes: WriteOptions | None = None,
    sender_name: str | None = None,
    page: int = 0,
) -> Json:
    """The pushed card listing one section in full, `page` of it (0 is the first: a list longer
    than a card is paged, with Previous and Next); ValueError for an unknown section name.

    With `writes`, open activities offer "Mark as done" and the last write's receipt ends the
    card.
    """
    which = ListSection(section)
    feature = _FEATURES.get(which)
    receipt = writes.receipt if writes else None
    tail = [make_section([receipt_widget(ctx, receipt)])] if receipt else []
    done = (
        functools.partial(mark_done, match, ctx, sender_name=sender_name, section=which)
        if writes
        else None
    )
    options = _Options(room=MAX_WIDGETS - len(tail), done=done, page=page)
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
    render: Callable[[T, CardContext], Json | list[Json]],
    options: _Options,
) -> list[Json]:
    """One section with the page's items, and the page's position under them; an item may
    take more than one widget (a cut note and its "Read the whole note")."""
    blocks = Rendered(items, lambda item: _block(render(item, ctx)))
    shown = cut(blocks.size, len(blocks), options.room - NAV_WIDGETS, options.page)
    widgets = [w for block in blocks.on(shown) for w in block]
    header = ctx.msgs.text(f"section.{which.value}")
    nav = _nav(match, ctx, which, shown, total=total)
    return [make_section([*widgets, *nav], header=header)] if widgets else []


def _block(rendered: Json | list[Json]) -> list[Json]:
    return rendered if isinstance(rendered, list) else [rendered]


def _nav(
    match: Match, ctx: CardContext, which: ListSection, shown: Page, *, total: int
) -> list[Json]:
    """ "1-50 of 200" with Previous and Next; "All 150 in Pipedrive" when not all were fetched."""

    def go(index: int) -> Json:
        again = ShowAll(
            connector_id=card_connector(ctx),
            section=which,
            email=match.email,
            person_id=match.contact.id,
            page=index,
        )
        return call(ctx, again)

    more = None
    if total > shown.total:
        label = ctx.msgs.text("action.all_in_pipedrive", count=ctx.fmt.number(total))
        more = button(label, open_link(match.contact.url))
    return nav_widgets(ctx, shown, go, total=total, more=more)


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
        options=options,
    )


def _emails(match: Match, ctx: CardContext, options: _Options) -> list[Json]:
    items = match.contact.emails
    return _flat(
        match, ctx, ListSection.EMAILS, items, total=len(items), render=email_widget,
        options=options,
    )  # fmt: skip


def _phones(match: Match, ctx: CardContext, options: _Options) -> list[Json]:
    items = match.contact.phones
    return _flat(
        match, ctx, ListSection.PHONES, items, total=len(items), render=phone_widget,
        options=options,
    )  # fmt: skip


def _others(match: Match, ctx: CardContext, options: _Options) -> list[Json]:
    items = match.others
    return _flat(
        match, ctx, ListSection.OTHERS, items, total=len(items), render=other_widget,
        options=options,
    )  # fmt: skip


def _notes(match: Match, ctx: CardContext, options: _Options) -> list[Json]:
    notes = match.contact.notes
    if notes.error is not None:
        return [make_section([section_error(ctx, notes.error, match)])]
    render = functools.partial(_note, about=match)
    return _flat(
        match, ctx, ListSection.NOTES, notes.items, total=notes.total, render=render,
        options=options,
    )  # fmt: skip


def _note(note: Note, ctx: CardContext, *, about: Match) -> list[Json]:
    return note_widgets(ctx, note, about=about)


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
        options=options,
    )  # fmt: skip


def _deal_block(match: Match, deal: Deal, ctx: CardContext) -> list[Json]:
    click = deals.open_deal_click(deal, ctx, email=match.email, person_id=match.contact.id)
    return deals.deal_widgets(
        deal,
        ctx,
        notes=LIST_DEAL_NOTES,
        activities=LIST_DEAL_ACTIVITIES,
        about=match,
        open_deal=click,
        nested=True,
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
        options=options,
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
    options: _Options,
) -> list[Json]:
    """The page's items in order of relevance, a section per group ("Open deals (3)", counting
    the whole group), the overview `head` above them and the page's position under them."""
    named = [(name, item) for name, items in groups for item in items]
    blocks = Rendered(named, lambda pair: render(pair[1], ctx))
    room = options.room - count_widgets(head) - NAV_WIDGETS
    shown = cut(blocks.size, len(blocks), room, options.page)
    sizes = {name: len(items) for name, items in groups}
    on_page = list(zip(named[shown.start : shown.stop], blocks.on(shown), strict=True))
    sections = list(head)
    for name, _items in groups:
        widgets = [w for (group, _item), block in on_page if group == name for w in block]
        if widgets:
            key = f"list.{which.value}.{name}"
            header = ctx.msgs.plural(key, sizes[name], count=ctx.fmt.number(sizes[name]))
            sections.append(make_section(widgets, header=header))
    nav = _nav(match, ctx, which, shown, total=total)
    return [*sections, make_section(nav)] if nav else sections


_BUILDERS: dict[ListSection, Callable[[Match, CardContext, _Options], list[Json]]] = {
    ListSection.FIELDS: _fields,
    ListSection.EMAILS: _emails,
    ListSection.PHONES: _phones,
    ListSection.OTHERS: _others,
    ListSection.NOTES: _notes,
    ListSection.DEALS: _deals,
    ListSection.ACTIVITIES: _activities,
}
