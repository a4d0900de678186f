"""`ConnectorStore`: each Google user's connectors, one transaction per call, credentials encrypted.

The store speaks credentials (`cardin.pipedrive.StoredCredential`: an `ApiToken` or an
`OAuthGrant`). `credential_kind` says which one `token_ciphertext` holds encrypted: the token, or
the grant's JSON (access token, refresh token, expiry, scopes, api_domain). The fingerprint is
per kind: SHA-256 of a token, and of a grant's Pipedrive company and user (its tokens change at
every refresh). A refreshed grant is kept with `save_grant`, which changes nothing else.

A token (or a sign-in to one Pipedrive user) is one connector per user: the database refuses a
second row with the same owner and token fingerprint (a unique index). `create` decides in the
write itself (INSERT … ON CONFLICT), never a read in an earlier transaction, so set-ups racing
with the same token store one connector; `update_credential` reads the holder and updates
under the owner's lock, and the index stands behind it. Both report a token another connector
holds as TokenAlreadyConnected, naming that connector.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol, Self, TypeVar

from sqlalchemy import BindParameter, Connection, Engine, Row, Select, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from cardin.connectors.features import effective_features
from cardin.connectors.model import Connector, ConnectorSettings, RunMode
from cardin.contact.model import Account
from cardin.links import GENERIC_APP, is_company_domain
from cardin.pipedrive.auth import ApiToken, CredentialKind, OAuthGrant, StoredCredential
from cardin.store.crypto import TokenCipher, grant_fingerprint, token_fingerprint
from cardin.store.database import owner_transaction
from cardin.store.errors import ConnectorNotFound, TokenAlreadyConnected, TokenUnreadable
from cardin.store.tables import connectors as table
from cardin.store.tables import logged_emails, write_requests

# The columns a Connector is read from (never the token's).
_CONNECTOR_COLUMNS = [c for c in table.c if not c.name.startswith("token_")]
GRANT_UNREADABLE = "The stored Pipedrive sign-in cannot be read: sign in with Pipedrive again."
RELEASED = (
    "This connector has no token: it had the same token as another connector of this user, and "
    "a token belongs to one connector. Reauthorize it with another account's token, or delete it."
)


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class ConnectorStore:
    """Connectors of Google users (`owner`: the verified `sub`); a user sees only their own."""

    def __init__(
        self, engine: Engine, cipher: TokenCipher, *, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._engine = engine
        self._cipher = cipher
        self._clock = clock

    def list(self, owner: str) -> builtins.list[Connector]:
        """The owner's connectors: the default first, then in creation order."""
        with self._read(owner) as connection:
            rows = connection.execute(_LIST, {"owner": owner})
            return [_to_connector(row) for row in rows]

    def get(self, owner: str, connector_id: str) -> Connector:
        """The owner's connector; ConnectorNotFound when absent or someone else's."""
        with self._read(owner) as connection:
            return _fetch(connection, owner, connector_id)

    def credential(self, owner: str, connector_id: str) -> StoredCredential:
        """The connector's decrypted credential (TokenUnreadable when the key changed or none)."""
        with self._read(owner) as connection:
            query = _owned(select(table.c.credential_kind, table.c.token_ciphertext), owner)
            row = connection.execute(query.where(table.c.id == connector_id)).one_or_none()
        if row is None:
            raise ConnectorNotFound(connector_id)
        if not row.token_ciphertext:
            raise TokenUnreadable(RELEASED)
        plain = self._cipher.decrypt(row.token_ciphertext)
        if row.credential_kind != CredentialKind.OAUTH:
            return ApiToken(plain)
        try:
            return OAuthGrant.from_json(plain)
        except ValueError as exc:
            raise TokenUnreadable(GRANT_UNREADABLE) from exc

    def with_credential(
        self, owner: str, credential: StoredCredential, account: Account | None = None
    ) -> Connector | None:
        """The owner's connector that has this credential, if any (found by fingerprint).

        A grant is found by the account it opens: `account` is required with one.
        """
        with self._read(owner) as connection:
            return _with_fingerprint(connection, owner, _fingerprint(credential, account))

    def save_grant(
        self, owner: str, connector_id: str, grant: OAuthGrant, *, replacing: str | None = None
    ) -> bool:
        """Keep a refreshed grant of an OAuth connector (nothing else changes, not even
        `updated_at`: the connector is the same); whether it was kept. ConnectorNotFound when
        there is no such OAuth connector.

        With `replacing` (the refresh token that was refreshed) the grant is kept only while the
        stored one still has that refresh token, compared inside the write: a sign-in (or
        another refresh) that replaced it meanwhile stays, and False is the answer."""
        with self._write(owner) as connection:
            owned = (
                _owned(select(table.c.token_ciphertext), owner)
                .where(table.c.id == connector_id)
                .where(table.c.credential_kind == CredentialKind.OAUTH.value)
            )
            row = connection.execute(owned).one_or_none()
            if row is None:
                raise ConnectorNotFound(connector_id)
            if replacing is not None and self._refresh_token(row.token_ciphertext) != replacing:
                return False
            statement = (
                _owned(table.update(), owner)
                .where(table.c.id == connector_id)
                .values(token_ciphertext=self._cipher.encrypt(grant.to_json()))
            )
            if connection.execute(statement).rowcount != 1:
                raise ConnectorNotFound(connector_id)
        return True

    def _refresh_token(self, ciphertext: str) -> str | None:
        """The refresh token of a stored grant's ciphertext; None when it cannot be read."""
        try:
            return OAuthGrant.from_json(self._cipher.decrypt(ciphertext)).refresh_token
        except (TokenUnreadable, ValueError):
            return None

    def made_by_setup(self, owner: str, setup_key: str) -> Connector | None:
        """The owner's connector that the setup wizard with this key created, if any."""
        with self._read(owner) as connection:
            query = _owned(select(*_CONNECTOR_COLUMNS), owner).where(table.c.setup_key == setup_key)
            row = connection.execute(query.order_by(table.c.position).limit(1)).one_or_none()
            return _to_connector(row) if row is not None else None

    def count(self, owner: str) -> int:
        """How many connectors the owner has."""
        with self._read(owner) as connection:
            query = _owned(select(func.count()).select_from(table), owner)
            return int(connection.execute(query).scalar_one())

    def create(
        self,
        owner: str,
        settings: ConnectorSettings,
        *,
        credential: StoredCredential,
        base_url: str,
        account: Account,
        setup_key: str | None = None,
    ) -> Connector:
        """Store a new connector; the owner's first (or only remaining) one becomes the default.

        TokenAlreadyConnected, and nothing stored, when the credential is already the owner's.
        `setup_key` names the setup wizard creating it (see `made_by_setup`).
        """
        connector_id = uuid.uuid4().hex
        now = self._clock()
        with self._write(owner) as connection:
            has_default = _owned(select(table.c.id), owner).where(table.c.is_default).exists()
            last = _owned(select(func.coalesce(func.max(table.c.position), 0)), owner)
            values = {
                "id": connector_id,
                "owner": owner,
                "position": connection.execute(last).scalar_one() + 1,
                "is_default": not connection.execute(select(has_default)).scalar_one(),
                "base_url": base_url,
                "setup_key": setup_key,
                "created_at": now,
                "updated_at": now,
            }
            values |= _settings_values(settings) | self._credential_values(credential, account)
            inserted = connection.execute(_insert_unless_connected(connection, values))
            if inserted.scalar_one_or_none() is None:
                raise _already_connected(connection, owner, values["token_fingerprint"], setup_key)
            return _fetch(connection, owner, connector_id)

    def update_settings(
        self, owner: str, connector_id: str, settings: ConnectorSettings
    ) -> Connector:
        """Change name, features, run mode and dashboard display (setup steps 1, 2 and 4)."""
        with self._write(owner) as connection:
            _update(connection, owner, connector_id, _settings_values(settings), self._clock())
            return _fetch(connection, owner, connector_id)

    def update_credential(
        self,
        owner: str,
        connector_id: str,
        *,
        credential: StoredCredential,
        account: Account,
        base_url: str | None = None,
    ) -> Connector:
        """Replace the credential and the account it opens (reauthorization), and its API base.

        TokenAlreadyConnected, and nothing changed, when another connector has that credential.
        """
        with self._write(owner) as connection:
            _fetch(connection, owner, connector_id)  # ConnectorNotFound before anything else
            values = self._credential_values(credential, account)
            holder = _with_fingerprint(connection, owner, values["token_fingerprint"])
            if holder is not None and holder.id != connector_id:
                raise TokenAlreadyConnected(holder)
            if base_url is not None:
                values["base_url"] = base_url
            _update(connection, owner, connector_id, values, self._clock())
            return _fetch(connection, owner, connector_id)

    def set_default(self, owner: str, connector_id: str) -> Connector:
        """Make this connector the owner's only default one."""
        with self._write(owner) as connection:
            _fetch(connection, owner, connector_id)  # ConnectorNotFound before changing anything
            # Clear first: the unique index allows one default per owner at every moment.
            clear = _owned(table.update(), owner).where(table.c.is_default)
            connection.execute(clear.values(is_default=False))
            _update(connection, owner, connector_id, {"is_default": True}, self._clock())
            return _fetch(connection, owner, connector_id)

    def delete(self, owner: str, connector_id: str) -> None:
        """Delete the connector; when it was the default, the next one by position becomes it."""
        with self._write(owner) as connection:
            deleted = connection.execute(
                _owned(table.delete(), owner)
                .where(table.c.id == connector_id)
                .returning(table.c.is_default)
            ).one_or_none()
            if deleted is None:
                raise ConnectorNotFound(connector_id)
            # What the connector wrote goes with it (no foreign key: see migration 0003).
            for kept in (write_requests, logged_emails):
                connection.execute(
                    kept.delete().where(kept.c.owner == owner, kept.c.connector_id == connector_id)
                )
            if deleted.is_default:
                _promote_first(connection, owner, self._clock())

    def _credential_values(self, credential: StoredCredential, account: Account) -> dict[str, Any]:
        """The columns that store a credential (its kind, encrypted, and its fingerprint) and its
        account."""
        plain = credential.token if isinstance(credential, ApiToken) else credential.to_json()
        return {
            "credential_kind": credential.kind.value,
            "token_ciphertext": self._cipher.encrypt(plain),
            "token_fingerprint": _fingerprint(credential, account),
            **_account_values(account),
        }

    @contextmanager
    def _read(self, owner: str) -> Iterator[Connection]:
        """A read transaction for one owner."""
        with owner_transaction(self._engine, owner) as connection:
            yield connection

    @contextmanager
    def _write(self, owner: str) -> Iterator[Connection]:
        """A write transaction, serialized with the owner's other writes."""
        with owner_transaction(self._engine, owner, write=True) as connection:
            yield connection


