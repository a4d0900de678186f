"""`WriteRequests`: the idempotency keys of the writes to Pipedrive, so each form writes once.

A write form carries a key issued when it was rendered (`new_request_key`). Before writing, the
use case claims the key; the first submit gets `Claimed` and writes, then `complete`s the key with
its result. A submit of the same key while that write runs (a double click) gets `InFlight`; one
after it (Google's retry, a replay) gets `AlreadyDone` with the first result, and writes nothing.
When the write is known not to have landed (Pipedrive refused it, or said nothing and a check
found nothing), the use case `release`s the key, so that Retry may write.

The claim decides in the write itself (INSERT … ON CONFLICT DO NOTHING, then a read, in one
transaction serialized with the owner's other writes), so processes racing with one key get one
`Claimed`. The rules, in order:

- Keys are per owner: another user's key of the same value is another key. A claim names one of
  the owner's connectors (ConnectorNotFound otherwise), so another user replaying the submit
  writes nothing.
- A record that has expired (`expires_at <= now`, `ttl` after its claim) is replaced by the claim.
- A PENDING record claimed more than `stale_after` ago is a worker that crashed mid-write: the
  claim takes it over (an UPDATE conditioned on the old claim time, so one taker wins) and gets
  `Claimed(previous=that record)`; its write may have landed, so check before writing.
- The first use of a key wins: a claim naming another connector or op than the record gets the
  record's `InFlight` or `AlreadyDone` all the same, and never takes a stale record over.

Expired rows are purged by `purge_expired`, and opportunistically by `claim`: at most once per
`purge_every` (10 minutes) per `WriteRequests` instance, i.e. per process, so that the table does
not grow without bound.

The store is synchronous, on the engine `ConnectorStore` uses; these methods run it in a worker
thread (`asyncio.to_thread`), as the use cases do for `ConnectorStore`.
"""

from __future__ import annotations

import asyncio
import enum
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Row, select

from cardin.store.connectors import require_connector
from cardin.store.database import (
    insert_on_conflict,
    owner_transaction,
    store_errors,
    transaction,
)
from cardin.store.errors import StoreError
from cardin.store.tables import write_requests as table

REQUEST_KEY = re.compile(r"[0-9a-f]{32}")
DEFAULT_TTL = timedelta(days=1)
DEFAULT_STALE_AFTER = timedelta(minutes=2)
PURGE_EVERY = timedelta(minutes=10)


def new_request_key() -> str:
    """A fresh idempotency key for a write form: 32 random hex digits."""
    return secrets.token_hex(16)


_LONG_AGO = datetime(1970, 1, 1, tzinfo=UTC)
"""The claim time of an abandoned claim: stale for any `stale_after`."""


class WriteState(enum.StrEnum):
    """Where a key's write is."""

    PENDING = "pending"
    """Claimed: its write runs (or its worker crashed: see `stale_after`)."""
    DONE = "done"
    """Written: the record holds the result."""


@dataclass(frozen=True)
class WriteRecord:
    """One owner's key as stored."""

    owner: str
    request_key: str
    connector_id: str
    op: str
    state: WriteState
    result: dict[str, Any] | None
    """What the write returned (`complete`); None while pending."""
    claimed_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class Claimed:
    """This caller may write now (the key is now pending, held by it).

    `previous`: the stale pending claim this one took over (a worker that stopped mid-write),
    None for a fresh key. When set, that write may have landed: check before writing.
    """

    previous: WriteRecord | None = None


@dataclass(frozen=True)
class InFlight:
    """Another submit holds the key and has not finished: write nothing, say it is under way."""

    record: WriteRecord


@dataclass(frozen=True)
class AlreadyDone:
    """The key's write is done: write nothing, answer with the first result (`record.result`)."""

    record: WriteRecord


Claim = Claimed | InFlight | AlreadyDone


