"""The connector setup (SPEC §1): the wizard's steps, reauthorization, account change, delete.

The steps carry the user's non-secret choices in action parameters, so the service keeps no
wizard state. A token is checked with `GET /v1/users/me` before anything is stored, and a bad one
changes nothing. A new connector is stored when its token passes (step 3); step 4 then saves its
behaviour. A token of another Pipedrive account waits, encrypted, in the cache until the user
confirms the change. A token of an account Pipedrive reports inactive (402) passes too, its
account unknown, so the connector's cards can show the Payment state; it does not replace the
token of a connector whose account is known.

A token is one connector per user. A new wizard carries a random setup key from its first step
on: step 3 of a wizard that already stored its connector (the user went back) edits that
connector, while a token that another of the user's connectors has changes nothing and offers
to open that connector instead.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, replace

from cardin.actions import (
    DeleteConfirm,
    Edit,
    ReauthConfirm,
    ReauthToken,
    SetupBehaviour,
    SetupFeatures,
    SetupName,
    SetupToken,
)
from cardin.connectors.model import TYPE_NAME, Connector, ConnectorSettings
from cardin.connectors.setup import (
    TokenProblem,
    TokenRejected,
    default_name,
    is_known,
    is_same_account,
    offered_settings,
    settings_of,
)
from cardin.contact.model import Account
from cardin.pipedrive import ApiToken, OAuthGrant
from cardin.store import TokenAlreadyConnected, TokenUnreadable
from cardin.usecases.connectors import own_connector
from cardin.usecases.services import Services
from cardin.usecases.tokens import (
    api_base,
    hold_token,
    save_token,
    take_held_token,
    verify_token,
)

# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """Where a wizard stands: the connector edited (None: a new one), the choices so far, and
    the key of a new connector's wizard."""

    connector: Connector | None
    settings: ConnectorSettings
    setup_key: str | None = None


@dataclass(frozen=True)
class TokenRefused:
    """Nothing was stored: the token is empty, malformed, refused, or Pipedrive is away."""

    problem: TokenProblem


@dataclass(frozen=True)
class AlreadyConnected:
    """Nothing was stored: another of the user's connectors, `holder`, has this token."""

    holder: Connector


@dataclass(frozen=True)
class AccountChange:
    """The token is another Pipedrive account's: it is held until the user confirms."""

    connector: Connector
    account: Account


@dataclass(frozen=True)
class TokenKept:
    """Editing without a new token: the saved one stays."""

    connector: Connector


@dataclass(frozen=True)
class ConnectorCreated:
    """The new connector is stored with its checked token (step 4 saves its behaviour)."""

    connector: Connector


@dataclass(frozen=True)
class TokenSaved:
    """The connector's new token is saved."""

    connector: Connector


@dataclass(frozen=True)
class Expired:
    """The held token expired or was taken, or is not of the account the user confirmed."""


TokenOutcome = (
    TokenRefused | AlreadyConnected | AccountChange | TokenKept | ConnectorCreated | TokenSaved
)


@dataclass(frozen=True)
class TokenStep:
    """What became of a token, and the step it was entered in: the connector (None: a new one,
    not stored), the edit flow's choices (None: reauthorization) and a new wizard's setup key."""

    outcome: TokenOutcome
    connector: Connector | None
    settings: ConnectorSettings | None
    setup_key: str | None = None


@dataclass(frozen=True)
class ConnectorSaved:
    """The connector's settings are saved."""

    connector: Connector


@dataclass(frozen=True)
class ConnectorDeleted:
    """The connector is deleted."""

    connector: Connector


# --- the wizard's steps ------------------------------------------------------------------------


def new_setup_key() -> str:
    """The key of a new wizard: 32 random hex digits."""
    return secrets.token_hex(16)


async def _editing(services: Services, sub: str, connector_id: str | None) -> Connector | None:
    return await own_connector(services, sub, connector_id) if connector_id else None


