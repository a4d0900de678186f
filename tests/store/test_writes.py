"""WriteRequests: a write form's key is written once, on every database and across processes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, update

from cardin.connectors.model import Connector, ConnectorSettings
from cardin.pipedrive import ApiToken
from cardin.store import (
    AlreadyDone,
    Claim,
    Claimed,
    ConnectorNotFound,
    ConnectorStore,
    InFlight,
    StoreError,
    WriteRequests,
    WriteState,
    create_database_engine,
    new_request_key,
)
from cardin.store.tables import write_requests
from tests.store.conftest import ACCOUNT, START, fresh_token

ANN = "google-sub-ann"
BOB = "google-sub-bob"
KEY = "0123456789abcdef0123456789abcdef"
NOTE = "add_note"
RESULT = {"note_id": 501, "person_id": 7}


def _connector(store: ConnectorStore, owner: str = ANN) -> Connector:
    return store.create(
        owner,
        ConnectorSettings(name="Sales"),
        credential=ApiToken(fresh_token()),
        base_url="https://acme.pipedrive.com",
        account=ACCOUNT,
    )


@pytest.fixture
def writes(db_engine: Engine) -> WriteRequests:
    return WriteRequests(db_engine)


@pytest.fixture
def connector(store: ConnectorStore) -> Connector:
    return _connector(store)


async def _claim(
    writes: WriteRequests,
    connector: Connector,
    *,
    minutes: float = 0,
    key: str = KEY,
    op: str = NOTE,
    owner: str = ANN,
    connector_id: str | None = None,
) -> Claim:
    return await writes.claim(
        owner=owner,
        request_key=key,
        connector_id=connector_id or connector.id,
        op=op,
        now=START + timedelta(minutes=minutes),
    )


async def test_the_first_claim_writes_and_a_replay_gets_its_result(
    writes: WriteRequests, connector: Connector
) -> None:
    assert await _claim(writes, connector) == Claimed()
    await writes.complete(owner=ANN, request_key=KEY, result=RESULT)
    replay = await _claim(writes, connector, minutes=1)
    assert isinstance(replay, AlreadyDone)
    record = replay.record
    assert record.result == RESULT
    assert record.state is WriteState.DONE
    assert (record.owner, record.request_key, record.connector_id, record.op) == (
        ANN,
        KEY,
        connector.id,
        NOTE,
    )
    assert record.claimed_at == START
    assert record.expires_at == START + timedelta(days=1)
    assert await writes.get(owner=ANN, request_key=KEY) == record


async def test_a_claim_while_the_write_runs_is_in_flight(
    writes: WriteRequests, connector: Connector
) -> None:
    assert await _claim(writes, connector) == Claimed()
    second = await _claim(writes, connector, minutes=1)
    assert isinstance(second, InFlight)
    assert second.record.state is WriteState.PENDING
    assert second.record.result is None
    assert second.record.claimed_at == START


async def test_concurrent_claims_of_one_key_give_exactly_one_writer(
    writes: WriteRequests, connector: Connector
) -> None:
    claims = await asyncio.gather(*(_claim(writes, connector) for _ in range(6)))
    assert sum(isinstance(claim, Claimed) for claim in claims) == 1
    assert sum(isinstance(claim, InFlight) for claim in claims) == 5


@pytest.fixture
def two_engines(database_url: str, db_engine: Engine) -> Iterator[tuple[Engine, Engine]]:
    """Two engines on one upgraded database: two processes' connection pools."""
    other = create_database_engine(database_url)
    yield db_engine, other
    other.dispose()


async def test_two_processes_claiming_the_same_keys_write_each_once(
    two_engines: tuple[Engine, Engine], connector: Connector
) -> None:
    first, second = (WriteRequests(engine) for engine in two_engines)
    keys = [new_request_key() for _ in range(8)]
    claims = await asyncio.gather(
        *(_claim(side, connector, key=key) for key in keys for side in (first, second))
    )
    for key, pair in zip(keys, zip(claims[::2], claims[1::2], strict=True), strict=True):
        assert sorted(type(claim).__name__ for claim in pair) == ["Claimed", "InFlight"], key


async def test_release_lets_a_retry_write(writes: WriteRequests, connector: Connector) -> None:
    assert await _claim(writes, connector) == Claimed()
    await writes.release(owner=ANN, request_key=KEY)
    assert await writes.get(owner=ANN, request_key=KEY) is None
    assert await _claim(writes, connector, minutes=1) == Claimed()


async def test_an_abandoned_claim_is_taken_over_at_once_and_says_so(
    writes: WriteRequests, connector: Connector
) -> None:
    assert await _claim(writes, connector) == Claimed()
    await writes.abandon(owner=ANN, request_key=KEY)
    taken = await _claim(writes, connector, minutes=1)
    assert isinstance(taken, Claimed)
    assert taken.previous is not None
    assert isinstance(await _claim(writes, connector, minutes=1), InFlight)
    await writes.complete(owner=ANN, request_key=KEY, result=RESULT)
    await writes.abandon(owner=ANN, request_key=KEY)  # a done key stays done
    assert isinstance(await _claim(writes, connector, minutes=2), AlreadyDone)


