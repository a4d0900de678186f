"""The lookup engine against the sandbox: the call plan, matching, partial results, recovery."""

from __future__ import annotations

import httpx
import pytest

from cardin.cache import MemoryCache
from cardin.contact.model import (
    ActivityState,
    DealStatus,
    Match,
    NoMatch,
    OptionsValue,
    Reference,
    SectionErrorKind,
)
from cardin.lookup import AccountKey, LookupEngine, Parts
from cardin.pipedrive import ApiToken, InvalidToken, PaymentRequired, Unavailable
from cardin.sandbox import (
    DELETED_EMAIL,
    DEMO_COMPANY_ID,
    DEMO_TOKEN,
    DEMO_USER_ID,
    HUGE_EMAIL,
    INACTIVE_TOKEN,
    MINIMAL_EMAIL,
    MIXED_CASE_EMAIL,
    RICH_EMAIL,
    SHARED_EMAIL,
    UNKNOWN_EMAIL,
    FaultPlan,
    Sandbox,
)
from tests.conftest import NOW, SANDBOX_URL, FakeSleep

# The demo account, as a connector records it: its metadata is cached under it.
DEMO_ACCOUNT = AccountKey(DEMO_COMPANY_ID, DEMO_USER_ID)

ROUND_2 = {"/api/v2/persons/{id}", "/v1/notes", "/api/v2/deals", "/api/v2/activities"}
METADATA = {"/v1/users/me", "/api/v2/personFields", "/v1/activityTypes", "/v1/users"}


async def lookup(engine: LookupEngine, email: str, **kw: object) -> Match | NoMatch:
    return await engine.lookup(
        email, credential=ApiToken(DEMO_TOKEN), account=DEMO_ACCOUNT, base_url=SANDBOX_URL, **kw
    )  # type: ignore[arg-type]


async def match(engine: LookupEngine, email: str, **kw: object) -> Match:
    result = await lookup(engine, email, **kw)
    assert isinstance(result, Match)
    return result


def paths(sandbox: Sandbox) -> list[str]:
    from cardin.pipedrive.costs import path_template  # noqa: PLC0415

    return [path_template(r.path) for r in sandbox.requests]


async def test_rich_contact_has_every_part(engine: LookupEngine) -> None:
    m = await match(engine, RICH_EMAIL)
    c = m.contact
    assert c.name == "Élodie Marchand"
    assert m.reason.is_primary
    assert m.reason.label == "work"
    assert c.emails[0].is_primary
    assert len(c.emails) == 3
    assert {p.label for p in c.phones} == {"work", "home", "mobile", "other"}
    assert [label.name for label in c.labels] == ["Customer", "VIP"]
    assert c.organization is not None
    assert c.organization.url == "https://aurora-demo.pipedrive.com/organization/" + str(
        c.organization.id
    )
    assert c.picture_url
    assert c.owner is not None
    assert c.owner.is_active
    types = {f.field_type for f in c.fields}
    assert types >= {"varchar", "text", "double", "monetary", "date", "daterange", "time"}
    assert types >= {"timerange", "set", "enum", "user", "org", "people", "phone", "address"}
    interests = next(f for f in c.fields if f.field_type == "set")
    assert isinstance(interests.value, OptionsValue)
    refs = {f.field_type: f.value for f in c.fields if isinstance(f.value, Reference)}
    assert refs["people"].name
    assert refs["org"].name
    assert refs["user"].name is None  # a deleted user: not resolvable, shown by id
    assert c.notes.total >= len(c.notes.items) > 5
    assert all("<script" not in n.html and "javascript:" not in n.html for n in c.notes.items)
    assert {d.status for d in c.deals.items} == set(DealStatus)
    assert all(d.notes is not None for d in c.deals.items[:5])
    assert {a.state for a in c.activities.items} == set(ActivityState)
    assert c.activities_overview is not None
    assert c.activities_overview.next_due is not None
    assert not m.is_partial


async def test_warm_lookup_is_three_rounds_and_costs_what_is_shown(
    engine: LookupEngine, sandbox: Sandbox
) -> None:
    await lookup(engine, RICH_EMAIL)  # metadata now cached
    sandbox.reset_log()
    m = await match(engine, RICH_EMAIL)
    seen = paths(sandbox)
    assert not METADATA & set(seen)
    assert seen[0] == "/api/v2/persons/search"
    assert set(seen[1:5]) == ROUND_2
    detailed = sum(1 for d in m.contact.deals.items if d.notes is not None)
    assert detailed == 5
    references = 3  # the person field's person, the deleted user, the picture
    assert m.usage.tokens <= 62 + 30 * detailed + references
    assert m.usage.tokens == sum(r.cost for r in sandbox.requests)
    assert m.usage.requests == len(sandbox.requests)
    assert all(DEMO_TOKEN not in str(r.query) for r in sandbox.requests)


