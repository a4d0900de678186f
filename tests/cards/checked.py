"""The card builders, each output checked by `assert_valid_card`: tests render through these."""

from __future__ import annotations

from typing import Any

from cardin import cards
from cardin.cards import CardContext
from cardin.contact.model import Account, Deal, Match, NoMatch, Note
from cardin.contact.outcome import Failure
from tests.cards.validate import assert_valid_card

Card = dict[str, Any]


def _checked(card: Card) -> Card:
    assert_valid_card(card)
    return card


def render_contact_card(
    match: Match,
    ctx: CardContext,
    *,
    writes: cards.WriteOptions | None = None,
    sender_name: str | None = None,
) -> Card:
    return _checked(cards.render_contact_card(match, ctx, writes=writes, sender_name=sender_name))


def render_list_card(
    match: Match,
    section: str,
    ctx: CardContext,
    *,
    writes: cards.WriteOptions | None = None,
    sender_name: str | None = None,
    page: int = 0,
) -> Card:
    return _checked(
        cards.render_list_card(
            match, section, ctx, writes=writes, sender_name=sender_name, page=page
        )
    )


def _form(card: Card) -> Card:
    """A form: valid, with the submit and Cancel in a fixed footer of filled text buttons."""
    footer = card["fixedFooter"]
    for key in ("primaryButton", "secondaryButton"):
        assert footer[key]["text"], key
        assert set(footer[key]["color"]) == {"red", "green", "blue"}, key
        assert "action" in footer[key]["onClick"], key
    return _checked(card)


def render_log_email_form(view: cards.LogEmailView, ctx: CardContext) -> Card:
    return _form(cards.render_log_email_form(view, ctx))


def render_note_form(view: cards.NoteView, ctx: CardContext) -> Card:
    return _form(cards.render_note_form(view, ctx))


def render_activity_form(view: cards.ActivityView, ctx: CardContext) -> Card:
    return _form(cards.render_activity_form(view, ctx))


def render_deal_form(view: cards.DealView, ctx: CardContext) -> Card:
    return _form(cards.render_deal_form(view, ctx))


def render_contact_form(view: cards.ContactFormView, ctx: CardContext) -> Card:
    return _form(cards.render_contact_form(view, ctx))


def render_no_match_card(no_match: NoMatch, ctx: CardContext, *, sender_name: str | None) -> Card:
    return _checked(cards.render_no_match_card(no_match, ctx, sender_name=sender_name))


def render_reauth_card(ctx: CardContext, *, connector_name: str) -> Card:
    return _checked(cards.render_reauth_card(ctx, connector_name=connector_name))


def render_payment_card(ctx: CardContext, *, connector_name: str, account: Account | None) -> Card:
    return _checked(cards.render_payment_card(ctx, connector_name=connector_name, account=account))


def render_error_card(
    failure: Failure, ctx: CardContext, *, connector_name: str, email: str | None = None
) -> Card:
    return _checked(
        cards.render_error_card(failure, ctx, connector_name=connector_name, email=email)
    )


def render_note_card(
    match: Match,
    note: Note,
    ctx: CardContext,
    *,
    page: int = 1,
    deal_id: int | None = None,
    deal: Deal | None = None,
) -> Card:
    return _checked(cards.render_note_card(match, note, ctx, page=page, deal_id=deal_id, deal=deal))


def render_deal_card(
    deal: Deal, ctx: CardContext, *, email: str, person_id: int, page: int = 0
) -> Card:
    return _checked(cards.render_deal_card(deal, ctx, email=email, person_id=person_id, page=page))
