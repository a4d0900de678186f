"""The message dashboard (SPEC §2, §9): the other connectors with their state, the leading
connector's card, the other contacts shown in full, the thread's other people; and the
add-contact prompt about possible duplicates.

Google drops a section that pushes a card past 100 widgets and every section after it, so the
dashboard gives up the participants first, then the last contacts shown in full, then the last
sections of the leading card.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cardin.actions import Home, Lookup, OpenConnector, RunConnector, SetupStart
from cardin.cards import icons
from cardin.cards.actions import call
from cardin.cards.context import CardContext
from cardin.cards.home import more_hidden
from cardin.cards.limits import MAX_WIDGETS, count_widgets
from cardin.cards.parts import retry_when
from cardin.cards.setup import (
    account_host,
    colored_button,
    for_connector,
    rgb,
)
from cardin.cards.widgets import (
    GREEN,
    GREY,
    PRIMARY_COLOR,
    RED,
    Html,
    Json,
    bold,
    breakable_email,
    button,
    button_list,
    card,
    card_action,
    colored,
    decorated,
    join,
    open_link,
    paragraph,
    section,
)
from cardin.connectors.model import Connector, ConnectorState

# The other connectors rarely number more than a handful; this bounds a pathological list.
MAX_ENTRIES = 40
MAX_DUPLICATES = 20

DUPLICATE_SAME_NAME = "same_name"
"""Reason code of a possible duplicate: a person with the sender's name exists."""
DUPLICATE_SAME_DOMAIN = "same_domain"
"""Reason code of a possible duplicate: a person of the organization of the email's domain."""
_DUPLICATE_REASONS = {
    DUPLICATE_SAME_NAME: "add_contact.duplicate.same_name",
    DUPLICATE_SAME_DOMAIN: "add_contact.duplicate.same_domain",
}

# State → (message id of its label, colour of the label button).
_LABELS: dict[ConnectorState, tuple[str, dict[str, float]]] = {
    ConnectorState.HAS_MATCH: ("state.has_match", rgb(GREEN)),
    ConnectorState.NO_MATCH: ("state.no_match", rgb(GREY)),
    ConnectorState.REAUTH: ("state.reauth", rgb("#b06000")),
    ConnectorState.MANUAL: ("state.manual", PRIMARY_COLOR),
    ConnectorState.ERROR: ("state.error", rgb(RED)),
    ConnectorState.PAYMENT: ("state.payment", rgb("#8430ce")),
}
# What a row says under the name when the service gave no summary.
_DETAILS = {
    ConnectorState.HAS_MATCH: "state.has_match.detail",
    ConnectorState.NO_MATCH: "state.no_match.detail",
    ConnectorState.REAUTH: "reauth.subtitle",
    ConnectorState.MANUAL: "state.manual.detail",
    ConnectorState.PAYMENT: "payment.subtitle",
}
# Clicking these searches now; the others open the result the dashboard already has.
_RUN_ON_CLICK = frozenset({ConnectorState.MANUAL, ConnectorState.ERROR})


@dataclass(frozen=True, slots=True)
class DashboardEntry:
    """A connector's line on the dashboard: its state for the open email, an optional summary
    (the matched person's name...) and, after a rate limit, the seconds until a retry."""

    connector: Connector
    state: ConnectorState
    summary: str | None = None
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class DashboardContact:
    """Another connector's card shown in full on the dashboard (its "display data directly in
    the dashboard" is on), under the connector's name."""

    connector: Connector
    card: Json


@dataclass(frozen=True, slots=True)
class _Block:
    """A contact shown in full below the leading card: its sections, and the note that ends
    them when they are cut."""

    sections: list[Json]
    note: Json


