"""The Activities part: an overview (count, done, overdue, next due) and each activity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from cardin.cards import icons
from cardin.cards.context import CardContext
from cardin.cards.parts import activity_icon, due_text, state_word
from cardin.cards.widgets import (
    GREY,
    Html,
    Json,
    button,
    colored,
    decorated,
    esc,
    join,
    lines,
    link,
    open_link,
)
from cardin.contact.model import ActivitiesOverview, Activity, ActivityState

_URGENCY = {ActivityState.OVERDUE: 0, ActivityState.PLANNED: 1, ActivityState.DONE: 2}


def overview_widget(overview: ActivitiesOverview, ctx: CardContext) -> Json:
    """ "12 activities", "4 done · 2 overdue · 6 planned" and the next one due."""
    msgs, fmt = ctx.msgs, ctx.fmt
    counts = join(
        [
            msgs.text("activities.done", count=fmt.number(overview.done)),
            msgs.text("activities.overdue", count=fmt.number(overview.overdue)),
            msgs.text("activities.planned", count=fmt.number(overview.planned)),
        ]
    )
    upcoming = overview.next_due
    next_line = None
    if upcoming is not None:
        when = due_text(ctx, upcoming)
        next_line = msgs.text("activities.next", subject=upcoming.subject, due=when)
    return decorated(
        msgs.plural("activities.count", overview.total, count=fmt.number(overview.total)),
        bottom=lines([counts, next_line]),
        start_icon=icons.known("INVITE", msgs.text("section.activities")),
    )


def by_urgency(items: Sequence[Activity]) -> list[Activity]:
    """Overdue first, then planned (today's first, as the lookup orders them soonest first),
    then done; the lookup's order within each."""
    return sorted(items, key=lambda activity: _URGENCY[activity.state])


def activity_widget(activity: Activity, ctx: CardContext, *, done: Json | None = None) -> Json:
    """Icon, state, due date and time, duration, subject, note and the linked deal; with `done`
    (the click that completes it), a "Mark as done" button.

    The button narrows the top label, which Gmail cuts to one line, so then the label says only
    the state and the date goes under the text (bottom labels wrap).
    """
    state = state_word(ctx, activity.state)
    when = join([due_text(ctx, activity), _length(activity, ctx)])
    # the note's formatting and the deal's link need the HTML text; labels are plain text
    note = _note(activity)
    return decorated(
        lines([activity.subject, colored(note, GREY) if note else None, _deal(activity, ctx)]),
        top=state if done is not None else join([state, when]),
        bottom=when if done is not None else None,
        start_icon=activity_icon(ctx, activity),
        on_click=open_link(activity.url) if activity.url else None,
        button=button(ctx.msgs.text("action.mark_done"), done) if done is not None else None,
    )


def _length(activity: Activity, ctx: CardContext) -> str | None:
    """The activity's duration ("1 hr, 30 min"), None when it has none."""
    duration = activity.duration
    return ctx.fmt.duration(duration) if duration and duration > timedelta(0) else None


def _note(activity: Activity) -> Html | None:
    """The activity's note, already reduced to card-safe HTML."""
    return Html(activity.note_html) if activity.note_html else None


def _deal(activity: Activity, ctx: CardContext) -> Html | None:
    """The linked deal, opening in Pipedrive when its URL is known."""
    if activity.deal_id is None:
        return None
    title = activity.deal_title or f"#{activity.deal_id}"
    label = ctx.msgs.text("activity.deal", title=title)
    return link(label, activity.deal_url) if activity.deal_url else esc(label)
