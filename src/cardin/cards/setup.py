"""The connector setup cards (SPEC §1): the four steps, reauthorization, account change, delete.

Create and edit share the steps. The cards hold no state: each step's submit carries the choices
made in the other steps as action parameters, its own choice arrives in `formInputs`. A token is
never put into a card, neither as a parameter nor as a pre-filled value.
"""

from __future__ import annotations

from dataclasses import replace

from cardin.actions import (
    Cancel,
    Carried,
    DeleteConfirm,
    Edit,
    ReauthConfirm,
    ReauthToken,
    SetupBehaviour,
    SetupFeatures,
    SetupName,
    SetupToken,
)
from cardin.cards import icons
from cardin.cards.actions import (
    DASHBOARD_INPUT,
    DASHBOARD_ON,
    FEATURES_INPUT,
    NAME_INPUT,
    RUN_MODE_INPUT,
    TOKEN_INPUT,
    call,
)
from cardin.cards.context import CardContext
from cardin.cards.widgets import (
    GREY,
    PRIMARY_COLOR,
    RED,
    Json,
    bold,
    button,
    button_list,
    card,
    colored,
    decorated,
    join,
    open_link,
    open_sign_in,
    paragraph,
    section,
    text_input,
)
from cardin.connectors.features import REGISTRY
from cardin.connectors.model import TYPE_NAME, Connector, ConnectorSettings, RunMode
from cardin.contact.model import Account
from cardin.links import TOKEN_PAGE_URL, web_app_host

TOTAL_STEPS = 4


# --- shared by the prompt cards ------------------------------------------------------------


def rgb(color: str) -> dict[str, float]:
    """A "#rrggbb" colour as the {red, green, blue} floats buttons take."""
    value = color.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return {"red": round(red, 3), "green": round(green, 3), "blue": round(blue, 3)}


PRIMARY = PRIMARY_COLOR
SECONDARY = rgb(GREY)
DANGER = rgb(RED)


def colored_button(text: str, on_click: Json, *, color: dict[str, float] = PRIMARY) -> Json:
    """A filled text button (what a fixed footer requires: text and colour set)."""
    return {"text": text, "color": color, "onClick": on_click}


def with_footer(body: Json, primary: Json, secondary: Json | None = None) -> Json:
    """The card with a fixed footer: the main action, and optionally a second one."""
    footer: Json = {"primaryButton": primary}
    if secondary is not None:
        footer["secondaryButton"] = secondary
    body["fixedFooter"] = footer
    return body


def cancel_button(ctx: CardContext, key: str = "action.cancel") -> Json:
    """The grey footer button that pops the card (Cancel, or Back in the wizard)."""
    return colored_button(ctx.msgs.text(key), call(ctx, Cancel()), color=SECONDARY)


def account_host(account: Account) -> str:
    """Where the account lives, as users know it: "acme.pipedrive.com"."""
    return web_app_host(account.company_domain)


def for_connector(ctx: CardContext, connector_id: str | None) -> CardContext:
    """The context whose actions name this connector (None: no connector at all)."""
    return ctx if ctx.connector_id == connector_id else replace(ctx, connector_id=connector_id)


# --- the four steps ------------------------------------------------------------------------


def render_name_step(
    ctx: CardContext,
    *,
    settings: ConnectorSettings,
    connector_id: str | None,
    setup_key: str | None = None,
) -> Json:
    """Step 1: the name, pre-filled; names need not be unique and an empty one is "Pipedrive".

    `setup_key` (creating only) names the wizard; every step passes it on.
    """
    ctx = for_connector(ctx, connector_id)
    msgs = ctx.msgs
    widgets = [
        text_input(
            NAME_INPUT,
            msgs.text("setup.name.label"),
            value=settings.name,
            hint=msgs.text("setup.name.hint"),
        ),
        decorated(colored(msgs.text("setup.name.note", default=TYPE_NAME), GREY)),
    ]
    carried = replace(Carried.of(settings), name=None)
    step = SetupName(connector_id=connector_id, carried=carried, setup_key=setup_key)
    submit = call(ctx, step)
    return _step(ctx, 1, "setup.name.title", widgets, submit, name="setup_name")