async def _defaults(services: Services, sub: str, connector: Connector | None) -> ConnectorSettings:
    """The choices a step starts from: the connector's, else those offered to a new one."""
    if connector is not None:
        return settings_of(connector)
    count = await asyncio.to_thread(services.store.count, sub)
    return offered_settings(count, services.clock().date())


async def start(services: Services, sub: str) -> Step:
    """A new connector's wizard, with the offered defaults and a new setup key."""
    return Step(None, await _defaults(services, sub, None), new_setup_key())


async def edit(services: Services, sub: str, action: Edit) -> Step:
    """The edit of a connector, from its stored settings."""
    connector = await own_connector(services, sub, action.connector_id)
    return Step(connector, settings_of(connector))


async def name_step(services: Services, sub: str, action: SetupName) -> Step:
    """Step 1 done: the typed name (normalised) with the carried choices."""
    connector = await _editing(services, sub, action.connector_id)
    carried = action.carried.over(await _defaults(services, sub, connector), name=action.name)
    return Step(connector, carried.normalized(), action.setup_key)


async def features_step(services: Services, sub: str, action: SetupFeatures) -> Step:
    """Step 2 done: the checked features with the carried choices."""
    connector = await _editing(services, sub, action.connector_id)
    carried = action.carried.over(await _defaults(services, sub, connector))
    return Step(connector, replace(carried, features=action.features), action.setup_key)


async def token_step(services: Services, sub: str, action: SetupToken) -> TokenStep:
    """Step 3 done: the token checked with Pipedrive, then stored (a new connector, or the
    wizard's or edited one) unless another connector has it or it is another account's."""
    connector = await _editing(services, sub, action.connector_id)
    settings = action.carried.over(await _defaults(services, sub, connector))
    setup_key = action.setup_key if connector is None else None
    token = action.token.strip()
    if not token:
        if connector is None:
            return TokenStep(TokenRefused(TokenProblem.EMPTY), None, settings, setup_key)
        return TokenStep(TokenKept(connector), connector, settings)
    try:
        account = await verify_token(services, token, inactive=True)
    except TokenRejected as exc:
        return TokenStep(TokenRefused(exc.problem), connector, settings, setup_key)
    if connector is None and setup_key is not None:
        # Back to an earlier step and on again: this wizard's connector is edited, not doubled.
        connector = await asyncio.to_thread(services.store.made_by_setup, sub, setup_key)
    if connector is not None:
        return await _token_for(
            services, sub, connector, token=token, account=account, settings=settings
        )
    return await _token_new(
        services, sub, settings, token=token, account=account, setup_key=setup_key
    )


async def _token_new(
    services: Services,
    sub: str,
    settings: ConnectorSettings,
    *,
    token: str,
    account: Account,
    setup_key: str | None,
) -> TokenStep:
    """Store the new connector, unless another connector has the token.

    The store decides in the insert itself, so set-ups racing with one token store one connector.
    A later connector left with the type's name is named after its company.
    """
    if settings.name == TYPE_NAME:
        existing = await asyncio.to_thread(services.store.list, sub)
        if existing:
            name = default_name(account, (c.name for c in existing))
            settings = replace(settings, name=name)
    try:
        created = await asyncio.to_thread(
            services.store.create,
            sub,
            settings,
            credential=ApiToken(token),
            base_url=api_base(services, account),
            account=account,
            setup_key=setup_key,
        )
    except TokenAlreadyConnected as exc:
        if not exc.same_setup:
            return TokenStep(AlreadyConnected(exc.connector), None, settings, setup_key)
        created = exc.connector  # a double submit of this same step: the other one stored it
    return TokenStep(ConnectorCreated(created), created, settings)


