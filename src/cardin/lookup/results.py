"""Freshness-stamped cache of lookup results: a repeat open costs no Pipedrive calls.

Results are stored as JSON (`lookup/codec.py`: read back without pydantic, checking only each
value's type) under the connector and a hash of the address, for a few minutes; what comes back
from the cache says when it was fetched and that it cost nothing now, so the card can say
"updated N min ago · refresh".
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import OrderedDict

from cardin.cache import Cache
from cardin.contact.model import LookupResult, Usage
from cardin.contact.outcome import FailureKind
from cardin.lookup.codec import Unreadable, dump_result, load_result

RESULT_TTL = 10 * 60.0
LOADED_ENTRIES = 128
"""How many loaded results a process keeps next to the bytes they were loaded from."""
LOADED_MAX_BYTES = 512 * 1024
"""A cached result larger than this is loaded on every hit (and not kept loaded). A contact with
a few hundred deals, notes and activities is some 300 KB; loading it on every hit blocked the
worker's event loop for tens of milliseconds, every other answer in flight with it."""
LOADED_TOTAL_BYTES = 8 * 1024 * 1024
"""The most JSON the kept results may have come from, all together: a loaded result takes
about twice its JSON's size, so a process keeps at most some 24 MB of them."""
# The shape of what is cached: a new one changes the key, so an old entry is a miss.
_KEY_VERSION = "2"
# A connector's last run ended with one of these: its cached results are no longer trustworthy.
WARNED_KINDS = frozenset({FailureKind.REAUTH, FailureKind.PAYMENT})


def result_key(connector_id: str, email: str) -> str:
    """Cache key of one connector's result for one address (the address is hashed)."""
    digest = hashlib.sha256(email.strip().casefold().encode()).hexdigest()[:32]
    return f"cardin:result:{_KEY_VERSION}:{connector_id}:{digest}"


def problem_key(connector_id: str) -> str:
    """Cache key of the problem a connector's last run reported (reauth or payment)."""
    return f"cardin:problem:{_KEY_VERSION}:{connector_id}"


class ResultCache:
    """Lookup results per connector and address, kept for `ttl` seconds.

    The cache backend holds the bytes; this process also keeps the last results it loaded,
    each with the bytes it came from: a hit whose bytes are the same returns the same (frozen)
    value without loading it again, and different bytes (a newer result) are loaded.
    """

    def __init__(self, cache: Cache, *, ttl: float = RESULT_TTL) -> None:
        self._cache = cache
        self._ttl = ttl
        # Outlives every result it warns about (a result is kept `ttl` at most).
        self._problem_ttl = max(ttl, 60.0)
        self._loaded: OrderedDict[str, tuple[bytes, LookupResult]] = OrderedDict()
        self._loaded_bytes = 0

    async def get(self, connector_id: str, email: str) -> LookupResult | None:
        """The cached result, marked as costing nothing now; None when absent or unreadable."""
        key = result_key(connector_id, email)
        raw = await self._cache.get(key)
        if raw is None:
            return None
        loaded = self._loaded.get(key)
        if loaded is not None and loaded[0] == raw:
            self._loaded.move_to_end(key)
            return loaded[1]
        try:
            result = dataclasses.replace(load_result(raw), usage=Usage())
        except Unreadable:
            return None
        if len(raw) <= LOADED_MAX_BYTES:
            self._keep(key, raw, result)
        return result

    def _keep(self, key: str, raw: bytes, result: LookupResult) -> None:
        self._drop(key)
        self._loaded[key] = (raw, result)
        self._loaded_bytes += len(raw)
        while len(self._loaded) > LOADED_ENTRIES or self._loaded_bytes > LOADED_TOTAL_BYTES:
            self._drop(next(iter(self._loaded)))

    def _drop(self, key: str) -> None:
        dropped = self._loaded.pop(key, None)
        if dropped is not None:
            self._loaded_bytes -= len(dropped[0])

    async def put(self, connector_id: str, email: str, result: LookupResult) -> None:
        """Remember a fresh result (not at all when the time to live is 0)."""
        if self._ttl <= 0:
            return
        await self._cache.set(result_key(connector_id, email), dump_result(result), self._ttl)

    async def forget(self, connector_id: str, email: str) -> None:
        """Drop a result (after adding the contact, say)."""
        key = result_key(connector_id, email)
        self._drop(key)
        await self._cache.delete(key)

    async def note_problem(self, connector_id: str, kind: FailureKind) -> None:
        """Remember that the connector's last run failed so (reauth or payment; others are
        ignored): the results still cached for it are served with that warning."""
        if kind in WARNED_KINDS:
            await self._cache.set(problem_key(connector_id), kind.value.encode(), self._problem_ttl)

    async def clear_problem(self, connector_id: str) -> None:
        """The connector answered again: its cached results need no warning."""
        await self._cache.delete(problem_key(connector_id))

    async def problem(self, connector_id: str) -> FailureKind | None:
        """The reauth or payment problem of the connector's last run, if any."""
        raw = await self._cache.get(problem_key(connector_id))
        if raw is None:
            return None
        try:
            kind = FailureKind(raw.decode())
        except (UnicodeDecodeError, ValueError):
            return None
        return kind if kind in WARNED_KINDS else None