def render_features_step(
    ctx: CardContext,
    *,
    settings: ConnectorSettings,
    connector_id: str | None,
    setup_key: str | None = None,
) -> Json:
    """Step 2: one checkbox per feature of the registry, checked when in `settings.features`."""
    ctx = for_connector(ctx, connector_id)
    msgs = ctx.msgs
    items = [
        (msgs.text(info.message_id), info.feature.value, info.feature in settings.features)
        for info in REGISTRY
    ]
    # One list: the checked features arrive under one input name, and Google documents no
    # second widget sharing it, so the writes are grouped by a line under the list instead.
    widgets = [
        selection(FEATURES_INPUT, msgs.text("setup.features.label"), "CHECK_BOX", items),
        decorated(colored(msgs.text("setup.features.writes"), GREY)),
        decorated(colored(msgs.text("setup.features.note"), GREY)),
    ]
    carried = replace(Carried.of(settings), features=None)
    step = SetupFeatures(connector_id=connector_id, carried=carried, setup_key=setup_key)
    submit = call(ctx, step)
    return _step(ctx, 2, "setup.features.title", widgets, submit, name="setup_features")


def render_token_step(
    ctx: CardContext,
    *,
    settings: ConnectorSettings,
    connector_id: str | None,
    error: str | None = None,
    reauth: bool = False,
    setup_key: str | None = None,
    already: Connector | None = None,
    sign_in_url: str | None = None,
) -> Json:
    """Step 3 (or reauthorization, which asks only for the token): the token, where to find it,
    and the message id `error` ("setup.error.*", "signin.error.*") under the field.

    Editing may leave the field empty to keep the saved token; creating and reauth require it.
    `already`: the user's connector that already has the token entered, offered to open.
    `sign_in_url`: the deployment has a Pipedrive app: "Sign in with Pipedrive" comes first.
    """
    ctx = for_connector(ctx, connector_id)
    msgs = ctx.msgs
    editing = connector_id is not None and not reauth
    sign_in = _sign_in_rows(ctx, sign_in_url)
    intro = (
        msgs.text("setup.reauth.intro", connector=settings.name or TYPE_NAME)
        if reauth
        else msgs.text("setup.token.intro")
    )
    field = text_input(
        TOKEN_INPUT,
        msgs.text("setup.token.label"),
        hint=msgs.text("setup.token.keep" if editing else "setup.token.hint"),
    )
    problems = [*_error_rows(ctx, error), *_already_rows(ctx, already)]
    widgets = [*sign_in, paragraph(intro), field, *problems, _where_is_my_token(ctx)]
    required = () if editing else (TOKEN_INPUT,)
    if reauth:
        if connector_id is None:
            raise ValueError("reauthorization needs the connector's id")
        save = call(ctx, ReauthToken(connector_id=connector_id), required=required)
        return _reauth_card(ctx, settings, widgets, save)
    step = SetupToken(connector_id=connector_id, carried=Carried.of(settings), setup_key=setup_key)
    submit = call(ctx, step, required=required)
    return _step(ctx, 3, "setup.token.title", widgets, submit, name="setup_token")


def render_sign_in_reauth(
    ctx: CardContext,
    *,
    connector: Connector,
    sign_in_url: str,
    error: str | None = None,
    wider_scopes: bool = False,
) -> Json:
    """Reauthorization of a connector signed in with Pipedrive: the same sign-in again, with
    the problem (message id) that brought the user here, if any. `wider_scopes`: a feature needs
    more than the grant allows, and the new sign-in asks for it."""
    ctx = for_connector(ctx, connector.id)
    msgs = ctx.msgs
    intro = msgs.text("signin.reauth.intro", connector=connector.name)
    widgets = [
        paragraph(intro),
        *([paragraph(msgs.text("signin.scope.wider"))] if wider_scopes else []),
        *_error_rows(ctx, error),
    ]
    body = card(
        title=connector.name,
        subtitle=msgs.text("signin.reauth.subtitle"),
        sections=[section(widgets)],
        name="reauth_sign_in",
    )
    sign_in = colored_button(msgs.text("signin.button"), open_sign_in(sign_in_url))
    return with_footer(body, sign_in, cancel_button(ctx))


