"""The contact card (SPEC §3): a matched person section by section, within Google's limits."""

from __future__ import annotations

import functools
from collections.abc import Callable

from cardin.actions import Refresh
from cardin.cards import activities, deals, icons
from cardin.cards.actions import ListSection, call, card_connector
from cardin.cards.context import CardContext
from cardin.cards.general import general_section
from cardin.cards.limits import CONTACT_CAPS, Caps, fit
from cardin.cards.parts import footer, mailto, note_widgets, section_error, show_all
from cardin.cards.widgets import (
    GREEN,
    GREY,
    Json,
    breakable_email,
    card,
    card_action,
    colored,
    decorated,
    join,
    open_link,
    section,
)
from cardin.cards.writes import (
    WriteOptions,
    WriteReceipt,
    mark_done,
    receipt_widget,
    writes_section,
)
from cardin.connectors.features import Feature
from cardin.contact.model import Activity, Match, MatchReason, OtherMatch


def render_contact_card(
    match: Match,
    ctx: CardContext,
    *,
    writes: WriteOptions | None = None,
    sender_name: str | None = None,
) -> Json:
    """The full contact card of a match; at most 100 widgets however big the contact is.

    With `writes`, the buttons that write to Pipedrive (each with its feature on) and the
    receipt of the last write; `sender_name` (the From header's name) goes with the writes.
    """
    caps = CONTACT_CAPS
    top = writes_section(match, ctx, writes, sender_name=sender_name) if writes else None
    done = _done_clicks(match, ctx, sender_name) if writes else None
    optional = (
        notes_section(match, ctx, caps),
        deals_section(match, ctx, caps),
        activities_section(match, ctx, caps, done=done),
        owner_section(match, ctx),
    )
    sections = [
        *([top] if top is not None else []),
        general_section(match, ctx, caps),
        match_section(match, ctx, caps),
        *(s for s in optional if s is not None),
        footer_section(match, ctx, receipt=writes.receipt if writes else None),
    ]
    return contact_frame(match, ctx, fit(sections), name="contact")


DoneClick = Callable[[Activity], Json | None]
"""The "Mark as done" click of an activity (None: not offered)."""


def _done_clicks(match: Match, ctx: CardContext, sender_name: str | None) -> DoneClick:
    """Mark-as-done clicks for the card's open activities."""
    return functools.partial(mark_done, match, ctx, sender_name=sender_name)


def contact_frame(match: Match, ctx: CardContext, sections: list[Json], *, name: str) -> Json:
    """A card about the contact: name, organization (or job title), picture, menu actions."""
    contact = match.contact
    org = contact.organization
    subtitle = org.name if org is not None and ctx.has(Feature.ORGANIZATION) else None
    actions = [
        card_action(ctx.msgs.text("action.open_in_pipedrive"), open_link(contact.url)),
        card_action(ctx.msgs.text("action.refresh"), refresh_action(match, ctx)),
    ]
    return card(
        title=contact.name,
        subtitle=subtitle or contact.job_title,
        image_url=contact.picture_url,
        image_alt=contact.name,
        sections=sections,
        name=name,
        actions=actions,
    )


def refresh_action(match: Match, ctx: CardContext) -> Json:
    """Look the sender up again, bypassing the cache."""
    again = Refresh(connector_id=card_connector(ctx), email=match.email, person_id=match.contact.id)
    return call(ctx, again)


# --- why this match ------------------------------------------------------------------------


def match_section(match: Match, ctx: CardContext, caps: Caps) -> Json:
    """Which address matched and how it is filed; the other persons with it, each linked."""
    why = decorated(
        reason_text(match.reason, ctx),
        start_icon=icons.known("EMAIL", ctx.msgs.text("icon.match")),
    )
    others = match.others
    widgets = [why, *(other_widget(other, ctx) for other in others[: caps.others])]
    more = show_all(
        ctx,
        match,
        ListSection.OTHERS,
        shown=len(widgets) - 1,
        available=len(others),
        total=len(others),
    )
    if more is not None:
        widgets.append(more)
    return section(widgets, header=ctx.msgs.text("section.match"))


def reason_text(reason: MatchReason, ctx: CardContext) -> str:
    """ "Matched on the primary work email ada@example.org"."""
    key = "email.kind." + reason.label.strip().lower()
    label = ctx.msgs.text(key) if ctx.msgs.has(key) else reason.label.strip()
    rank = "primary" if reason.is_primary else "secondary"
    return ctx.msgs.text(f"match.reason.{rank}", label=label, email=reason.email)


def other_widget(other: OtherMatch, ctx: CardContext) -> Json:
    """Another person with the address: name, organization and match, opening in Pipedrive."""
    return decorated(
        other.name,
        top=ctx.msgs.text("match.other"),
        bottom=join([other.organization, reason_text(other.reason, ctx)]),
        start_icon=icons.known("PERSON", ctx.msgs.text("icon.person")),
        on_click=open_link(other.url),
    )


