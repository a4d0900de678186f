"""OAuth grants at work: one refresh at a time per connector, the rotated token kept, revocation.

A connector signed in with Pipedrive holds an `OAuthGrant` in the store. Its lookups get a
`KeptGrant` (`cardin.pipedrive.oauth`), whose Auth asks `Grants.refresh` for a new access token
when the old one expires or is refused. Concurrent lookups of one connector refresh it once: one
refresh task per connector in this process, and across workers a short lock in the cache
(`Cache.add`, Redis SET NX). A caller that finds the grant already refreshed (by another
request, or by another worker while it waited) takes the stored one. The rotated refresh token
is written to the store before the new access token is used, so that a restart never holds a
spent refresh token. The exchange and the write run in the task, which `Grants` owns and
callers await through `asyncio.shield`: a lookup's deadline ends the caller's wait, never the
refresh, so a new refresh token that Pipedrive issued slowly is still kept. When Pipedrive
refuses the refresh token (`invalid_grant`) the grant is gone: GrantRevoked, an InvalidToken,
makes the lookup a reauth failure, and the user signs in again. No token is ever logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from cardin.cache import Cache
from cardin.connectors.model import Connector
from cardin.pipedrive import OAuthGrant, PipedriveError
from cardin.pipedrive.oauth import (
    REFRESH_AHEAD,
    ClientRejected,
    GrantRevoked,
    OAuthApp,
    TokenEndpoint,
)
from cardin.store import ConnectorNotFound, ConnectorStore, TokenUnreadable

log = logging.getLogger(__name__)

LOCK_TTL = 30.0
"""Seconds the cross-worker refresh lock lives at most (a worker that died lets go by then)."""
WAIT = 4.0
"""Seconds a refresh waits for another worker's refresh before refreshing itself: shorter than
a lookup's deadline (6 s), so that a caller can still be answered by its own refresh."""
POLL = 0.05
"""Seconds between two looks at the store while waiting."""


def _now() -> datetime:
    return datetime.now(UTC)