async def _token_for(
    services: Services,
    sub: str,
    connector: Connector,
    *,
    token: str,
    account: Account,
    settings: ConnectorSettings | None,
) -> TokenStep:
    """Save a checked token for an existing connector, or hold it if the account changed.

    `settings` are the edit flow's choices (None: reauthorization). A token that another of the
    user's connectors has is refused, naming that connector. A token of an inactive account
    (who it opens is unknown) is refused for a connector whose account is known, so the
    connector keeps it; a connector whose account was unknown takes any token without asking.
    """
    holder = await asyncio.to_thread(services.store.with_credential, sub, ApiToken(token))
    if holder is not None and holder.id != connector.id:
        return TokenStep(AlreadyConnected(holder), connector, settings)
    if is_known(connector.account) and not is_known(account):
        return TokenStep(TokenRefused(TokenProblem.INACTIVE), connector, settings)
    if is_known(connector.account) and not is_same_account(connector.account, account):
        await hold_token(services, sub, connector, token)
        return TokenStep(AccountChange(connector, account), connector, settings)
    try:
        saved = await save_token(services, sub, connector, token, account)
    except TokenAlreadyConnected as exc:
        return TokenStep(AlreadyConnected(exc.connector), connector, settings)
    return TokenStep(TokenSaved(saved), saved, settings)


async def save_behaviour(services: Services, sub: str, action: SetupBehaviour) -> ConnectorSaved:
    """Step 4 done: its choices (and the carried ones) saved."""
    connector = await own_connector(services, sub, action.connector_id)
    carried = action.carried.over(settings_of(connector))
    settings = replace(
        carried,
        run_mode=action.run_mode or carried.run_mode,
        show_in_dashboard=action.show_in_dashboard,
    )
    saved = await asyncio.to_thread(services.store.update_settings, sub, connector.id, settings)
    return ConnectorSaved(saved)


# --- reauthorization, account change, delete -----------------------------------------------------


async def reauth_token(services: Services, sub: str, action: ReauthToken) -> TokenStep:
    """A new token for the connector: checked, then saved (or held if the account changed)."""
    connector = await own_connector(services, sub, action.connector_id)
    token = action.token.strip()
    if not token:
        return TokenStep(TokenRefused(TokenProblem.EMPTY), connector, None)
    try:
        account = await verify_token(services, token, inactive=True)
    except TokenRejected as exc:
        return TokenStep(TokenRefused(exc.problem), connector, None)
    return await _token_for(services, sub, connector, token=token, account=account, settings=None)


async def confirm_account_change(
    services: Services, sub: str, action: ReauthConfirm
) -> TokenStep | Expired:
    """Save the held token of another account, when it is still the account the user saw."""
    connector = await own_connector(services, sub, action.connector_id)
    token = await take_held_token(services, sub, connector)
    if token is None:
        return Expired()
    try:
        account = await verify_token(services, token)
    except TokenRejected as exc:
        return TokenStep(TokenRefused(exc.problem), connector, None)
    if (action.company_id, action.user_id) != (account.company_id, account.user_id):
        return Expired()
    try:
        saved = await save_token(services, sub, connector, token, account)
    except TokenAlreadyConnected as exc:
        carried = action.carried.over(settings_of(connector)) if action.from_edit else None
        return TokenStep(AlreadyConnected(exc.connector), connector, carried)
    settings = action.carried.over(settings_of(saved)) if action.from_edit else None
    return TokenStep(TokenSaved(saved), saved, settings)


async def delete(services: Services, sub: str, action: DeleteConfirm) -> ConnectorDeleted:
    """Delete the connector; one signed in with Pipedrive has its grant revoked first (best
    effort: a failure is logged, and the connector is deleted all the same)."""
    connector = await own_connector(services, sub, action.connector_id)
    grant = await _grant_of(services, connector)
    await asyncio.to_thread(services.store.delete, sub, connector.id)
    if grant is not None and services.grants is not None:
        await services.grants.revoke(connector, grant)
    return ConnectorDeleted(connector)


async def _grant_of(services: Services, connector: Connector) -> OAuthGrant | None:
    """The connector's stored grant, if it is signed in and the grant can be read."""
    if not connector.signed_in:
        return None
    try:
        stored = await asyncio.to_thread(services.store.credential, connector.owner, connector.id)
    except TokenUnreadable:
        return None
    return stored if isinstance(stored, OAuthGrant) else None
