"""The cards for everything but a match: no match (SPEC §4), reauth, payment and errors (§5).

None of them shows an error's message or any trace: each says what happened in the reader's
words and offers the way forward.
"""

from __future__ import annotations

from cardin.actions import AddContact, Home, Reauth, Retry, SearchOther
from cardin.cards import icons
from cardin.cards.actions import SEARCH_INPUT, call, card_connector
from cardin.cards.context import CardContext
from cardin.cards.parts import cost_text, retry_when
from cardin.cards.widgets import (
    Json,
    bold,
    button,
    button_list,
    card,
    decorated,
    esc,
    lines,
    open_link,
    paragraph,
    section,
    text_input,
)
from cardin.connectors.features import Feature
from cardin.contact.model import Account, NoMatch
from cardin.contact.outcome import Failure, FailureKind
from cardin.links import BILLING_PAGE_URL, TOKEN_PAGE_URL, web_app_url


def render_no_match_card(no_match: NoMatch, ctx: CardContext, *, sender_name: str | None) -> Json:
    """The sender is not in Pipedrive: add them, search Pipedrive, or look up another address."""
    msgs = ctx.msgs
    company = no_match.account.company_name or msgs.text("no_match.this_account")
    who = decorated(
        bold(no_match.email),
        top=sender_name,
        bottom=msgs.text("no_match.not_found", company=company),
        start_icon=icons.known("PERSON", msgs.text("icon.person")),
    )
    buttons = []
    if ctx.has(Feature.ADD_CONTACT):
        add = call(
            ctx,
            AddContact(
                connector_id=card_connector(ctx), email=no_match.email, name=sender_name or None
            ),
        )
        buttons.append(button(msgs.text("action.add_contact"), add, primary=True))
    buttons.append(button(msgs.text("action.search_pipedrive"), open_link(no_match.search_url)))
    search = call(ctx, SearchOther(connector_id=ctx.connector_id), required=[SEARCH_INPUT])
    other = [
        text_input(
            SEARCH_INPUT, msgs.text("no_match.input_label"), hint=msgs.text("no_match.hint")
        ),
        button_list(button(msgs.text("action.search"), search)),
    ]
    sections = [
        section([who, button_list(*buttons)]),
        section(other, header=msgs.text("section.search_other")),
        section([decorated(cost_text(ctx, no_match.usage))]),
    ]
    return card(
        title=sender_name or no_match.email,
        subtitle=msgs.text("no_match.subtitle"),
        sections=sections,
        name="no_match",
    )


def render_reauth_card(ctx: CardContext, *, connector_name: str) -> Json:
    """The token was refused (HTTP 401): get a new one in Pipedrive, then update the connector.

    A connector signed in with Pipedrive (`ctx.signed_in`) is signed in again instead.
    """
    msgs = ctx.msgs
    reauth = call(ctx, Reauth(connector_id=card_connector(ctx)))
    if ctx.signed_in:
        widgets = [
            paragraph(msgs.text("signin.reauth.explain", connector=connector_name)),
            button_list(button(msgs.text("signin.button"), reauth, primary=True)),
        ]
        return _problem_card(ctx, connector_name, "signin.reauth.subtitle", widgets, name="reauth")
    steps = [
        paragraph(msgs.text("reauth.explain", connector=connector_name)),
        decorated(
            msgs.text("reauth.step_token"),
            start_icon=icons.served(ctx, "activity_key", msgs.text("icon.token")),
            button=button(msgs.text("action.get_token"), open_link(TOKEN_PAGE_URL)),
        ),
        decorated(
            msgs.text("reauth.step_update"),
            start_icon=icons.served(ctx, "activity_cogs", msgs.text("icon.settings")),
            button=button(msgs.text("action.update_connector"), reauth, primary=True),
        ),
    ]
    return _problem_card(ctx, connector_name, "reauth.subtitle", steps, name="reauth")


def render_payment_card(
    ctx: CardContext, *, connector_name: str, account: Account | None, email: str | None = None
) -> Json:
    """The Pipedrive account is inactive (HTTP 402): subscribe or update payment, then retry.

    Retry looks `email` up again (the open message's people when it has none).
    """
    msgs = ctx.msgs
    company = account.company_name if account and account.company_name else None
    explain = (
        msgs.text("payment.explain.company", company=company)
        if company
        else msgs.text("payment.explain")
    )
    billing = (
        web_app_url(account.company_domain, "settings", "billing") if account else BILLING_PAGE_URL
    )
    widgets = [
        paragraph(explain),
        paragraph(msgs.text("payment.admin")),
        button_list(
            button(msgs.text("action.billing"), open_link(billing), primary=True),
            button(
                msgs.text("action.retry"),
                call(ctx, Retry(connector_id=card_connector(ctx), email=email)),
            ),
        ),
    ]
    return _problem_card(ctx, connector_name, "payment.subtitle", widgets, name="payment")


