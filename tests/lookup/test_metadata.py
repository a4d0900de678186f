"""The account's metadata with pipelines and stages: cached with the rest, degraded (not cached)
when a part fails, and served to the forms through `LookupEngine.account_metadata` from the same
cache entry a lookup uses."""

from __future__ import annotations

import pytest

from cardin.lookup import AccountKey, AccountMetadata, LookupEngine, metadata_key
from cardin.pipedrive import ApiToken, Deadline, InvalidToken, Unavailable
from cardin.pipedrive.costs import path_template
from cardin.sandbox import (
    DEMO_COMPANY_ID,
    DEMO_TOKEN,
    DEMO_USER_ID,
    MINIMAL_EMAIL,
    FaultPlan,
    Sandbox,
)
from tests.conftest import SANDBOX_URL

DEMO_ACCOUNT = AccountKey(DEMO_COMPANY_ID, DEMO_USER_ID)
METADATA = {
    "/v1/users/me",
    "/api/v2/personFields",
    "/v1/activityTypes",
    "/v1/users",
    "/api/v2/pipelines",
    "/api/v2/stages",
}
METADATA_TOKENS = 2 + 10 + 20 + 20 + 5 + 5


def paths(sandbox: Sandbox) -> list[str]:
    return [path_template(r.path) for r in sandbox.requests]


async def metadata(
    engine: LookupEngine, account: AccountKey | None = DEMO_ACCOUNT, **kw: object
) -> AccountMetadata:
    return await engine.account_metadata(
        ApiToken(DEMO_TOKEN),
        account=account,
        base_url=SANDBOX_URL,
        **kw,  # type: ignore[arg-type]
    )


async def cached(engine: LookupEngine) -> AccountMetadata | None:
    raw = await engine._cache.get(metadata_key(DEMO_ACCOUNT))
    return None if raw is None else AccountMetadata.model_validate_json(raw)


def test_the_cache_key_is_of_this_version() -> None:
    # Entries of the version without pipelines and stages are not read as complete ones.
    assert metadata_key(DEMO_ACCOUNT) == f"cardin:meta:3:{DEMO_COMPANY_ID}:{DEMO_USER_ID}"


async def test_the_forms_get_pipelines_stages_types_and_currency(
    engine: LookupEngine, sandbox: Sandbox
) -> None:
    meta = await metadata(engine)
    company = sandbox.dataset.companies[0]
    assert meta.is_complete
    assert meta.pipelines is not None
    assert meta.stages is not None
    assert [(p.id, p.name) for p in meta.pipelines] == [
        (p["id"], p["name"]) for p in company.pipelines
    ]
    assert [(s.id, s.pipeline_id, s.order_nr) for s in meta.stages] == [
        (s["id"], s["pipeline_id"], s["order_nr"]) for s in company.stages
    ]
    assert {s.pipeline_id for s in meta.stages} == {p.id for p in meta.pipelines}
    assert meta.me.default_currency == "EUR"
    assert meta.activity_types
    assert meta.users
    assert sorted(paths(sandbox)) == sorted(METADATA)
    assert sum(r.cost for r in sandbox.requests) == METADATA_TOKENS


async def test_a_lookup_caches_them_and_the_forms_read_that_entry(
    engine: LookupEngine, sandbox: Sandbox
) -> None:
    await engine.lookup(
        MINIMAL_EMAIL, credential=ApiToken(DEMO_TOKEN), account=DEMO_ACCOUNT, base_url=SANDBOX_URL
    )
    stored = await cached(engine)
    assert stored is not None
    assert stored.pipelines
    assert stored.stages
    sandbox.reset_log()
    meta = await metadata(engine)
    assert sandbox.requests == []
    assert meta == stored


async def test_the_forms_fill_the_cache_for_the_next_lookup(
    engine: LookupEngine, sandbox: Sandbox
) -> None:
    await metadata(engine)
    sandbox.reset_log()
    await engine.lookup(
        MINIMAL_EMAIL, credential=ApiToken(DEMO_TOKEN), account=DEMO_ACCOUNT, base_url=SANDBOX_URL
    )
    assert not METADATA & set(paths(sandbox))