async def test_release_keeps_a_done_key_and_complete_keeps_the_first_result(
    writes: WriteRequests, connector: Connector
) -> None:
    await _claim(writes, connector)
    await writes.complete(owner=ANN, request_key=KEY, result=RESULT)
    await writes.release(owner=ANN, request_key=KEY)
    await writes.complete(owner=ANN, request_key=KEY, result={"note_id": 999})
    replay = await _claim(writes, connector, minutes=1)
    assert isinstance(replay, AlreadyDone)
    assert replay.record.result == RESULT


async def test_completing_a_released_key_stores_nothing(
    writes: WriteRequests, connector: Connector
) -> None:
    await _claim(writes, connector)
    await writes.release(owner=ANN, request_key=KEY)
    await writes.complete(owner=ANN, request_key=KEY, result=RESULT)
    assert await writes.get(owner=ANN, request_key=KEY) is None


async def test_a_stale_pending_claim_is_taken_over_once(
    writes: WriteRequests, connector: Connector
) -> None:
    assert await _claim(writes, connector) == Claimed()
    first = await writes.get(owner=ANN, request_key=KEY)
    assert isinstance(await _claim(writes, connector, minutes=2), InFlight)  # not yet stale
    takeovers = await asyncio.gather(*(_claim(writes, connector, minutes=3) for _ in range(4)))
    assert takeovers.count(Claimed(previous=first)) == 1
    assert sum(isinstance(claim, InFlight) for claim in takeovers) == 3
    held = await writes.get(owner=ANN, request_key=KEY)
    assert held is not None
    assert held.claimed_at == START + timedelta(minutes=3)
    assert held.expires_at == START + timedelta(minutes=3, days=1)
    await writes.complete(owner=ANN, request_key=KEY, result=RESULT)
    replay = await _claim(writes, connector, minutes=10)
    assert isinstance(replay, AlreadyDone)
    assert replay.record.result == RESULT


async def test_the_first_use_of_a_key_wins_over_another_op_or_connector(
    writes: WriteRequests, store: ConnectorStore, connector: Connector
) -> None:
    other = _connector(store)
    assert await _claim(writes, connector) == Claimed()
    # Even once stale, a pending claim is not taken over by another op or connector.
    for claim in (
        await _claim(writes, connector, minutes=5, op="create_deal"),
        await _claim(writes, connector, minutes=5, connector_id=other.id),
    ):
        assert isinstance(claim, InFlight)
        assert (claim.record.op, claim.record.connector_id) == (NOTE, connector.id)
    await writes.complete(owner=ANN, request_key=KEY, result=RESULT)
    done = await _claim(writes, connector, minutes=6, op="create_deal")
    assert isinstance(done, AlreadyDone)
    assert done.record.op == NOTE


async def test_an_expired_key_is_claimed_afresh(
    writes: WriteRequests, connector: Connector
) -> None:
    ttl = timedelta(hours=1)
    await writes.claim(owner=ANN, request_key=KEY, connector_id=connector.id, op=NOTE, now=START)
    await writes.complete(owner=ANN, request_key=KEY, result=RESULT)
    just_before = START + timedelta(days=1) - timedelta(seconds=1)
    assert isinstance(
        await writes.claim(
            owner=ANN, request_key=KEY, connector_id=connector.id, op=NOTE, now=just_before
        ),
        AlreadyDone,
    )
    later = START + timedelta(days=1)
    again = await writes.claim(
        owner=ANN, request_key=KEY, connector_id=connector.id, op=NOTE, now=later, ttl=ttl
    )
    assert again == Claimed()
    record = await writes.get(owner=ANN, request_key=KEY)
    assert record is not None
    assert (record.state, record.result, record.expires_at) == (
        WriteState.PENDING,
        None,
        later + ttl,
    )


async def test_purge_deletes_only_expired_keys(
    writes: WriteRequests, store: ConnectorStore, connector: Connector
) -> None:
    bobs = _connector(store, BOB)
    keys = [new_request_key() for _ in range(3)]
    for hours, key in enumerate(keys, start=1):
        await writes.claim(
            owner=ANN,
            request_key=key,
            connector_id=connector.id,
            op=NOTE,
            now=START,
            ttl=timedelta(hours=hours),
        )
    await _claim(writes, bobs, owner=BOB, key=keys[0])  # expires in a day
    assert await writes.purge_expired(START + timedelta(hours=2)) == 2
    assert [await writes.get(owner=ANN, request_key=key) is None for key in keys] == [
        True,
        True,
        False,
    ]
    assert await writes.get(owner=BOB, request_key=keys[0]) is not None
    assert await writes.purge_expired(START + timedelta(hours=2)) == 0