class Grants:
    """The deployment's Pipedrive app and the refreshing of its grants (one per process)."""

    def __init__(
        self,
        app: OAuthApp,
        endpoint: TokenEndpoint,
        store: ConnectorStore,
        cache: Cache,
        redirect_uri: str,
        *,
        clock: Callable[[], datetime] = _now,
        wait: float = WAIT,
    ) -> None:
        self.app = app
        self.endpoint = endpoint
        self.redirect_uri = redirect_uri
        self._store = store
        self._cache = cache
        self._clock = clock
        self._wait = wait
        self._tasks: dict[str, asyncio.Task[OAuthGrant]] = {}

    def keeper(self, connector: Connector) -> ConnectorGrant:
        """What a connector's GrantAuth asks for a fresh grant."""
        return ConnectorGrant(self, connector)

    async def refresh(self, connector: Connector, stale: OAuthGrant) -> OAuthGrant:
        """A grant newer than `stale`: the stored one when another request refreshed it, else
        one from Pipedrive, stored before it is returned. GrantRevoked when Pipedrive refuses
        the refresh token.

        The work runs in this connector's refresh task (one at a time per connector), shielded
        from the caller: a caller cancelled by its deadline leaves the task to finish and store
        the grant."""
        for _ in range(2):
            task = self._tasks.get(connector.id)
            joined = task is not None
            if task is None:
                task = asyncio.create_task(self._refresh(connector, stale))
                self._tasks[connector.id] = task
                task.add_done_callback(lambda done: self._finished(connector.id, done))
            fresh = await asyncio.shield(task)
            # A task started for an older grant may answer with the one this caller holds.
            if not joined or fresh.access_token != stale.access_token:
                return fresh
        return fresh

    def _finished(self, connector_id: str, task: asyncio.Task[OAuthGrant]) -> None:
        """Forget a connector's finished refresh task (its failure is its callers' to see)."""
        if self._tasks.get(connector_id) is task:
            del self._tasks[connector_id]
        if not task.cancelled():
            task.exception()  # retrieved: a failure nobody waited for is not reported as lost

    async def _refresh(self, connector: Connector, stale: OAuthGrant) -> OAuthGrant:
        """`refresh`'s work, in the connector's task."""
        stored = await self._stored(connector)
        if self._newer(stored, stale):
            return stored
        key = f"oauth-refresh:{connector.id}"
        owned = await self._cache.add(key, b"1", LOCK_TTL)
        if not owned:
            waited = await self._await_other_worker(connector, stale)
            if waited is not None:
                return waited
            stored = await self._stored(connector)  # the holder went quiet: go ahead
        try:
            return await self._refresh_stored(connector, stored)
        finally:
            if owned:
                await self._cache.delete(key)

    async def revoke(self, connector: Connector, grant: OAuthGrant) -> bool:
        """Revoke the grant's refresh token at Pipedrive, best effort; whether it worked."""
        try:
            await self.endpoint.revoke(grant)
        except PipedriveError as exc:
            log.warning(
                "connector %s: revoking its Pipedrive grant failed (%s)",
                connector.id,
                type(exc).__name__,
            )
            return False
        log.info("connector %s: its Pipedrive grant was revoked", connector.id)
        return True

    def _newer(self, stored: OAuthGrant, stale: OAuthGrant) -> bool:
        """Whether the stored grant is another, usable one than the stale one."""
        return stored.access_token != stale.access_token and not stored.expires_within(
            REFRESH_AHEAD, self._clock()
        )

    async def _await_other_worker(
        self, connector: Connector, stale: OAuthGrant
    ) -> OAuthGrant | None:
        """The grant another worker stores while we wait, or None when none came in time."""
        loop = asyncio.get_running_loop()
        until = loop.time() + self._wait
        while loop.time() < until:
            await asyncio.sleep(POLL)
            stored = await self._stored(connector)
            if self._newer(stored, stale):
                return stored
        log.warning("connector %s: no other worker refreshed its grant in time", connector.id)
        return None

    async def _refresh_stored(self, connector: Connector, stored: OAuthGrant) -> OAuthGrant:
        try:
            fresh = await self.endpoint.refresh(stored)
        except GrantRevoked:
            # A worker that went ahead without the lock may have spent this refresh token: the
            # grant it stored is the one to use.
            latest = await self._stored(connector)
            if latest.refresh_token != stored.refresh_token:
                return latest
            log.warning(
                "connector %s: Pipedrive refused its grant; it needs a sign-in", connector.id
            )
            raise
        except ClientRejected:
            log.error(  # noqa: TRY400 - the deployment's setting, not a stack to read
                "Pipedrive refused the app's client id or secret (CARDIN_PIPEDRIVE_CLIENT_ID, "
                "CARDIN_PIPEDRIVE_CLIENT_SECRET): no grant can be refreshed"
            )
            raise
        kept = await asyncio.to_thread(
            self._store.save_grant,
            connector.owner,
            connector.id,
            fresh,
            replacing=stored.refresh_token,
        )
        if not kept:
            # A sign-in replaced the grant while this refresh ran: the store's is the one to use.
            log.info("connector %s: signed in again meanwhile; refresh dropped", connector.id)
            return await self._stored(connector)
        log.info("connector %s: access token refreshed", connector.id)
        return fresh

    async def _stored(self, connector: Connector) -> OAuthGrant:
        """The connector's stored grant; GrantRevoked when it has none (any longer)."""
        try:
            stored = await asyncio.to_thread(self._store.credential, connector.owner, connector.id)
        except (ConnectorNotFound, TokenUnreadable) as exc:
            raise GrantRevoked("the connector's grant is gone") from exc
        if not isinstance(stored, OAuthGrant):
            raise GrantRevoked("the connector holds no grant any longer")
        return stored


@dataclass(frozen=True, slots=True)
class ConnectorGrant:
    """One connector's GrantKeeper (`cardin.pipedrive.oauth.GrantKeeper`)."""

    grants: Grants
    connector: Connector

    async def refresh(self, stale: OAuthGrant) -> OAuthGrant:
        """A grant newer than `stale` (see `Grants.refresh`)."""
        return await self.grants.refresh(self.connector, stale)
