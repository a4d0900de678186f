"""The connector setup steps (SPEC §1) as card actions: create, edit, reauthorize, delete.

The steps carry the user's non-secret choices in action parameters, so the service keeps no
wizard state. A token is checked with `GET /v1/users/me` before anything is stored, and a bad one
changes nothing. A new connector is stored when its token passes (step 3); step 4 then saves its
behaviour. A token of another Pipedrive account waits, encrypted, in the cache until the user
confirms the change.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from cardin.cards import (
    Json,
    Op,
    action_response,
    pop,
    pop_to_root,
    push,
    render_account_change_confirm,
    render_behaviour_step,
    render_delete_confirm,
    render_features_step,
    render_name_step,
    render_token_step,
    update,
)
from cardin.cards import actions as params
from cardin.cards.actions import decode_features
from cardin.connectors.model import Connector, ConnectorSettings, PipedriveAccount, RunMode
from cardin.connectors.setup import (
    TokenProblem,
    TokenRejected,
    check_token,
    is_same_account,
    offered_settings,
    settings_of,
)
from cardin.pipedrive.urls import api_base_for

if TYPE_CHECKING:
    from cardin.addon.handlers import AddOn

PENDING_TTL = 10 * 60.0
MAX_TOKEN_LENGTH = 256


def carried_settings(addon: AddOn, *, defaults: ConnectorSettings) -> ConnectorSettings:
    """The choices the steps carry in parameters (and the current step's form input)."""
    event = addon.event
    name = event.form_value(params.NAME_INPUT)
    if name is None:
        name = event.parameter(params.CONNECTOR_NAME)
    features_param = event.parameter(params.FEATURES)
    features = decode_features(features_param) if features_param is not None else defaults.features
    run_mode = event.parameter(params.RUN_MODE) or defaults.run_mode.value
    dashboard = event.parameter(params.DASHBOARD)
    return ConnectorSettings(
        name=name if name is not None else defaults.name,
        features=features,
        run_mode=RunMode(run_mode)
        if run_mode in RunMode.__members__.values()
        else defaults.run_mode,
        show_in_dashboard=(dashboard == params.DASHBOARD_ON)
        if dashboard is not None
        else defaults.show_in_dashboard,
    )


async def _editing(addon: AddOn) -> Connector | None:
    connector_id = addon.event.parameter(params.CONNECTOR)
    return await addon.connector(connector_id) if connector_id else None


async def _defaults(addon: AddOn, connector: Connector | None) -> ConnectorSettings:
    if connector is not None:
        return settings_of(connector)
    count = await asyncio.to_thread(addon.runtime.store.count, addon.user.sub)
    return offered_settings(count, datetime.now(UTC).date())


async def _start(addon: AddOn) -> Json:
    settings = await _defaults(addon, None)
    card = render_name_step(addon.context(), settings=settings, connector_id=None)
    return action_response(push(card))


async def _edit(addon: AddOn) -> Json:
    connector = await addon.connector(addon.event.parameter(params.CONNECTOR))
    card = render_name_step(
        addon.context(connector), settings=settings_of(connector), connector_id=connector.id
    )
    return action_response(push(card))


async def _name(addon: AddOn) -> Json:
    connector = await _editing(addon)
    settings = carried_settings(addon, defaults=await _defaults(addon, connector))
    ctx = addon.context(connector)
    card = render_features_step(
        ctx, settings=settings.normalized(), connector_id=connector.id if connector else None
    )
    return action_response(push(card))


async def _features(addon: AddOn) -> Json:
    connector = await _editing(addon)
    defaults = await _defaults(addon, connector)
    chosen = addon.event.common.form_inputs.get(params.FEATURES_INPUT, [])
    settings = carried_settings(addon, defaults=defaults)
    settings = ConnectorSettings(
        settings.name,
        decode_features(",".join(chosen)),
        settings.run_mode,
        settings.show_in_dashboard,
    )
    card = render_token_step(
        addon.context(connector),
        settings=settings,
        connector_id=connector.id if connector else None,
    )
    return action_response(push(card))


def _base_url(addon: AddOn, account: PipedriveAccount) -> str:
    return api_base_for(addon.runtime.settings.pipedrive_base_url, account.company_domain)


async def _verify(addon: AddOn, token: str) -> PipedriveAccount:
    """Check the token with Pipedrive within the lookup deadline; TokenRejected says why not."""
    if not token.isascii() or not token.isprintable() or len(token) > MAX_TOKEN_LENGTH:
        raise TokenRejected(TokenProblem.INVALID)
    client = addon.runtime.engine.client(token, addon.runtime.settings.pipedrive_base_url)
    try:
        async with asyncio.timeout(addon.runtime.settings.lookup_deadline):
            return await check_token(client)
    except TimeoutError as exc:
        raise TokenRejected(TokenProblem.UNREACHABLE) from exc


async def _token(addon: AddOn) -> Json:
    connector = await _editing(addon)
    settings = carried_settings(addon, defaults=await _defaults(addon, connector))
    token = (addon.event.form_value(params.TOKEN_INPUT) or "").strip()
    ctx = addon.context(connector)
    connector_id = connector.id if connector else None

    def again(problem: TokenProblem) -> Json:
        card = render_token_step(ctx, settings=settings, connector_id=connector_id, error=problem)
        return action_response(update(card))

    if not token:
        if connector is None:
            return again(TokenProblem.EMPTY)
        return action_response(
            push(render_behaviour_step(ctx, connector=connector, settings=settings))
        )
    try:
        account = await _verify(addon, token)
    except TokenRejected as exc:
        return again(exc.problem)
    if connector is None:
        created = await _create_once(addon, settings, token, account)
        ctx = addon.context(created)
        # Step 3 becomes the edit of what was just saved, so Back then Next cannot save it twice.
        step3 = render_token_step(ctx, settings=settings, connector_id=created.id)
        step4 = render_behaviour_step(ctx, connector=created, settings=settings)
        return action_response(update(step3), push(step4), state_changed=True)
    return await _token_for(addon, connector, token, account, settings)


async def _create_once(
    addon: AddOn, settings: ConnectorSettings, token: str, account: PipedriveAccount
) -> Connector:
    """Store a new connector, unless this token is already one of the user's (then update it)."""
    store, owner = addon.runtime.store, addon.user.sub

    def create_or_reuse() -> Connector:
        for existing in store.list(owner):
            if store.is_same_token(owner, existing.id, token):
                return store.update_settings(owner, existing.id, settings)
        return store.create(
            owner, settings, token=token, base_url=_base_url(addon, account), account=account
        )

    return await asyncio.to_thread(create_or_reuse)


async def _token_for(
    addon: AddOn,
    connector: Connector,
    token: str,
    account: PipedriveAccount,
    settings: ConnectorSettings | None,
) -> Json:
    """Save a checked token for an existing connector, or ask first if the account changed."""
    ctx = addon.context(connector)
    if not is_same_account(connector.account, account):
        await _hold(addon, connector, token)
        card = render_account_change_confirm(
            ctx, connector=connector, new_account=account, settings=settings
        )
        return action_response(push(card))
    saved = await asyncio.to_thread(
        addon.runtime.store.update_token,
        addon.user.sub,
        connector.id,
        token=token,
        account=account,
        base_url=_base_url(addon, account),
    )
    if settings is not None:
        card = render_behaviour_step(addon.context(saved), connector=saved, settings=settings)
        return action_response(push(card), state_changed=True)
    return await _home_after(addon, "setup.saved.token")


async def _reauth(addon: AddOn) -> Json:
    connector = await addon.connector(addon.event.parameter(params.CONNECTOR))
    card = render_token_step(
        addon.context(connector),
        settings=settings_of(connector),
        connector_id=connector.id,
        reauth=True,
    )
    return action_response(push(card))


async def _reauth_token(addon: AddOn) -> Json:
    connector = await addon.connector(addon.event.parameter(params.CONNECTOR))
    token = (addon.event.form_value(params.TOKEN_INPUT) or "").strip()
    ctx = addon.context(connector)
    settings = settings_of(connector)
    if not token:
        problem: TokenProblem | None = TokenProblem.EMPTY
    else:
        try:
            account = await _verify(addon, token)
        except TokenRejected as exc:
            problem = exc.problem
        else:
            return await _token_for(addon, connector, token, account, None)
    card = render_token_step(
        ctx, settings=settings, connector_id=connector.id, error=problem, reauth=True
    )
    return action_response(update(card))


async def _reauth_confirm(addon: AddOn) -> Json:
    connector = await addon.connector(addon.event.parameter(params.CONNECTOR))
    token = await _take(addon, connector)
    if token is None:
        return action_response(notification=addon.text("setup.error.expired"))
    try:
        account = await _verify(addon, token)
    except TokenRejected as exc:
        card = render_token_step(
            addon.context(connector),
            settings=settings_of(connector),
            connector_id=connector.id,
            error=exc.problem,
            reauth=True,
        )
        return action_response(update(card))
    expected = (addon.event.parameter(params.COMPANY_ID), addon.event.parameter(params.USER_ID))
    if expected != (str(account.company_id), str(account.user_id)):
        return action_response(notification=addon.text("setup.error.expired"))
    saved = await asyncio.to_thread(
        addon.runtime.store.update_token,
        addon.user.sub,
        connector.id,
        token=token,
        account=account,
        base_url=_base_url(addon, account),
    )
    if addon.event.parameter(params.CONNECTOR_NAME) is not None:  # it came from the edit flow
        settings = carried_settings(addon, defaults=settings_of(saved))
        card = render_behaviour_step(addon.context(saved), connector=saved, settings=settings)
        return action_response(pop(), push(card), state_changed=True)
    return await _home_after(addon, "setup.saved.token")


async def _behaviour(addon: AddOn) -> Json:
    connector = await addon.connector(addon.event.parameter(params.CONNECTOR))
    carried = carried_settings(addon, defaults=settings_of(connector))
    run_mode = addon.event.form_value(params.RUN_MODE_INPUT) or carried.run_mode.value
    settings = ConnectorSettings(
        name=carried.name,
        features=carried.features,
        run_mode=RunMode(run_mode)
        if run_mode in RunMode.__members__.values()
        else carried.run_mode,
        show_in_dashboard=addon.event.form_value(params.DASHBOARD_INPUT) == params.DASHBOARD_ON,
    )
    await asyncio.to_thread(
        addon.runtime.store.update_settings, addon.user.sub, connector.id, settings
    )
    return await _home_after(addon, "setup.saved")


async def _delete(addon: AddOn) -> Json:
    connector = await addon.connector(addon.event.parameter(params.CONNECTOR))
    return action_response(
        push(render_delete_confirm(addon.context(connector), connector=connector))
    )


async def _delete_confirm(addon: AddOn) -> Json:
    connector = await addon.connector(addon.event.parameter(params.CONNECTOR))
    await asyncio.to_thread(addon.runtime.store.delete, addon.user.sub, connector.id)
    return await _home_after(addon, "setup.deleted")


async def _home_after(addon: AddOn, message_id: str) -> Json:
    card = await addon.homepage_card()
    return action_response(
        pop_to_root(), update(card), notification=addon.text(message_id), state_changed=True
    )


# --- the pending token of an account change --------------------------------------------------


def _pending_key(addon: AddOn, connector: Connector) -> str:
    return f"cardin:pending-token:{addon.user.sub}:{connector.id}"


async def _hold(addon: AddOn, connector: Connector, token: str) -> None:
    sealed = addon.runtime.cipher.encrypt(token).encode()
    await addon.runtime.cache.set(_pending_key(addon, connector), sealed, PENDING_TTL)


async def _take(addon: AddOn, connector: Connector) -> str | None:
    key = _pending_key(addon, connector)
    sealed = await addon.runtime.cache.get(key)
    if sealed is None:
        return None
    await addon.runtime.cache.delete(key)
    return addon.runtime.cipher.decrypt(sealed.decode())


_ROUTES = {
    Op.SETUP_START: _start,
    Op.EDIT: _edit,
    Op.SETUP_NAME: _name,
    Op.SETUP_FEATURES: _features,
    Op.SETUP_TOKEN: _token,
    Op.SETUP_BEHAVIOUR: _behaviour,
    Op.REAUTH: _reauth,
    Op.REAUTH_TOKEN: _reauth_token,
    Op.REAUTH_CONFIRM: _reauth_confirm,
    Op.DELETE: _delete,
    Op.DELETE_CONFIRM: _delete_confirm,
}


async def route(addon: AddOn, op: Op) -> Json:
    """Dispatch a setup action."""
    handler = _ROUTES.get(op)
    if handler is None:
        return action_response(notification=addon.text("notice.unknown_action"))
    return await handler(addon)
