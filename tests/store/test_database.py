"""Engines: URLs, the default SQLite file and its settings, transactions."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from cardin.connectors.model import ConnectorSettings
from cardin.pipedrive import ApiToken
from cardin.store import (
    ConnectorStore,
    StoreError,
    TokenCipher,
    create_database_engine,
    default_database_url,
    upgrade_database,
)
from cardin.store.database import transaction
from tests.store.conftest import ACCOUNT, TOKEN


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_default_url_is_a_file_in_the_data_folder(tmp_path: Path) -> None:
    assert default_database_url(tmp_path) == f"sqlite:///{tmp_path}/cardin.sqlite3"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://cardin@db.internal/cardin",
        "postgres://cardin@db.internal/cardin",
        "postgresql+psycopg://cardin@db.internal:5433/cardin",
    ],
)
def test_postgresql_urls_use_psycopg_3(url: str) -> None:
    engine = create_database_engine(url)  # no connection is made yet
    assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg")
    engine.dispose()


def test_an_unsupported_database_is_refused() -> None:
    with pytest.raises(StoreError, match="Unsupported database 'mysql'"):
        create_database_engine("mysql://cardin:hunter2@db/cardin")


@pytest.mark.parametrize("url", ["", "hunter2", "://hunter2@", "sqlite:/:hunter2::"])
def test_a_malformed_url_is_refused_without_echo(url: str) -> None:
    with pytest.raises(StoreError) as raised:
        create_database_engine(url)
    assert "hunter2" not in str(raised.value)
    assert raised.value.__cause__ is None


def test_a_new_sqlite_file_is_private(tmp_path: Path) -> None:
    engine = create_database_engine(default_database_url(tmp_path / "new" / "data"))
    upgrade_database(engine)
    engine.dispose()
    assert _mode(tmp_path / "new") == 0o700
    assert _mode(tmp_path / "new" / "data") == 0o700
    assert _mode(tmp_path / "new" / "data" / "cardin.sqlite3") == 0o600


def test_sqlite_connections_enforce_foreign_keys_use_wal_and_wait(tmp_path: Path) -> None:
    engine = create_database_engine(default_database_url(tmp_path))
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15_000
    engine.dispose()


def test_an_in_memory_sqlite_database_works(key: bytes) -> None:
    engine = create_database_engine("sqlite://")
    upgrade_database(engine)
    store = ConnectorStore(engine, TokenCipher(key))
    created = store.create(
        "sub", ConnectorSettings(), credential=ApiToken(TOKEN), base_url="b", account=ACCOUNT
    )
    assert store.credential("sub", created.id).token == TOKEN
    engine.dispose()


def _insert_then_fail(engine: Engine) -> None:
    with transaction(engine, write=True) as connection:
        connection.execute(text("INSERT INTO alembic_version (version_num) VALUES ('scratch')"))
        raise RuntimeError("rolled back")


def test_a_failed_transaction_changes_nothing(db_engine: Engine) -> None:
    with pytest.raises(RuntimeError, match="rolled back"):
        _insert_then_fail(db_engine)
    with db_engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        assert "scratch" not in list(versions)


def test_sqlite_write_transactions_lock_at_begin_and_reads_do_not(tmp_path: Path) -> None:
    engine = create_database_engine(default_database_url(tmp_path))
    upgrade_database(engine)
    other = sqlite3.connect(tmp_path / "cardin.sqlite3", timeout=0, isolation_level=None)
    try:
        with (
            transaction(engine, write=True),
            pytest.raises(sqlite3.OperationalError, match="locked"),
        ):
            other.execute("BEGIN IMMEDIATE")
        with transaction(engine) as reading:
            reading.execute(text("SELECT count(*) FROM connectors"))
            other.execute("BEGIN IMMEDIATE")  # a reader never keeps writers out
            other.execute("ROLLBACK")
    finally:
        other.close()
        engine.dispose()
