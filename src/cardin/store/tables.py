"""The schema as SQLAlchemy Core tables: what the newest migration builds (a test compares them)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

# Named constraints, so that later migrations can alter them by name on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite keeps no zone: UTC is implied)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002 - SQLAlchemy's signature
    ) -> datetime | None:
        """Aware datetimes only, stored as UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the store keeps timezone-aware UTC times only")
        return value.astimezone(UTC)

    def process_result_value(
        self,
        value: datetime | None,
        dialect: Dialect,  # noqa: ARG002 - SQLAlchemy's signature
    ) -> datetime | None:
        """The stored time, aware, in UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


connectors = Table(
    "connectors",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("owner", String(255), nullable=False),  # the verified Google `sub`
    Column("position", Integer, nullable=False),
    Column("is_default", Boolean, nullable=False),
    Column("name", String(100), nullable=False),
    Column("features", JSON, nullable=False),  # a list of Feature ids
    Column("run_mode", String(16), nullable=False),
    Column("show_in_dashboard", Boolean, nullable=False),
    Column("base_url", Text, nullable=False),
    # How the account is opened (`cardin.pipedrive.CredentialKind`): "api_token" or "oauth".
    Column("credential_kind", String(16), nullable=False, server_default="api_token"),
    # The encrypted credential: the API token, or the OAuth grant's JSON.
    Column("token_ciphertext", Text, nullable=False),
    # One-way and per kind: SHA-256 of the token, or of the grant's company and user.
    Column("token_fingerprint", String(64), nullable=False),
    Column("pipedrive_company_id", BigInteger, nullable=False),
    Column("pipedrive_company_name", Text, nullable=False),
    Column("pipedrive_company_domain", Text, nullable=False),
    Column("pipedrive_user_id", BigInteger, nullable=False),
    Column("pipedrive_user_name", Text, nullable=False),
    Column("pipedrive_user_email", Text, nullable=False),
    Column("pipedrive_locale", String(32), nullable=False),
    Column("pipedrive_timezone", String(64), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    # The setup wizard that created it (a random key its steps carry), so that a repeated step
    # of that wizard finds its own connector; None for connectors made otherwise.
    Column("setup_key", String(32), nullable=True),
    # Positions order a user's list; unique so that no two connectors tie.
    UniqueConstraint("owner", "position"),
)

# At most one default per owner, enforced by the database itself.
Index(
    "uq_connectors_owner_default",
    connectors.c.owner,
    unique=True,
    sqlite_where=connectors.c.is_default,
    postgresql_where=connectors.c.is_default,
)

# One connector per token and owner: concurrent set-ups with the same token store one.
Index(
    "uq_connectors_owner_token",
    connectors.c.owner,
    connectors.c.token_fingerprint,
    unique=True,
)

# A write form's idempotency key (`cardin.store.writes`): one row per key and owner, pending
# while its write runs, then done with the result a replay gets; dropped when it expires.
write_requests = Table(
    "write_requests",
    metadata,
    Column("owner", String(255), primary_key=True),  # the verified Google `sub`
    Column("request_key", String(32), primary_key=True),  # 32 hex digits, issued with the form
    Column("connector_id", String(32), nullable=False),
    Column("op", Text, nullable=False),  # the action's Op
    Column("state", String(16), nullable=False),  # a WriteState: "pending" | "done"
    # SQL NULL (not JSON null) while pending.
    Column("result", JSON(none_as_null=True), nullable=True),
    Column("claimed_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
)

# The purge of expired keys reads by expiry.
Index("ix_write_requests_expires_at", write_requests.c.expires_at)

# The Gmail messages logged to Pipedrive (`cardin.store.logged`): one per owner, connector and
# message, the first one logged; the card shows "Logged" instead of offering it twice.
logged_emails = Table(
    "logged_emails",
    metadata,
    Column("owner", String(255), primary_key=True),  # the verified Google `sub`
    Column("connector_id", String(32), primary_key=True),
    Column("message_id", String(128), primary_key=True),  # the Gmail API message id
    Column("note_id", BigInteger, nullable=False),
    Column("deal_id", BigInteger, nullable=True),
    Column("person_id", BigInteger, nullable=False),
    Column("logged_at", UtcDateTime, nullable=False),
)
