"""Connector storage: SQLAlchemy tables, the repository, Alembic migrations, token encryption."""

from cardin.store.connectors import ConnectorStore, utc_now
from cardin.store.crypto import TokenCipher, load_or_create_key, token_fingerprint
from cardin.store.database import (
    create_database_engine,
    database_revision,
    default_database_url,
    head_revision,
    upgrade_database,
)
from cardin.store.errors import (
    ConnectorNotFound,
    StoreError,
    TokenAlreadyConnected,
    TokenUnreadable,
)

__all__ = [
    "ConnectorNotFound",
    "ConnectorStore",
    "StoreError",
    "TokenAlreadyConnected",
    "TokenCipher",
    "TokenUnreadable",
    "create_database_engine",
    "database_revision",
    "default_database_url",
    "head_revision",
    "load_or_create_key",
    "token_fingerprint",
    "upgrade_database",
    "utc_now",
]