def _sign_in_rows(ctx: CardContext, url: str | None) -> list[Json]:
    """ "Sign in with Pipedrive" and "or use an API token" (nothing without a Pipedrive app)."""
    if url is None:
        return []
    msgs = ctx.msgs
    return [
        paragraph(msgs.text("signin.intro")),
        button_list(button(msgs.text("signin.button"), open_sign_in(url), primary=True)),
        paragraph(bold(msgs.text("signin.or_token"))),
    ]


def render_behaviour_step(
    ctx: CardContext, *, connector: Connector, settings: ConnectorSettings
) -> Json:
    """Step 4: automatic or manual, and whether to show in the dashboard; defaults from
    `settings`, the verified account from `connector`; Save stores the connector."""
    ctx = for_connector(ctx, connector.id)
    msgs = ctx.msgs
    automatic = settings.run_mode is RunMode.AUTOMATIC
    run_items = [
        (msgs.text("setup.run.automatic"), RunMode.AUTOMATIC.value, automatic),
        (msgs.text("setup.run.manual"), RunMode.MANUAL.value, not automatic),
    ]
    widgets = [
        connected_row(ctx, connector.account),
        selection(RUN_MODE_INPUT, msgs.text("setup.run.label"), "RADIO_BUTTON", run_items),
        switch_row(
            msgs.text("setup.dashboard.label"),
            bottom=msgs.text("setup.dashboard.explain"),
            name=DASHBOARD_INPUT,
            selected=settings.show_in_dashboard,
        ),
    ]
    carried = Carried(name=settings.name, features=settings.features)
    save = call(ctx, SetupBehaviour(connector_id=connector.id, carried=carried))
    return _step(
        ctx, 4, "setup.behaviour.title", widgets, save, name="setup_behaviour", submit="action.save"
    )


# --- delete and account change -------------------------------------------------------------


def render_delete_confirm(ctx: CardContext, *, connector: Connector) -> Json:
    """ "Delete Sales EU?": what deleting does, Delete (red) and Cancel."""
    ctx = for_connector(ctx, connector.id)
    msgs = ctx.msgs
    account = connector.account
    widgets = [
        decorated(bold(connector.name), bottom=join([account.company_name, account_host(account)])),
        paragraph(msgs.text("delete.explain")),
    ]
    if connector.is_default:
        widgets.append(paragraph(msgs.text("delete.default")))
    body = card(
        title=msgs.text("delete.title", connector=connector.name),
        sections=[section(widgets)],
        name="delete",
    )
    confirm = call(ctx, DeleteConfirm(connector_id=connector.id))
    delete = colored_button(msgs.text("action.delete"), confirm, color=DANGER)
    return with_footer(body, delete, cancel_button(ctx))


def render_account_change_confirm(
    ctx: CardContext,
    *,
    connector: Connector,
    new_account: Account,
    settings: ConnectorSettings | None = None,
) -> Json:
    """The new token is another company's or user's: which account it was, which it will be.

    `settings` (edit flow only) are the choices carried on to step 4 after confirming.
    """
    ctx = for_connector(ctx, connector.id)
    msgs = ctx.msgs
    widgets = [
        paragraph(msgs.text("account_change.explain", connector=connector.name)),
        _account_row(ctx, "account_change.before", connector.account),
        _account_row(ctx, "account_change.after", new_account),
    ]
    confirm = ReauthConfirm(
        connector_id=connector.id,
        carried=Carried.of(settings) if settings is not None else Carried(),
        company_id=new_account.company_id,
        user_id=new_account.user_id,
    )
    body = card(
        title=msgs.text("account_change.title"),
        subtitle=connector.name,
        sections=[section(widgets)],
        name="account_change",
    )
    accept = colored_button(msgs.text("action.use_new_account"), call(ctx, confirm))
    return with_footer(body, accept, cancel_button(ctx))


# --- widgets -------------------------------------------------------------------------------


