"""Storage: connectors (tokens encrypted), write idempotency keys, logged emails; migrations."""

from cardin.store.connectors import ConnectorStore, utc_now
from cardin.store.crypto import (
    TokenCipher,
    grant_fingerprint,
    load_or_create_key,
    token_fingerprint,
)
from cardin.store.database import (
    SCHEMA_HEAD,
    create_database_engine,
    database_revision,
    default_database_url,
    ensure_schema,
    head_revision,
    upgrade_database,
)
from cardin.store.errors import (
    ConnectorNotFound,
    StoreError,
    TokenAlreadyConnected,
    TokenUnreadable,
)
from cardin.store.logged import LoggedEmail, LoggedEmails
from cardin.store.writes import (
    AlreadyDone,
    Claim,
    Claimed,
    InFlight,
    WriteRecord,
    WriteRequests,
    WriteState,
    new_request_key,
)

__all__ = [
    "SCHEMA_HEAD",
    "AlreadyDone",
    "Claim",
    "Claimed",
    "ConnectorNotFound",
    "ConnectorStore",
    "InFlight",
    "LoggedEmail",
    "LoggedEmails",
    "StoreError",
    "TokenAlreadyConnected",
    "TokenCipher",
    "TokenUnreadable",
    "WriteRecord",
    "WriteRequests",
    "WriteState",
    "create_database_engine",
    "database_revision",
    "default_database_url",
    "ensure_schema",
    "grant_fingerprint",
    "head_revision",
    "load_or_create_key",
    "new_request_key",
    "token_fingerprint",
    "upgrade_database",
    "utc_now",
]
