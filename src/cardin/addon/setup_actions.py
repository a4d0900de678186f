"""The connector setup actions (SPEC §1), rendered: the wizard's steps, reauthorization, the
account change and delete. What each step does is `cardin.usecases.setup`."""

from __future__ import annotations

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
from cardin.addon.signin import reauth_card, sign_in_url, token_card
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
from cardin.connectors.model import Connector, ConnectorSettings
from cardin.connectors.setup import is_known, settings_of
from cardin.usecases import setup
from cardin.usecases.connectors import own_connector


def _connector_id(step: setup.Step | setup.TokenStep) -> str | None:
    return step.connector.id if step.connector else None


async def setup_start(addon: AddOn, _action: SetupStart) -> Json:
    """Step 1 of a new connector."""
    step = await setup.start(addon.services, addon.user.sub)
    card = render_name_step(
        addon.context(), settings=step.settings, connector_id=None, setup_key=step.setup_key
    )
    return action_response(push(card))


async def edit(addon: AddOn, action: Edit) -> Json:
    """Step 1 with the connector's stored settings."""
    step = await setup.edit(addon.services, addon.user.sub, action)
    card = render_name_step(
        addon.context(step.connector), settings=step.settings, connector_id=_connector_id(step)
    )
    return action_response(push(card))


async def setup_name(addon: AddOn, action: SetupName) -> Json:
    """Step 2."""
    step = await setup.name_step(addon.services, addon.user.sub, action)
    card = render_features_step(
        addon.context(step.connector),
        settings=step.settings,
        connector_id=_connector_id(step),
        setup_key=step.setup_key,
    )
    return action_response(push(card))


async def setup_features(addon: AddOn, action: SetupFeatures) -> Json:
    """Step 3: "Sign in with Pipedrive" (when the deployment has an app) or an API token."""
    step = await setup.features_step(addon.services, addon.user.sub, action)
    card = await token_card(
        addon, step.settings, setup_key=step.setup_key, connector_id=_connector_id(step)
    )
    return action_response(push(card))


async def setup_token(addon: AddOn, action: SetupToken) -> Json:
    """Step 4 once the token is stored, else step 3 again saying why not (or the account
    change to confirm)."""
    step = await setup.token_step(addon.services, addon.user.sub, action)
    return await _token_answer(addon, step)


async def setup_behaviour(addon: AddOn, action: SetupBehaviour) -> Json:
    """Saved: back to the homepage."""
    await setup.save_behaviour(addon.services, addon.user.sub, action)
    return await _home_after(addon, "setup.saved")


async def reauth(addon: AddOn, action: Reauth) -> Json:
    """The connector's token step alone; for one signed in with Pipedrive, the sign-in again."""
    connector = await own_connector(addon.services, addon.user.sub, action.connector_id)
    if connector.signed_in:
        return action_response(push(await reauth_card(addon, connector)))
    card = render_token_step(
        addon.context(connector),
        settings=settings_of(connector),
        connector_id=connector.id,
        reauth=True,
    )
    return action_response(push(card))


async def reauth_token(addon: AddOn, action: ReauthToken) -> Json:
    """Saved (back to the homepage), the account change to confirm, or the token step again."""
    step = await setup.reauth_token(addon.services, addon.user.sub, action)
    return await _token_answer(addon, step)


async def reauth_confirm(addon: AddOn, action: ReauthConfirm) -> Json:
    """The new account's token saved: step 4 (edit flow) or the homepage (reauthorization)."""
    step = await setup.confirm_account_change(addon.services, addon.user.sub, action)
    if isinstance(step, setup.Expired):
        return action_response(notification=addon.text("setup.error.expired"))
    return await _token_answer(addon, step, confirming=True)


async def delete(addon: AddOn, action: Delete) -> Json:
    """The delete confirmation."""
    connector = await own_connector(addon.services, addon.user.sub, action.connector_id)
    return action_response(
        push(render_delete_confirm(addon.context(connector), connector=connector))
    )


async def delete_confirm(addon: AddOn, action: DeleteConfirm) -> Json:
    """Deleted: back to the homepage."""
    await setup.delete(addon.services, addon.user.sub, action)
    return await _home_after(addon, "setup.deleted")


async def _token_answer(addon: AddOn, step: setup.TokenStep, *, confirming: bool = False) -> Json:
    """What the user sees after entering a token (`confirming`: the account change's card is
    on top, to be popped)."""
    outcome = step.outcome
    if isinstance(outcome, setup.TokenRefused | setup.AlreadyConnected | setup.AccountChange):
        return await _not_stored(addon, step, outcome)
    if isinstance(outcome, setup.ConnectorCreated):
        created, settings = outcome.connector, _settings(step)
        ctx = addon.context(created)
        # Step 3 becomes the edit of what was just saved, so Back then Next cannot save it twice.
        step3 = render_token_step(ctx, settings=settings, connector_id=created.id)
        step4 = render_behaviour_step(ctx, connector=created, settings=settings)
        # an inactive account's token is stored too: say why its cards will show Payment
        told = None if is_known(created.account) else addon.text("setup.saved.inactive")
        return action_response(update(step3), push(step4), notification=told, state_changed=True)
    if isinstance(outcome, setup.TokenKept):
        card = _behaviour_step(addon, step, outcome.connector)
        return action_response(push(card))
    if step.settings is None:  # a reauthorization saved
        return await _home_after(addon, "setup.saved.token")
    card = _behaviour_step(addon, step, outcome.connector)
    navigations = [pop(), push(card)] if confirming else [push(card)]
    return action_response(*navigations, state_changed=True)


async def _not_stored(
    addon: AddOn,
    step: setup.TokenStep,
    outcome: setup.TokenRefused | setup.AlreadyConnected | setup.AccountChange,
) -> Json:
    """The token step again saying why, or the account change to confirm."""
    if isinstance(outcome, setup.TokenRefused):
        return await _token_again(addon, step, error=outcome.problem)
    if isinstance(outcome, setup.AlreadyConnected):
        return await _token_again(addon, step, already=outcome.holder)
    card = render_account_change_confirm(
        addon.context(outcome.connector),
        connector=outcome.connector,
        new_account=outcome.account,
        settings=step.settings,
    )
    return action_response(push(card))


def _settings(step: setup.TokenStep) -> ConnectorSettings:
    if step.settings is None:
        raise ValueError("step 4 follows the set-up and edit flows only")
    return step.settings


def _behaviour_step(addon: AddOn, step: setup.TokenStep, connector: Connector) -> Json:
    return render_behaviour_step(
        addon.context(connector), connector=connector, settings=_settings(step)
    )


async def _token_again(
    addon: AddOn,
    step: setup.TokenStep,
    *,
    error: str | None = None,
    already: Connector | None = None,
) -> Json:
    """The token step again with the problem under the field; a reauthorization's alone."""
    connector = step.connector
    settings = _settings(step) if connector is None else step.settings or settings_of(connector)
    setup_key = step.setup_key if connector is None else None
    connector_id = connector.id if connector else None
    reauth = step.settings is None
    url = (
        None
        if reauth
        else await sign_in_url(addon, settings, setup_key=setup_key, connector_id=connector_id)
    )
    card = render_token_step(
        addon.context(connector),
        settings=settings,
        connector_id=connector_id,
        error=error,
        reauth=reauth,
        setup_key=setup_key,
        already=already,
        sign_in_url=url,
    )
    return action_response(update(card))


async def _home_after(addon: AddOn, message_id: str) -> Json:
    card = await addon.homepage_card()
    return action_response(
        pop_to_root(), update(card), notification=addon.text(message_id), state_changed=True
    )
