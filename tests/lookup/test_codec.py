"""Cached lookup results: read back as they were written, and anything else is a miss."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import orjson
import pytest
from pydantic import TypeAdapter

from cardin.cache import MemoryCache
from cardin.contact.model import (
    LookupResult,
    Match,
    MoneyValue,
    NumberValue,
    Section,
    SectionError,
    SectionErrorKind,
    Usage,
)
from cardin.lookup.codec import TAG, Unreadable, dump_result, load_result
from cardin.lookup.results import (
    LOADED_ENTRIES,
    LOADED_MAX_BYTES,
    LOADED_TOTAL_BYTES,
    ResultCache,
    result_key,
)
from tests.cards import fixtures

RESULTS = {
    "rich": fixtures.rich_match,
    "minimal": fixtures.minimal_match,
    "several": fixtures.several_matches,
    "no match": fixtures.no_match,
    "partial": fixtures.partial_match,
    "huge": fixtures.huge_match,
}


@pytest.mark.parametrize("name", RESULTS)
def test_a_result_loads_as_it_was_dumped(name: str) -> None:
    result = RESULTS[name]()
    assert load_result(dump_result(result)) == result


def test_the_values_keep_their_exact_types() -> None:
    match = fixtures.rich_match()
    contact = dataclasses.replace(
        match.contact,
        deals=Section((), total=3, error=SectionError(SectionErrorKind.RATE_LIMITED, "x", 1.5)),
    )
    usage = Usage(requests=3, tokens=40, rate_limit_remaining=None)
    result = dataclasses.replace(match, contact=contact, usage=usage)
    loaded = load_result(dump_result(result))
    assert isinstance(loaded, Match)
    assert loaded.contact.deals.error == SectionError(SectionErrorKind.RATE_LIMITED, "x", 1.5)
    assert loaded.contact.deals.error is not None
    assert type(loaded.contact.deals.error.kind) is SectionErrorKind
    values = [f.value for f in loaded.contact.fields]
    assert any(type(v) is MoneyValue and type(v.amount) is Decimal for v in values)
    assert any(type(v) is NumberValue for v in values)
    durations = [a.duration for a in loaded.contact.activities.items if a.duration is not None]
    assert durations
    assert all(type(d) is timedelta for d in durations)
    assert loaded.fetched_at is None or loaded.fetched_at.tzinfo is not None


def dumped(result: LookupResult) -> dict[str, object]:
    data: dict[str, object] = orjson.loads(dump_result(result))
    return data


def changed(data: dict[str, object], **values: object) -> bytes:
    return orjson.dumps({**data, **values})


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\xff\xfe",
        b"null",
        b"[]",
        b"{}",
        b'{"@": "Nobody"}',
        b'{"@": "Match"}',
        b"not json at all",
    ],
)
def test_garbage_is_unreadable(raw: bytes) -> None:
    with pytest.raises(Unreadable):
        load_result(raw)


def test_a_value_of_the_wrong_type_is_unreadable() -> None:
    data = dumped(fixtures.rich_match())
    contact = data["contact"]
    assert isinstance(contact, dict)
    for field, wrong in (("id", "7"), ("id", True), ("name", 7), ("emails", {}), ("added", 1)):
        with pytest.raises(Unreadable):
            load_result(changed(data, contact={**contact, field: wrong}))
    with pytest.raises(Unreadable):
        load_result(changed(data, fetched_at="yesterday"))
    with pytest.raises(Unreadable):
        load_result(changed(data, usage=None))
    with pytest.raises(Unreadable):
        load_result(changed(data, **{TAG: "NoMatch"}))  # a NoMatch lacks search_url
    with pytest.raises(Unreadable):  # a moment without its zone would fail where a card uses it
        load_result(changed(data, fetched_at="2026-11-30T09:00:00"))


def test_a_duration_past_its_range_or_a_deep_nest_is_unreadable() -> None:
    data = dumped(fixtures.rich_match())
    raw = dump_result(fixtures.rich_match())
    activities = data["contact"]["activities"]["items"]  # type: ignore[index]
    duration = next(orjson.dumps(a["duration"]) for a in activities if a.get("duration"))
    with pytest.raises(Unreadable):
        load_result(raw.replace(duration, b"[1000000000,0,0]", 1))
    with pytest.raises(Unreadable):
        load_result(b"[" * 100_000 + b"]" * 100_000)


def test_the_shape_pydantic_wrote_is_unreadable() -> None:
    """What the cache held before this codec (key version 1) is a miss, not a crash."""
    result = fixtures.rich_match()
    old = TypeAdapter(LookupResult).dump_json(result)
    with pytest.raises(Unreadable):
        load_result(old)


async def test_the_result_cache_answers_a_repeat_and_misses_garbage() -> None:
    cache = MemoryCache()
    results = ResultCache(cache)
    fetched = dataclasses.replace(
        fixtures.rich_match(), usage=Usage(requests=7, tokens=120), fetched_at=datetime.now(UTC)
    )
    await results.put("c1", "ada@example.com", fetched)
    again = await results.get("c1", " ADA@example.com ")
    assert again == dataclasses.replace(fetched, usage=Usage())
    key = result_key("c1", "ada@example.com")
    assert key.startswith("cardin:result:2:")
    for garbage in (b"\x00", b"{}", TypeAdapter(LookupResult).dump_json(fetched)):
        await cache.set(key, garbage, 60)
        assert await results.get("c1", "ada@example.com") is None
    # an entry under the old key version is never read
    old_key = key.replace(":2:", ":1:")
    await cache.set(old_key, dump_result(fetched), 60)
    await cache.delete(key)
    assert await results.get("c1", "ada@example.com") is None


async def test_a_repeat_hit_returns_the_value_already_loaded_until_the_bytes_change() -> None:
    cache = MemoryCache()
    results = ResultCache(cache)
    first = fixtures.rich_match()
    await results.put("c1", "ada@example.com", first)
    loaded = await results.get("c1", "ada@example.com")
    assert loaded is await results.get("c1", "ada@example.com")
    newer = dataclasses.replace(first, contact=dataclasses.replace(first.contact, name="Ada B."))
    await results.put("c1", "ada@example.com", newer)  # another worker would write the same way
    again = await results.get("c1", "ada@example.com")
    assert again is not None
    assert isinstance(again, Match)
    assert again.contact.name == "Ada B."
    await results.forget("c1", "ada@example.com")
    assert await results.get("c1", "ada@example.com") is None


async def test_the_loaded_results_kept_are_bounded() -> None:
    results = ResultCache(MemoryCache())
    match = fixtures.minimal_match()
    for n in range(LOADED_ENTRIES + 20):
        await results.put("c1", f"p{n}@example.com", match)
        assert await results.get("c1", f"p{n}@example.com") == dataclasses.replace(
            match, usage=Usage()
        )
    assert len(results._loaded) == LOADED_ENTRIES


async def test_the_loaded_results_kept_are_bounded_in_bytes_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    results = ResultCache(MemoryCache())
    match = fixtures.rich_match()
    size = len(dump_result(match))
    assert size <= LOADED_MAX_BYTES
    assert LOADED_TOTAL_BYTES >= 16 * LOADED_MAX_BYTES  # a few large results always fit
    monkeypatch.setattr("cardin.lookup.results.LOADED_TOTAL_BYTES", 5 * size + size // 2)
    for n in range(12):
        await results.put("c1", f"p{n}@example.com", match)
        await results.get("c1", f"p{n}@example.com")
    assert len(results._loaded) == 5  # the five most recent
    assert result_key("c1", "p11@example.com") in results._loaded
    assert results._loaded_bytes == sum(len(raw) for raw, _ in results._loaded.values())
    await results.forget("c1", "p11@example.com")
    assert len(results._loaded) == 4
    assert results._loaded_bytes == sum(len(raw) for raw, _ in results._loaded.values())
