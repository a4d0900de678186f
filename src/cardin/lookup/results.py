"""Freshness-stamped cache of lookup results: a repeat open costs no Pipedrive calls.

Results are stored as JSON (the same model, through pydantic) under the connector and a hash of
the address, for a few minutes; what comes back from the cache says when it was fetched and that
it cost nothing now, so the card can say "updated N min ago · refresh".
"""

from __future__ import annotations

import dataclasses
import hashlib

from pydantic import TypeAdapter, ValidationError

from cardin.cache import Cache
from cardin.contact.model import LookupResult, Usage

RESULT_TTL = 10 * 60.0
_ADAPTER: TypeAdapter[LookupResult] = TypeAdapter(LookupResult)
_KEY_VERSION = "1"


def result_key(connector_id: str, email: str) -> str:
    """Cache key of one connector's result for one address (the address is hashed)."""
    digest = hashlib.sha256(email.strip().casefold().encode()).hexdigest()[:32]
    return f"cardin:result:{_KEY_VERSION}:{connector_id}:{digest}"


class ResultCache:
    """Lookup results per connector and address, kept for `ttl` seconds."""

    def __init__(self, cache: Cache, *, ttl: float = RESULT_TTL) -> None:
        self._cache = cache
        self._ttl = ttl

    async def get(self, connector_id: str, email: str) -> LookupResult | None:
        """The cached result, marked as costing nothing now; None when absent or unreadable."""
        raw = await self._cache.get(result_key(connector_id, email))
        if raw is None:
            return None
        try:
            result = _ADAPTER.validate_json(raw)
        except ValidationError:
            return None
        return dataclasses.replace(result, usage=Usage())

    async def put(self, connector_id: str, email: str, result: LookupResult) -> None:
        """Remember a fresh result (not at all when the time to live is 0)."""
        if self._ttl <= 0:
            return
        await self._cache.set(
            result_key(connector_id, email), _ADAPTER.dump_json(result), self._ttl
        )

    async def forget(self, connector_id: str, email: str) -> None:
        """Drop a result (after adding the contact, say)."""
        await self._cache.delete(result_key(connector_id, email))
