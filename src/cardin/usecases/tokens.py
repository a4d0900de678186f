"""The token of a connector being set up: checked with Pipedrive, stored with the API base built
from what the check reported, or held (encrypted, in the cache) until the user confirms that it
may replace another account's token.
"""

from __future__ import annotations

import asyncio

from cardin.connectors.model import Connector
from cardin.connectors.setup import (
    TokenProblem,
    TokenRejected,
    check_token,
    check_token_or_inactive,
)
from cardin.contact.model import Account
from cardin.pipedrive import ApiToken
from cardin.pipedrive.urls import api_base_for
from cardin.usecases.services import Services

PENDING_TTL = 10 * 60.0
MAX_TOKEN_LENGTH = 256


def api_base(services: Services, account: Account) -> str:
    """The API base to store for a checked account (see `api_base_for`)."""
    return api_base_for(services.api_base, account.company_domain)


async def verify_token(services: Services, token: str, *, inactive: bool = False) -> Account:
    """Check the token with Pipedrive within the lookup deadline; TokenRejected says why not.

    With `inactive`, a token of an account Pipedrive reports inactive (402) passes, with
    `inactive_account` for its account.
    """
    if not token.isascii() or not token.isprintable() or len(token) > MAX_TOKEN_LENGTH:
        raise TokenRejected(TokenProblem.INVALID)
    client = services.engine.client(ApiToken(token), services.api_base)
    check = check_token_or_inactive if inactive else check_token
    try:
        async with asyncio.timeout(services.lookup_deadline):
            return await check(client)
    except TimeoutError as exc:
        raise TokenRejected(TokenProblem.UNREACHABLE) from exc


async def save_token(
    services: Services, sub: str, connector: Connector, token: str, account: Account
) -> Connector:
    """Store a checked token for the connector (TokenAlreadyConnected: another one has it)."""
    return await asyncio.to_thread(
        services.store.update_credential,
        sub,
        connector.id,
        credential=ApiToken(token),
        account=account,
        base_url=api_base(services, account),
    )


def _pending_key(sub: str, connector: Connector) -> str:
    return f"cardin:pending-token:{sub}:{connector.id}"


async def hold_token(services: Services, sub: str, connector: Connector, token: str) -> None:
    """Keep the token, encrypted, until the user confirms the account change (or it expires)."""
    sealed = services.cipher.encrypt(token).encode()
    await services.cache.set(_pending_key(sub, connector), sealed, PENDING_TTL)


async def take_held_token(services: Services, sub: str, connector: Connector) -> str | None:
    """The held token, once; None when it expired or was taken."""
    key = _pending_key(sub, connector)
    sealed = await services.cache.get(key)
    if sealed is None:
        return None
    await services.cache.delete(key)
    return services.cipher.decrypt(sealed.decode())
