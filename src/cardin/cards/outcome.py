"""The card for the outcome of one lookup: a match, no match, or the failure that stopped it."""

from __future__ import annotations

from cardin.cards.contact import render_contact_card
from cardin.cards.context import CardContext
from cardin.cards.states import render_error_card, render_no_match_card
from cardin.cards.widgets import Json
from cardin.cards.writes import WriteOptions
from cardin.contact.model import Match
from cardin.contact.outcome import Failure, Outcome


def render_outcome_card(
    outcome: Outcome,
    ctx: CardContext,
    *,
    email: str,
    connector_name: str,
    sender_name: str | None = None,
    writes: WriteOptions | None = None,
) -> Json:
    """The contact card (with `writes`: its write buttons), the no-match prompt, or the
    reauth/payment/error card."""
    if isinstance(outcome, Failure):
        return render_error_card(outcome, ctx, connector_name=connector_name, email=email)
    if isinstance(outcome, Match):
        return render_contact_card(outcome, ctx, writes=writes, sender_name=sender_name)
    return render_no_match_card(outcome, ctx, sender_name=sender_name)
