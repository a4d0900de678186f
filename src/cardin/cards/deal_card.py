"""The deal card: one deal fetched on demand, with all its notes and activities, paged."""

from __future__ import annotations

import dataclasses

from cardin.actions import OpenDeal
from cardin.cards.actions import call, card_connector
from cardin.cards.activities import activity_widget
from cardin.cards.context import CardContext
from cardin.cards.deals import deal_row
from cardin.cards.limits import MAX_WIDGETS, fit
from cardin.cards.paging import NAV_WIDGETS, Rendered, cut, nav_widgets
from cardin.cards.parts import NotesOf, day_of, error_line, note_widgets
from cardin.cards.widgets import (
    GREY,
    Json,
    button,
    button_list,
    card,
    card_action,
    colored,
    decorated,
    open_link,
    paragraph,
    section,
)
from cardin.contact.model import Activity, Deal, Note

# The summary takes the deal's row, when it was added and the "Open in Pipedrive" button.
_SUMMARY_WIDGETS = 3


def render_deal_card(
    deal: Deal, ctx: CardContext, *, email: str, person_id: int, page: int = 0
) -> Json:
    """The pushed card of a deal: value, stage, dates and lost reason, then its notes and
    activities, `page` of them (0 is the first) with Previous and Next when they take more
    than one card. `email` and `person_id` are the contact the deal was opened from."""
    notes = deal.notes.items if deal.notes is not None else ()
    activities = deal.activities.items if deal.activities is not None else ()
    # a cut note takes two widgets: its first lines, and "Read the whole note" (looked for on
    # this deal when the contact's result does not hold it)
    about = NotesOf(email, person_id, deal.id)
    note_blocks = Rendered(notes, lambda note: note_widgets(ctx, note, about=about))
    items: list[Note | Activity] = [*notes, *activities]

    def size(index: int) -> int:
        return note_blocks.size(index) if index < len(note_blocks) else 1

    room = MAX_WIDGETS - _SUMMARY_WIDGETS - NAV_WIDGETS - 2  # two error lines at most
    shown = cut(size, len(items), room, page)
    on_page = items[shown.start : shown.stop]
    sections = [_summary(deal, ctx)]
    note_rows = [
        w
        for index in range(shown.start, min(shown.stop, len(note_blocks)))
        for w in note_blocks[index]
    ]
    if deal.notes is not None and deal.notes.error is not None:
        note_rows.insert(0, error_line(ctx, "deal.notes_error"))
    if note_rows:
        sections.append(section(note_rows, header=ctx.msgs.text("deal.card_notes")))
    # on the deal's own card, an activity need not say which deal it is of
    activity_widgets = [
        activity_widget(dataclasses.replace(a, deal_id=None), ctx)
        for a in on_page
        if isinstance(a, Activity)
    ]
    if deal.activities is not None and deal.activities.error is not None:
        activity_widgets.insert(0, error_line(ctx, "deal.activities_error"))
    if activity_widgets:
        sections.append(section(activity_widgets, header=ctx.msgs.text("deal.card_activities")))
    if not items and len(sections) == 1:
        sections.append(section([paragraph(colored(ctx.msgs.text("deal.card_empty"), GREY))]))

    def go(index: int) -> Json:
        again = OpenDeal(
            connector_id=card_connector(ctx),
            email=email,
            person_id=person_id,
            deal_id=deal.id,
            page=index,
        )
        return call(ctx, again)

    nav = nav_widgets(ctx, shown, go)
    if nav:
        sections.append(section(nav))
    open_in = ctx.msgs.text("action.open_in_pipedrive")
    return card(
        title=deal.title,
        subtitle=deal.organization.name if deal.organization else None,
        sections=fit(sections),
        name="deal",
        actions=[card_action(open_in, open_link(deal.url))],
    )


def _summary(deal: Deal, ctx: CardContext) -> Json:
    """The deal's row (value, stage or won/lost date and reason), when it was added, the link."""
    added = ctx.msgs.text("deal.added", date=day_of(ctx, deal.added)) if deal.added else None
    widgets = [deal_row(deal, ctx)]
    if added:
        widgets.append(decorated(colored(added, GREY)))
    open_in = ctx.msgs.text("action.open_in_pipedrive")
    widgets.append(button_list(button(open_in, open_link(deal.url))))
    return section(widgets)
