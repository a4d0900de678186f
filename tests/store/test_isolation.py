"""A user sees and changes only their own connectors (SPEC §8), on every database."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from cardin.connectors.model import Connector, ConnectorSettings, RunMode
from cardin.pipedrive import ApiToken
from cardin.store import ConnectorNotFound, ConnectorStore
from tests.store.conftest import ACCOUNT, OTHER_ACCOUNT, OTHER_TOKEN, TOKEN, fresh_token

ALICE = "google-sub-alice"
BOB = "google-sub-bob"

Attempt = Callable[[ConnectorStore, str], object]
ATTEMPTS: dict[str, Attempt] = {
    "get": lambda s, i: s.get(BOB, i),
    "token": lambda s, i: s.credential(BOB, i).token,
    "update_settings": lambda s, i: s.update_settings(
        BOB, i, ConnectorSettings(name="Mine now", run_mode=RunMode.MANUAL)
    ),
    "update_token": lambda s, i: s.update_credential(
        BOB, i, credential=ApiToken(OTHER_TOKEN), account=OTHER_ACCOUNT
    ),
    "set_default": lambda s, i: s.set_default(BOB, i),
    "delete": lambda s, i: s.delete(BOB, i),
}


def _create(store: ConnectorStore, owner: str, name: str, token: str | None = None) -> Connector:
    settings = ConnectorSettings(name=name)
    token = token or fresh_token()
    return store.create(
        owner, settings, credential=ApiToken(token), base_url="https://a.test", account=ACCOUNT
    )


@pytest.mark.parametrize("attempt", ATTEMPTS.values(), ids=ATTEMPTS.keys())
def test_bob_cannot_touch_alices_connector(store: ConnectorStore, attempt: Attempt) -> None:
    alices = _create(store, ALICE, "Alice's", TOKEN)
    _create(store, ALICE, "Alice's second")
    _create(store, BOB, "Bob's")
    before = store.list(ALICE)
    with pytest.raises(ConnectorNotFound) as raised:
        attempt(store, alices.id)
    assert store.list(ALICE) == before
    assert store.credential(ALICE, alices.id).token == TOKEN
    assert [c.name for c in store.list(BOB)] == ["Bob's"]
    assert [c.is_default for c in store.list(BOB)] == [True]
    # The same answer as for an id that exists nowhere: nothing tells Bob the id is taken.
    with pytest.raises(ConnectorNotFound) as absent:
        attempt(store, "f" * 32)
    assert str(raised.value).replace(alices.id, "f" * 32) == str(absent.value)


def test_each_user_lists_and_counts_only_their_own(store: ConnectorStore) -> None:
    alices = [_create(store, ALICE, "A1"), _create(store, ALICE, "A2")]
    bobs = [_create(store, BOB, "B1")]
    assert store.list(ALICE) == alices
    assert store.list(BOB) == bobs
    assert (store.count(ALICE), store.count(BOB), store.count("nobody")) == (2, 1, 0)
    assert store.list("nobody") == []


def test_each_user_has_their_own_default_and_positions(store: ConnectorStore) -> None:
    alices_first = _create(store, ALICE, "A1")
    bobs_first = _create(store, BOB, "B1")
    alices_second = _create(store, ALICE, "A2")
    assert alices_first.is_default
    assert bobs_first.is_default
    assert (bobs_first.position, alices_second.position) == (1, 2)
    store.set_default(ALICE, alices_second.id)
    assert store.get(BOB, bobs_first.id).is_default


def test_deleting_alices_default_does_not_promote_bobs(store: ConnectorStore) -> None:
    alices = _create(store, ALICE, "A1")
    _create(store, BOB, "B1")
    bobs_second = _create(store, BOB, "B2")
    store.delete(ALICE, alices.id)
    assert not store.get(BOB, bobs_second.id).is_default
    assert store.list(ALICE) == []


def test_one_token_is_one_connector_per_user_not_across_users(store: ConnectorStore) -> None:
    alices = _create(store, ALICE, "A1", TOKEN)
    bobs = _create(store, BOB, "B1", TOKEN)
    assert alices.id != bobs.id
    assert store.with_credential(ALICE, ApiToken(TOKEN)) == alices
    assert store.with_credential(BOB, ApiToken(TOKEN)) == bobs
    assert store.with_credential(BOB, ApiToken(OTHER_TOKEN)) is None
    # Bob giving his connector Alice's other token is no clash: it is not his.
    alices_other = _create(store, ALICE, "A2", OTHER_TOKEN)
    assert (
        store.update_credential(
            BOB, bobs.id, credential=ApiToken(OTHER_TOKEN), account=OTHER_ACCOUNT
        ).id
        == bobs.id
    )
    assert store.credential(ALICE, alices_other.id).token == OTHER_TOKEN


def test_a_setup_key_finds_only_the_users_own_connector(store: ConnectorStore) -> None:
    settings = ConnectorSettings(name="A1")
    alices = store.create(
        ALICE,
        settings,
        credential=ApiToken(TOKEN),
        base_url="https://a.test",
        account=ACCOUNT,
        setup_key="k" * 32,
    )
    assert store.made_by_setup(ALICE, "k" * 32) == alices
    assert store.made_by_setup(BOB, "k" * 32) is None
    assert store.made_by_setup(ALICE, "j" * 32) is None
