"""`LoggedEmails`: which Gmail messages a user logged to Pipedrive, per connector.

The card of a logged message says "Logged to Pipedrive on <date>" with a link to the note,
instead of offering to log it twice. One row per owner, connector and Gmail message: the first
one recorded stays (a second log of the same message, from a race or an old form, changes
nothing). A row names one of the owner's connectors and goes when that connector is deleted.

Synchronous on the engine `ConnectorStore` uses; the methods run in a worker thread.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, bindparam, select

from cardin.store.connectors import require_connector
from cardin.store.database import insert_on_conflict, owner_transaction
from cardin.store.tables import logged_emails as table

MAX_MESSAGE_ID = 128


@dataclass(frozen=True)
class LoggedEmail:
    """A Gmail message logged as a Pipedrive note (on the person, or on one of their deals)."""

    owner: str
    connector_id: str
    message_id: str
    """The Gmail API message id."""
    person_id: int
    note_id: int
    deal_id: int | None
    logged_at: datetime


class LoggedEmails:
    """The owners' logged emails (`owner`: the verified Google `sub`)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    async def record(self, entry: LoggedEmail) -> LoggedEmail:
        """Remember the logged email; the first one recorded stays. The stored row.

        ValueError for an empty or over-long message id or a naive time; ConnectorNotFound when
        the connector is not the owner's; StoreError when the database fails.
        """
        _check_message_id(entry.message_id)
        if entry.logged_at.tzinfo is None or entry.logged_at.utcoffset() is None:
            raise ValueError("logged_at must be timezone-aware")
        return await asyncio.to_thread(self._record, entry)

    async def find(self, *, owner: str, connector_id: str, message_id: str) -> LoggedEmail | None:
        """The owner's record of this message through this connector, if it was logged."""
        _check_message_id(message_id)
        return await asyncio.to_thread(self._find, owner, connector_id, message_id)

    def _record(self, entry: LoggedEmail) -> LoggedEmail:
        with owner_transaction(self._engine, entry.owner, write=True) as connection:
            require_connector(connection, entry.owner, entry.connector_id)
            c = table.c
            insert = (
                insert_on_conflict(connection, table)
                .values(
                    owner=entry.owner,
                    connector_id=entry.connector_id,
                    message_id=entry.message_id,
                    person_id=entry.person_id,
                    note_id=entry.note_id,
                    deal_id=entry.deal_id,
                    logged_at=entry.logged_at,
                )
                .on_conflict_do_nothing(index_elements=[c.owner, c.connector_id, c.message_id])
            )
            connection.execute(insert)
            # Inserted, or kept: deletes take the owner's lock, held here.
            key = _key(entry.owner, entry.connector_id, entry.message_id)
            return _to_logged(connection.execute(_ONE, key).one())

    def _find(self, owner: str, connector_id: str, message_id: str) -> LoggedEmail | None:
        with owner_transaction(self._engine, owner) as connection:
            return _fetch(connection, owner, connector_id, message_id)


def _check_message_id(message_id: str) -> None:
    """ValueError unless the id has 1 to 128 characters."""
    if not message_id or len(message_id) > MAX_MESSAGE_ID:
        raise ValueError(f"message_id must have 1 to {MAX_MESSAGE_ID} characters")


# The owner's logged email of a message through a connector: read on every message open, so
# built once, with the values as parameters.
_ONE = select(table).where(
    table.c.owner == bindparam("owner"),
    table.c.connector_id == bindparam("connector_id"),
    table.c.message_id == bindparam("message_id"),
)


def _key(owner: str, connector_id: str, message_id: str) -> dict[str, str]:
    """The parameters of `_ONE`."""
    return {"owner": owner, "connector_id": connector_id, "message_id": message_id}


def _fetch(
    connection: Connection, owner: str, connector_id: str, message_id: str
) -> LoggedEmail | None:
    """The owner's logged email, read in the caller's transaction."""
    row = connection.execute(_ONE, _key(owner, connector_id, message_id)).one_or_none()
    return _to_logged(row) if row is not None else None


def _to_logged(row: Row[Any]) -> LoggedEmail:
    """The logged email of a row."""
    return LoggedEmail(
        owner=row.owner,
        connector_id=row.connector_id,
        message_id=row.message_id,
        person_id=row.person_id,
        note_id=row.note_id,
        deal_id=row.deal_id,
        logged_at=row.logged_at,
    )
