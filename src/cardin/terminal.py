"""A readable terminal view of a lookup result (rich), section by section like the side panel."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
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
    NoMatch,
    Note,
    Section,
    Usage,
)
from cardin.contact.notes import note_plain_text
from cardin.i18n.format import Formatter

_STATE_STYLE = {
    ActivityState.DONE: ("✔ done", "green"),
    ActivityState.OVERDUE: ("! overdue", "red"),
    ActivityState.PLANNED: ("○ planned", "cyan"),
}
_DEAL_STYLE = {DealStatus.OPEN: "cyan", DealStatus.WON: "green", DealStatus.LOST: "red"}


def render_result(result: LookupResult, console: Console, fmt: Formatter) -> None:
    """Print a match section by section, or the no-match prompt."""
    if isinstance(result, NoMatch):
        console.print(
            Panel(
                Text.assemble(
                    ("No match. ", "bold"),
                    f"Nobody in {result.account.company_name or 'this Pipedrive account'} has the "
                    f"address {result.email}.\nSearch Pipedrive: {result.search_url}",
                ),
                title="Pipedrive",
                border_style="yellow",
            )
        )
        console.print(_usage_line(result.usage))
        return
    for block in match_blocks(result, fmt):
        console.print(block)


def match_blocks(match: Match, fmt: Formatter) -> list[RenderableType]:
    """The panels of a match, in the card's order."""
    contact = match.contact
    blocks: list[RenderableType] = [_general(match, fmt)]
    if contact.fields or contact.fields_error:
        blocks.append(_fields(contact, fmt))
    blocks.extend(
        block
        for block in (
            _notes(contact.notes, fmt),
            _deals(contact, fmt),
            _activities(contact, fmt),
            _owner(contact),
        )
        if block is not None
    )
    if match.others:
        others = Table.grid(padding=(0, 2))
        for other in match.others:
            others.add_row(other.name, other.organization or "", other.url)
        blocks.append(Panel(others, title="Other matches", border_style="dim"))
    blocks.append(_usage_line(match.usage))
    return blocks


def _general(match: Match, fmt: Formatter) -> Panel:
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
    lines.append(Text(f"Matched on the {match.reason.describe()}", style="italic dim"))
    table = Table.grid(padding=(0, 2))
    for email in contact.emails:
        table.add_row(f"✉ {email.label}", email.value, "Primary" if email.is_primary else "")
    for phone in contact.phones:
        table.add_row(f"☎ {phone.label}", phone.value, "Primary" if phone.is_primary else "")
    lines.append(table)
    status = "active" if contact.is_active else "inactive"
    dates = [f"status: {status}"]
    if contact.added:
        dates.append(f"created {fmt.datetime(contact.added)}")
    if contact.updated:
        dates.append(f"last edit {fmt.datetime(contact.updated)}")
    lines.append(Text(" · ".join(dates), style="dim"))
    lines.append(Text(f"Edit in Pipedrive: {contact.url}", style="dim"))
    return Panel(Group(*lines), title="Pipedrive", border_style="green")


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


def _fields(contact: Contact, fmt: Formatter) -> Panel:
    table = Table.grid(padding=(0, 2))
    for field in contact.fields:
        table.add_row(Text(field.name, style="bold"), display_text(field.value, fmt))
    if contact.fields_error:
        table.add_row(Text("unavailable", style="red"), contact.fields_error.message)
    return Panel(table, title="Custom fields")


def _unavailable(section: Section[object]) -> Text | None:
    if section.error is None:
        return None
    return Text(f"Could not be loaded: {section.error.message}", style="red")


def _notes(notes: Section[Note], fmt: Formatter) -> Panel | None:
    if not notes.items and notes.is_available:
        return None
    parts: list[RenderableType] = []
    for note in notes.items:
        byline = " · ".join(
            x for x in (note.author, fmt.datetime(note.added) if note.added else None) if x
        )
        parts.append(Text(byline, style="dim"))
        parts.append(Text(note_plain_text(note.html)))
    parts.extend(x for x in (_unavailable(notes),) if x)  # type: ignore[arg-type]
    return Panel(Group(*parts), title=f"Background ({notes.total})")