def stale_section(ctx: CardContext, kind: FailureKind, *, account: Account | None) -> Json:
    """Over an answer the result cache kept although the connector's last run found its token
    refused (`kind` REAUTH) or its account inactive (PAYMENT): says the card may be out of date,
    with the way out (update the token; the account's billing page). RATE_LIMITED: the company's
    daily Pipedrive budget is used up, so the card comes from the cache (no way out but
    tomorrow)."""
    msgs = ctx.msgs
    if kind is FailureKind.RATE_LIMITED:
        icon = icons.served(ctx, "state_overdue", msgs.text("icon.error"))
        words = lines([bold(msgs.text("rate_limited.subtitle")), msgs.text("stale.rate_limited")])
        return section([decorated(words, start_icon=icon)])
    if kind is FailureKind.PAYMENT:
        billing = (
            web_app_url(account.company_domain, "settings", "billing")
            if account
            else BILLING_PAGE_URL
        )
        fix = button(msgs.text("action.billing"), open_link(billing), primary=True)
        icon = icons.served(ctx, "activity_cogs", msgs.text("icon.settings"))
    else:
        reauth = call(ctx, Reauth(connector_id=card_connector(ctx)))
        fix = button(msgs.text("action.update_connector"), reauth, primary=True)
        icon = icons.served(ctx, "activity_key", msgs.text("icon.token"))
    words = lines([bold(msgs.text(f"{kind.value}.subtitle")), msgs.text(f"stale.{kind.value}")])
    return section([decorated(words, start_icon=icon), button_list(fix)])


def render_error_card(
    failure: Failure, ctx: CardContext, *, connector_name: str, email: str | None = None
) -> Json:
    """A failed lookup: what happened (when to retry after a rate limit) and a retry action.

    A refused credential or an inactive account get their own cards; `email` is looked up again
    on retry. The failure's reason is never shown.
    """
    if failure.kind is FailureKind.REAUTH:
        return render_reauth_card(ctx, connector_name=connector_name)
    if failure.kind is FailureKind.PAYMENT:
        return render_payment_card(ctx, connector_name=connector_name, account=None, email=email)
    key, detail = _error_words(failure, ctx)
    retry = call(ctx, Retry(connector_id=card_connector(ctx), email=email))
    widgets = [
        decorated(
            lines(
                [
                    bold(ctx.msgs.text(f"error.{key}.title")),
                    ctx.msgs.text(f"error.{key}.explain"),
                    detail,
                ]
            ),
            start_icon=icons.served(ctx, "state_overdue", ctx.msgs.text("icon.error")),
        ),
        button_list(button(ctx.msgs.text("action.retry"), retry, primary=True)),
    ]
    return _problem_card(ctx, connector_name, f"error.{key}.subtitle", widgets, name="error")


def _error_words(failure: Failure, ctx: CardContext) -> tuple[str, str | None]:
    """The message key of a failure (its kind's value) and, for a rate limit, when to retry."""
    if failure.kind is FailureKind.RATE_LIMITED:
        when = retry_when(ctx, failure.retry_after)
        return failure.kind.value, ctx.msgs.text("error.retry", when=when)
    return failure.kind.value, None


def _problem_card(
    ctx: CardContext, connector_name: str, subtitle_key: str, widgets: list[Json], *, name: str
) -> Json:
    """A card about a connector's problem: its name as title, the problem as subtitle."""
    return card(
        title=connector_name,
        subtitle=ctx.msgs.text(subtitle_key),
        sections=[section(widgets)],
        name=name,
    )


def render_notice_card(ctx: CardContext, message_id: str) -> Json:
    """A card that says one thing (from the catalog) with a way to the account list."""
    widgets = [
        paragraph(esc(ctx.msgs.text(message_id))),
        button_list(button(ctx.msgs.text("notice.home"), call(ctx, Home()))),
    ]
    return card(title=ctx.msgs.text("notice.title"), sections=[section(widgets)], name="notice")
