"""Pieces shared by the card sections: dates in the reader's zone, errors, "show all", footers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

from cardin.actions import ReadNote, Retry, ShowAll
from cardin.cards import icons
from cardin.cards.actions import ListSection, call, card_connector
from cardin.cards.context import CardContext
from cardin.cards.widgets import (
    ELLIPSIS,
    GREY,
    MAX_TEXT,
    RED,
    Html,
    Json,
    button,
    button_list,
    colored,
    decorated,
    esc,
    join,
    multiline,
    open_link,
)
from cardin.contact.model import Activity, ActivityState, Match, Note, SectionError, Usage
from cardin.contact.model import SectionErrorKind as Kind
from cardin.contact.notes import cut_note_html, note_plain_text

_JUST_NOW = timedelta(minutes=1)
MAX_RETRY_WAIT = 86_400.0
_TEL_CHARS = frozenset("0123456789+*#,;")
# A note in a list shows its first lines; "Read the whole note" opens the rest.
NOTE_LINES = 6
NOTE_CHARS = 600


# --- time ----------------------------------------------------------------------------------


def aware(moment: datetime) -> datetime:
    """The moment with a zone; naive means UTC (as the model stores it)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def local(ctx: CardContext, moment: datetime) -> datetime:
    """The moment on the reader's clock."""
    return aware(moment).astimezone(ZoneInfo(ctx.fmt.timezone))


def day_of(ctx: CardContext, moment: datetime) -> str:
    """The reader's calendar date of a moment ("Mar 4, 2026")."""
    return ctx.fmt.date(local(ctx, moment).date())


def clock_of(ctx: CardContext, moment: datetime) -> str:
    """The reader's clock time of a moment ("2:05 PM")."""
    return ctx.fmt.time(local(ctx, moment).time())


def due_text(ctx: CardContext, activity: Activity) -> str:
    """When an activity is due: date and time (Pipedrive stores due times in UTC), or the date."""
    if activity.due_date is None:
        return ctx.msgs.text("activity.no_due_date")
    if activity.due_time is None:
        return ctx.fmt.date(activity.due_date)
    return ctx.fmt.datetime(datetime.combine(activity.due_date, activity.due_time, tzinfo=UTC))


def retry_when(ctx: CardContext, seconds: float | None) -> str:
    """When to try again: "in 2 minutes (2:05 PM)", or "in a moment" without a Retry-After.

    A wait longer than a day is shown as a day: Pipedrive's budgets reset daily, so a longer
    `Retry-After` is a broken header, not a promise.
    """
    if not seconds or math.isnan(seconds) or seconds <= 0:
        return ctx.msgs.text("error.retry.soon")
    when = ctx.now + timedelta(seconds=min(seconds, MAX_RETRY_WAIT))
    same_day = local(ctx, when).date() == local(ctx, ctx.now).date()
    at = clock_of(ctx, when) if same_day else ctx.fmt.datetime(when)
    return ctx.msgs.text("error.retry.at", relative=ctx.fmt.relative(when, ctx.now), time=at)


def updated_text(ctx: CardContext, fetched_at: datetime | None) -> str:
    """How fresh the data is: "Updated just now" / "Updated 5 minutes ago"."""
    if fetched_at is None or ctx.now - aware(fetched_at) < _JUST_NOW:
        return ctx.msgs.text("footer.updated.just_now")
    return ctx.msgs.text("footer.updated.ago", ago=ctx.fmt.relative(fetched_at, ctx.now))


# --- links ---------------------------------------------------------------------------------


def mailto(address: str) -> str:
    """A mailto: URL for the address."""
    return "mailto:" + quote(address.strip(), safe="@+.-_")


def tel(number: str) -> str | None:
    """A tel: URL with only dialable characters, None when there are no digits."""
    dialable = "".join(ch for ch in number if ch in _TEL_CHARS)
    return f"tel:{dialable}" if any(ch.isdigit() for ch in dialable) else None


# --- shared widgets ------------------------------------------------------------------------


def section_error(ctx: CardContext, error: SectionError, match: Match) -> Json:
    """A part that could not be loaded: why, when to retry (rate limits), and a retry button."""
    reason = ctx.msgs.text(f"section_error.{error.kind.value}")
    if error.kind is Kind.RATE_LIMITED:
        retry = ctx.msgs.text("error.retry", when=retry_when(ctx, error.retry_after))
        reason = join([reason, retry], sep=" ")
    on_retry = call(
        ctx,
        Retry(connector_id=card_connector(ctx), email=match.email, person_id=match.contact.id),
    )
    return decorated(
        colored(reason, RED),
        start_icon=icons.state_icon(ctx, ActivityState.OVERDUE, ctx.msgs.text("icon.error")),
        button=button(ctx.msgs.text("action.retry"), on_retry),
    )


def error_line(ctx: CardContext, key: str) -> Json:
    """A short grey line saying a sub-part (a deal's notes...) could not be loaded."""
    return decorated(colored(ctx.msgs.text(key), GREY))


