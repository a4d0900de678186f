"""LoggedEmails, and a connector's delete taking its keys and logged emails, on every database."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from cardin.connectors.model import Connector, ConnectorSettings
from cardin.pipedrive import ApiToken
from cardin.store import (
    AlreadyDone,
    Claimed,
    ConnectorNotFound,
    ConnectorStore,
    LoggedEmail,
    LoggedEmails,
    WriteRequests,
)
from tests.store.conftest import ACCOUNT, START, fresh_token

ANN = "google-sub-ann"
BOB = "google-sub-bob"
MESSAGE = "18c2f4a9b7e01d23"
KEY = "0123456789abcdef0123456789abcdef"


def _connector(store: ConnectorStore, owner: str = ANN) -> Connector:
    return store.create(
        owner,
        ConnectorSettings(name="Sales"),
        credential=ApiToken(fresh_token()),
        base_url="https://acme.pipedrive.com",
        account=ACCOUNT,
    )


def _entry(connector: Connector, message_id: str = MESSAGE, note_id: int = 501) -> LoggedEmail:
    return LoggedEmail(
        owner=connector.owner,
        connector_id=connector.id,
        message_id=message_id,
        person_id=7,
        note_id=note_id,
        deal_id=2**40,
        logged_at=START,
    )


@pytest.fixture
def logged(db_engine: Engine) -> LoggedEmails:
    return LoggedEmails(db_engine)


@pytest.fixture
def connector(store: ConnectorStore) -> Connector:
    return _connector(store)


async def test_a_logged_email_is_found_again(logged: LoggedEmails, connector: Connector) -> None:
    entry = _entry(connector)
    assert await logged.record(entry) == entry
    assert await logged.find(owner=ANN, connector_id=connector.id, message_id=MESSAGE) == entry
    on_person = replace(entry, message_id="other", deal_id=None)
    assert await logged.record(on_person) == on_person
    assert await logged.find(owner=ANN, connector_id=connector.id, message_id="other") == on_person


async def test_the_first_log_of_a_message_stays(logged: LoggedEmails, connector: Connector) -> None:
    first = _entry(connector)
    await logged.record(first)
    later = replace(first, note_id=502, deal_id=None, logged_at=START + timedelta(hours=1))
    assert await logged.record(later) == first
    assert await logged.find(owner=ANN, connector_id=connector.id, message_id=MESSAGE) == first


async def test_concurrent_logs_of_one_message_keep_one(
    logged: LoggedEmails, connector: Connector
) -> None:
    entries = [_entry(connector, note_id=600 + n) for n in range(5)]
    stored = await asyncio.gather(*(logged.record(entry) for entry in entries))
    assert len(set(stored)) == 1
    assert stored[0] in entries
    assert await logged.find(owner=ANN, connector_id=connector.id, message_id=MESSAGE) == stored[0]


async def test_a_log_belongs_to_its_owner_and_connector(
    logged: LoggedEmails, store: ConnectorStore, connector: Connector
) -> None:
    other = _connector(store)
    bobs = _connector(store, BOB)
    await logged.record(_entry(connector))
    assert await logged.find(owner=BOB, connector_id=connector.id, message_id=MESSAGE) is None
    assert await logged.find(owner=ANN, connector_id=other.id, message_id=MESSAGE) is None
    assert await logged.find(owner=ANN, connector_id=connector.id, message_id="unknown") is None
    # Bob cannot record on Ann's connector; his own log of the same message is his.
    with pytest.raises(ConnectorNotFound):
        await logged.record(replace(_entry(connector), owner=BOB))
    assert await logged.find(owner=BOB, connector_id=connector.id, message_id=MESSAGE) is None
    bobs_entry = replace(_entry(bobs), note_id=900)
    assert await logged.record(bobs_entry) == bobs_entry
    assert (await logged.find(owner=ANN, connector_id=connector.id, message_id=MESSAGE)) == (
        _entry(connector)
    )


async def test_bad_input_is_refused_and_stores_nothing(
    logged: LoggedEmails, connector: Connector
) -> None:
    longest = "m" * 128
    for message_id in ("", "m" * 129):
        with pytest.raises(ValueError, match="1 to 128 characters"):
            await logged.record(_entry(connector, message_id))
        with pytest.raises(ValueError, match="1 to 128 characters"):
            await logged.find(owner=ANN, connector_id=connector.id, message_id=message_id)
    with pytest.raises(ValueError, match="timezone-aware"):
        await logged.record(replace(_entry(connector), logged_at=START.replace(tzinfo=None)))
    with pytest.raises(ValueError, match="owner is required"):
        await logged.record(replace(_entry(connector), owner=""))
    with pytest.raises(ConnectorNotFound):
        await logged.record(replace(_entry(connector), connector_id="f" * 32))
    assert await logged.find(owner=ANN, connector_id=connector.id, message_id=MESSAGE) is None
    assert await logged.record(_entry(connector, longest)) == _entry(connector, longest)


async def test_deleting_a_connector_deletes_its_keys_and_logged_emails(
    db_engine: Engine, store: ConnectorStore, connector: Connector
) -> None:
    writes, logged = WriteRequests(db_engine), LoggedEmails(db_engine)
    kept = _connector(store)
    bobs = _connector(store, BOB)
    other_key = "f" * 32
    for owner, used, key in ((ANN, connector, KEY), (ANN, kept, other_key), (BOB, bobs, KEY)):
        claim = await writes.claim(
            owner=owner, request_key=key, connector_id=used.id, op="log_email", now=START
        )
        assert claim == Claimed()
        await writes.complete(owner=owner, request_key=key, result={"note_id": 1})
        await logged.record(_entry(used))

    store.delete(ANN, connector.id)

    assert await writes.get(owner=ANN, request_key=KEY) is None
    assert await logged.find(owner=ANN, connector_id=connector.id, message_id=MESSAGE) is None
    assert await writes.get(owner=ANN, request_key=other_key) is not None
    assert await logged.find(owner=ANN, connector_id=kept.id, message_id=MESSAGE) is not None
    assert await writes.get(owner=BOB, request_key=KEY) is not None
    assert await logged.find(owner=BOB, connector_id=bobs.id, message_id=MESSAGE) is not None
    # The deleted connector takes nothing new; the kept one still answers its replay.
    with pytest.raises(ConnectorNotFound):
        await logged.record(_entry(connector))
    replay = await writes.claim(
        owner=ANN, request_key=other_key, connector_id=kept.id, op="log_email", now=START
    )
    assert isinstance(replay, AlreadyDone)
