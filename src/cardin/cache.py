"""The cache behind lookups: a small async key-value interface with expiry.

The embedded default is in-process (`MemoryCache`); a Redis backend implements the same protocol
so that several service processes share one cache. Values are bytes (JSON), keys never contain
secrets (callers hash tokens into keys).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol


class Cache(Protocol):
    """Async bytes cache with per-entry time-to-live in seconds."""

    async def get(self, key: str) -> bytes | None:
        """The value, or None when absent or expired."""
        ...

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        """Store a value for `ttl` seconds."""
        ...

    async def delete(self, key: str) -> None:
        """Forget a value (no error when absent)."""
        ...

    async def add(self, key: str, value: bytes, ttl: float) -> bool:
        """Store a value for `ttl` seconds only when the key is absent; whether it was stored.

        The one coordination primitive (a short lock, a single-use value): of callers racing
        for an absent key exactly one is told True. A backend that cannot answer (Redis away)
        says True: the caller goes ahead uncoordinated rather than waiting on nobody.
        """
        ...

    async def pop(self, key: str) -> bytes | None:
        """Take a value: return it and forget it in one step; None when absent or expired.

        Of callers racing for one value exactly one gets it (a single-use record). A backend
        that cannot answer (Redis away) says None: the caller refuses rather than using a value
        twice.
        """
        ...


class MemoryCache:
    """In-process LRU cache with expiry; the clock is injectable for tests."""

    def __init__(
        self, *, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._max_entries = max_entries
        self._clock = clock

    async def get(self, key: str) -> bytes | None:
        """The value, or None when absent or expired."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    async def set(self, key: str, value: bytes, ttl: float) -> None:
        """Store a value for `ttl` seconds, evicting the least recently used past the limit."""
        self._entries[key] = (self._clock() + ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    async def delete(self, key: str) -> None:
        """Forget a value."""
        self._entries.pop(key, None)

    async def add(self, key: str, value: bytes, ttl: float) -> bool:
        """Store a value only when the key is absent (or expired); whether it was stored."""
        if await self.get(key) is not None:
            return False
        await self.set(key, value, ttl)
        return True

    async def pop(self, key: str) -> bytes | None:
        """Take a value (None when absent or expired)."""
        value = await self.get(key)
        if value is not None:
            del self._entries[key]
        return value
