"""The runtime opens the write keys and the logged emails on the connectors' database."""

from __future__ import annotations

import asyncio
import gc
import weakref
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from cardin.addon.runtime import open_runtime
from cardin.connectors.model import ConnectorSettings
from cardin.contact.model import Account
from cardin.memory import freeze_what_the_start_made, glibc_heap, keep_trimmed
from cardin.pipedrive import ApiToken
from cardin.store import AlreadyDone, Claimed, LoggedEmail
from tests.service.harness import settings_for

SUB = "google-sub-runtime"
KEY = "0123456789abcdef0123456789abcdef"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
ACCOUNT = Account(7001, "Acme Ltd", "acme", 9001, "Ada", "ada@acme.example", "en_GB", "UTC")


def _offline(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no network expected: {request.url}")


async def test_services_write_keys_and_logged_emails_beside_the_connectors(
    tmp_path: Path,
) -> None:
    settings = settings_for(tmp_path)
    transport = httpx.MockTransport(_offline)
    async with open_runtime(settings, transport=transport) as runtime:
        connector = runtime.store.create(
            SUB,
            ConnectorSettings(name="Sales"),
            credential=ApiToken("0123456789abcdef0123456789abcdef01234567"),
            base_url="https://acme.pipedrive.com",
            account=ACCOUNT,
        )
        services = runtime.services
        # Both find the connector the store just created: one database.
        claim = await services.writes.claim(
            owner=SUB, request_key=KEY, connector_id=connector.id, op="log_email", now=NOW
        )
        assert claim == Claimed()
        await services.writes.complete(owner=SUB, request_key=KEY, result={"note_id": 5})
        entry = LoggedEmail(SUB, connector.id, "18c2f4a9b7e01d23", 7, 5, None, NOW)
        assert await services.logged.record(entry) == entry
    # A restart (another process) finds both.
    async with open_runtime(settings, transport=transport) as runtime:
        services = runtime.services
        replay = await services.writes.claim(
            owner=SUB, request_key=KEY, connector_id=connector.id, op="log_email", now=NOW
        )
        assert isinstance(replay, AlreadyDone)
        assert replay.record.result == {"note_id": 5}
        found = await services.logged.find(
            owner=SUB, connector_id=connector.id, message_id=entry.message_id
        )
        assert found == entry


async def test_copies_for_the_budget_are_kept_only_when_results_are(tmp_path: Path) -> None:
    transport = httpx.MockTransport(_offline)
    settings = settings_for(tmp_path)
    async with open_runtime(settings, transport=transport) as runtime:
        assert settings.result_ttl > 0
        assert runtime.services.keep_copies
    settings = settings.model_copy(update={"result_ttl": 0.0})
    async with open_runtime(settings, transport=transport) as runtime:
        assert not runtime.services.keep_copies


async def test_the_runtime_keeps_the_c_heap_trimmed_while_it_is_open(tmp_path: Path) -> None:
    def trimming() -> list[asyncio.Task[object]]:
        return [
            task
            for task in asyncio.all_tasks()
            if task.get_coro().__qualname__ == keep_trimmed.__qualname__  # type: ignore[union-attr]
        ]

    settings = settings_for(tmp_path)
    async with open_runtime(settings, transport=httpx.MockTransport(_offline)):
        running = trimming()
        assert len(running) == (1 if glibc_heap() is not None else 0)
    assert all(task.done() for task in running)
    assert trimming() == []


async def test_the_served_app_freezes_what_its_start_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cardin.addon import app as app_module  # noqa: PLC0415 - patched below
    from cardin.commands.serve import APP  # noqa: PLC0415

    assert APP == "cardin.addon.app:create_served_app"  # what `cardin serve` runs
    frozen: list[bool] = []
    monkeypatch.setattr(app_module, "freeze_what_the_start_made", lambda: frozen.append(True))
    monkeypatch.setattr(app_module, "load_settings", lambda: settings_for(tmp_path))
    for app, freezes in (
        (app_module.create_served_app(), True),
        (app_module.create_app(settings_for(tmp_path)), False),
    ):
        async with app.router.lifespan_context(app):
            assert frozen == ([True] if freezes else [])
        frozen.clear()


def test_freezing_sets_the_live_objects_aside() -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self  # a cycle: only the cyclic collector frees it

    garbage = Node()
    gone = weakref.ref(garbage)
    del garbage
    kept = Node()
    try:
        freeze_what_the_start_made()
        assert gone() is None  # collected first, not frozen for ever
        assert not any(o is kept for o in gc.get_objects(generation=2))  # set aside
    finally:
        gc.unfreeze()
    assert any(o is kept for o in gc.get_objects(generation=2))