# --- list sections -------------------------------------------------------------------------


def notes_section(match: Match, ctx: CardContext, caps: Caps) -> Json | None:
    """Background: the newest notes, cut with "show all"; None when off or empty."""
    notes = match.contact.notes
    if not ctx.has(Feature.NOTES) or not (notes.items or notes.error or notes.total):
        return None
    header = ctx.msgs.text("section.notes")
    if notes.error is not None:
        return section([section_error(ctx, notes.error, match)], header=header)
    shown = notes.items[: caps.notes]
    widgets = [w for note in shown for w in note_widgets(ctx, note, about=match)]
    more = show_all(
        ctx,
        match,
        ListSection.NOTES,
        shown=len(shown),
        available=len(notes.items),
        total=notes.total,
    )
    return section([*widgets, more] if more else widgets, header=header)


def deals_section(match: Match, ctx: CardContext, caps: Caps) -> Json | None:
    """Deals: the overview and the most relevant deals; None when off or there are none."""
    contact = match.contact
    found, overview = contact.deals, contact.deals_overview
    has_data = found.items or found.error or found.total or (overview and overview.total)
    if not ctx.has(Feature.DEALS) or not has_data:
        return None
    header = ctx.msgs.text("section.deals")
    if found.error is not None:
        return section([section_error(ctx, found.error, match)], header=header)
    widgets = [deals.overview_widget(overview, ctx)] if overview else []
    for deal in found.items[: caps.deals]:
        click = deals.open_deal_click(deal, ctx, email=match.email, person_id=contact.id)
        widgets.extend(
            deals.deal_widgets(
                deal,
                ctx,
                notes=caps.deal_notes,
                activities=caps.deal_activities,
                about=match,
                open_deal=click,
            )
        )
    total = max(found.total, overview.total if overview else 0)
    shown = min(len(found.items), caps.deals)
    more = show_all(
        ctx, match, ListSection.DEALS, shown=shown, available=len(found.items), total=total
    )
    return section([*widgets, more] if more else widgets, header=header)


def activities_section(
    match: Match, ctx: CardContext, caps: Caps, *, done: DoneClick | None = None
) -> Json | None:
    """Activities: the overview and the next ones (open ones with `done`'s "Mark as done");
    None when off or there are none."""
    contact = match.contact
    found, overview = contact.activities, contact.activities_overview
    has_data = found.items or found.error or found.total or (overview and overview.total)
    if not ctx.has(Feature.ACTIVITIES) or not has_data:
        return None
    header = ctx.msgs.text("section.activities")
    if found.error is not None:
        return section([section_error(ctx, found.error, match)], header=header)
    widgets = [activities.overview_widget(overview, ctx)] if overview else []
    kept = activities.by_urgency(found.items)[: caps.activities]
    widgets.extend(
        activities.activity_widget(activity, ctx, done=done(activity) if done else None)
        for activity in kept
    )
    total = max(found.total, overview.total if overview else 0)
    more = show_all(
        ctx, match, ListSection.ACTIVITIES, shown=len(kept), available=len(found.items), total=total
    )
    return section([*widgets, more] if more else widgets, header=header)


# --- owner and footer ----------------------------------------------------------------------


def owner_section(match: Match, ctx: CardContext) -> Json | None:
    """Contact owner: name, email and whether the user is active; None when off or unknown."""
    owner, error = match.contact.owner, match.contact.owner_error
    if not ctx.has(Feature.OWNER):
        return None
    if error is not None:
        return section([section_error(ctx, error, match)], header=ctx.msgs.text("section.owner"))
    if owner is None:
        return None
    status = ctx.msgs.text("owner.active" if owner.is_active else "owner.inactive")
    email = owner.email and breakable_email(owner.email)
    widget = decorated(
        owner.name,
        bottom=join([email, colored(status, GREEN if owner.is_active else GREY)]),
        start_icon=icons.known("PERSON", ctx.msgs.text("section.owner")),
        on_click=open_link(mailto(owner.email)) if owner.email else None,
    )
    return section([widget], header=ctx.msgs.text("section.owner"))


def footer_section(match: Match, ctx: CardContext, *, receipt: WriteReceipt | None = None) -> Json:
    """ "Updated 5 minutes ago", what the lookup cost in Pipedrive tokens, and refresh; above
    them, the receipt of the write that led here."""
    refresh = refresh_action(match, ctx)
    updated = footer(ctx, match.usage, fetched_at=match.fetched_at, refresh=refresh)
    return section([receipt_widget(ctx, receipt), updated] if receipt else [updated])