def render_dashboard(
    ctx: CardContext,
    *,
    email: str,
    sender_name: str | None,
    main: Json | None,
    entries: Sequence[DashboardEntry],
    participants: Sequence[tuple[str, str | None]] = (),
    more: Sequence[DashboardContact] = (),
) -> Json:
    """ "Other accounts" (each of `entries` with its state) on top, then `main` (the leading
    connector's card, kept as is), the cards of `more` (each under its connector's name) and the
    thread's other people (address, name); without `main`, a card about the sender holding the
    lists. At most 100 widgets: the people go first, then the last of `more` (cut with
    "Show everything"), then main's last sections.

    `ctx.connector_id` is the connector whose card `main` is (for "Show everything").
    """
    neutral = for_connector(ctx, None)
    header = "dashboard.others" if main is not None else "dashboard.accounts"
    extra = _accounts_sections(neutral, entries, email, sender_name, header)
    people = [_person_row(neutral, address, name) for address, name in participants]
    manage = card_action(ctx.msgs.text("action.manage_accounts"), call(neutral, Home()))
    if main is None:
        sections = extra + _people_sections(neutral, people, MAX_WIDGETS - count_widgets(extra))
        return _sender_card(neutral, email, sender_name, sections, manage)
    # new lists around the sections of `main` and `more`, whose parts are shared, never changed
    body = {**main}
    note = _trimmed_note(ctx, ctx.connector_id, email, sender_name)
    blocks = [_block(neutral, contact, email, sender_name) for contact in more]
    body["sections"] = _fitted(neutral, body["sections"], extra, blocks, people, note=note)
    body["cardActions"] = [*body.get("cardActions", []), manage]
    return body


def _fitted(
    ctx: CardContext,
    main: list[Json],
    extra: list[Json],
    blocks: list[_Block],
    people: list[Json],
    *,
    note: Json,
) -> list[Json]:
    """`extra`, main's sections, the blocks, then as many people as fit; main cut (ending with
    the `note` that says so) only when it and `extra` alone pass the limit, a block cut (ending
    with its note) or left out when it does not fit."""
    room = MAX_WIDGETS - count_widgets(extra)
    if count_widgets(main) > room:
        return [*extra, *_cut(main, room - 1), section([note])]
    fitted = [*extra, *main]
    room -= count_widgets(main)
    for block in blocks:
        size = count_widgets(block.sections)
        if size <= room:
            fitted += block.sections
            room -= size
            continue
        if room >= 2:  # noqa: PLR2004 - the block's heading and its note
            fitted += [*_cut(block.sections, room - 1), section([block.note])]
        return fitted
    return fitted + _people_sections(ctx, people, room)


def _block(
    ctx: CardContext, contact: DashboardContact, email: str, sender_name: str | None
) -> _Block:
    """Another connector's contact under its name: who it is (a click opens the card on its
    own), then the card's sections."""
    connector = contact.connector
    header = contact.card.get("header", {})
    target = OpenConnector(connector_id=connector.id, email=email, name=sender_name)
    who = decorated(
        bold(str(header.get("title", ""))),
        top=account_host(connector.account),
        bottom=header.get("subtitle"),
        on_click=call(ctx, target),
        button=button(ctx.msgs.text("action.open"), call(ctx, target)),
    )
    sections = [section([who], header=connector.name), *contact.card["sections"]]
    return _Block(sections, _trimmed_note(ctx, connector.id, email, sender_name))


def _cut(sections: list[Json], limit: int) -> list[Json]:
    """The leading sections that fit in `limit` widgets; the first one shortened if need be."""
    kept: list[Json] = []
    used = 0
    for sec in sections:
        size = len(sec["widgets"])
        if used + size > limit:
            if not kept and limit > 0:
                kept.append(_head(sec, limit))
            break
        kept.append(sec)
        used += size
    return kept


def _head(sec: Json, count: int) -> Json:
    """The section with only its first `count` widgets (still a valid collapsible one)."""
    short = {**sec, "widgets": sec["widgets"][:count]}
    if short.get("uncollapsibleWidgetsCount", 0) >= count:
        short.pop("collapsible", None)
        short.pop("uncollapsibleWidgetsCount", None)
    return short


def _trimmed_note(
    ctx: CardContext, connector_id: str | None, email: str, sender_name: str | None
) -> Json:
    """Says part of the card was left out; opens the connector's full card when we know it."""
    show = None
    if connector_id is not None:
        target = OpenConnector(connector_id=connector_id, email=email, name=sender_name)
        full = call(ctx, target)
        show = button(ctx.msgs.text("action.show_everything"), full)
    return decorated(colored(ctx.msgs.text("dashboard.trimmed"), GREY), button=show)