def selection(name: str, label: str, kind: str, items: list[tuple[str, str, bool]]) -> Json:
    """A selectionInput of `kind` (CHECK_BOX, RADIO_BUTTON, SWITCH, DROPDOWN) from
    (text, value, selected) items."""
    return {
        "selectionInput": {
            "name": name,
            "label": label,
            "type": kind,
            "items": [{"text": t, "value": v, "selected": on} for t, v, on in items],
        }
    }


def switch_row(text: str, *, bottom: str, name: str, selected: bool) -> Json:
    """A decoratedText with a switch; its value "true" is in formInputs only when on."""
    row = decorated(text, bottom=bottom)
    row["decoratedText"]["switchControl"] = {
        "name": name,
        "value": DASHBOARD_ON,
        "selected": selected,
        "controlType": "SWITCH",
    }
    return row


def connected_row(ctx: CardContext, account: Account) -> Json:
    """ "Connected to Acme GmbH", as which user and where."""
    msgs = ctx.msgs
    as_user = msgs.text("setup.behaviour.as_user", user=account.user_name)
    return decorated(
        bold(msgs.text("setup.behaviour.connected", company=account.company_name)),
        bottom=join([as_user, account_host(account)]),
        start_icon=icons.known("STORE"),
    )


def _account_row(ctx: CardContext, label_key: str, account: Account) -> Json:
    """One side of an account change: the user, their email, the company and its host."""
    return decorated(
        bold(account.user_name),
        top=ctx.msgs.text(label_key),
        bottom=join([account.user_email, account.company_name, account_host(account)]),
    )


def _error_rows(ctx: CardContext, error: str | None) -> list[Json]:
    """The token's problem in red, under the field (none without an error)."""
    if error is None:
        return []
    icon = icons.served(ctx, "state_overdue", ctx.msgs.text("icon.error"))
    return [decorated(colored(ctx.msgs.text(error), RED), start_icon=icon)]


def _already_rows(ctx: CardContext, already: Connector | None) -> list[Json]:
    """ "This account is already set up as “Sales”", in red, with a button that opens it."""
    if already is None:
        return []
    msgs = ctx.msgs
    icon = icons.served(ctx, "state_overdue", msgs.text("icon.error"))
    text = msgs.text("setup.error.already_connected", connector=already.name)
    open_it = button(msgs.text("action.open"), call(ctx, Edit(connector_id=already.id)))
    return [decorated(colored(text, RED), start_icon=icon, button=open_it)]


def _where_is_my_token(ctx: CardContext) -> Json:
    """ "Where is my token?" with a button to Pipedrive's API settings page."""
    msgs = ctx.msgs
    return decorated(
        msgs.text("setup.token.where"),
        bottom=msgs.text("setup.token.where_path"),
        start_icon=icons.served(ctx, "activity_key", msgs.text("icon.token")),
        button=button(msgs.text("action.open_token_page"), open_link(TOKEN_PAGE_URL)),
    )


def _step(
    ctx: CardContext,
    number: int,
    title_key: str,
    widgets: list[Json],
    on_submit: Json,
    *,
    name: str,
    submit: str = "action.next",
) -> Json:
    """A wizard step: its title, "Step N of 4", the widgets, Next (or Save) and Back (Cancel)."""
    msgs = ctx.msgs
    body = card(
        title=msgs.text(title_key),
        subtitle=msgs.text("setup.step", step=number, total=TOTAL_STEPS),
        sections=[section(widgets)],
        name=name,
    )
    back = cancel_button(ctx, "action.cancel" if number == 1 else "action.back")
    return with_footer(body, colored_button(msgs.text(submit), on_submit), back)


def _reauth_card(
    ctx: CardContext, settings: ConnectorSettings, widgets: list[Json], on_save: Json
) -> Json:
    """The token step alone, titled with the connector's name."""
    body = card(
        title=settings.name or TYPE_NAME,
        subtitle=ctx.msgs.text("reauth.subtitle"),
        sections=[section(widgets)],
        name="reauth_token",
    )
    return with_footer(
        body, colored_button(ctx.msgs.text("action.save"), on_save), cancel_button(ctx)
    )
