"""ConnectorStore: create, read, change and delete one user's connectors, on every database."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, update

from cardin.connectors.features import ALL_FEATURES, Feature
from cardin.connectors.model import Connector, ConnectorSettings, RunMode
from cardin.pipedrive import ApiToken
from cardin.store import (
    ConnectorNotFound,
    ConnectorStore,
    StoreError,
    TokenAlreadyConnected,
    TokenCipher,
    TokenUnreadable,
    create_database_engine,
)
from cardin.store.tables import connectors
from tests.store.conftest import (
    ACCOUNT,
    OTHER_ACCOUNT,
    OTHER_TOKEN,
    START,
    TOKEN,
    fresh_token,
)

OWNER = "google-sub-ada"
BASE_URL = "https://acme.pipedrive.com"


def _create(store: ConnectorStore, name: str = "Pipedrive", token: str | None = None) -> Connector:
    settings = ConnectorSettings(name=name, features=ALL_FEATURES)
    token = token or fresh_token()
    return store.create(
        OWNER, settings, credential=ApiToken(token), base_url=BASE_URL, account=ACCOUNT
    )


def test_create_returns_what_get_and_list_read_back(store: ConnectorStore) -> None:
    created = _create(store, "Sales", TOKEN)
    assert store.get(OWNER, created.id) == created
    assert store.list(OWNER) == [created]
    assert len(created.id) == 32
    assert int(created.id, 16) >= 0
    assert (created.owner, created.name, created.base_url) == (OWNER, "Sales", BASE_URL)
    assert created.account == ACCOUNT
    assert created.features == ALL_FEATURES
    assert store.credential(OWNER, created.id).token == TOKEN


def test_first_connector_is_default_and_later_ones_are_not(store: ConnectorStore) -> None:
    first, second, third = _create(store), _create(store), _create(store)
    assert [first.is_default, second.is_default, third.is_default] == [True, False, False]
    assert [first.position, second.position, third.position] == [1, 2, 3]
    assert store.count(OWNER) == 3


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_an_empty_name_is_stored_as_pipedrive(store: ConnectorStore, name: str) -> None:
    created = _create(store, name)
    assert created.name == "Pipedrive"
    assert store.get(OWNER, created.id).name == "Pipedrive"


def test_names_need_not_be_unique_and_are_trimmed(store: ConnectorStore) -> None:
    one, two = _create(store, " Team "), _create(store, "Team")
    assert one.name == two.name == "Team"
    assert one.id != two.id


def test_list_puts_the_default_first_then_creation_order(store: ConnectorStore) -> None:
    first, second, third = _create(store, "1"), _create(store, "2"), _create(store, "3")
    store.set_default(OWNER, third.id)
    assert [c.name for c in store.list(OWNER)] == ["3", "1", "2"]
    assert [c.id for c in store.list(OWNER)] == [third.id, first.id, second.id]


def test_update_settings_changes_the_settings_only(store: ConnectorStore) -> None:
    created = _create(store, token=TOKEN)
    settings = ConnectorSettings(
        name="Renamed",
        features=frozenset({Feature.NOTES, Feature.DEALS}),
        run_mode=RunMode.MANUAL,
        show_in_dashboard=False,
    )
    updated = store.update_settings(OWNER, created.id, settings)
    assert (updated.name, updated.run_mode, updated.show_in_dashboard) == (
        "Renamed",
        RunMode.MANUAL,
        False,
    )
    assert updated.features == {Feature.NOTES, Feature.DEALS}
    assert not updated.is_automatic
    assert (updated.account, updated.base_url, updated.is_default) == (ACCOUNT, BASE_URL, True)
    assert updated.created_at == created.created_at
    assert updated.updated_at > created.updated_at
    assert store.credential(OWNER, created.id).token == TOKEN
    assert store.get(OWNER, created.id) == updated


def test_update_settings_stores_an_empty_name_as_pipedrive(store: ConnectorStore) -> None:
    created = _create(store, "Sales")
    assert store.update_settings(OWNER, created.id, ConnectorSettings(name=" ")).name == "Pipedrive"


def test_update_token_replaces_the_token_and_the_account(store: ConnectorStore) -> None:
    created = _create(store, "Sales")
    updated = store.update_credential(
        OWNER, created.id, credential=ApiToken(OTHER_TOKEN), account=OTHER_ACCOUNT
    )
    assert store.credential(OWNER, created.id).token == OTHER_TOKEN
    assert updated.account == OTHER_ACCOUNT
    assert (updated.name, updated.features) == (created.name, created.features)
    assert updated.updated_at > created.updated_at
    assert store.with_credential(OWNER, ApiToken(OTHER_TOKEN)) == updated
    assert store.with_credential(OWNER, ApiToken(TOKEN)) is None


def test_set_default_leaves_exactly_one_default(store: ConnectorStore) -> None:
    first, second, _ = _create(store), _create(store), _create(store)
    assert store.set_default(OWNER, second.id).is_default
    assert [c.id for c in store.list(OWNER) if c.is_default] == [second.id]
    assert not store.get(OWNER, first.id).is_default
    assert store.set_default(OWNER, second.id).is_default  # again: still the only one
    assert sum(c.is_default for c in store.list(OWNER)) == 1


def test_deleting_the_default_promotes_the_next_by_position(store: ConnectorStore) -> None:
    first, second, third = _create(store), _create(store), _create(store)
    store.delete(OWNER, first.id)
    assert [(c.id, c.is_default) for c in store.list(OWNER)] == [
        (second.id, True),
        (third.id, False),
    ]
    with pytest.raises(ConnectorNotFound):
        store.get(OWNER, first.id)


def test_deleting_another_connector_keeps_the_default(store: ConnectorStore) -> None:
    first, second = _create(store), _create(store)
    store.delete(OWNER, second.id)
    assert store.list(OWNER) == [first]
    assert store.count(OWNER) == 1


def test_after_deleting_every_connector_the_next_one_is_default(store: ConnectorStore) -> None:
    first, second = _create(store), _create(store)
    store.delete(OWNER, first.id)
    store.delete(OWNER, second.id)
    assert store.list(OWNER) == []
    assert store.count(OWNER) == 0
    again = _create(store)
    assert again.is_default
    assert again.position == 1


def test_positions_keep_creation_order_after_deletes(store: ConnectorStore) -> None:
    first, second = _create(store, "1"), _create(store, "2")
    store.delete(OWNER, second.id)
    third = _create(store, "3")
    assert third.position > first.position
    assert [c.name for c in store.list(OWNER)] == ["1", "3"]


@pytest.mark.parametrize(
    "call",
    [
        lambda s, i: s.get(OWNER, i),
        lambda s, i: s.credential(OWNER, i).token,
        lambda s, i: s.update_settings(OWNER, i, ConnectorSettings()),
        lambda s, i: s.update_credential(OWNER, i, credential=ApiToken(TOKEN), account=ACCOUNT),
        lambda s, i: s.set_default(OWNER, i),
        lambda s, i: s.delete(OWNER, i),
    ],
    ids=["get", "token", "update_settings", "update_token", "default", "delete"],
)
def test_an_absent_connector_is_not_found(store: ConnectorStore, call: object) -> None:
    kept = _create(store)
    with pytest.raises(ConnectorNotFound) as raised:
        call(store, "0" * 32)  # type: ignore[operator]
    assert raised.value.connector_id == "0" * 32
    assert store.list(OWNER) == [kept]


def test_features_round_trip(store: ConnectorStore) -> None:
    for features in (frozenset(), frozenset({Feature.ADD_CONTACT}), ALL_FEATURES):
        settings = ConnectorSettings(features=features)
        token = fresh_token()
        created = store.create(
            OWNER, settings, credential=ApiToken(token), base_url=BASE_URL, account=ACCOUNT
        )
        assert store.get(OWNER, created.id).features == features


def test_unknown_feature_ids_are_ignored(store: ConnectorStore, db_engine: Engine) -> None:
    created = _create(store)
    with db_engine.begin() as connection:
        connection.execute(
            update(connectors)
            .where(connectors.c.id == created.id)
            .values(features=["notes", "teleportation", "deals"])
        )
    assert store.get(OWNER, created.id).features == {Feature.NOTES, Feature.DEALS}
    assert store.list(OWNER)[0].features == {Feature.NOTES, Feature.DEALS}


def test_run_mode_and_dashboard_round_trip(store: ConnectorStore) -> None:
    settings = ConnectorSettings(run_mode=RunMode.MANUAL, show_in_dashboard=False)
    created = store.create(
        OWNER, settings, credential=ApiToken(TOKEN), base_url=BASE_URL, account=ACCOUNT
    )
    read = store.get(OWNER, created.id)
    assert (read.run_mode, read.show_in_dashboard) == (RunMode.MANUAL, False)


def test_an_unknown_run_mode_reads_as_manual(store: ConnectorStore, db_engine: Engine) -> None:
    created = _create(store)
    with db_engine.begin() as connection:
        statement = update(connectors).where(connectors.c.id == created.id)
        connection.execute(statement.values(run_mode="on_schedule"))
    assert store.get(OWNER, created.id).run_mode is RunMode.MANUAL


def test_timestamps_are_aware_utc(db_engine: Engine, key: bytes) -> None:
    tallinn = timezone(timedelta(hours=2))
    moments = iter([START.astimezone(tallinn), START.astimezone(tallinn) + timedelta(minutes=5)])
    store = ConnectorStore(db_engine, TokenCipher(key), clock=lambda: next(moments))
    created = _create(store)
    assert created.created_at == START
    assert created.created_at.utcoffset() == timedelta(0)
    updated = store.update_settings(OWNER, created.id, ConnectorSettings(name="Later"))
    assert updated.updated_at == START + timedelta(minutes=5)
    assert updated.updated_at.tzinfo is not None
    assert updated.updated_at.utcoffset() == timedelta(0)


def test_the_default_clock_is_the_current_utc_time(db_engine: Engine, key: bytes) -> None:
    before = datetime.now(UTC)
    created = _create(ConnectorStore(db_engine, TokenCipher(key)))
    assert before <= created.created_at <= datetime.now(UTC)


def test_an_empty_owner_is_a_programming_error(store: ConnectorStore) -> None:
    with pytest.raises(ValueError, match="owner"):
        store.list("")


def test_an_unmigrated_database_raises_store_error(database_url: str, key: bytes) -> None:
    engine = create_database_engine(database_url)
    try:
        with pytest.raises(StoreError, match="cardin db upgrade"):
            ConnectorStore(engine, TokenCipher(key)).list(OWNER)
    finally:
        engine.dispose()


def test_concurrent_creates_make_one_default_and_distinct_positions(
    store: ConnectorStore,
) -> None:
    workers, barrier, errors = 6, threading.Barrier(6), []

    def create() -> None:
        barrier.wait()
        try:
            _create(store)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=create) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    listed = store.list(OWNER)
    assert sum(c.is_default for c in listed) == 1
    assert sorted(c.position for c in listed) == list(range(1, workers + 1))


def _create_all_at_once(
    store: ConnectorStore, workers: int, *, setup_key: str | None = None
) -> tuple[list[Connector], list[Exception]]:
    """`workers` threads storing the same token for one owner, released together."""
    barrier, created, errors = threading.Barrier(workers), [], []

    def create(number: int) -> None:
        settings = ConnectorSettings(name=f"Wizard {number}", features=ALL_FEATURES)
        barrier.wait()
        try:
            created.append(
                store.create(
                    OWNER,
                    settings,
                    credential=ApiToken(TOKEN),
                    base_url=BASE_URL,
                    account=ACCOUNT,
                    setup_key=setup_key,
                )
            )
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return created, errors


def test_concurrent_creates_with_one_token_store_one_connector(store: ConnectorStore) -> None:
    created, errors = _create_all_at_once(store, 6)
    assert len(created) == 1
    assert store.list(OWNER) == created
    assert len(errors) == 5
    for error in errors:
        assert isinstance(error, TokenAlreadyConnected)
        assert error.connector == created[0]
        assert not error.same_setup


def test_concurrent_creates_of_one_setup_say_it_is_their_own(store: ConnectorStore) -> None:
    created, errors = _create_all_at_once(store, 4, setup_key="a" * 32)
    assert [c.id for c in store.list(OWNER)] == [created[0].id]
    assert all(isinstance(e, TokenAlreadyConnected) and e.same_setup for e in errors)
    assert store.made_by_setup(OWNER, "a" * 32) == created[0]


def test_a_connected_token_is_not_stored_again_and_changes_nothing(store: ConnectorStore) -> None:
    first = _create(store, "Sales", TOKEN)
    settings = ConnectorSettings("Other", frozenset({Feature.NOTES}), RunMode.MANUAL)
    with pytest.raises(TokenAlreadyConnected) as raised:
        store.create(
            OWNER, settings, credential=ApiToken(TOKEN), base_url=BASE_URL, account=OTHER_ACCOUNT
        )
    assert raised.value.connector == first
    assert not raised.value.same_setup
    assert store.list(OWNER) == [first]
    assert TOKEN not in str(raised.value)


def test_a_token_of_another_connector_is_refused_on_update(store: ConnectorStore) -> None:
    sales, support = _create(store, "Sales", TOKEN), _create(store, "Support", OTHER_TOKEN)
    with pytest.raises(TokenAlreadyConnected) as raised:
        store.update_credential(
            OWNER, support.id, credential=ApiToken(TOKEN), account=ACCOUNT, base_url="https://x"
        )
    assert raised.value.connector == sales
    assert store.list(OWNER) == [sales, support]
    assert store.credential(OWNER, support.id).token == OTHER_TOKEN
    # Its own token again is no clash (a reauthorization with the same token).
    assert (
        store.update_credential(OWNER, sales.id, credential=ApiToken(TOKEN), account=ACCOUNT).id
        == sales.id
    )


def test_with_token_finds_the_connector_that_has_it(store: ConnectorStore) -> None:
    sales = _create(store, "Sales", TOKEN)
    assert store.with_credential(OWNER, ApiToken(TOKEN)) == sales
    assert store.with_credential(OWNER, ApiToken(OTHER_TOKEN)) is None


def test_a_stored_company_domain_that_is_no_dns_label_needs_reauth(
    store: ConnectorStore, db_engine: Engine
) -> None:
    created = _create(store)
    assert not created.needs_reauth
    with db_engine.begin() as connection:
        statement = update(connectors).where(connectors.c.id == created.id)
        connection.execute(statement.values(pipedrive_company_domain="evil.example/#"))
    stored = store.get(OWNER, created.id)
    assert stored.needs_reauth
    assert stored.account.company_domain == "app"
    assert store.list(OWNER)[0].needs_reauth
    repaired = store.update_credential(
        OWNER, created.id, credential=ApiToken(TOKEN), account=ACCOUNT
    )
    assert not repaired.needs_reauth
    assert repaired.account.company_domain == "acme"


def test_a_connector_without_a_token_is_unreadable_not_garbage(
    store: ConnectorStore, db_engine: Engine
) -> None:
    created = _create(store)
    with db_engine.begin() as connection:
        statement = update(connectors).where(connectors.c.id == created.id)
        connection.execute(statement.values(token_ciphertext=""))
    with pytest.raises(TokenUnreadable, match="Reauthorize it"):
        store.credential(OWNER, created.id)
