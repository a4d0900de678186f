"""The connector setup steps (SPEC §1) as card actions: create, edit, reauthorize, delete.

The steps carry the user's non-secret choices in action parameters, so the service keeps no
wizard state. A token is checked with `GET /v1/users/me` before anything is stored, and a bad one
changes nothing. A new connector is stored when its token passes (step 3); step 4 then saves its
behaviour. A token of another Pipedrive account waits, encrypted, in the cache until the user
confirms the change.

A token is one connector per user. A new wizard carries a random setup key from its first step
on: step 3 of a wizard that already stored its connector (the user went back) edits that
connector, while a token that another of the user's connectors has changes nothing and offers
to open that connector instead.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime

from cardin.actions import (
    Delete,
    DeleteConfirm,
    Edit,
    Reauth,
    ReauthConfirm,
    ReauthToken,
    SetupBehaviour,
    SetupFeatures,
    SetupName,
    SetupStart,
    SetupToken,
)
from cardin.addon.handlers import AddOn
from cardin.addon.setup_tokens import (
    api_base,
    hold_token,
    save_token,
    take_held_token,
    verify_token,
)
from cardin.cards import (
    Json,
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
from cardin.connectors.model import Connector, ConnectorSettings, PipedriveAccount
from cardin.connectors.setup import (
    TokenProblem,
    TokenRejected,
    is_same_account,
    offered_settings,
    settings_of,
)
from cardin.store import TokenAlreadyConnected
from cardin.usecases.connectors import own_connector


async def _editing(addon: AddOn, connector_id: str | None) -> Connector | None:
    return (
        await own_connector(addon.services, addon.user.sub, connector_id) if connector_id else None
    )


async def _defaults(addon: AddOn, connector: Connector | None) -> ConnectorSettings:
    if connector is not None:
        return settings_of(connector)
    count = await asyncio.to_thread(addon.runtime.store.count, addon.user.sub)
    return offered_settings(count, datetime.now(UTC).date())


async def setup_start(addon: AddOn, _action: SetupStart) -> Json:
    """Step 1 of a new connector, with the offered defaults and a new setup key."""
    settings = await _defaults(addon, None)
    card = render_name_step(
        addon.context(), settings=settings, connector_id=None, setup_key=secrets.token_hex(16)
    )
    return action_response(push(card))


async def edit(addon: AddOn, action: Edit) -> Json:
    """Step 1 with the connector's stored settings."""
    connector = await own_connector(addon.services, addon.user.sub, action.connector_id)
    card = render_name_step(
        addon.context(connector), settings=settings_of(connector), connector_id=connector.id
    )
    return action_response(push(card))


async def setup_name(addon: AddOn, action: SetupName) -> Json:
    """Step 2, with the name typed in step 1."""
    connector = await _editing(addon, action.connector_id)
    settings = action.carried.over(await _defaults(addon, connector), name=action.name)
    ctx = addon.context(connector)
    card = render_features_step(
        ctx,
        settings=settings.normalized(),
        connector_id=connector.id if connector else None,
        setup_key=action.setup_key,
    )
    return action_response(push(card))


async def setup_features(addon: AddOn, action: SetupFeatures) -> Json:
    """Step 3, with the features checked in step 2."""
    connector = await _editing(addon, action.connector_id)
    carried = action.carried.over(await _defaults(addon, connector))
    settings = ConnectorSettings(
        carried.name, action.features, carried.run_mode, carried.show_in_dashboard
    )
    card = render_token_step(
        addon.context(connector),
        settings=settings,
        connector_id=connector.id if connector else None,
        setup_key=action.setup_key,
    )
    return action_response(push(card))


async def setup_token(addon: AddOn, action: SetupToken) -> Json:
    """Check the token, store it, then step 4 (or step 3 again with the problem)."""
    connector = await _editing(addon, action.connector_id)
    settings = action.carried.over(await _defaults(addon, connector))
    token = action.token.strip()
    ctx = addon.context(connector)
    connector_id = connector.id if connector else None
    setup_key = action.setup_key if connector is None else None

    def again(problem: TokenProblem) -> Json:
        card = render_token_step(
            ctx, settings=settings, connector_id=connector_id, error=problem, setup_key=setup_key
        )
        return action_response(update(card))

    if not token:
        if connector is None:
            return again(TokenProblem.EMPTY)
        return action_response(
            push(render_behaviour_step(ctx, connector=connector, settings=settings))
        )
    try:
        account = await verify_token(addon, token)
    except TokenRejected as exc:
        return again(exc.problem)
    if connector is None and setup_key is not None:
        # Back to an earlier step and on again: this wizard's connector is edited, not doubled.
        connector = await asyncio.to_thread(
            addon.runtime.store.made_by_setup, addon.user.sub, setup_key
        )
    if connector is not None:
        return await _token_for(addon, connector, token, account, settings)
    return await _token_new(addon, settings, token, account, setup_key)


async def _token_new(
    addon: AddOn,
    settings: ConnectorSettings,
    token: str,
    account: PipedriveAccount,
    setup_key: str | None,
) -> Json:
    """Store the new connector and go on to step 4, unless another connector has the token.

    The store decides in the insert itself, so set-ups racing with one token store one connector.
    """
    store = addon.runtime.store
    base_url = api_base(addon, account)
    try:
        created = await asyncio.to_thread(
            store.create,
            addon.user.sub,
            settings,
            token=token,
            base_url=base_url,
            account=account,
            setup_key=setup_key,
        )
    except TokenAlreadyConnected as exc:
        if not exc.same_setup:
            card = render_token_step(
                addon.context(),
                settings=settings,
                connector_id=None,
                setup_key=setup_key,
                already=exc.connector,
            )
            return action_response(update(card))
        created = exc.connector  # a double submit of this same step: the other one stored it
    ctx = addon.context(created)
    # Step 3 becomes the edit of what was just saved, so Back then Next cannot save it twice.
    step3 = render_token_step(ctx, settings=settings, connector_id=created.id)
    step4 = render_behaviour_step(ctx, connector=created, settings=settings)
    return action_response(update(step3), push(step4), state_changed=True)