def _sender_card(
    ctx: CardContext, email: str, sender_name: str | None, sections: list[Json], manage: Json
) -> Json:
    """The dashboard without a default card: the sender as header, the lists as body."""
    return card(
        title=sender_name or email,
        subtitle=breakable_email(email) if sender_name else None,
        sections=sections or [_empty_section(ctx)],
        name="dashboard",
        actions=[manage],
    )


def _empty_section(ctx: CardContext) -> Json:
    """No connector yet: say so, and offer to add one."""
    add = button(ctx.msgs.text("action.add_first"), call(ctx, SetupStart()), primary=True)
    return section([paragraph(ctx.msgs.text("dashboard.empty")), button_list(add)])


# --- rows ----------------------------------------------------------------------------------


def _accounts_sections(
    ctx: CardContext,
    entries: Sequence[DashboardEntry],
    email: str,
    sender_name: str | None,
    header_key: str,
) -> list[Json]:
    """One section listing the connectors with their states (none without entries)."""
    if not entries:
        return []
    rows = [_entry_row(ctx, entry, email, sender_name) for entry in entries[:MAX_ENTRIES]]
    if len(entries) > MAX_ENTRIES:
        rows.append(more_hidden(ctx, len(entries) - MAX_ENTRIES))
    return [section(rows, header=ctx.msgs.text(header_key))]


def _entry_row(
    ctx: CardContext, entry: DashboardEntry, email: str, sender_name: str | None
) -> Json:
    """Name and host of the connector, a detail, and its state as a coloured label on the
    right; a click opens its result (searches first when manual or after an error)."""
    connector = entry.connector
    kind = RunConnector if entry.state in _RUN_ON_CLICK else OpenConnector
    on_click = call(ctx, kind(connector_id=connector.id, email=email, name=sender_name))
    label, color = _LABELS[entry.state]
    return decorated(
        bold(connector.name),
        top=account_host(connector.account),
        bottom=_detail(ctx, entry),
        on_click=on_click,
        button=colored_button(ctx.msgs.text(label), on_click, color=color),
    )


def _detail(ctx: CardContext, entry: DashboardEntry) -> str | Html:
    """The summary, or what the state means; after an error, when to retry."""
    if entry.state is ConnectorState.ERROR:
        retry = ctx.msgs.text("error.retry", when=retry_when(ctx, entry.retry_after))
        return join([entry.summary, retry])
    return entry.summary or ctx.msgs.text(_DETAILS[entry.state])


def _people_sections(ctx: CardContext, rows: list[Json], room: int) -> list[Json]:
    """The thread's other people in at most `room` widgets, the last saying how many are left
    out (none when not even two fit)."""
    if not rows or room < 1:
        return []
    if len(rows) > room:
        if room < 2:  # noqa: PLR2004 - one person and the "more" line
            return []
        rows = [*rows[: room - 1], more_hidden(ctx, len(rows) - room + 1)]
    return [section(rows, header=ctx.msgs.text("dashboard.participants"))]


def _person_row(ctx: CardContext, address: str, name: str | None) -> Json:
    """Someone else in the thread, with a button to look them up."""
    look_up = call(ctx, Lookup(email=address, name=name))
    return decorated(
        name or address,
        bottom=address if name else None,
        start_icon=icons.known("PERSON", ctx.msgs.text("icon.person")),
        button=button(ctx.msgs.text("action.look_up"), look_up),
    )


def _reason_text(ctx: CardContext, person: str, reason: str) -> str:
    """A duplicate's reason code worded; any other reason is already in the reader's words."""
    key = _DUPLICATE_REASONS.get(reason)
    return ctx.msgs.text(key, name=person) if key else reason


def duplicate_row(ctx: CardContext, person: str, reason: str, url: str) -> Json:
    """A possible duplicate: the person, why they may be the same, a link to them."""
    return decorated(
        bold(person),
        bottom=reason,
        start_icon=icons.known("PERSON", ctx.msgs.text("icon.person")),
        button=button(ctx.msgs.text("action.open"), open_link(url)),
    )
