"""A readable terminal view of a lookup result (rich), section by section like the side panel.

The words come from the cards' catalogs (`cardin.i18n`) and every time is shown in the reader's
zone, as on the cards: Pipedrive's due times are UTC and are converted like the cards do.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text

from cardin.contact.fields import display_text
from cardin.contact.model import (
    Activity,
    ActivityState,
    Contact,
    Deal,
    DealStatus,
    LookupResult,
    Match,
    MatchReason,
    NoMatch,
    Note,
    Section,
    SectionError,
    Usage,
)
from cardin.i18n.format import Formatter
from cardin.i18n.messages import Messages, messages_for

_STATE_MARK = {ActivityState.DONE: "✔", ActivityState.OVERDUE: "!", ActivityState.PLANNED: "○"}
_STATE_STYLE = {
    ActivityState.DONE: "green",
    ActivityState.OVERDUE: "red",
    ActivityState.PLANNED: "cyan",
}
_DEAL_STYLE = {DealStatus.OPEN: "cyan", DealStatus.WON: "green", DealStatus.LOST: "red"}
MAX_ACTIVITIES = 25
"""The terminal lists the first 25 activities of the person and says how many more there are."""
MAX_DEAL_NOTES, MAX_DEAL_ACTIVITIES = 3, 5


def render_result(
    result: LookupResult, console: Console, fmt: Formatter, msgs: Messages | None = None
) -> None:
    """Print a match section by section, or the no-match prompt (words in `msgs`' language)."""
    msgs = msgs or messages_for(fmt.locale)
    if isinstance(result, NoMatch):
        company = result.account.company_name or msgs.text("no_match.this_account")
        console.print(
            Panel(
                Group(
                    Text(msgs.text("no_match.subtitle"), style="bold"),
                    Text(msgs.text("no_match.not_found", company=company)),
                    Text(result.email, style="dim"),
                    Text(f"{msgs.text('action.search_pipedrive')}: {result.search_url}"),
                ),
                title="Pipedrive",
                border_style="yellow",
            )
        )
        console.print(usage_line(result.usage, fmt, msgs))
        return
    for block in match_blocks(result, fmt, msgs):
        console.print(block)


def match_blocks(
    match: Match, fmt: Formatter, msgs: Messages | None = None
) -> list[RenderableType]:
    """The panels of a match, in the card's order."""
    msgs = msgs or messages_for(fmt.locale)
    contact = match.contact
    blocks: list[RenderableType] = [_general(match, fmt, msgs)]
    if contact.fields or contact.fields_error:
        blocks.append(_fields(contact, fmt, msgs))
    blocks.extend(
        block
        for block in (
            _notes(contact.notes, fmt, msgs),
            _deals(contact, fmt, msgs),
            _activities(contact, fmt, msgs),
            _owner(contact, msgs),
        )
        if block is not None
    )
    if match.others:
        others = Table.grid(padding=(0, 2))
        for other in match.others:
            others.add_row(other.name, other.organization or "", other.url)
        blocks.append(Panel(others, title=msgs.text("section.others"), border_style="dim"))
    blocks.append(usage_line(match.usage, fmt, msgs))
    return blocks


def _general(match: Match, fmt: Formatter, msgs: Messages) -> Panel:
    contact = match.contact
    title = Text(contact.name, style="bold")
    if contact.organization:
        title.append(f"  ·  {contact.organization.name}", style="")
    lines: list[RenderableType] = [title]
    if contact.labels:
        tags = Text()
        for label in contact.labels:
            tags.append(f" {label.name} ", style=f"reverse {_colour(label.color)}")
            tags.append(" ")
        lines.append(tags)
    lines.append(Text(_reason(match.reason, msgs), style="italic dim"))
    table = Table.grid(padding=(0, 2))
    primary = msgs.text("contact.primary")
    for email in contact.emails:
        kind = _type_word(msgs, "email.type", email.label)
        table.add_row(f"✉ {kind}", email.value, primary if email.is_primary else "")
    for phone in contact.phones:
        kind = _type_word(msgs, "phone.type", phone.label)
        table.add_row(f"☎ {kind}", phone.value, primary if phone.is_primary else "")
    lines.append(table)
    status = msgs.text("contact.active" if contact.is_active else "contact.inactive")
    dates = [f"{msgs.text('contact.status')}: {status}"]
    if contact.added:
        dates.append(f"{msgs.text('contact.created')}: {fmt.datetime(contact.added)}")
    if contact.updated:
        dates.append(f"{msgs.text('contact.updated')}: {fmt.datetime(contact.updated)}")
    lines.append(Text(" · ".join(dates), style="dim"))
    lines.append(Text(f"{msgs.text('action.edit_in_pipedrive')}: {contact.url}", style="dim"))
    return Panel(Group(*lines), title="Pipedrive", border_style="green")


def _reason(reason: MatchReason, msgs: Messages) -> str:
    """ "Matched on ada@example.org (work, primary)", as on the card."""
    key = "email.kind." + reason.label.strip().lower()
    label = msgs.text(key) if msgs.has(key) else reason.label.strip()
    rank = "primary" if reason.is_primary else "secondary"
    return msgs.text(f"match.reason.{rank}", label=label, email=reason.email)


def _type_word(msgs: Messages, prefix: str, label: str) -> str:
    """The translated type (Work, Home...); a custom label Pipedrive sent is shown as is."""
    key = f"{prefix}.{label.strip().lower()}"
    return msgs.text(key) if msgs.has(key) else label.strip().capitalize()


def _colour(name: str | None) -> str:
    known = {"green", "red", "yellow", "blue", "purple", "magenta", "cyan"}
    if name in known:
        return name or "white"
    return {
        "dark-gray": "grey50",
        "gray": "grey70",
        "orange": "dark_orange",
        "pink": "pink1",
        "brown": "orange4",
    }.get(name or "", "white")


def _fields(contact: Contact, fmt: Formatter, msgs: Messages) -> Panel:
    table = Table.grid(padding=(0, 2))
    for field in contact.fields:
        table.add_row(Text(field.name, style="bold"), display_text(field.value, fmt))
    if contact.fields_error:
        table.add_row(_error_text(contact.fields_error, msgs))
    return Panel(table, title=msgs.text("section.fields"))


def _error_text(error: SectionError, msgs: Messages, indent: str = "") -> Text:
    """Why a part is missing, in the reader's language ("Not loaded: ...")."""
    return Text(indent + msgs.text(f"section_error.{error.kind.value}"), style="red")


def _unavailable(
    section: Section[Note] | Section[Deal] | Section[Activity], msgs: Messages
) -> list[Text]:
    return [] if section.error is None else [_error_text(section.error, msgs)]


def _notes(notes: Section[Note], fmt: Formatter, msgs: Messages) -> Panel | None:
    if not notes.items and notes.is_available:
        return None
    parts: list[RenderableType] = []
    for note in notes.items:
        byline = " · ".join(
            x for x in (note.author, fmt.datetime(note.added) if note.added else None) if x
        )
        parts.append(Text(byline, style="dim"))
        parts.append(note_text(note.html) or Text(msgs.text("note.empty"), style="dim italic"))
    parts.extend(_unavailable(notes, msgs))
    return Panel(Group(*parts), title=f"{msgs.text('section.notes')} ({fmt.number(notes.total)})")


def _deals(contact: Contact, fmt: Formatter, msgs: Messages) -> Panel | None:
    deals, overview = contact.deals, contact.deals_overview
    if not deals.items and deals.is_available:
        return None
    parts: list[RenderableType] = []
    if overview:
        value = ", ".join(fmt.money(v.amount, v.currency) for v in overview.open_value) or "–"
        counts = [
            msgs.plural("deals.count", overview.total, count=fmt.number(overview.total)),
            msgs.text("deals.open", count=fmt.number(overview.open)),
            msgs.text("deals.won", count=fmt.number(overview.won)),
            msgs.text("deals.lost", count=fmt.number(overview.lost)),
            msgs.text("deals.open_value", value=value),
        ]
        parts.append(Text(" · ".join(counts), style="bold"))
    parts.extend(_deal(deal, fmt, msgs) for deal in deals.items)
    parts.extend(_unavailable(deals, msgs))
    return Panel(Group(*parts), title=msgs.text("section.deals"))


def _deal(deal: Deal, fmt: Formatter, msgs: Messages) -> RenderableType:
    head = Text(deal.title, style=f"bold {_DEAL_STYLE[deal.status]}")
    head.append(f"  [{msgs.text(f'deal.status.{deal.status.value}')}]", _DEAL_STYLE[deal.status])
    if deal.value:
        head.append(f"  {fmt.money(deal.value.amount, deal.value.currency)}")
    if deal.organization:
        head.append(f"  · {deal.organization.name}", style="dim")
    lines: list[RenderableType] = [head]
    when = " · ".join(x for x in (_deal_when(deal, fmt, msgs), _stage(deal, msgs)) if x is not None)
    if when:
        lines.append(Text(f"  {when}", style="dim"))
    if deal.notes:
        lines.extend(
            _indented("  ✎ ", note_text(note.html), "    ")
            for note in deal.notes.items[:MAX_DEAL_NOTES]
        )
        if deal.notes.error:
            lines.append(Text(f"  {msgs.text('deal.notes_error')}", style="red"))
    if deal.activities:
        lines.extend(
            _activity(a, fmt, msgs, indent="  ")
            for a in deal.activities.items[:MAX_DEAL_ACTIVITIES]
        )
        if deal.activities.error:
            lines.append(Text(f"  {msgs.text('deal.activities_error')}", style="red"))
    return Group(*lines)


def _stage(deal: Deal, msgs: Messages) -> str | None:
    return msgs.text("deal.stage", stage=deal.stage) if deal.stage else None


def _deal_when(deal: Deal, fmt: Formatter, msgs: Messages) -> str | None:
    if deal.status is DealStatus.WON and deal.won_time:
        return f"{msgs.text('deal.won')} {fmt.datetime(deal.won_time)}"
    if deal.status is DealStatus.LOST:
        reason = msgs.text("deal.lost")
        if deal.lost_reason:
            reason += f": {deal.lost_reason}"
        return f"{reason} · {fmt.datetime(deal.lost_time)}" if deal.lost_time else reason
    if deal.expected_close:
        return msgs.text("deal.expected_close", date=fmt.date(deal.expected_close))
    return None


def due_text(activity: Activity, fmt: Formatter, msgs: Messages) -> str:
    """When an activity is due, as the card says it: Pipedrive's due time is UTC, shown local."""
    if activity.due_date is None:
        return msgs.text("activity.no_due_date")
    if activity.due_time is None:
        return fmt.date(activity.due_date)
    return fmt.datetime(datetime.combine(activity.due_date, activity.due_time, tzinfo=UTC))


def _activity(
    activity: Activity, fmt: Formatter, msgs: Messages, *, indent: str = ""
) -> RenderableType:
    """State, due time, duration, type and subject (struck through when done), then the note."""
    state = activity.state
    line = Text(indent)
    word = msgs.text(f"activity.state.{state.value}")
    line.append(f"{_STATE_MARK[state]} {word}", style=_STATE_STYLE[state])
    line.append(f"  {due_text(activity, fmt, msgs)}")
    if activity.duration and activity.duration > timedelta(0):
        line.append(f"  ({fmt.duration(activity.duration)})", style="dim")
    line.append(f"  {activity.type.name}: ")
    line.append(activity.subject, style="strike" if activity.is_done else "")
    if activity.deal_title and not indent:
        line.append(f"  → {msgs.text('activity.deal', title=activity.deal_title)}", style="dim")
    note = note_text(activity.note_html) if activity.note_html else None
    if not note:
        return line
    return Group(line, _indented(f"{indent}    ", note, f"{indent}    "))


def _indented(first: str, body: Text, rest: str) -> Text:
    """`body` after `first`, its further lines indented by `rest` (under the first's text)."""
    out = Text(first)
    for i, line in enumerate(body.split("\n")):
        if i:
            out.append("\n" + rest)
        out.append_text(line)
    return out


def _activities(contact: Contact, fmt: Formatter, msgs: Messages) -> Panel | None:
    activities, overview = contact.activities, contact.activities_overview
    if not activities.items and activities.is_available:
        return None
    parts: list[RenderableType] = []
    if overview:
        counts = [
            msgs.plural("activities.count", overview.total, count=fmt.number(overview.total)),
            msgs.text("activities.done", count=fmt.number(overview.done)),
            msgs.text("activities.overdue", count=fmt.number(overview.overdue)),
            msgs.text("activities.planned", count=fmt.number(overview.planned)),
        ]
        parts.append(Text(" · ".join(counts), style="bold"))
    parts.extend(_activity(a, fmt, msgs) for a in activities.items[:MAX_ACTIVITIES])
    hidden = len(activities.items) - MAX_ACTIVITIES
    if hidden > 0:
        more = msgs.plural("list.more_hidden", hidden, count=fmt.number(hidden))
        parts.append(Text(more, style="dim"))
    parts.extend(_unavailable(activities, msgs))
    return Panel(Group(*parts), title=msgs.text("section.activities"))


def _owner(contact: Contact, msgs: Messages) -> Panel | None:
    owner = contact.owner
    title = msgs.text("section.owner")
    if contact.owner_error is not None:
        return Panel(_error_text(contact.owner_error, msgs), title=title)
    if owner is None:
        return None
    status = msgs.text("owner.active" if owner.is_active else "owner.inactive")
    return Panel(Text(f"{owner.name} · {owner.email or '–'} · {status}"), title=title)


def usage_line(usage: Usage, fmt: Formatter, msgs: Messages) -> Text:
    """What the lookup cost: requests, Pipedrive tokens, and the rate limit left when known."""
    parts = [
        msgs.plural("terminal.requests", usage.requests, count=fmt.number(usage.requests)),
        msgs.plural("footer.tokens", usage.tokens, count=fmt.number(usage.tokens)),
    ]
    if usage.rate_limit_remaining is not None and usage.rate_limit_limit is not None:
        parts.append(
            msgs.text(
                "terminal.rate_limit",
                remaining=fmt.number(usage.rate_limit_remaining),
                limit=fmt.number(usage.rate_limit_limit),
            )
        )
    return Text(" · ".join(parts), style="dim")


# --- notes ---------------------------------------------------------------------------------

_NOTE_STYLES = {"b": "bold", "i": "italic", "u": "underline", "s": "strike"}


def note_text(html: str) -> Text:
    """A note's card-safe HTML (b, i, u, s, a, br) as rich text: bold, struck-through... kept."""
    reader = _NoteReader()
    reader.feed(html)
    reader.close()
    return reader.text


class _NoteReader(HTMLParser):
    """Turns the reduced note markup into styled text; a link shows its target after its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = Text()
        self._styles: list[tuple[str, Style]] = []
        self._links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.text.append("\n")
        elif tag in _NOTE_STYLES:
            self._styles.append((tag, Style.parse(_NOTE_STYLES[tag])))
        elif tag == "a":
            href = dict(attrs).get("href")
            self._links.append(href)
            self._styles.append((tag, Style(underline=True, link=href)))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._styles) - 1, -1, -1):
            if self._styles[i][0] == tag:
                del self._styles[i]
                break
        if tag == "a" and self._links:
            href = self._links.pop()
            if href and not href.startswith(("mailto:", "tel:")):
                self.text.append(f" ({href})", style="dim")

    def handle_data(self, data: str) -> None:
        style = Style.combine(s for _, s in self._styles) if self._styles else None
        self.text.append(data, style=style)