def show_all(
    ctx: CardContext,
    match: Match,
    section: ListSection,
    *,
    shown: int,
    available: int,
    total: int,
) -> Json | None:
    """The row under a cut list: "Show all N" when we hold more, else a link to Pipedrive."""
    count = max(total, available)
    if shown >= count:
        return None
    label = ctx.msgs.text("action.show_all", count=ctx.fmt.number(count))
    if shown < available:
        show = ShowAll(
            connector_id=card_connector(ctx),
            section=section,
            email=match.email,
            person_id=match.contact.id,
        )
        on_click = call(ctx, show)
    else:
        label = ctx.msgs.text("action.all_in_pipedrive", count=ctx.fmt.number(count))
        on_click = open_link(match.contact.url)
    shown_text = ctx.msgs.text(
        "list.shown", shown=ctx.fmt.number(shown), total=ctx.fmt.number(count)
    )
    return decorated(colored(shown_text, GREY), button=button(label, on_click))


def note_body(ctx: CardContext, note: Note) -> tuple[Html, bool]:
    """A note's first lines as card-safe HTML (an ellipsis where it was cut), and whether it was
    cut; markup too long for a card is shown as its plain text."""
    if not note.html.strip():
        return colored(ctx.msgs.text("note.empty"), GREY), False
    cut = cut_note_html(note.html, max_lines=NOTE_LINES, max_chars=NOTE_CHARS)
    shown = cut.head + ELLIPSIS if cut.is_cut else cut.head
    if len(shown) > MAX_TEXT:
        return multiline(note_plain_text(shown)), cut.is_cut
    return Html(shown), cut.is_cut


def note_meta(ctx: CardContext, note: Note) -> Html:
    """ "Pinned · Ada Lovelace · Mar 4, 2026": whether pinned, the author and the date."""
    when = note.added or note.updated
    meta = join([note.author, day_of(ctx, when) if when else None])
    return join([ctx.msgs.text("note.pinned"), meta]) if note.is_pinned else meta


@dataclass(frozen=True)
class NotesOf:
    """Whose notes a card lists, for its "Read the whole note" buttons: the address looked up,
    the person found, and the deal when the card is that deal's (then the note is looked for on
    the deal too)."""

    email: str
    person_id: int
    deal_id: int | None = None

    @classmethod
    def of(cls, match: Match) -> NotesOf:
        """The notes of the match's contact."""
        return cls(match.email, match.contact.id)


def note_widgets(
    ctx: CardContext, note: Note, *, icon: bool = False, about: Match | NotesOf | None = None
) -> list[Json]:
    """A note's first lines with author and date under it; under a note that was cut, "Read
    the whole note" when the card knows whose note it is (`about`)."""
    body, is_cut = note_body(ctx, note)
    start = icons.known("DESCRIPTION", ctx.msgs.text("icon.note")) if icon else None
    widgets = [decorated(body, bottom=note_meta(ctx, note), start_icon=start)]
    if is_cut and about is not None:
        read = button(ctx.msgs.text("note.read_whole"), read_note_click(ctx, about, note))
        widgets.append(button_list(read))
    return widgets


def read_note_click(
    ctx: CardContext, about: Match | NotesOf, note: Note, *, page: int | None = None
) -> Json:
    """The onClick that opens the note card (at `page`, replacing the note card)."""
    of = NotesOf.of(about) if isinstance(about, Match) else about
    action = ReadNote(
        connector_id=card_connector(ctx),
        email=of.email,
        person_id=of.person_id,
        note_id=note.id,
        page=page,
        deal_id=of.deal_id,
    )
    return call(ctx, action)


def state_word(ctx: CardContext, state: ActivityState) -> Html:
    """Done / Overdue (red) / Planned."""
    word = ctx.msgs.text(f"activity.state.{state.value}")
    return colored(word, RED) if state is ActivityState.OVERDUE else esc(word)


def activity_icon(ctx: CardContext, activity: Activity) -> Json:
    """A done activity shows the done icon; others their type's icon."""
    if activity.is_done:
        return icons.state_icon(ctx, ActivityState.DONE, ctx.msgs.text("activity.state.done"))
    return icons.activity_icon(ctx, activity.type.icon_key, activity.type.name)


def footer(
    ctx: CardContext, usage: Usage, *, fetched_at: datetime | None, refresh: Json | None
) -> Json:
    """Freshness and cost: "Updated 5 minutes ago", the Pipedrive tokens spent, and refresh."""
    refresh_button = button(ctx.msgs.text("action.refresh"), refresh) if refresh else None
    return decorated(
        updated_text(ctx, fetched_at),
        bottom=cost_text(ctx, usage),
        start_icon=icons.known("CLOCK", ctx.msgs.text("icon.updated")),
        button=refresh_button,
    )


RATE_LIMIT_WARNING = 0.25


def cost_text(ctx: CardContext, usage: Usage) -> Html:
    """What the lookup cost ("58 Pipedrive tokens used"), and a warning near the rate limit."""
    if usage.tokens:
        cost = ctx.msgs.plural("footer.tokens", usage.tokens, count=ctx.fmt.number(usage.tokens))
    else:
        cost = ctx.msgs.text("footer.tokens.none")
    left, limit = usage.rate_limit_remaining, usage.rate_limit_limit
    warning = None
    # Pipedrive reports only the 2-second burst window; warn when most of it is used up.
    if left is not None and limit and left < limit * RATE_LIMIT_WARNING:
        warning = ctx.msgs.text(
            "footer.ratelimit.low", remaining=ctx.fmt.number(left), limit=ctx.fmt.number(limit)
        )
    return join([cost, warning])