class _Filterable(Protocol):
    """A SELECT, UPDATE or DELETE statement."""

    def where(self, *clauses: Any) -> Self:
        """The statement with these WHERE clauses added."""


_Statement = TypeVar("_Statement", bound=_Filterable)


def _fingerprint(credential: StoredCredential, account: Account | None) -> str:
    """The credential's fingerprint: of the token, or of the account a grant opens."""
    if isinstance(credential, ApiToken):
        return token_fingerprint(credential.token)
    if account is None:
        raise ValueError("a grant is found by the account it opens")
    return grant_fingerprint(account.company_id, account.user_id)


def _owned(statement: _Statement, owner: str | BindParameter[str]) -> _Statement:
    """The statement restricted to the owner's rows: every query goes through here."""
    return statement.where(table.c.owner == owner)


# The reads of every message open and card action, built once with the owner (and connector)
# as parameters: building this 26-column SELECT anew on each read took about half of the read's
# time (SQLAlchemy checks every column and computes the statement's cache key again).
_LIST = _owned(select(*_CONNECTOR_COLUMNS), bindparam("owner")).order_by(
    table.c.is_default.desc(), table.c.position
)
_ONE = _owned(select(*_CONNECTOR_COLUMNS), bindparam("owner")).where(
    table.c.id == bindparam("connector_id")
)


