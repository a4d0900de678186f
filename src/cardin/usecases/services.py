"""What the use cases work with: the stores, caches and engine the service opens once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cardin.cache import Cache
from cardin.lookup import LookupEngine
from cardin.lookup.results import ResultCache
from cardin.store import ConnectorStore, LoggedEmails, TokenCipher, WriteRequests
from cardin.usecases.grants import Grants


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class Services:
    """The shared parts a use case may use (`cardin.addon.runtime.Runtime.services`)."""

    store: ConnectorStore
    writes: WriteRequests
    """The write forms' idempotency keys."""
    logged: LoggedEmails
    """The emails logged to Pipedrive."""
    engine: LookupEngine
    results: ResultCache
    cache: Cache
    cipher: TokenCipher
    api_base: str
    """The Pipedrive API base a new token is checked against."""
    lookup_deadline: float
    """Seconds one connector's lookup (or one token check) may take."""
    clock: Callable[[], datetime] = field(default=_now)
    """Now, aware."""
    grants: Grants | None = None
    """The Pipedrive app for "Sign in with Pipedrive"; None when the deployment has none."""
    keep_copies: bool = True
    """Whether each fresh result is also kept a day for the spent budget's answer
    (`cardin.usecases.budget`); not when the result cache keeps nothing (CARDIN_RESULT_TTL=0)."""
