"""The token of a connector being set up: checked with Pipedrive, stored with the API base built
from what the check reported, or held (encrypted, in the cache) until the user confirms that it
may replace another account's token.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from cardin.connectors.model import Connector, PipedriveAccount
from cardin.connectors.setup import TokenProblem, TokenRejected, check_token
from cardin.pipedrive import ApiToken
from cardin.pipedrive.urls import api_base_for

if TYPE_CHECKING:
    from cardin.addon.handlers import AddOn

PENDING_TTL = 10 * 60.0
MAX_TOKEN_LENGTH = 256


def api_base(addon: AddOn, account: PipedriveAccount) -> str:
    """The API base to store for a checked account (see `api_base_for`)."""
    return api_base_for(addon.runtime.api_base, account.company_domain)


async def verify_token(addon: AddOn, token: str) -> PipedriveAccount:
    """Check the token with Pipedrive within the lookup deadline; TokenRejected says why not."""
    if not token.isascii() or not token.isprintable() or len(token) > MAX_TOKEN_LENGTH:
        raise TokenRejected(TokenProblem.INVALID)
    client = addon.runtime.engine.client(ApiToken(token), addon.runtime.api_base)
    try:
        async with asyncio.timeout(addon.runtime.settings.lookup_deadline):
            return await check_token(client)
    except TimeoutError as exc:
        raise TokenRejected(TokenProblem.UNREACHABLE) from exc


async def save_token(
    addon: AddOn, connector: Connector, token: str, account: PipedriveAccount
) -> Connector:
    """Store a checked token for the connector (TokenAlreadyConnected: another one has it)."""
    return await asyncio.to_thread(
        addon.runtime.store.update_credential,
        addon.user.sub,
        connector.id,
        credential=ApiToken(token),
        account=account,
        base_url=api_base(addon, account),
    )


def _pending_key(addon: AddOn, connector: Connector) -> str:
    return f"cardin:pending-token:{addon.user.sub}:{connector.id}"


async def hold_token(addon: AddOn, connector: Connector, token: str) -> None:
    """Keep the token, encrypted, until the user confirms the account change (or it expires)."""
    sealed = addon.runtime.cipher.encrypt(token).encode()
    await addon.runtime.cache.set(_pending_key(addon, connector), sealed, PENDING_TTL)


async def take_held_token(addon: AddOn, connector: Connector) -> str | None:
    """The held token, once; None when it expired or was taken."""
    key = _pending_key(addon, connector)
    sealed = await addon.runtime.cache.get(key)
    if sealed is None:
        return None
    await addon.runtime.cache.delete(key)
    return addon.runtime.cipher.decrypt(sealed.decode())