def _fetch(connection: Connection, owner: str, connector_id: str) -> Connector:
    """The owner's connector, read in the caller's transaction."""
    row = connection.execute(_ONE, {"owner": owner, "connector_id": connector_id}).one_or_none()
    if row is None:
        raise ConnectorNotFound(connector_id)
    return _to_connector(row)


def require_connector(connection: Connection, owner: str, connector_id: str) -> None:
    """ConnectorNotFound unless the owner has this connector (read in the caller's transaction)."""
    query = _owned(select(table.c.id), owner).where(table.c.id == connector_id)
    if connection.execute(query).scalar_one_or_none() is None:
        raise ConnectorNotFound(connector_id)


def _holding(owner: str, fingerprint: str) -> Select[Any]:
    """The query of the owner's connector whose token has this fingerprint (one at most)."""
    return _owned(select(*_CONNECTOR_COLUMNS), owner).where(
        table.c.token_fingerprint == fingerprint
    )


def _with_fingerprint(connection: Connection, owner: str, fingerprint: str) -> Connector | None:
    """The owner's connector whose token has this fingerprint, read in the caller's transaction."""
    row = connection.execute(_holding(owner, fingerprint)).one_or_none()
    return _to_connector(row) if row is not None else None


def _insert_unless_connected(connection: Connection, values: Mapping[str, Any]) -> Insert:
    """INSERT … ON CONFLICT (owner, token_fingerprint) DO NOTHING RETURNING id."""
    conflict = [table.c.owner, table.c.token_fingerprint]
    if connection.dialect.name == "postgresql":
        statement: Insert = (
            postgresql.insert(table).values(values).on_conflict_do_nothing(index_elements=conflict)
        )
    else:
        statement = (
            sqlite.insert(table).values(values).on_conflict_do_nothing(index_elements=conflict)
        )
    return statement.returning(table.c.id)


