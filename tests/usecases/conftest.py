"""The use cases' world: a real store (SQLite), the engine on the in-process sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from cardin.cache import MemoryCache
from cardin.lookup import LookupEngine
from cardin.lookup.results import ResultCache
from cardin.store import (
    ConnectorStore,
    LoggedEmails,
    TokenCipher,
    WriteRequests,
    create_database_engine,
    upgrade_database,
)
from cardin.usecases.services import Services
from tests.conftest import NOW, SANDBOX_URL


@pytest.fixture
def services(engine: LookupEngine, tmp_path: Path) -> Iterator[Services]:
    database = create_database_engine(f"sqlite:///{tmp_path / 'cardin.sqlite3'}")
    upgrade_database(database)
    cipher = TokenCipher(Fernet.generate_key())
    cache = MemoryCache()
    yield Services(
        store=ConnectorStore(database, cipher),
        writes=WriteRequests(database),
        logged=LoggedEmails(database),
        engine=engine,
        results=ResultCache(cache),
        cache=cache,
        cipher=cipher,
        api_base=SANDBOX_URL,
        lookup_deadline=2.0,
        clock=lambda: NOW,
    )
    database.dispose()
