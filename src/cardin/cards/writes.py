"""The contact card's ways to write to Pipedrive: the button row near the top ("Log email",
"Add note", "Schedule activity", "Create deal"), "Logged to Pipedrive on <date>", "Mark as done"
on open activities, and the footer's receipt of the last write ("Note added · 10 tokens").

Each appears only when the card is given `WriteOptions` (the add-on does; `cardin lookup --json`
does not) and the connector has the write's feature on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cardin.actions import (
    About,
    ActivityForm,
    DealForm,
    ListSection,
    LogEmailForm,
    MarkDone,
    NoteForm,
)
from cardin.cards import icons
from cardin.cards.actions import call, card_connector
from cardin.cards.context import CardContext
from cardin.cards.parts import day_of
from cardin.cards.widgets import (
    GREEN,
    Json,
    button,
    button_list,
    colored,
    decorated,
    join,
    open_link,
    section,
)
from cardin.connectors.features import Feature
from cardin.contact.model import Activity, ActivityState, Match


@dataclass(frozen=True, kw_only=True)
class LoggedView:
    """The open message was logged: when, and the page of the person or deal holding it."""

    logged_at: datetime
    url: str


@dataclass(frozen=True, kw_only=True)
class WriteReceipt:
    """What the last write did (a catalog id, e.g. "write.done.note") and its token cost."""

    message_id: str
    tokens: int


@dataclass(frozen=True, kw_only=True)
class WriteOptions:
    """How the card offers writes: whether a message is open (to log it), whether it was
    logged already, and the receipt of the write that led here."""

    message_open: bool = False
    logged: LoggedView | None = None
    receipt: WriteReceipt | None = None


def about(match: Match, ctx: CardContext, sender_name: str | None = None) -> About:
    """The contact the card's writes are about."""
    return About(
        connector_id=card_connector(ctx),
        email=match.email,
        person_id=match.contact.id,
        name=sender_name or None,
    )


def writes_section(
    match: Match, ctx: CardContext, writes: WriteOptions, *, sender_name: str | None = None
) -> Json | None:
    """ "Logged to Pipedrive on <date>" and the row of write buttons, each only with its
    feature on; None when nothing is offered."""
    msgs = ctx.msgs
    who = about(match, ctx, sender_name)
    widgets: list[Json] = []
    buttons: list[Json] = []
    if ctx.has(Feature.LOG_EMAILS):
        if writes.logged is not None:
            widgets.append(logged_widget(ctx, writes.logged))
        elif writes.message_open:
            buttons.append(
                button(msgs.text("action.log_email"), call(ctx, LogEmailForm(about=who)))
            )
    offered = (
        (Feature.WRITE_NOTES, "action.add_note", NoteForm(about=who)),
        (Feature.WRITE_ACTIVITIES, "action.schedule_activity", ActivityForm(about=who)),
        (Feature.WRITE_DEALS, "action.create_deal", DealForm(about=who)),
    )
    for feature, label, action in offered:
        if ctx.has(feature):
            buttons.append(button(msgs.text(label), call(ctx, action)))
    if buttons:
        widgets.append(button_list(*buttons))
    return section(widgets) if widgets else None


def logged_widget(ctx: CardContext, logged: LoggedView) -> Json:
    """ "Logged to Pipedrive on Nov 20, 2026", opening the note's person or deal."""
    text = ctx.msgs.text("write.logged", date=day_of(ctx, logged.logged_at))
    link = open_link(logged.url)
    return decorated(
        colored(text, GREEN),
        start_icon=icons.state_icon(ctx, ActivityState.DONE, ctx.msgs.text("icon.logged")),
        on_click=link,
        button=button(ctx.msgs.text("action.open"), link),
    )


def mark_done(
    match: Match,
    ctx: CardContext,
    activity: Activity,
    *,
    sender_name: str | None = None,
    section: ListSection | None = None,
) -> Json | None:
    """The "Mark as done" click of an open activity; None when done or the feature is off.
    `section`: the show-all list the button is on, which comes back refreshed after the click
    (without it, the contact card does)."""
    if activity.is_done or not ctx.has(Feature.WRITE_ACTIVITIES):
        return None
    done = MarkDone(about=about(match, ctx, sender_name), activity_id=activity.id, section=section)
    return call(ctx, done)


def receipt_widget(ctx: CardContext, receipt: WriteReceipt) -> Json:
    """ "Note added · 10 Pipedrive tokens", in green."""
    msgs = ctx.msgs
    cost = msgs.plural("write.tokens", receipt.tokens, count=ctx.fmt.number(receipt.tokens))
    return decorated(
        colored(join([msgs.text(receipt.message_id), cost]), GREEN),
        start_icon=icons.state_icon(ctx, ActivityState.DONE, msgs.text("icon.done")),
    )