def _already_connected(
    connection: Connection, owner: str, fingerprint: str, setup_key: str | None
) -> TokenAlreadyConnected:
    """The error naming the connector that holds the token (read after the insert gave way)."""
    row = connection.execute(_holding(owner, fingerprint)).one()
    same_setup = setup_key is not None and row.setup_key == setup_key
    return TokenAlreadyConnected(_to_connector(row), same_setup=same_setup)


def _update(
    connection: Connection,
    owner: str,
    connector_id: str,
    values: Mapping[str, Any],
    now: datetime,
) -> None:
    """Update the owner's connector and its `updated_at`; ConnectorNotFound when none matched."""
    statement = _owned(table.update(), owner).where(table.c.id == connector_id)
    result = connection.execute(statement.values({**values, "updated_at": now}))
    if result.rowcount != 1:
        raise ConnectorNotFound(connector_id)


def _promote_first(connection: Connection, owner: str, now: datetime) -> None:
    """Make the owner's first connector by position the default (no-op when none is left)."""
    first = _owned(select(table.c.id), owner).order_by(table.c.position).limit(1)
    connector_id = connection.execute(first).scalar_one_or_none()
    if connector_id is not None:
        _update(connection, owner, connector_id, {"is_default": True}, now)


def _settings_values(settings: ConnectorSettings) -> dict[str, Any]:
    """The columns of setup steps 1, 2 and 4 (an empty name stored as 'Pipedrive')."""
    normalized = settings.normalized()
    return {
        "name": normalized.name,
        "features": sorted(feature.value for feature in normalized.features),
        "run_mode": normalized.run_mode.value,
        "show_in_dashboard": normalized.show_in_dashboard,
    }


def _account_values(account: Account) -> dict[str, Any]:
    """The columns recording whose Pipedrive account a token opens."""
    return {
        "pipedrive_company_id": account.company_id,
        "pipedrive_company_name": account.company_name,
        "pipedrive_company_domain": account.company_domain,
        "pipedrive_user_id": account.user_id,
        "pipedrive_user_name": account.user_name,
        "pipedrive_user_email": account.user_email,
        "pipedrive_locale": account.locale,
        "pipedrive_timezone": account.timezone,
    }


def _run_mode(stored: str) -> RunMode:
    """The stored run mode; one this version does not know (a newer one wrote it) is manual."""
    # Manual is the safe reading: it never calls Pipedrive unasked.
    try:
        return RunMode(stored)
    except ValueError:
        return RunMode.MANUAL


def _to_connector(row: Row[Any]) -> Connector:
    """The plain Connector of a row (unknown feature ids are dropped).

    A company domain that is not a DNS label (stored before Cardin checked it) is not used: the
    connector reads as needing reauthorization, with Pipedrive's generic web app as its domain.
    """
    features = row.features if isinstance(row.features, builtins.list) else []
    trusted = is_company_domain(row.pipedrive_company_domain)
    return Connector(
        id=row.id,
        owner=row.owner,
        name=row.name,
        features=effective_features(str(feature) for feature in features),
        run_mode=_run_mode(row.run_mode),
        show_in_dashboard=row.show_in_dashboard,
        is_default=row.is_default,
        base_url=row.base_url,
        account=Account(
            company_id=row.pipedrive_company_id,
            company_name=row.pipedrive_company_name,
            company_domain=row.pipedrive_company_domain if trusted else GENERIC_APP,
            user_id=row.pipedrive_user_id,
            user_name=row.pipedrive_user_name,
            user_email=row.pipedrive_user_email,
            locale=row.pipedrive_locale,
            timezone=row.pipedrive_timezone,
        ),
        position=row.position,
        created_at=row.created_at,
        updated_at=row.updated_at,
        needs_reauth=not trusted,
        signed_in=row.credential_kind == CredentialKind.OAUTH.value,
    )