def _deals(contact: Contact, fmt: Formatter) -> Panel | None:
    deals, overview = contact.deals, contact.deals_overview
    if not deals.items and deals.is_available:
        return None
    parts: list[RenderableType] = []
    if overview:
        value = ", ".join(fmt.money(v.amount, v.currency) for v in overview.open_value) or "–"
        parts.append(
            Text(
                f"{overview.total} deals: {overview.open} open, {overview.won} won, "
                f"{overview.lost} lost · open value {value}",
                style="bold",
            )
        )
    parts.extend(_deal(deal, fmt) for deal in deals.items)
    parts.extend(x for x in (_unavailable(deals),) if x)  # type: ignore[arg-type]
    return Panel(Group(*parts), title="Deals")


def _deal(deal: Deal, fmt: Formatter) -> RenderableType:
    head = Text(deal.title, style=f"bold {_DEAL_STYLE[deal.status]}")
    head.append(f"  [{deal.status.value}]", style=_DEAL_STYLE[deal.status])
    if deal.value:
        head.append(f"  {fmt.money(deal.value.amount, deal.value.currency)}")
    if deal.organization:
        head.append(f"  · {deal.organization.name}", style="dim")
    lines: list[RenderableType] = [head]
    when = _deal_when(deal, fmt)
    if when:
        lines.append(Text(f"  {when}", style="dim"))
    if deal.notes:
        lines.extend(Text(f"  ✎ {note_plain_text(n.html)}") for n in deal.notes.items[:3])
        if deal.notes.error:
            lines.append(
                Text(f"  notes could not be loaded: {deal.notes.error.message}", style="red")
            )
    if deal.activities:
        lines.extend(Text(f"  {_activity_line(a, fmt)}") for a in deal.activities.items[:5])
        if deal.activities.error:
            lines.append(
                Text(
                    f"  activities could not be loaded: {deal.activities.error.message}",
                    style="red",
                )
            )
    return Group(*lines)


def _deal_when(deal: Deal, fmt: Formatter) -> str | None:
    if deal.status is DealStatus.WON and deal.won_time:
        return f"won {fmt.datetime(deal.won_time)}"
    if deal.status is DealStatus.LOST:
        reason = f"lost: {deal.lost_reason}" if deal.lost_reason else "lost"
        return f"{reason} · {fmt.datetime(deal.lost_time)}" if deal.lost_time else reason
    if deal.expected_close:
        return f"expected close {fmt.date(deal.expected_close)}"
    return None


def _activity_line(activity: Activity, fmt: Formatter) -> str:
    label, _ = _STATE_STYLE[activity.state]
    due = fmt.date(activity.due_date) if activity.due_date else ""
    if activity.due_time:
        due += f" {fmt.time(activity.due_time)}"
    return f"{label:<10} {due:<22} {activity.type.name}: {activity.subject}"


def _activities(contact: Contact, fmt: Formatter) -> Panel | None:
    activities, overview = contact.activities, contact.activities_overview
    if not activities.items and activities.is_available:
        return None
    parts: list[RenderableType] = []
    if overview:
        parts.append(
            Text(
                f"{overview.total} activities: {overview.done} done, {overview.overdue} overdue, "
                f"{overview.planned} planned",
                style="bold",
            )
        )
    for activity in activities.items[:25]:
        _, style = _STATE_STYLE[activity.state]
        line = Text(_activity_line(activity, fmt), style=style)
        if activity.deal_title:
            line.append(f"  → {activity.deal_title}", style="dim")
        parts.append(line)
    if len(activities.items) > 25:  # noqa: PLR2004 - the terminal shows the first 25
        parts.append(Text(f"… and {len(activities.items) - 25} more", style="dim"))
    parts.extend(x for x in (_unavailable(activities),) if x)  # type: ignore[arg-type]
    return Panel(Group(*parts), title="Activities")


def _owner(contact: Contact) -> Panel | None:
    owner = contact.owner
    if contact.owner_error is not None:
        message = f"Could not be loaded: {contact.owner_error.message}"
        return Panel(Text(message, style="red"), title="Contact owner")
    if owner is None:
        return None
    status = "active" if owner.is_active else "inactive"
    return Panel(Text(f"{owner.name} · {owner.email or '–'} · {status}"), title="Contact owner")


def _usage_line(usage: Usage) -> Text:
    parts: Iterable[str] = (
        f"{usage.requests} requests",
        f"{usage.tokens} Pipedrive tokens",
        *(
            [f"rate limit {usage.rate_limit_remaining}/{usage.rate_limit_limit} left"]
            if usage.rate_limit_remaining is not None
            else []
        ),
    )
    return Text(" · ".join(parts), style="dim")
