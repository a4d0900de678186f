"""A Google user's own connectors: nobody sees or changes anyone else's."""

from __future__ import annotations

import asyncio

from cardin.connectors.model import Connector
from cardin.usecases.services import Services


async def own_connectors(services: Services, sub: str) -> list[Connector]:
    """The user's connectors, default first."""
    return await asyncio.to_thread(services.store.list, sub)


async def own_connector(services: Services, sub: str, connector_id: str) -> Connector:
    """One of the user's connectors; ConnectorNotFound for anyone else's or none."""
    return await asyncio.to_thread(services.store.get, sub, connector_id)