@dataclass
class _PurgeSchedule:
    """When this process last purged expired keys."""

    every: timedelta
    last: datetime | None = field(default=None)

    def due(self, now: datetime) -> bool:
        """Whether to purge now; if so, the purge counts as done at `now`."""
        if self.last is not None and self.last <= now < self.last + self.every:
            return False
        self.last = now
        return True


class WriteRequests:
    """The owners' idempotency keys (`owner`: the verified Google `sub`)."""

    def __init__(self, engine: Engine, *, purge_every: timedelta = PURGE_EVERY) -> None:
        self._engine = engine
        self._purge = _PurgeSchedule(purge_every)

    async def claim(
        self,
        *,
        owner: str,
        request_key: str,
        connector_id: str,
        op: str,
        now: datetime,
        ttl: timedelta = DEFAULT_TTL,
        stale_after: timedelta = DEFAULT_STALE_AFTER,
    ) -> Claim:
        """Claim the key for a write: Claimed, InFlight or AlreadyDone (see the module's rules).

        ValueError for a malformed key, an empty op or connector id, a naive `now` or a
        non-positive `ttl` or `stale_after`; ConnectorNotFound when the connector is not the
        owner's; StoreError when the database fails.
        """
        _check_key(request_key)
        _check_now(now)
        if not connector_id or not op:
            raise ValueError("connector_id and op are required")
        if ttl <= timedelta(0) or stale_after <= timedelta(0):
            raise ValueError("ttl and stale_after must be positive")
        purge = self._purge.due(now)
        return await asyncio.to_thread(
            self._claim,
            owner=owner,
            request_key=request_key,
            connector_id=connector_id,
            op=op,
            now=now,
            ttl=ttl,
            stale_after=stale_after,
            purge=purge,
        )

    async def complete(self, *, owner: str, request_key: str, result: dict[str, Any]) -> None:
        """Record the write's result: the key is done, and replays get `result`.

        Only a pending key changes: a done one keeps its first result, and a key that is no
        longer stored (released, expired) stays absent.
        """
        _check_key(request_key)
        await asyncio.to_thread(self._complete, owner, request_key, result)

    async def release(self, *, owner: str, request_key: str) -> None:
        """Drop a pending claim: the write is known not to have landed, a retry may write.

        A done key is kept (its write landed).
        """
        _check_key(request_key)
        await asyncio.to_thread(self._release, owner, request_key)

    async def abandon(self, *, owner: str, request_key: str) -> None:
        """Give up a pending claim whose write may have landed (a timeout, then a failed check):
        the next claim of the key takes it over at once, as a stale one, with `previous` set, so
        that it looks for the write before writing again. A done key is kept."""
        _check_key(request_key)
        await asyncio.to_thread(self._abandon, owner, request_key)

    async def get(self, *, owner: str, request_key: str) -> WriteRecord | None:
        """The owner's record of the key, if stored (expired ones included until purged)."""
        _check_key(request_key)
        return await asyncio.to_thread(self._get, owner, request_key)

    async def purge_expired(self, now: datetime) -> int:
        """Delete every owner's expired keys (`expires_at <= now`); how many were deleted."""
        _check_now(now)
        return await asyncio.to_thread(self._purge_expired, now)

    def _claim(
        self,
        *,
        owner: str,
        request_key: str,
        connector_id: str,
        op: str,
        now: datetime,
        ttl: timedelta,
        stale_after: timedelta,
        purge: bool,
    ) -> Claim:
        if purge:
            self._purge_expired(now)
        c = table.c
        key = (c.owner == owner, c.request_key == request_key)
        with owner_transaction(self._engine, owner, write=True) as connection:
            require_connector(connection, owner, connector_id)
            connection.execute(table.delete().where(*key, c.expires_at <= now))
            values = {
                "owner": owner,
                "request_key": request_key,
                "connector_id": connector_id,
                "op": op,
                "state": WriteState.PENDING.value,
                "result": None,
                "claimed_at": now,
                "expires_at": now + ttl,
            }
            insert = (
                insert_on_conflict(connection, table)
                .values(values)
                .on_conflict_do_nothing(index_elements=[c.owner, c.request_key])
                .returning(c.request_key)
            )
            if connection.execute(insert).scalar_one_or_none() is not None:
                return Claimed()
            record = _fetch(connection, owner, request_key)
            if record is None:  # another process's purge deleted it between the two statements
                raise StoreError("The write's key changed while it was being claimed: try again.")
            # One taker wins: the UPDATE itself requires the claim to be stale. The first use
            # wins: only the same connector and op may take a stale claim over.
            take_over = table.update().where(
                *key,
                c.state == WriteState.PENDING.value,
                c.claimed_at < now - stale_after,
                c.connector_id == connector_id,
                c.op == op,
            )
            taken = connection.execute(take_over.values(claimed_at=now, expires_at=now + ttl))
            if taken.rowcount == 1:
                return Claimed(previous=record)
            if record.state is WriteState.DONE:
                return AlreadyDone(record)
            return InFlight(record)

    def _complete(self, owner: str, request_key: str, result: dict[str, Any]) -> None:
        c = table.c
        with owner_transaction(self._engine, owner, write=True) as connection:
            connection.execute(
                table.update()
                .where(c.owner == owner, c.request_key == request_key)
                .where(c.state == WriteState.PENDING.value)
                .values(state=WriteState.DONE.value, result=result)
            )

    def _release(self, owner: str, request_key: str) -> None:
        c = table.c
        with owner_transaction(self._engine, owner, write=True) as connection:
            connection.execute(
                table.delete()
                .where(c.owner == owner, c.request_key == request_key)
                .where(c.state == WriteState.PENDING.value)
            )

    def _abandon(self, owner: str, request_key: str) -> None:
        c = table.c
        with owner_transaction(self._engine, owner, write=True) as connection:
            connection.execute(
                table.update()
                .where(c.owner == owner, c.request_key == request_key)
                .where(c.state == WriteState.PENDING.value)
                .values(claimed_at=_LONG_AGO)
            )

    def _get(self, owner: str, request_key: str) -> WriteRecord | None:
        with owner_transaction(self._engine, owner) as connection:
            return _fetch(connection, owner, request_key)

    def _purge_expired(self, now: datetime) -> int:
        with store_errors(), transaction(self._engine, write=True) as connection:
            return connection.execute(table.delete().where(table.c.expires_at <= now)).rowcount


