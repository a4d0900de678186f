"""Tokens at rest: encrypted, never readable in the database, and the key file that opens them."""

from __future__ import annotations

import hashlib
import logging
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine, select

from cardin.connectors.model import ConnectorSettings
from cardin.pipedrive import ApiToken
from cardin.store import (
    ConnectorStore,
    StoreError,
    TokenCipher,
    TokenUnreadable,
    create_database_engine,
    default_database_url,
    load_or_create_key,
    token_fingerprint,
    upgrade_database,
)
from cardin.store.tables import connectors
from tests.store.conftest import ACCOUNT, TOKEN

OWNER = "google-sub-ada"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_token_round_trips_and_its_ciphertext_differs_each_time(key: bytes) -> None:
    cipher = TokenCipher(key)
    first, second = cipher.encrypt(TOKEN), cipher.encrypt(TOKEN)
    assert first != second
    assert TOKEN not in first
    assert cipher.decrypt(first) == cipher.decrypt(second) == TOKEN
    assert TokenCipher(key.decode()).decrypt(first) == TOKEN


def test_a_wrong_key_says_the_key_changed_and_never_shows_the_token(key: bytes) -> None:
    ciphertext = TokenCipher(key).encrypt(TOKEN)
    with pytest.raises(StoreError, match="secret key") as raised:
        TokenCipher(Fernet.generate_key()).decrypt(ciphertext)
    assert isinstance(raised.value, TokenUnreadable)
    assert TOKEN not in str(raised.value)
    assert ciphertext not in str(raised.value)


@pytest.mark.parametrize("ciphertext", ["", "not a fernet token", "gAAAAA", "é"])
def test_garbage_ciphertext_is_unreadable(key: bytes, ciphertext: str) -> None:
    with pytest.raises(TokenUnreadable):
        TokenCipher(key).decrypt(ciphertext)


@pytest.mark.parametrize("bad_key", [b"", b"short", "x" * 44, b"secret-but-not-base64-" * 2])
def test_a_key_that_is_not_a_fernet_key_is_refused_without_echo(bad_key: bytes | str) -> None:
    with pytest.raises(StoreError, match="not a Fernet key") as raised:
        TokenCipher(bad_key)
    if bad_key:
        shown = bad_key if isinstance(bad_key, str) else bad_key.decode()
        assert shown not in str(raised.value)


def test_generate_key_makes_a_usable_key() -> None:
    cipher = TokenCipher(TokenCipher.generate_key())
    assert cipher.decrypt(cipher.encrypt(TOKEN)) == TOKEN


def test_the_fingerprint_is_sha256_and_not_the_token() -> None:
    assert token_fingerprint(TOKEN) == hashlib.sha256(TOKEN.encode()).hexdigest()
    assert token_fingerprint(TOKEN) != token_fingerprint(TOKEN[:-1] + "8")


def test_a_new_key_file_is_private_and_stable(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "deeper" / "secret.key"
    key = load_or_create_key(path)
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700
    assert _mode(path.parent.parent) == 0o700
    assert load_or_create_key(path) == key
    assert TokenCipher(key).decrypt(TokenCipher(key).encrypt(TOKEN)) == TOKEN
    assert [p.name for p in path.parent.iterdir()] == ["secret.key"]  # no temporary file left


def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    load_or_create_key(tmp_path / "secret.key")
    assert _mode(tmp_path) == 0o755
    assert _mode(tmp_path / "secret.key") == 0o600


def test_an_existing_key_file_is_read_as_is(tmp_path: Path, key: bytes) -> None:
    path = tmp_path / "secret.key"
    path.write_bytes(key + b"\n")
    path.chmod(0o600)
    assert load_or_create_key(path) == key


def test_a_key_file_without_a_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    path.write_text("hunter2")
    path.chmod(0o600)
    with pytest.raises(StoreError, match="does not hold a Fernet key") as raised:
        load_or_create_key(path)
    assert "hunter2" not in str(raised.value)


def test_a_key_file_readable_by_others_is_warned_about(
    tmp_path: Path, key: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "secret.key"
    path.write_bytes(key)
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="cardin.store.crypto"):
        assert load_or_create_key(path) == key
    assert "chmod 600" in caplog.text
    assert key.decode() not in caplog.text


def test_the_database_never_holds_the_token(store: ConnectorStore, db_engine: Engine) -> None:
    created = store.create(
        OWNER,
        ConnectorSettings(),
        credential=ApiToken(TOKEN),
        base_url="https://a.test",
        account=ACCOUNT,
    )
    store.update_settings(OWNER, created.id, ConnectorSettings(name="Renamed"))
    with db_engine.connect() as connection:
        rows = connection.execute(select(connectors)).mappings().all()
    assert len(rows) == 1
    assert all(TOKEN not in str(value) for value in rows[0].values())
    assert rows[0]["token_fingerprint"] == token_fingerprint(TOKEN)
    assert store.credential(OWNER, created.id).token == TOKEN


def test_the_sqlite_file_never_holds_the_token(tmp_path: Path, key: bytes) -> None:
    engine = create_database_engine(default_database_url(tmp_path))
    upgrade_database(engine)
    store = ConnectorStore(engine, TokenCipher(key))
    store.create(
        OWNER,
        ConnectorSettings(),
        credential=ApiToken(TOKEN),
        base_url="https://a",
        account=ACCOUNT,
    )
    engine.dispose()  # the last connection checkpoints the write-ahead log into the file
    files = list(tmp_path.glob("cardin.sqlite3*"))
    assert files
    assert all(TOKEN.encode() not in path.read_bytes() for path in files)


def test_a_changed_key_makes_the_stored_token_unreadable(
    store: ConnectorStore, db_engine: Engine
) -> None:
    created = store.create(
        OWNER,
        ConnectorSettings(),
        credential=ApiToken(TOKEN),
        base_url="https://a.test",
        account=ACCOUNT,
    )
    changed = ConnectorStore(db_engine, TokenCipher(Fernet.generate_key()))
    with pytest.raises(TokenUnreadable, match="reauthorize") as raised:
        changed.credential(OWNER, created.id)
    assert TOKEN not in str(raised.value)
    assert changed.get(OWNER, created.id) == created  # the rest still reads
    changed.update_credential(
        OWNER, created.id, credential=ApiToken(TOKEN), account=ACCOUNT
    )  # reauthorize: recovers
    assert changed.credential(OWNER, created.id).token == TOKEN
