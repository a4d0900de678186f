"""Database engines (an SQLite file by default, PostgreSQL in production) and schema upgrades.

Alembic is imported only to upgrade (or to list the migrations): a service process whose
database is already at `SCHEMA_HEAD` checks that with one read of its revision
(`ensure_schema`) and never loads it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    column,
    create_engine,
    event,
    func,
    inspect,
    select,
    table,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from cardin.store.crypto import make_private_folder
from cardin.store.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

SCHEMA_HEAD = "0004_credential_kind"
"""The newest migration in `migrations/versions` (a test holds it to Alembic's head)."""
MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_FILE = "cardin.sqlite3"
SQLITE_BUSY_TIMEOUT_MS = 15_000
# Advisory lock class ids ("CARD" and "CARE"): one for migrations, one for per-owner writes.
MIGRATION_LOCK = 0x43415244
OWNER_LOCK = 0x43415245
_IMMEDIATE = "cardin_sqlite_immediate"
# Alembic keeps its `context` and `op` in module globals: one upgrade at a time per process.
_UPGRADE_LOCK = threading.Lock()
# Where Alembic records the revision (its default table, in the connection's schema).
_VERSIONS = table("alembic_version", column("version_num"))


def default_database_url(data_dir: Path) -> str:
    """The SQLite file used when no database URL is configured."""
    return f"sqlite:///{(data_dir / SQLITE_FILE).as_posix()}"


def create_database_engine(url: str) -> Engine:
    """A sync engine for an `sqlite:` or `postgresql:` URL (PostgreSQL through psycopg 3)."""
    parsed = _parse_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend == "postgresql":
        # pre_ping: a service outlives connections that PostgreSQL or a proxy closed.
        return create_engine(parsed, hide_parameters=True, pool_pre_ping=True)
    raise StoreError(f"Unsupported database {backend!r}: use sqlite:///PATH or postgresql://...")


def _parse_url(url: str) -> URL:
    """The URL, with plain `postgresql://` and `postgres://` mapped to psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        # `from None`: the original message may quote the URL, and with it a password.
        raise StoreError(
            "The database URL cannot be parsed: use sqlite:///PATH or postgresql://USER@HOST/DB."
        ) from None
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def _sqlite_engine(url: URL) -> Engine:
    """An SQLite engine whose file is private and whose transactions begin when we say."""
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        _create_private_file(Path(database))
    engine = create_engine(url, hide_parameters=True)
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _create_private_file(path: Path) -> None:
    """Create the database file 0600 (it holds encrypted tokens) in a private folder."""
    make_private_folder(path.parent)
    # SQLite gives its -wal and -shm files the database file's permissions.
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on, WAL, wait for locks; leave BEGIN to `_begin_sqlite_transaction`."""
    # pysqlite would otherwise begin only before the first write, leaving earlier reads outside
    # the transaction (see SQLAlchemy's "Serializable isolation / Savepoints" recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    """BEGIN; IMMEDIATE for writes, so read-then-write transactions never race."""
    immediate = connection.get_execution_options().get(_IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def transaction(engine: Engine, *, write: bool = False) -> Iterator[Connection]:
    """One transaction, committed on success; a write one holds SQLite's write lock throughout."""
    with engine.connect() as connection:
        if write:
            connection.execution_options(**{_IMMEDIATE: True})
        with connection.begin():
            yield connection


@contextmanager
def owner_transaction(engine: Engine, owner: str, *, write: bool = False) -> Iterator[Connection]:
    """One transaction on one owner's rows; a write one is serialized with the owner's writes.

    An empty owner is refused (ValueError); database failures become StoreError.
    """
    if not owner:
        raise ValueError("owner is required: the verified Google user id")
    with store_errors(), transaction(engine, write=write) as connection:
        if write:
            # Reads-then-writes (next position, who is default) must not interleave per owner.
            lock_for_transaction(connection, OWNER_LOCK, owner)
        yield connection


@contextmanager
def store_errors() -> Iterator[None]:
    """Database failures as StoreError (the statement and its parameters never shown)."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise StoreError(
            f"The connector database failed ({describe(exc)}); "
            "is it reachable and upgraded (`cardin db upgrade`)?"
        ) from exc


def insert_on_conflict(connection: Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into `table` in the connection's dialect, which knows ON CONFLICT."""
    if connection.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def lock_for_transaction(connection: Connection, lock_class: int, key: Any) -> None:
    """On PostgreSQL, hold an advisory lock on (class, key) until the transaction ends."""
    # SQLite needs none: a write transaction there already holds the database's write lock.
    if connection.dialect.name == "postgresql":
        connection.execute(select(func.pg_advisory_xact_lock(lock_class, func.hashtext(key))))


def ensure_schema(engine: Engine) -> bool:
    """Upgrade the database unless it is at `SCHEMA_HEAD`; True when it was upgraded.

    A database already at the head costs one read of its revision (whether the version table
    exists, then its row) and no import of Alembic. One at another
    revision goes through `upgrade_database` (which refuses a revision it does not know).
    """
    if database_revision(engine) == SCHEMA_HEAD:
        return False
    upgrade_database(engine)
    return True


def upgrade_database(engine: Engine, *, migrations: Path = MIGRATIONS) -> None:
    """Apply the migrations not yet applied (a no-op when none); safe for concurrent starts."""
    from alembic import command  # noqa: PLC0415 (only upgrades load Alembic)
    from alembic.script import ScriptDirectory  # noqa: PLC0415
    from alembic.util import CommandError  # noqa: PLC0415

    try:
        with _UPGRADE_LOCK, transaction(engine, write=True) as connection:
            # Per schema, so that databases sharing a server do not wait for each other.
            lock_for_transaction(connection, MIGRATION_LOCK, func.current_schema())
            config = _alembic_config(connection, migrations)
            _refuse_unknown_revision(connection, ScriptDirectory.from_config(config))
            command.upgrade(config, "head")
    except CommandError as exc:
        raise StoreError(f"The database schema could not be upgraded: {exc}") from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"The database schema could not be upgraded: {describe(exc)}") from exc


def database_revision(engine: Engine) -> str | None:
    """The migration the database is at; None for a database never upgraded."""
    try:
        with transaction(engine) as connection:
            return _revision(connection)
    except SQLAlchemyError as exc:
        raise StoreError(f"The database cannot be read: {describe(exc)}") from exc


def head_revision(migrations: Path = MIGRATIONS) -> str:
    """The newest migration in `migrations`, as Alembic reads the scripts."""
    from alembic.script import ScriptDirectory  # noqa: PLC0415 (only this reads the scripts)

    head = ScriptDirectory(str(migrations)).get_current_head()
    if head is None:
        raise StoreError(f"No migrations in {migrations}.")
    return head


def describe(exc: SQLAlchemyError) -> str:
    """The driver's one-line reason for a failure, never the statement or its parameters."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {reason[0] if reason else 'no reason given'}"


def _revision(connection: Connection) -> str | None:
    """What `alembic_version` says (as Alembic reads it); None when the table is absent."""
    if not inspect(connection).has_table(_VERSIONS.name):
        return None
    revisions = list(connection.execute(select(_VERSIONS.c.version_num)).scalars())
    if len(revisions) > 1:
        # Cardin's migrations are one chain: several heads are another program's doing.
        raise StoreError(f"The database records several schema revisions: {sorted(revisions)}.")
    return revisions[0] if revisions else None


def _alembic_config(connection: Connection, migrations: Path) -> Config:
    """Alembic's configuration without an alembic.ini: the scripts, and our connection."""
    from alembic.config import Config  # noqa: PLC0415 (only upgrades load Alembic)

    config = Config()
    # ConfigParser interpolates "%": escape it in the path.
    config.set_main_option("script_location", str(migrations).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def _refuse_unknown_revision(connection: Connection, scripts: ScriptDirectory) -> None:
    """StoreError when a newer Cardin (or another program) migrated this database."""
    current = _revision(connection)
    known = {script.revision for script in scripts.walk_revisions()}
    if current is not None and current not in known:
        raise StoreError(
            f"The database schema is at revision {current!r}, which this version of Cardin does "
            f"not know (newest known: {scripts.get_current_head()!r}): run a newer Cardin."
        )