async def test_cost_does_not_grow_with_the_company(engine: LookupEngine, sandbox: Sandbox) -> None:
    await lookup(engine, MINIMAL_EMAIL)
    sandbox.reset_log()
    small = (await match(engine, MINIMAL_EMAIL)).usage.tokens
    company = sandbox.dataset.companies[0]
    company.deals.extend(
        {**company.deals[0], "id": 100_000 + i, "person_id": 1} for i in range(2000)
    )
    company.reindex()
    sandbox.reset_log()
    # the company's deals page says more exist: this lookup asks for the person's deals too
    assert (await match(engine, MINIMAL_EMAIL)).usage.tokens == small + 10
    sandbox.reset_log()
    assert (await match(engine, MINIMAL_EMAIL)).usage.tokens == small == 61
    assert "cursor" not in str([r.query for r in sandbox.requests])


async def test_minimal_contact(engine: LookupEngine) -> None:
    c = (await match(engine, MINIMAL_EMAIL)).contact
    assert (c.name, len(c.emails), c.phones, c.labels, c.fields) == ("Sam Lee", 1, (), (), ())
    assert c.notes.is_available
    assert not c.notes.items
    assert c.deals.is_available
    assert not c.deals.items
    assert c.organization is None


async def test_address_matching_ignores_case(engine: LookupEngine) -> None:
    m = await match(engine, MIXED_CASE_EMAIL.upper())
    assert m.reason.email == "Jonas.Mueller@Nordlicht.example"


async def test_several_matches_keep_the_others(engine: LookupEngine) -> None:
    m = await match(engine, SHARED_EMAIL)
    assert len(m.others) == 1
    assert m.others[0].id != m.contact.id
    assert m.others[0].url.startswith("https://aurora-demo.pipedrive.com/person/")


@pytest.mark.parametrize("email", [UNKNOWN_EMAIL, DELETED_EMAIL])
async def test_no_match(engine: LookupEngine, email: str) -> None:
    result = await lookup(engine, email)
    assert isinstance(result, NoMatch)
    assert result.search_url.startswith("https://aurora-demo.pipedrive.com/search?term=")
    assert result.usage.tokens >= 20


async def test_wrong_token_and_inactive_account(engine: LookupEngine) -> None:
    with pytest.raises(InvalidToken):
        await engine.lookup(RICH_EMAIL, credential=ApiToken("wrong"), base_url=SANDBOX_URL)
    with pytest.raises(PaymentRequired):
        await engine.lookup(RICH_EMAIL, credential=ApiToken(INACTIVE_TOKEN), base_url=SANDBOX_URL)


async def test_a_rotated_token_fails_then_the_new_one_works(
    engine: LookupEngine, sandbox: Sandbox
) -> None:
    await lookup(engine, MINIMAL_EMAIL)  # metadata cached under the old token
    new_token = sandbox.rotate_token(DEMO_TOKEN)
    with pytest.raises(InvalidToken):
        await lookup(engine, MINIMAL_EMAIL)
    result = await engine.lookup(
        MINIMAL_EMAIL, credential=ApiToken(new_token), base_url=SANDBOX_URL
    )
    assert isinstance(result, Match)


async def test_the_metadata_is_cached_per_company_and_user_not_per_token(
    engine: LookupEngine, sandbox: Sandbox
) -> None:
    await lookup(engine, MINIMAL_EMAIL)
    new_token = sandbox.rotate_token(DEMO_TOKEN)  # the same user, another credential
    sandbox.reset_log()
    await engine.lookup(
        MINIMAL_EMAIL, credential=ApiToken(new_token), account=DEMO_ACCOUNT, base_url=SANDBOX_URL
    )
    assert not METADATA & set(paths(sandbox))
    other_user = AccountKey(DEMO_COMPANY_ID, DEMO_USER_ID + 1)
    await engine.lookup(
        MINIMAL_EMAIL, credential=ApiToken(new_token), account=other_user, base_url=SANDBOX_URL
    )
    assert set(paths(sandbox)) >= METADATA


async def test_without_a_known_account_the_metadata_is_not_kept(
    engine: LookupEngine, sandbox: Sandbox
) -> None:
    for _ in range(2):
        sandbox.reset_log()
        await engine.lookup(MINIMAL_EMAIL, credential=ApiToken(DEMO_TOKEN), base_url=SANDBOX_URL)
        assert set(paths(sandbox)) >= METADATA


