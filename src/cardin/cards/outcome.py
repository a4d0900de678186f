"""The card for the outcome of one lookup: a match, no match, or the failure that stopped it."""

from __future__ import annotations

from cardin.cards.contact import render_contact_card
from cardin.cards.context import CardContext
from cardin.cards.limits import fit
from cardin.cards.states import render_error_card, render_no_match_card, stale_section
from cardin.cards.widgets import Json, plain
from cardin.cards.writes import WriteOptions
from cardin.contact.model import Match
from cardin.contact.outcome import Failure, FailureKind, Outcome


def render_outcome_card(
    outcome: Outcome,
    ctx: CardContext,
    *,
    email: str,
    connector_name: str,
    sender_name: str | None = None,
    writes: WriteOptions | None = None,
    warning: FailureKind | None = None,
    account_name: str | None = None,
) -> Json:
    """The contact card (with `writes`: its write buttons), the no-match prompt, or the
    reauth/payment/error card.

    `warning` (a cached answer after the connector's last run found its token refused or its
    account inactive, or while the company's daily budget is used up) puts that problem and its
    fix on top; `account_name` (the connector of a
    contact card, when it is not the default one) leads the contact card's subtitle.
    """
    if isinstance(outcome, Failure):
        return render_error_card(outcome, ctx, connector_name=connector_name, email=email)
    if isinstance(outcome, Match):
        body = render_contact_card(outcome, ctx, writes=writes, sender_name=sender_name)
        if account_name:
            body["header"] = with_account(body["header"], account_name)
    else:
        body = render_no_match_card(outcome, ctx, sender_name=sender_name)
    if warning is not None:
        warned = [stale_section(ctx, warning, account=outcome.account), *body["sections"]]
        body["sections"] = fit(warned)
    return body


def with_account(header: Json, account_name: str) -> Json:
    """A card header whose subtitle starts with the name of the account the card comes from."""
    subtitle = header.get("subtitle")
    named = plain(account_name)
    return {**header, "subtitle": f"{named} · {subtitle}" if subtitle else named}
