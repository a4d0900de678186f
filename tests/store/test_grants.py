"""OAuth grants in the store: kept encrypted beside API tokens, one per Pipedrive account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from cardin.connectors.model import Connector, ConnectorSettings
from cardin.contact.model import Account
from cardin.pipedrive import ApiToken, OAuthGrant
from cardin.store import ConnectorNotFound, ConnectorStore, TokenAlreadyConnected, TokenUnreadable
from cardin.store.tables import connectors as table
from tests.store.conftest import ACCOUNT, OTHER_ACCOUNT, TOKEN

OWNER = "google-sub-1"
GRANT = OAuthGrant(
    access_token="access-1:secret-part",
    refresh_token="refresh-1:secret-part",
    expires_at=datetime(2026, 11, 28, 13, 0, tzinfo=UTC),
    scopes=("base", "contacts:read"),
    api_domain="https://acme.pipedrive.com",
)


def _signed_in(
    store: ConnectorStore, grant: OAuthGrant = GRANT, account: Account = ACCOUNT
) -> Connector:
    return store.create(
        OWNER,
        ConnectorSettings(name="Signed in"),
        credential=grant,
        base_url=grant.api_domain,
        account=account,
    )


def test_a_grant_comes_back_as_it_was_stored(store: ConnectorStore) -> None:
    connector = _signed_in(store)
    assert connector.signed_in
    assert store.credential(OWNER, connector.id) == GRANT


def test_an_api_token_connector_is_unchanged_beside_it(store: ConnectorStore) -> None:
    token = store.create(
        OWNER,
        ConnectorSettings(name="Token"),
        credential=ApiToken(TOKEN),
        base_url="https://a",
        account=OTHER_ACCOUNT,
    )
    _signed_in(store)
    assert not token.signed_in
    assert store.credential(OWNER, token.id) == ApiToken(TOKEN)
    assert store.with_credential(OWNER, ApiToken(TOKEN)) == token


def test_no_token_of_the_grant_is_in_the_database_in_plain_text(
    store: ConnectorStore, db_engine: Engine
) -> None:
    _signed_in(store)
    with db_engine.connect() as connection:
        row = connection.execute(select(table)).one()
    stored = " ".join(str(value) for value in row)
    assert row.credential_kind == "oauth"
    for secret in ("access-1", "refresh-1", "secret-part"):
        assert secret not in stored


def test_one_sign_in_per_pipedrive_account_whatever_its_tokens(store: ConnectorStore) -> None:
    first = _signed_in(store)
    again = OAuthGrant("access-2", "refresh-2", GRANT.expires_at, GRANT.scopes, GRANT.api_domain)
    with pytest.raises(TokenAlreadyConnected) as raised:
        _signed_in(store, again)
    assert raised.value.connector == first
    assert store.with_credential(OWNER, again, ACCOUNT) == first
    assert store.with_credential(OWNER, again, OTHER_ACCOUNT) is None
    with pytest.raises(ValueError, match="account"):
        store.with_credential(OWNER, again)


def test_a_refreshed_grant_replaces_the_old_one_and_nothing_else(store: ConnectorStore) -> None:
    connector = _signed_in(store)
    rotated = OAuthGrant(
        "access-2",
        "refresh-2",
        GRANT.expires_at + timedelta(hours=1),
        GRANT.scopes,
        GRANT.api_domain,
    )
    store.save_grant(OWNER, connector.id, rotated)
    assert store.credential(OWNER, connector.id) == rotated
    assert store.get(OWNER, connector.id) == connector  # updated_at kept: the cache stays


def test_a_grant_is_saved_only_on_the_owners_oauth_connector(store: ConnectorStore) -> None:
    token = store.create(
        OWNER,
        ConnectorSettings(),
        credential=ApiToken(TOKEN),
        base_url="https://a",
        account=OTHER_ACCOUNT,
    )
    signed_in = _signed_in(store)
    with pytest.raises(ConnectorNotFound):
        store.save_grant(OWNER, token.id, GRANT)
    with pytest.raises(ConnectorNotFound):
        store.save_grant("someone-else", signed_in.id, GRANT)
    assert store.credential(OWNER, token.id) == ApiToken(TOKEN)


def test_a_token_connector_can_be_reauthorized_by_signing_in(store: ConnectorStore) -> None:
    token = store.create(
        OWNER,
        ConnectorSettings(),
        credential=ApiToken(TOKEN),
        base_url="https://a",
        account=ACCOUNT,
    )
    updated = store.update_credential(
        OWNER, token.id, credential=GRANT, account=ACCOUNT, base_url=GRANT.api_domain
    )
    assert updated.signed_in
    assert updated.base_url == GRANT.api_domain
    assert store.credential(OWNER, token.id) == GRANT


def test_an_unreadable_grant_asks_to_sign_in_again(
    store: ConnectorStore, db_engine: Engine
) -> None:
    connector = _signed_in(store)
    cipher_text = store._cipher.encrypt("not json")  # a damaged row
    with db_engine.begin() as connection:
        connection.execute(table.update().values(token_ciphertext=cipher_text))
    with pytest.raises(TokenUnreadable, match="sign in"):
        store.credential(OWNER, connector.id)


def test_the_grant_is_not_in_its_repr() -> None:
    assert "access-1" not in repr(GRANT)
    assert "refresh-1" not in repr(GRANT)
    assert OAuthGrant.from_json(GRANT.to_json()) == GRANT


def test_a_refreshed_grant_is_kept_only_while_the_refreshed_one_is_stored(
    store: ConnectorStore,
) -> None:
    connector = _signed_in(store)
    refreshed = OAuthGrant(
        access_token="access-2",
        refresh_token="refresh-2",
        expires_at=GRANT.expires_at + timedelta(hours=1),
        scopes=GRANT.scopes,
        api_domain=GRANT.api_domain,
    )
    assert store.save_grant(OWNER, connector.id, refreshed, replacing=GRANT.refresh_token)
    assert store.credential(OWNER, connector.id) == refreshed
    # a refresh of the first grant that ends late finds another stored: it keeps nothing
    late = OAuthGrant(
        access_token="access-late",
        refresh_token="refresh-late",
        expires_at=GRANT.expires_at,
        scopes=GRANT.scopes,
        api_domain=GRANT.api_domain,
    )
    assert not store.save_grant(OWNER, connector.id, late, replacing=GRANT.refresh_token)
    assert store.credential(OWNER, connector.id) == refreshed
    with pytest.raises(ConnectorNotFound):
        store.save_grant(OWNER, "0" * 32, late, replacing=GRANT.refresh_token)