def _check_key(request_key: str) -> None:
    """ValueError unless the key is 32 lowercase hex digits (as `new_request_key` makes them)."""
    if not REQUEST_KEY.fullmatch(request_key):
        raise ValueError("request_key must be 32 hexadecimal digits (lowercase)")


def _check_now(now: datetime) -> None:
    """ValueError for a naive time (the store keeps aware UTC times)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")


def _fetch(connection: Connection, owner: str, request_key: str) -> WriteRecord | None:
    """The owner's record of the key, read in the caller's transaction."""
    query = select(table).where(table.c.owner == owner, table.c.request_key == request_key)
    row = connection.execute(query).one_or_none()
    return _to_record(row) if row is not None else None


def _state(stored: str) -> WriteState:
    """The stored state; one this version does not know (a newer one wrote it) reads as pending.

    Pending is the safe reading: it never writes again.
    """
    try:
        return WriteState(stored)
    except ValueError:
        return WriteState.PENDING


def _to_record(row: Row[Any]) -> WriteRecord:
    """The record of a row (a result that is not a JSON object reads as none)."""
    return WriteRecord(
        owner=row.owner,
        request_key=row.request_key,
        connector_id=row.connector_id,
        op=row.op,
        state=_state(row.state),
        result=row.result if isinstance(row.result, dict) else None,
        claimed_at=row.claimed_at,
        expires_at=row.expires_at,
    )
