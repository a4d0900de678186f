"""Store fixtures: every database test runs on an SQLite file and on a fresh PostgreSQL schema.

PostgreSQL is reached at `CARDIN_TEST_POSTGRES_URL` (default: the development machines' local
server, trust auth). Each test gets its own schema, named at random and dropped afterwards, so
parallel workers never meet. When the server is unreachable those runs are skipped, with why.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet
from psycopg import sql
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from cardin.contact.model import Account
from cardin.store import (
    ConnectorStore,
    TokenCipher,
    create_database_engine,
    default_database_url,
    upgrade_database,
)

POSTGRES_URL = os.environ.get(
    "CARDIN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
START = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
TOKEN = "0123456789abcdef0123456789abcdef01234567"
OTHER_TOKEN = "fedcba9876543210fedcba9876543210fedcba98"
ACCOUNT = Account(
    company_id=7001,
    company_name="Acme Ltd",
    company_domain="acme",
    user_id=9001,
    user_name="Ada Lovelace",
    user_email="ada@acme.example",
    locale="en_GB",
    timezone="Europe/London",
)
OTHER_ACCOUNT = Account(
    company_id=7002,
    company_name="Globex",
    company_domain="globex",
    user_id=9002,
    user_name="Grace Hopper",
    user_email="grace@globex.example",
    locale="de_DE",
    timezone="Europe/Berlin",
)


def fresh_token() -> str:
    """A token no other connector has (a user's tokens are one connector each)."""
    return uuid.uuid4().hex + "00000000"


class StepClock:
    """A clock that moves one second forward at every reading."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def _libpq_url(url: str) -> str:
    """The SQLAlchemy URL as psycopg's own connection string."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@functools.cache
def postgres_unreachable() -> str | None:
    """Why the test server cannot be used, or None when it can."""
    try:
        psycopg.connect(_libpq_url(POSTGRES_URL), connect_timeout=3).close()
    except psycopg.Error as exc:
        first_line = str(exc).strip().splitlines()[0]
        shown = make_url(POSTGRES_URL).render_as_string(hide_password=True)
        return f"PostgreSQL is unreachable at {shown} ({first_line})"
    return None


def _admin(statement: sql.Composed) -> None:
    """Run one statement on the test server outside any test schema."""
    with psycopg.connect(_libpq_url(POSTGRES_URL), autocommit=True) as connection:
        connection.execute(statement)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL whose connections work in a new, empty schema, dropped after the test."""
    if reason := postgres_unreachable():
        pytest.skip(reason)
    name = f"cardin_test_{uuid.uuid4().hex[:16]}"
    schema = sql.Identifier(name)
    _admin(sql.SQL("CREATE SCHEMA {}").format(schema))
    options = f"-csearch_path={name}"
    try:
        yield (
            make_url(POSTGRES_URL)
            .update_query_dict({"options": options})
            .render_as_string(hide_password=False)
        )
    finally:
        _admin(sql.SQL("DROP SCHEMA {} CASCADE").format(schema))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database: an SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return default_database_url(tmp_path / "data")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def db_engine(database_url: str) -> Iterator[Engine]:
    """An engine on an upgraded database, disposed after the test."""
    engine = create_database_engine(database_url)
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def key() -> bytes:
    """A fresh Fernet key."""
    return Fernet.generate_key()


@pytest.fixture
def clock() -> StepClock:
    """The store's clock."""
    return StepClock()


@pytest.fixture
def store(db_engine: Engine, key: bytes, clock: StepClock) -> ConnectorStore:
    """A connector store on the upgraded database."""
    return ConnectorStore(db_engine, TokenCipher(key), clock=clock)
