"""The homepage (SPEC §2), shown when no email is open: the connectors and a search by email."""

from __future__ import annotations

from collections.abc import Sequence

from cardin.actions import Delete, Edit, Lookup, Reauth, SetupStart
from cardin.cards.actions import SEARCH_INPUT, call
from cardin.cards.context import CardContext
from cardin.cards.setup import account_host, for_connector
from cardin.cards.widgets import (
    GREEN,
    GREY,
    Json,
    bold,
    button,
    button_list,
    card,
    colored,
    decorated,
    join,
    paragraph,
    section,
    text_input,
)
from cardin.connectors.model import Connector

# Two widgets per connector: 40 of them leave room for the rest of the card under 100 widgets.
MAX_LISTED = 40


def render_homepage(
    ctx: CardContext, *, connectors: Sequence[Connector], user_email: str | None
) -> Json:
    """An intro with "Add your Pipedrive account" when there is no connector; else the
    connectors in the order given, each with edit / reauthorize / delete, "Add another
    account" and a search by email.

    Gmail names the add-on above every card, so the header does not repeat the product name:
    it names the Gmail account the connectors belong to (else "Your Pipedrive accounts")."""
    ctx = for_connector(ctx, None)
    sections = _list_sections(ctx, connectors) if connectors else [intro_section(ctx)]
    title = user_email or ctx.msgs.text("home.accounts")
    return card(title=title, sections=sections, name="home")


def intro_section(ctx: CardContext) -> Json:
    """What Cardin does, and the button that starts the setup."""
    msgs = ctx.msgs
    add = button(msgs.text("action.add_first"), call(ctx, SetupStart()), primary=True)
    widgets = [paragraph(msgs.text("home.intro")), paragraph(msgs.text("home.intro_setup"))]
    return section([*widgets, button_list(add)])


def more_hidden(ctx: CardContext, count: int) -> Json:
    """A grey line: "3 more not shown"."""
    text = ctx.msgs.plural("list.more_hidden", count, count=ctx.fmt.number(count))
    return decorated(colored(text, GREY))


def _list_sections(ctx: CardContext, connectors: Sequence[Connector]) -> list[Json]:
    """The connector list with "Add another account", then the search by email."""
    msgs = ctx.msgs
    rows = [widget for c in connectors[:MAX_LISTED] for widget in _connector_rows(ctx, c)]
    if len(connectors) > MAX_LISTED:
        rows.append(more_hidden(ctx, len(connectors) - MAX_LISTED))
    rows.append(button_list(button(msgs.text("action.add_another"), call(ctx, SetupStart()))))
    search = [
        text_input(SEARCH_INPUT, msgs.text("no_match.input_label")),
        button_list(
            button(msgs.text("action.search"), call(ctx, Lookup(), required=[SEARCH_INPUT]))
        ),
    ]
    return [
        section(rows, header=msgs.text("home.accounts")),
        section(search, header=msgs.text("home.search")),
    ]


def _connector_rows(ctx: CardContext, connector: Connector) -> list[Json]:
    """A connector: name, where, automatic/manual, default; then edit, reauthorize, delete."""
    msgs = ctx.msgs
    mode = msgs.text(f"connector.run.{connector.run_mode.value}")
    default = colored(msgs.text("home.default"), GREEN) if connector.is_default else None
    edit = call(ctx, Edit(connector_id=connector.id))
    row = decorated(
        bold(connector.name),
        bottom=join([account_host(connector.account), mode, default]),
        on_click=edit,
    )
    actions = button_list(
        button(msgs.text("action.edit"), edit),
        button(msgs.text("action.reauthorize"), call(ctx, Reauth(connector_id=connector.id))),
        button(msgs.text("action.delete"), call(ctx, Delete(connector_id=connector.id))),
    )
    return [row, actions]
