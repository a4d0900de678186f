"""The Deals part: an overview (counts, open value per currency) and each deal with its notes
and, with the deal-activities feature, a concise list of its activities."""

from __future__ import annotations

from datetime import datetime

from cardin.actions import OpenDeal
from cardin.cards import icons
from cardin.cards.actions import call, card_connector
from cardin.cards.context import CardContext
from cardin.cards.parts import (
    activity_icon,
    day_of,
    due_text,
    error_line,
    note_widgets,
    state_word,
)
from cardin.cards.widgets import (
    GREY,
    Html,
    Json,
    bold,
    button,
    colored,
    decorated,
    join,
    lines,
    open_link,
    plain,
)
from cardin.connectors.features import Feature
from cardin.contact.model import (
    Activity,
    Deal,
    DealsOverview,
    DealStatus,
    Match,
    Note,
    Section,
)


def overview_widget(overview: DealsOverview, ctx: CardContext) -> Json:
    """ "12 deals", "5 open · 4 won · 3 lost" and the open value per currency."""
    msgs, fmt = ctx.msgs, ctx.fmt
    counts = join(
        [
            msgs.text("deals.open", count=fmt.number(overview.open)),
            msgs.text("deals.won", count=fmt.number(overview.won)),
            msgs.text("deals.lost", count=fmt.number(overview.lost)),
        ]
    )
    value = None
    if overview.open_value:
        amounts = ", ".join(fmt.money(v.amount, v.currency) for v in overview.open_value)
        value = msgs.text("deals.open_value", value=amounts)
    return decorated(
        msgs.plural("deals.count", overview.total, count=fmt.number(overview.total)),
        bottom=lines([counts, value]),
        start_icon=icons.known("DOLLAR", msgs.text("section.deals")),
    )


def deal_widgets(
    deal: Deal,
    ctx: CardContext,
    *,
    notes: int,
    activities: int,
    about: Match | None = None,
    open_deal: Json | None = None,
    nested: bool = False,
) -> list[Json]:
    """A deal's row, then up to `notes` of its notes and `activities` of its activities.

    The notes of `about`'s deal offer "Read the whole note" when cut; `open_deal` is the click
    that opens the deal's card (else the row opens it in Pipedrive); `nested` marks each note
    and activity as the deal's ("↳ Deal title" above it), for lists where one deal's items
    follow another's.
    """
    widgets = [deal_row(deal, ctx, open_deal=open_deal)]
    under: list[Json] = []
    if ctx.has(Feature.DEAL_NOTES) and deal.notes is not None:
        under.extend(_deal_notes(deal.notes, ctx, notes, about=about, open_deal=open_deal))
    if ctx.has(Feature.DEAL_ACTIVITIES) and deal.activities is not None:
        under.extend(_deal_activities(deal.activities, ctx, activities))
    if nested:
        for widget in under:
            _mark_nested(widget, deal)
    return [*widgets, *under]


def _mark_nested(widget: Json, deal: Deal) -> None:
    """Label a deal's note or activity as under the deal (its top label, which is free)."""
    text = widget.get("decoratedText")
    if text is not None and "topLabel" not in text:
        text["topLabel"] = plain(f"↳ {deal.title}")


def deal_row(deal: Deal, ctx: CardContext, *, open_deal: Json | None = None) -> Json:
    """Title, organization, value and the status line; "Edit" for an open deal, else its icon.

    Tapping it does `open_deal` (the deal's card), else opens the deal in Pipedrive.
    """
    status = ctx.msgs.text(f"deal.status.{deal.status.value}")
    value = ctx.fmt.money(deal.value.amount, deal.value.currency) if deal.value else None
    org = deal.organization.name if deal.organization else None
    link = open_link(deal.url)
    is_open = deal.status is DealStatus.OPEN
    return decorated(
        bold(deal.title),
        top=org,
        bottom=lines([value, status_line(deal, ctx)]),
        start_icon=icons.known("DOLLAR", status),
        on_click=open_deal or link,
        button=button(ctx.msgs.text("action.edit"), link) if is_open else None,
        end_icon=None if is_open else icons.deal_icon(ctx, deal.status, status),
    )


def status_line(deal: Deal, ctx: CardContext) -> Html | None:
    """Open: stage and expected close; won: the won date; lost: the reason, then the date."""
    msgs = ctx.msgs
    if deal.status is DealStatus.WON:
        return _dated(msgs.text("deal.won"), deal.won_time, ctx)
    if deal.status is DealStatus.LOST:
        return join([msgs.text("deal.lost"), deal.lost_reason, _day(deal.lost_time, ctx)])
    expected = None
    if deal.expected_close is not None:
        expected = msgs.text("deal.expected_close", date=ctx.fmt.date(deal.expected_close))
    stage = msgs.text("deal.stage", stage=deal.stage) if deal.stage else None
    return join([stage, expected]) or None


def _dated(word: str, moment: datetime | None, ctx: CardContext) -> Html:
    """A status word followed by its date, if known."""
    return join([word, _day(moment, ctx)])


def _day(moment: datetime | None, ctx: CardContext) -> str | None:
    """The reader's date of a moment, None when unknown."""
    return day_of(ctx, moment) if moment is not None else None


def _deal_notes(
    notes: Section[Note],
    ctx: CardContext,
    limit: int,
    *,
    about: Match | None = None,
    open_deal: Json | None = None,
) -> list[Json]:
    """The deal's notes (newest first), or a line saying they could not be loaded; the notes
    of `about`'s deal offer "Read the whole note" when cut; with `open_deal`, "+3 more notes"
    leading to the deal's card when some are left out."""
    if notes.error is not None:
        return [error_line(ctx, "deal.notes_error")]
    shown = notes.items[:limit]
    widgets = [w for note in shown for w in note_widgets(ctx, note, icon=True, about=about)]
    left = max(notes.total, len(notes.items)) - len(shown)
    if left > 0 and open_deal is not None:
        more = ctx.msgs.plural("deal.more_notes", left, count=ctx.fmt.number(left))
        widgets.append(decorated(colored(more, GREY), on_click=open_deal))
    return widgets


def _deal_activities(activities: Section[Activity], ctx: CardContext, limit: int) -> list[Json]:
    """The deal's activities concisely, or a line saying they could not be loaded."""
    if activities.error is not None:
        return [error_line(ctx, "deal.activities_error")]
    return [concise_activity(a, ctx) for a in activities.items[:limit]]


def concise_activity(activity: Activity, ctx: CardContext) -> Json:
    """Type (or done) icon, subject, and "Overdue · Mar 4, 2026"."""
    return decorated(
        activity.subject,
        bottom=join([state_word(ctx, activity.state), due_text(ctx, activity)]),
        start_icon=activity_icon(ctx, activity),
        on_click=open_link(activity.url) if activity.url else None,
    )


def open_deal_click(deal: Deal, ctx: CardContext, *, email: str, person_id: int) -> Json:
    """The click that pushes the deal's card (fetched on demand) for the contact it is on."""
    action = OpenDeal(
        connector_id=card_connector(ctx), email=email, person_id=person_id, deal_id=deal.id
    )
    return call(ctx, action)