@pytest.mark.parametrize(
    ("fault", "kind"),
    [
        ("429@/v1/notes", SectionErrorKind.RATE_LIMITED),
        ("503@/v1/notes", SectionErrorKind.UNAVAILABLE),
        ("timeout@/v1/notes", SectionErrorKind.UNAVAILABLE),
        ("malformed@/v1/notes", SectionErrorKind.BAD_RESPONSE),
        ("truncated@/v1/notes", SectionErrorKind.BAD_RESPONSE),
    ],
)
async def test_failed_notes_leave_the_rest_and_recover(
    engine: LookupEngine, sandbox: Sandbox, fault: str, kind: SectionErrorKind
) -> None:
    sandbox.set_faults(FaultPlan.parse(fault))
    m = await match(engine, RICH_EMAIL)
    assert m.is_partial
    assert m.contact.notes.error is not None
    assert m.contact.notes.error.kind is kind
    assert m.contact.deals.is_available
    assert m.contact.deals.items
    assert all(d.notes is not None and d.notes.error for d in m.contact.deals.items[:5])
    assert m.contact.activities.items
    sandbox.set_faults(FaultPlan.none())
    recovered = await match(engine, RICH_EMAIL)
    assert not recovered.is_partial
    assert recovered.contact.notes.items


async def test_rate_limit_reports_when_to_retry(engine: LookupEngine, sandbox: Sandbox) -> None:
    sandbox.set_faults(FaultPlan.parse("429@/api/v2/deals"))
    m = await match(engine, RICH_EMAIL)
    error = m.contact.deals.error
    assert error is not None
    assert error.kind is SectionErrorKind.RATE_LIMITED
    assert error.retry_after is not None
    assert error.retry_after > 0
    assert m.contact.deals_overview is None
    assert m.contact.activities.items  # the activities still came


async def test_a_failed_search_fails_the_lookup_then_recovers(
    engine: LookupEngine, sandbox: Sandbox
) -> None:
    sandbox.set_faults(FaultPlan.parse("500@/api/v2/persons/search"))
    with pytest.raises(Unavailable):
        await lookup(engine, RICH_EMAIL)
    searches = [r for r in sandbox.requests if r.path == "/api/v2/persons/search"]
    assert len(searches) == 2  # bounded: one retry
    sandbox.set_faults(FaultPlan.none())
    assert isinstance(await lookup(engine, RICH_EMAIL), Match)


async def test_transient_errors_are_retried_invisibly(
    engine: LookupEngine, sandbox: Sandbox, fake_sleep: FakeSleep
) -> None:
    sandbox.set_faults(FaultPlan.parse("502:0.15"))
    results = [await lookup(engine, MINIMAL_EMAIL) for _ in range(6)]
    faulted = [r for r in sandbox.requests if r.fault]
    assert faulted, "the seeded fault plan should have hit some requests"
    assert len(fake_sleep.delays) >= len(faulted) - 1
    assert all(isinstance(r, Match) for r in results)


async def test_failed_person_fields_degrade_and_are_refetched(
    engine: LookupEngine, sandbox: Sandbox
) -> None:
    sandbox.set_faults(FaultPlan.parse("503@/api/v2/personFields"))
    m = await match(engine, RICH_EMAIL)
    assert m.contact.fields == ()
    assert m.contact.fields_error is not None
    sandbox.set_faults(FaultPlan.none())
    sandbox.reset_log()
    again = await match(engine, RICH_EMAIL)
    assert "/api/v2/personFields" in paths(sandbox)  # not cached while incomplete
    assert again.contact.fields
    assert again.contact.fields_error is None


async def test_parts_switched_off_are_not_fetched(engine: LookupEngine, sandbox: Sandbox) -> None:
    await lookup(engine, MINIMAL_EMAIL)
    sandbox.reset_log()
    parts = Parts(notes=False, deals=False, activities=False, custom_fields=False, owner=False)
    m = await match(engine, RICH_EMAIL, parts=parts)
    assert set(paths(sandbox)) == {
        "/api/v2/persons/search",
        "/api/v2/persons/{id}",
        "/api/v2/persons/{id}/picture",
    }
    c = m.contact
    assert (c.fields, c.notes.items, c.deals.items, c.activities.items, c.owner) == (
        (),
        (),
        (),
        (),
        None,
    )


async def test_huge_contact_fetches_details_of_five_deals_only(
    engine: LookupEngine, sandbox: Sandbox, http: httpx.AsyncClient
) -> None:
    m = await match(engine, HUGE_EMAIL)
    deals = m.contact.deals.items
    assert len(deals) >= 200
    assert sum(d.notes is not None for d in deals) == 5
    assert deals[0].status is DealStatus.OPEN
    assert len(m.contact.activities.items) >= 500 or m.contact.activities.total >= 500
    # a deal's own calls only where the person's lists do not hold all of its items
    assert len([r for r in sandbox.requests if r.query.get("deal_id")]) < 10
    plain = LookupEngine(
        http, MemoryCache(), api_base=SANDBOX_URL, clock=lambda: NOW, adaptive=False
    )
    sandbox.reset_log()
    every_call = await match(plain, HUGE_EMAIL)
    assert len([r for r in sandbox.requests if r.query.get("deal_id")]) == 10
    assert every_call.contact.deals == m.contact.deals
    assert every_call.contact.notes == m.contact.notes