def _already_connected(
    addon: AddOn, connector: Connector, settings: ConnectorSettings | None, holder: Connector
) -> Json:
    """The token step again, naming the connector that has the token and offering to open it."""
    card = render_token_step(
        addon.context(connector),
        settings=settings or settings_of(connector),
        connector_id=connector.id,
        reauth=settings is None,
        already=holder,
    )
    return action_response(update(card))


async def _token_for(
    addon: AddOn,
    connector: Connector,
    token: str,
    account: PipedriveAccount,
    settings: ConnectorSettings | None,
) -> Json:
    """Save a checked token for an existing connector, or ask first if the account changed.

    `settings` are the edit flow's choices (None: reauthorization). A token that another of the
    user's connectors has is refused, naming that connector.
    """
    ctx = addon.context(connector)
    holder = await asyncio.to_thread(addon.runtime.store.with_token, addon.user.sub, token)
    if holder is not None and holder.id != connector.id:
        return _already_connected(addon, connector, settings, holder)
    if not is_same_account(connector.account, account):
        await hold_token(addon, connector, token)
        card = render_account_change_confirm(
            ctx, connector=connector, new_account=account, settings=settings
        )
        return action_response(push(card))
    try:
        saved = await save_token(addon, connector, token, account)
    except TokenAlreadyConnected as exc:
        return _already_connected(addon, connector, settings, exc.connector)
    if settings is not None:
        card = render_behaviour_step(addon.context(saved), connector=saved, settings=settings)
        return action_response(push(card), state_changed=True)
    return await _home_after(addon, "setup.saved.token")


async def reauth(addon: AddOn, action: Reauth) -> Json:
    """The connector's token step alone."""
    connector = await own_connector(addon.services, addon.user.sub, action.connector_id)
    card = render_token_step(
        addon.context(connector),
        settings=settings_of(connector),
        connector_id=connector.id,
        reauth=True,
    )
    return action_response(push(card))


async def reauth_token(addon: AddOn, action: ReauthToken) -> Json:
    """Check the new token; save it, or ask first when it is another account's."""
    connector = await own_connector(addon.services, addon.user.sub, action.connector_id)
    token = action.token.strip()
    ctx = addon.context(connector)
    settings = settings_of(connector)
    if not token:
        problem: TokenProblem | None = TokenProblem.EMPTY
    else:
        try:
            account = await verify_token(addon, token)
        except TokenRejected as exc:
            problem = exc.problem
        else:
            return await _token_for(addon, connector, token, account, None)
    card = render_token_step(
        ctx, settings=settings, connector_id=connector.id, error=problem, reauth=True
    )
    return action_response(update(card))


async def reauth_confirm(addon: AddOn, action: ReauthConfirm) -> Json:
    """Save the held token of another account, when it is still the one the user saw."""
    connector = await own_connector(addon.services, addon.user.sub, action.connector_id)
    token = await take_held_token(addon, connector)
    if token is None:
        return action_response(notification=addon.text("setup.error.expired"))
    try:
        account = await verify_token(addon, token)
    except TokenRejected as exc:
        card = render_token_step(
            addon.context(connector),
            settings=settings_of(connector),
            connector_id=connector.id,
            error=exc.problem,
            reauth=True,
        )
        return action_response(update(card))
    if (action.company_id, action.user_id) != (account.company_id, account.user_id):
        return action_response(notification=addon.text("setup.error.expired"))
    try:
        saved = await save_token(addon, connector, token, account)
    except TokenAlreadyConnected as exc:
        carried = action.carried.over(settings_of(connector)) if action.from_edit else None
        return _already_connected(addon, connector, carried, exc.connector)
    if action.from_edit:
        settings = action.carried.over(settings_of(saved))
        card = render_behaviour_step(addon.context(saved), connector=saved, settings=settings)
        return action_response(pop(), push(card), state_changed=True)
    return await _home_after(addon, "setup.saved.token")


async def setup_behaviour(addon: AddOn, action: SetupBehaviour) -> Json:
    """Save step 4's choices (and the carried ones), back to the homepage."""
    connector = await own_connector(addon.services, addon.user.sub, action.connector_id)
    carried = action.carried.over(settings_of(connector))
    settings = ConnectorSettings(
        name=carried.name,
        features=carried.features,
        run_mode=action.run_mode or carried.run_mode,
        show_in_dashboard=action.show_in_dashboard,
    )
    await asyncio.to_thread(
        addon.runtime.store.update_settings, addon.user.sub, connector.id, settings
    )
    return await _home_after(addon, "setup.saved")


async def delete(addon: AddOn, action: Delete) -> Json:
    """The delete confirmation."""
    connector = await own_connector(addon.services, addon.user.sub, action.connector_id)
    return action_response(
        push(render_delete_confirm(addon.context(connector), connector=connector))
    )


async def delete_confirm(addon: AddOn, action: DeleteConfirm) -> Json:
    """Delete the connector, back to the homepage."""
    connector = await own_connector(addon.services, addon.user.sub, action.connector_id)
    await asyncio.to_thread(addon.runtime.store.delete, addon.user.sub, connector.id)
    return await _home_after(addon, "setup.deleted")


async def _home_after(addon: AddOn, message_id: str) -> Json:
    card = await addon.homepage_card()
    return action_response(
        pop_to_root(), update(card), notification=addon.text(message_id), state_changed=True
    )
