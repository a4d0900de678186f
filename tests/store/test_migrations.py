"""Schema migrations: idempotent, concurrent-safe, matching the tables, and data survives them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from cardin.connectors.model import Connector, ConnectorSettings
from cardin.pipedrive import ApiToken, OAuthGrant
from cardin.store import (
    SCHEMA_HEAD,
    ConnectorStore,
    StoreError,
    TokenAlreadyConnected,
    TokenCipher,
    TokenUnreadable,
    create_database_engine,
    database_revision,
    ensure_schema,
    head_revision,
    load_or_create_key,
    token_fingerprint,
    upgrade_database,
)
from cardin.store.database import MIGRATIONS, _alembic_config, transaction
from cardin.store.tables import connectors, logged_emails, metadata, write_requests
from tests.store.conftest import ACCOUNT, OTHER_TOKEN, TOKEN

OWNER = "google-sub-ada"
HEAD = "0004_credential_kind"
FAKE_SECOND = '''"""A later release's migration: a column, and a table that refers to connectors."""

import sqlalchemy as sa
from alembic import op

revision = "0005_sync_state"
down_revision = "0004_credential_kind"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("connectors") as batch:
        batch.add_column(sa.Column("color", sa.String(16), nullable=False, server_default="blue"))
    op.create_table(
        "sync_state",
        sa.Column("connector_id", sa.String(32), sa.ForeignKey("connectors.id"), primary_key=True),
        sa.Column("cursor", sa.Text(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("sync_state")
    with op.batch_alter_table("connectors") as batch:
        batch.drop_column("color")
'''


# A Cardin process starting: connect, wait for the others, upgrade.
STARTING_PROCESS = """
import sys, time
from pathlib import Path
from cardin.store import create_database_engine, upgrade_database
url, folder, number = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
engine = create_database_engine(url)
engine.connect().close()
(folder / f"ready-{number}").touch()
while not (folder / "go").exists():
    time.sleep(0.002)
upgrade_database(engine)
"""


# A service worker starting: the runtime's store on the database, then which modules it loaded.
WORKER_START = """
import sys
from pathlib import Path
import cardin.addon.app
from cardin.addon.runtime import _store
from cardin.settings import Settings
store, cipher, engine = _store(Settings(data_dir=Path(sys.argv[1]), database_url=sys.argv[2]))
engine.dispose()
print("alembic" in sys.modules)
"""


def _version_rows(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def _with_second_migration(tmp_path: Path) -> Path:
    """A copy of the shipped migrations plus a later release's one."""
    migrations = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    (migrations / "versions" / "0005_sync_state.py").write_text(FAKE_SECOND)
    return migrations


def test_an_empty_database_upgrades_to_head_and_again_is_a_no_op(database_url: str) -> None:
    engine = create_database_engine(database_url)
    try:
        assert database_revision(engine) is None
        upgrade_database(engine)
        assert database_revision(engine) == head_revision() == HEAD
        tables = set(inspect(engine).get_table_names())
        upgrade_database(engine)
        assert _version_rows(engine) == [HEAD]
        assert (
            set(inspect(engine).get_table_names())
            == tables
            == {
                "alembic_version",
                "connectors",
                "logged_emails",
                "write_requests",
            }
        )
    finally:
        engine.dispose()


def test_the_schema_head_constant_is_the_newest_migration() -> None:
    # A new migration fails here until SCHEMA_HEAD names it: services would skip the upgrade.
    assert SCHEMA_HEAD == head_revision() == HEAD


def test_ensure_schema_upgrades_only_a_database_not_at_the_head(
    database_url: str, tmp_path: Path
) -> None:
    engine = create_database_engine(database_url)
    try:
        assert ensure_schema(engine)
        assert database_revision(engine) == HEAD
        assert not ensure_schema(engine)
        _downgrade(engine, "0003_writes_and_logged_emails")
        assert ensure_schema(engine)
        assert _version_rows(engine) == [HEAD]
        upgrade_database(engine, migrations=_with_second_migration(tmp_path))
        with pytest.raises(StoreError, match=r"0005_sync_state.*does not know"):
            ensure_schema(engine)
    finally:
        engine.dispose()


def _start_worker(data_dir: Path, database_url: str) -> str:
    """Start a worker's store in a fresh interpreter; what it says about Alembic's modules."""
    arguments = [sys.executable, "-c", WORKER_START, str(data_dir), database_url]
    # S603: the test's own interpreter running the fixed script above.
    done = subprocess.run(arguments, capture_output=True, text=True, timeout=60, check=True)  # noqa: S603
    return done.stdout.strip()


def test_a_worker_starting_on_a_current_database_does_not_load_alembic(
    database_url: str, tmp_path: Path
) -> None:
    # An empty database: the worker upgrades it, with Alembic (the check can see the import).
    assert _start_worker(tmp_path / "first", database_url) == "True"
    engine = create_database_engine(database_url)
    try:
        assert database_revision(engine) == HEAD
    finally:
        engine.dispose()
    assert _start_worker(tmp_path / "second", database_url) == "False"


def test_the_revision_is_read_as_alembic_reads_it(db_engine: Engine) -> None:
    with db_engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == HEAD
    assert database_revision(db_engine) == HEAD
    with db_engine.begin() as connection:
        connection.execute(text("DELETE FROM alembic_version"))
    assert database_revision(db_engine) is None
    with db_engine.begin() as connection:
        connection.execute(text("INSERT INTO alembic_version VALUES ('a'), ('b')"))
    with pytest.raises(StoreError, match="several schema revisions"):
        database_revision(db_engine)


def test_the_migrations_build_exactly_the_tables(db_engine: Engine) -> None:
    with db_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_migrations_are_numbered_named_and_chained() -> None:
    scripts = sorted(ScriptDirectory(str(MIGRATIONS)).walk_revisions(), key=lambda s: s.revision)
    previous = None
    for number, script in enumerate(scripts, start=1):
        assert re.fullmatch(rf"{number:04d}_[a-z0-9_]+", script.revision)
        assert Path(script.path).stem == script.revision
        assert script.down_revision == previous
        previous = script.revision
    assert previous == head_revision()


def test_a_later_migration_keeps_the_connectors(
    db_engine: Engine, store: ConnectorStore, tmp_path: Path
) -> None:
    created = store.create(
        OWNER,
        ConnectorSettings(name="Kept"),
        credential=ApiToken(TOKEN),
        base_url="https://a",
        account=ACCOUNT,
    )
    upgrade_database(db_engine, migrations=_with_second_migration(tmp_path))
    assert database_revision(db_engine) == "0005_sync_state"
    assert "sync_state" in inspect(db_engine).get_table_names()
    assert store.get(OWNER, created.id) == created
    assert store.credential(OWNER, created.id).token == TOKEN
    again = ConnectorSettings()
    assert store.create(
        OWNER, again, credential=ApiToken(OTHER_TOKEN), base_url="b", account=ACCOUNT
    )


def test_an_older_cardin_refuses_a_newer_schema(db_engine: Engine, tmp_path: Path) -> None:
    upgrade_database(db_engine, migrations=_with_second_migration(tmp_path))
    with pytest.raises(StoreError, match=r"0005_sync_state.*does not know"):
        upgrade_database(db_engine)
    assert database_revision(db_engine) == "0005_sync_state"


def test_processes_starting_at_once_upgrade_once(database_url: str, tmp_path: Path) -> None:
    arguments = [sys.executable, "-c", STARTING_PROCESS, database_url, str(tmp_path)]
    # S603: the test's own interpreter running the fixed script above.
    processes = [subprocess.Popen([*arguments, str(n)]) for n in range(3)]  # noqa: S603
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < len(processes) and time.monotonic() < deadline:
        time.sleep(0.01)
    (tmp_path / "go").touch()  # every process is connected and waiting: release them together
    assert [process.wait(timeout=60) for process in processes] == [0] * len(processes)
    engine = create_database_engine(database_url)
    try:
        assert _version_rows(engine) == [HEAD]
    finally:
        engine.dispose()


def test_a_connector_survives_a_restart(database_url: str, tmp_path: Path) -> None:
    key_file = tmp_path / "keys" / "secret.key"

    def start() -> tuple[Engine, ConnectorStore]:
        engine = create_database_engine(database_url)
        upgrade_database(engine)
        return engine, ConnectorStore(engine, TokenCipher(load_or_create_key(key_file)))

    engine, store = start()
    created = store.create(
        OWNER,
        ConnectorSettings(name="Kept"),
        credential=ApiToken(TOKEN),
        base_url="https://a",
        account=ACCOUNT,
    )
    engine.dispose()
    engine, store = start()
    try:
        assert store.list(OWNER) == [created]
        assert store.credential(OWNER, created.id).token == TOKEN
    finally:
        engine.dispose()


def test_an_unreachable_database_is_a_store_error() -> None:
    engine = create_database_engine("postgresql://cardin:hunter2@127.0.0.1:1/cardin")
    with pytest.raises(StoreError, match="could not be upgraded") as raised:
        upgrade_database(engine)
    assert "hunter2" not in str(raised.value)
    with pytest.raises(StoreError, match="cannot be read"):
        database_revision(engine)


def _first_migration_only(tmp_path: Path) -> Path:
    """The shipped migrations as the first release had them."""
    migrations = tmp_path / "first-release"
    ignore = shutil.ignore_patterns("__pycache__", "0002_*", "0003_*", "0004_*")
    shutil.copytree(MIGRATIONS, migrations, ignore=ignore)
    return migrations


def _first_release_row(
    cipher: TokenCipher, owner: str, position: int, token: str, *, default: bool = False
) -> dict[str, object]:
    """A connector row as the first release stored it (no setup key)."""
    when = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=position)
    return {
        "id": f"{owner[-1]}{position}".ljust(32, "0"),
        "owner": owner,
        "position": position,
        "is_default": default,
        "name": f"{owner} {position}",
        "features": ["notes"],
        "run_mode": "manual",
        "show_in_dashboard": False,
        "base_url": "https://acme.pipedrive.com",
        "token_ciphertext": cipher.encrypt(token),
        "token_fingerprint": token_fingerprint(token),
        "pipedrive_company_id": ACCOUNT.company_id,
        "pipedrive_company_name": ACCOUNT.company_name,
        "pipedrive_company_domain": ACCOUNT.company_domain,
        "pipedrive_user_id": ACCOUNT.user_id,
        "pipedrive_user_name": ACCOUNT.user_name,
        "pipedrive_user_email": ACCOUNT.user_email,
        "pipedrive_locale": ACCOUNT.locale,
        "pipedrive_timezone": ACCOUNT.timezone,
        "created_at": when,
        "updated_at": when,
    }


def test_the_upgrade_gives_each_token_to_one_connector_and_keeps_them_all(
    database_url: str, tmp_path: Path
) -> None:
    engine = create_database_engine(database_url)
    cipher = TokenCipher(TokenCipher.generate_key())
    ann, bob = "google-sub-ann", "google-sub-bob"
    try:
        upgrade_database(engine, migrations=_first_migration_only(tmp_path))
        rows = [
            _first_release_row(cipher, ann, 1, TOKEN),
            _first_release_row(cipher, ann, 2, TOKEN, default=True),
            _first_release_row(cipher, ann, 3, TOKEN),
            _first_release_row(cipher, ann, 4, OTHER_TOKEN),
            _first_release_row(cipher, bob, 1, TOKEN),
            _first_release_row(cipher, bob, 2, TOKEN, default=True),
            _first_release_row(cipher, bob, 3, OTHER_TOKEN),
            _first_release_row(cipher, bob, 4, OTHER_TOKEN),
        ]
        with engine.begin() as connection:
            connection.execute(connectors.insert(), rows)
        upgrade_database(engine)
        assert database_revision(engine) == HEAD
        store = ConnectorStore(engine, cipher)
        # Nothing is deleted: every connector keeps its name, features and place.
        assert [c.name for c in store.list(ann)] == [f"{ann} {n}" for n in (2, 1, 3, 4)]
        assert [c.name for c in store.list(bob)] == [f"{bob} {n}" for n in (2, 1, 3, 4)]
        # The default one keeps the shared token, else the oldest; the others need a new one.
        kept = {(c.owner, c.position) for o in (ann, bob) for c in store.list(o)
                if _readable(store, c)}  # fmt: skip
        assert kept == {(ann, 2), (ann, 4), (bob, 2), (bob, 3)}
        assert store.with_credential(ann, ApiToken(TOKEN)) == store.list(ann)[0]
        released = next(c for c in store.list(ann) if c.position == 1)
        assert released.updated_at > released.created_at  # cached results of it are dropped
        with pytest.raises(TokenAlreadyConnected):
            store.update_credential(ann, released.id, credential=ApiToken(TOKEN), account=ACCOUNT)
        assert store.update_credential(
            ann, released.id, credential=ApiToken("f" * 40), account=ACCOUNT
        )
    finally:
        engine.dispose()


def _readable(store: ConnectorStore, connector: Connector) -> bool:
    try:
        store.credential(connector.owner, connector.id)
    except TokenUnreadable:
        return False
    return True


def _downgrade(engine: Engine, revision: str) -> None:
    with transaction(engine, write=True) as connection:
        command.downgrade(_alembic_config(connection, MIGRATIONS), revision)


def test_migration_0003_goes_down_and_up_again_keeping_the_connectors(
    db_engine: Engine, store: ConnectorStore
) -> None:
    created = store.create(
        OWNER,
        ConnectorSettings(name="Kept"),
        credential=ApiToken(TOKEN),
        base_url="https://a",
        account=ACCOUNT,
    )
    logged = {
        "owner": OWNER,
        "connector_id": created.id,
        "message_id": "18c2f4a9b7e01d23",
        "person_id": 7,
        "note_id": 2**40,
        "deal_id": None,
        "logged_at": datetime(2026, 11, 28, tzinfo=UTC),
    }
    with db_engine.begin() as connection:
        connection.execute(logged_emails.insert(), [logged])
    _downgrade(db_engine, "0002_one_connector_per_token")
    assert database_revision(db_engine) == "0002_one_connector_per_token"
    assert set(inspect(db_engine).get_table_names()) == {"alembic_version", "connectors"}
    upgrade_database(db_engine)
    assert database_revision(db_engine) == HEAD
    assert store.get(OWNER, created.id) == created
    with db_engine.connect() as connection:
        assert connection.execute(logged_emails.select()).all() == []
        assert connection.execute(write_requests.select()).all() == []
        connection.execute(logged_emails.insert(), [logged])
        stored = connection.execute(logged_emails.select()).one()
    assert stored._asdict() == logged
    assert store.credential(OWNER, created.id).token == TOKEN


def test_migration_0004_goes_down_dropping_the_oauth_connectors_with_their_rows(
    db_engine: Engine, store: ConnectorStore
) -> None:
    grant = OAuthGrant(
        access_token="access-1",
        refresh_token="refresh-1",
        expires_at=datetime(2026, 11, 28, 13, 0, tzinfo=UTC),
        scopes=("base",),
        api_domain="https://acme.pipedrive.com",
    )

    def make(name: str, credential: ApiToken | OAuthGrant, owner: str = OWNER) -> Connector:
        settings = ConnectorSettings(name=name)
        return store.create(
            owner, settings, credential=credential, base_url="https://a", account=ACCOUNT
        )

    signed_in = make("Signed in", grant)  # the first: the default
    second = make("Second", ApiToken(TOKEN))
    make("Third", ApiToken(OTHER_TOKEN))
    other_owner_default = make("Theirs", ApiToken(TOKEN), owner="google-sub-bob")
    make("Theirs signed in", grant, owner="google-sub-bob")
    assert store.list(OWNER)[0] == signed_in
    assert signed_in.is_default
    day = datetime(2026, 11, 28, tzinfo=UTC)
    with db_engine.begin() as connection:
        connection.execute(
            logged_emails.insert(),
            [
                {"owner": OWNER, "connector_id": c.id, "message_id": "m1", "person_id": 7,
                 "note_id": 1, "deal_id": None, "logged_at": day}
                for c in (signed_in, second)
            ],
        )  # fmt: skip
        connection.execute(
            write_requests.insert(),
            [
                {"owner": OWNER, "request_key": f"{n:032x}", "connector_id": c.id,
                 "op": "add_note", "state": "pending", "result": None, "claimed_at": day,
                 "expires_at": day + timedelta(days=1)}
                for n, c in enumerate((signed_in, second))
            ],
        )  # fmt: skip
    _downgrade(db_engine, "0003_writes_and_logged_emails")
    assert database_revision(db_engine) == "0003_writes_and_logged_emails"
    with db_engine.connect() as connection:
        rows = connection.execute(
            text("SELECT owner, name, is_default FROM connectors ORDER BY owner, position")
        ).all()
        assert [tuple(row) for row in rows] == [
            ("google-sub-ada", "Second", True),  # the first one left is the default now
            ("google-sub-ada", "Third", False),
            ("google-sub-bob", "Theirs", True),  # kept its default
        ]
        for table in ("logged_emails", "write_requests"):
            kept = connection.execute(text(f"SELECT connector_id FROM {table}")).scalars()  # noqa: S608
            assert list(kept) == [second.id]
    upgrade_database(db_engine)
    assert store.list(OWNER)[0].id == second.id
    assert store.list(OWNER)[0].is_default
    assert store.list("google-sub-bob") == [other_owner_default]