async def test_claims_purge_expired_keys_at_most_every_ten_minutes(
    db_engine: Engine, connector: Connector
) -> None:
    writes = WriteRequests(db_engine)
    short = timedelta(minutes=1)
    old, newer, fresh = (new_request_key() for _ in range(3))

    async def claim(key: str, minutes: float) -> None:
        now = START + timedelta(minutes=minutes)
        await writes.claim(
            owner=ANN, request_key=key, connector_id=connector.id, op=NOTE, now=now, ttl=short
        )

    async def kept(key: str) -> bool:
        return await writes.get(owner=ANN, request_key=key) is not None

    await claim(old, 0)  # the first claim purges (nothing yet)
    await claim(newer, 5)  # within ten minutes: no purge, though `old` expired
    assert await kept(old)
    await claim(fresh, 10)  # ten minutes after the last purge: purges both
    assert (await kept(old), await kept(newer), await kept(fresh)) == (False, False, True)


async def test_another_owner_with_the_same_key_is_another_key(
    writes: WriteRequests, store: ConnectorStore, connector: Connector
) -> None:
    bobs = _connector(store, BOB)
    assert await _claim(writes, connector) == Claimed()
    assert await _claim(writes, bobs, owner=BOB) == Claimed()
    await writes.complete(owner=BOB, request_key=KEY, result={"bob": True})
    assert isinstance(await _claim(writes, connector, minutes=1), InFlight)
    await writes.release(owner=BOB, request_key=KEY)  # Bob's is done: kept
    await writes.complete(owner=ANN, request_key=KEY, result=RESULT)
    anns, bob_again = await _claim(writes, connector), await _claim(writes, bobs, owner=BOB)
    assert isinstance(anns, AlreadyDone)
    assert isinstance(bob_again, AlreadyDone)
    assert (anns.record.result, bob_again.record.result) == (RESULT, {"bob": True})


async def test_another_user_replaying_a_submit_claims_nothing(
    writes: WriteRequests, connector: Connector
) -> None:
    with pytest.raises(ConnectorNotFound):
        await _claim(writes, connector, owner=BOB)
    assert await writes.get(owner=BOB, request_key=KEY) is None
    assert await _claim(writes, connector) == Claimed()
    with pytest.raises(ConnectorNotFound):
        await _claim(writes, connector, owner=BOB)
    with pytest.raises(ConnectorNotFound):
        await _claim(writes, connector, connector_id="f" * 32)


BAD_INPUT: list[tuple[dict[str, object], str]] = [
    ({"request_key": "0123456789ABCDEF0123456789ABCDEF"}, "32 hexadecimal"),
    ({"request_key": KEY[:-1]}, "32 hexadecimal"),
    ({"request_key": KEY + "\n"}, "32 hexadecimal"),
    ({"now": START.replace(tzinfo=None)}, "timezone-aware"),
    ({"ttl": timedelta(0)}, "positive"),
    ({"stale_after": -timedelta(seconds=1)}, "positive"),
    ({"op": ""}, "required"),
    ({"connector_id": ""}, "required"),
    ({"owner": ""}, "owner is required"),
]


async def test_bad_input_is_refused_and_stores_nothing(
    writes: WriteRequests, connector: Connector
) -> None:
    arguments: dict[str, object] = {
        "owner": ANN,
        "request_key": KEY,
        "connector_id": connector.id,
        "op": NOTE,
        "now": START,
    }
    for change, message in BAD_INPUT:
        with pytest.raises(ValueError, match=message):
            await writes.claim(**arguments | change)  # type: ignore[arg-type]
    assert await writes.get(owner=ANN, request_key=KEY) is None
    with pytest.raises(ValueError, match="32 hexadecimal"):
        await writes.complete(owner=ANN, request_key="nope", result=RESULT)
    with pytest.raises(ValueError, match="timezone-aware"):
        await writes.purge_expired(START.replace(tzinfo=None))
    assert await _claim(writes, connector) == Claimed()  # the good input still works


async def test_a_state_from_a_newer_version_reads_as_in_flight(
    writes: WriteRequests, db_engine: Engine, connector: Connector
) -> None:
    await _claim(writes, connector)
    with db_engine.begin() as connection:
        connection.execute(update(write_requests).values(state="checking"))
    claim = await _claim(writes, connector, minutes=30)
    assert isinstance(claim, InFlight)
    assert claim.record.state is WriteState.PENDING


async def test_an_unreachable_database_is_a_store_error() -> None:
    engine = create_database_engine("postgresql://cardin:hunter2@127.0.0.1:1/cardin")
    writes = WriteRequests(engine)
    with pytest.raises(StoreError, match="database failed") as raised:
        await writes.claim(owner=ANN, request_key=KEY, connector_id="c" * 32, op=NOTE, now=START)
    assert "hunter2" not in str(raised.value)
    with pytest.raises(StoreError):
        await writes.complete(owner=ANN, request_key=KEY, result=RESULT)


def test_new_request_keys_are_valid_and_distinct() -> None:
    keys = {new_request_key() for _ in range(100)}
    assert len(keys) == 100
    assert all(len(key) == 32 and int(key, 16) >= 0 and key == key.lower() for key in keys)