async def test_a_cold_lookup_sends_every_metadata_call_with_the_search(
    engine: LookupEngine, sandbox: Sandbox
) -> None:
    """Pipelines and stages add no round trip: they go out with the search, before round 2."""
    result = await engine.lookup(
        MINIMAL_EMAIL, credential=ApiToken(DEMO_TOKEN), account=DEMO_ACCOUNT, base_url=SANDBOX_URL
    )
    seen = paths(sandbox)
    first_round = METADATA | {"/api/v2/persons/search", "/api/v2/deals"}  # the company's deals
    assert set(seen[: len(first_round)]) == first_round
    assert "/api/v2/persons/{id}" in seen[len(first_round) :]
    warm_tokens = sum(r.cost for r in sandbox.requests if path_template(r.path) not in METADATA)
    assert result.usage.tokens == warm_tokens + METADATA_TOKENS


@pytest.mark.parametrize("failing", ["/api/v2/pipelines", "/api/v2/stages"])
async def test_a_failed_part_degrades_is_not_cached_and_recovers(
    engine: LookupEngine, sandbox: Sandbox, failing: str
) -> None:
    sandbox.set_faults(FaultPlan.parse(f"503@{failing}"))
    meta = await metadata(engine)
    assert not meta.is_complete
    parts = {"/api/v2/pipelines": meta.pipelines, "/api/v2/stages": meta.stages}
    assert parts.pop(failing) is None
    assert all(part for part in parts.values())
    assert meta.person_fields
    assert meta.activity_types
    assert meta.users
    assert meta.fields_error is None
    assert await cached(engine) is None
    sandbox.set_faults(FaultPlan.none())
    sandbox.reset_log()
    again = await metadata(engine)
    assert again.is_complete
    assert failing in paths(sandbox)
    assert await cached(engine) == again


async def test_without_an_account_nothing_is_kept(engine: LookupEngine, sandbox: Sandbox) -> None:
    for _ in range(2):
        sandbox.reset_log()
        meta = await metadata(engine, account=None)
        assert meta.pipelines
        assert set(paths(sandbox)) == METADATA
    assert await cached(engine) is None


@pytest.mark.parametrize("deadline", [5.0, 5, "Deadline"])
async def test_a_deadline_in_seconds_or_as_a_deadline(
    engine: LookupEngine, deadline: object
) -> None:
    given = Deadline.after(5.0) if deadline == "Deadline" else deadline
    assert (await metadata(engine, deadline=given)).is_complete


async def test_a_deadline_that_has_passed_fetches_nothing(
    engine: LookupEngine, sandbox: Sandbox
) -> None:
    with pytest.raises(Unavailable):
        await metadata(engine, deadline=0.0)
    assert sandbox.requests == []
    assert await cached(engine) is None


async def test_a_refused_token_is_an_error_not_metadata(engine: LookupEngine) -> None:
    with pytest.raises(InvalidToken):
        await engine.account_metadata(ApiToken("wrong"), account=DEMO_ACCOUNT, base_url=SANDBOX_URL)
    assert await cached(engine) is None


async def test_a_cached_entry_of_another_shape_is_fetched_afresh(
    engine: LookupEngine, sandbox: Sandbox
) -> None:
    await engine._cache.set(metadata_key(DEMO_ACCOUNT), b'{"me": "not metadata"}', 60)
    meta = await metadata(engine)
    assert meta.is_complete
    assert set(paths(sandbox)) == METADATA
    assert await cached(engine) == meta


def test_metadata_without_the_new_parts_is_incomplete() -> None:
    meta = AccountMetadata.model_validate(
        {
            "me": {"id": 1, "company_id": 2},
            "person_fields": [],
            "activity_types": [],
            "users": [],
        }
    )
    assert not meta.is_complete
    assert meta.model_copy(update={"pipelines": [], "stages": []}).is_complete
