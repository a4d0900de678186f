"""Hostile values in every field the client reads: a bad field drops that field, never the person.

For each payload Cardin reads and each field of its model: null, a missing key, a value of the
wrong type, a non-finite number, and a null or a wrong element inside lists. The sender must still
be found and shown as a valid card; only the fields without which there is no person (the
person's id in the search and the person, the account's user and company) may fail the lookup.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pydantic import TypeAdapter, ValidationError

from cardin.cache import MemoryCache
from cardin.cards import CardContext, render_outcome_card, trigger_response
from cardin.connectors import ALL_FEATURES
from cardin.contact.model import Match
from cardin.lookup import AccountKey, Limits, LookupEngine
from cardin.lookup.outcome import failure_of
from cardin.pipedrive import (
    ApiToken,
    BadResponse,
    PipedriveError,
    RetryPolicy,
    UnexpectedCompanyDomain,
)
from cardin.pipedrive.models import (
    ActivityInfo,
    ActivityTypeInfo,
    Address,
    ContactPoint,
    CurrentUser,
    DealInfo,
    FieldOption,
    IdRef,
    Language,
    NoteInfo,
    NoteUser,
    OrganizationInfo,
    Person,
    PersonField,
    PersonSearchItem,
    Picture,
    PipedriveModel,
    Pipeline,
    SearchHit,
    SearchOrganization,
    Stage,
    User,
)
from cardin.sandbox import (
    DEMO_COMPANY_ID,
    DEMO_TOKEN,
    DEMO_USER_ID,
    RICH_EMAIL,
    Sandbox,
    demo_dataset,
)
from tests.cards.fixtures import ACTION_URL
from tests.cards.validate import assert_valid_response
from tests.conftest import NOW, SANDBOX_URL, TODAY
from tests.lookup.upstream import Call, DoctoredUpstream, Replaying

# The demo account, as a connector records it: its metadata is cached under it.
DEMO_ACCOUNT = AccountKey(DEMO_COMPANY_ID, DEMO_USER_ID)

Objects = Callable[[Any], list[dict[str, Any]]]
MISSING = object()


def whole(data: Any) -> list[dict[str, Any]]:
    return [data] if isinstance(data, dict) else []


def each(data: Any) -> list[dict[str, Any]]:
    return [item for item in data or [] if isinstance(item, dict)]


def inside(key: str, objects: Objects = whole) -> Objects:
    """The objects under `key` (one object or a list of them) of each object `objects` finds."""

    def find(data: Any) -> list[dict[str, Any]]:
        found = []
        for parent in objects(data):
            value = parent.get(key)
            found.extend(each(value) if isinstance(value, list) else whole(value))
        return found

    return find


def hits(data: Any) -> list[dict[str, Any]]:
    return each(data.get("items"))


@dataclass(frozen=True)
class Payload:
    """Objects of one model inside the replies to one call."""

    name: str
    call: Call
    model: type[PipedriveModel]
    objects: Objects
    # What else to change so that the lookup makes this call at all.
    setup: tuple[tuple[Call, Callable[[Any], object]], ...] = ()


def no_organization_hint(data: Any) -> None:
    """The search hit without its organization: the engine fetches the organization then."""
    for hit in hits(data):
        hit["item"]["organization"] = None


def no_users(data: Any) -> None:
    """An empty user list: the engine fetches the owner by id then."""
    data.clear()


SEARCH = Call(r"/api/v2/persons/search")
PERSON = Call(r"/api/v2/persons/\d+")
ORGANIZATION = Call(r"/api/v2/organizations/\d+")
ME = Call(r"/v1/users/me")
NOTES = Call(r"/v1/notes")
FIELDS = Call(r"/api/v2/personFields")
USERS = Call(r"/v1/users")
TYPES = Call(r"/v1/activityTypes")
PIPELINES = Call(r"/api/v2/pipelines")
STAGES = Call(r"/api/v2/stages")
WITHOUT_HINT = ((SEARCH, no_organization_hint),)
METADATA = {ME, USERS, FIELDS, TYPES, PIPELINES, STAGES}
# One deal in detail is enough to read deal notes and activities (and halves the requests).
LIMITS = Limits(detailed_deals=1)
PAYLOADS = [
    Payload("search hit", SEARCH, SearchHit, hits),
    Payload("search", SEARCH, PersonSearchItem, inside("item", hits)),
    Payload("search owner", SEARCH, IdRef, inside("owner", inside("item", hits))),
    Payload("search org", SEARCH, SearchOrganization, inside("organization", inside("item", hits))),
    Payload("person", PERSON, Person, whole),
    Payload("person email", PERSON, ContactPoint, inside("emails")),
    Payload("person phone", PERSON, ContactPoint, inside("phones")),
    Payload("picture", Call(r"/api/v2/persons/\d+/picture"), Picture, whole),
    Payload("organization", ORGANIZATION, OrganizationInfo, whole, WITHOUT_HINT),
    Payload("org address", ORGANIZATION, Address, inside("address"), WITHOUT_HINT),
    Payload("deals", Call(r"/api/v2/deals"), DealInfo, each),
    Payload("activities", Call(r"/api/v2/activities"), ActivityInfo, each),
    Payload("notes", NOTES, NoteInfo, each),
    Payload("note author", NOTES, NoteUser, inside("user", each)),
    Payload("users", USERS, User, each),
    Payload("user", Call(r"/v1/users/\d+"), User, whole, ((USERS, no_users),)),
    Payload("me", ME, CurrentUser, whole),
    Payload("me language", ME, Language, inside("language")),
    Payload("person fields", FIELDS, PersonField, each),
    Payload("field options", FIELDS, FieldOption, inside("options", each)),
    Payload("activity types", TYPES, ActivityTypeInfo, each),
    Payload("pipelines", PIPELINES, Pipeline, each),
    Payload("stages", STAGES, Stage, each),
]
# Without these there is no person (or no account to show one from): the lookup may fail.
IDENTITY = {("search hit", "item"), ("search", "id"), ("person", "id"), ("me", "id")}
IDENTITY |= {("me", "company_id")}
# Refused, not dropped: links and the API base are built from it (issue 8, defect 1), so a value
# that is there but is no DNS label fails the account with UnexpectedCompanyDomain.
REFUSED = {("me", "company_domain")}
# Without these there is no item: it is dropped, and a list of nothing readable is unavailable.
ITEM_IDENTITY = {("deals", "id"), ("activities", "id"), ("notes", "id"), ("users", "id")}
ITEM_IDENTITY |= {("person fields", "field_code"), ("field options", "id")}
ITEM_IDENTITY |= {("activity types", "key_string"), ("user", "id")}
ITEM_IDENTITY |= {("pipelines", "id"), ("stages", "id")}
WRONG_TYPES: tuple[Any, ...] = ("?", 7.5, {"?": [1]}, [1])


def holds(adapter: TypeAdapter[Any], empty: list[Any] | dict[str, Any]) -> bool:
    """Whether the field is a list (or an object of values) like `empty`."""
    return _accepts(adapter, empty) and not _accepts(adapter, "?")


def _accepts(adapter: TypeAdapter[Any], value: Any) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return False
    return True


def variants(model: type[PipedriveModel], field: str) -> Iterator[tuple[str, Any]]:
    """(name, new value or a function of the old one) for each hostile value of `field`."""
    info = model.model_fields[field]
    adapter: TypeAdapter[Any] = TypeAdapter(info.rebuild_annotation())
    yield "null", None
    yield "missing", MISSING
    wrong = next((v for v in WRONG_TYPES if not _accepts(adapter, v)), WRONG_TYPES[2])
    yield "wrong type", wrong
    if _accepts(adapter, 7.5) and not _accepts(adapter, "?"):
        yield "not finite", math.nan
    if holds(adapter, []):
        yield "null in list", lambda old: [None, *(old if isinstance(old, list) else [])]
        yield "wrong in list", lambda old: [[1], *(old if isinstance(old, list) else [])]
    if holds(adapter, {}):
        yield "nulls in object", lambda old: dict.fromkeys(old if isinstance(old, dict) else "?")


@dataclass
class SetField:
    """Sets `field` of every object `objects` finds in a reply's data; counts the objects."""

    objects: Objects
    field: str
    value: Any
    changed: int = 0

    def __call__(self, data: Any) -> None:
        found = self.objects(data)
        for obj in found:
            if self.value is MISSING:
                obj.pop(self.field, None)
            elif callable(self.value):
                obj[self.field] = self.value(obj.get(self.field))
            else:
                obj[self.field] = self.value
        self.changed += len(found)


@dataclass(frozen=True)
class Case:
    """One hostile value (`variant`) in one field of one payload."""

    payload: Payload
    field: str
    variant: str
    value: Any

    @property
    def is_identity(self) -> bool:
        return (self.payload.name, self.field) in IDENTITY

    @property
    def is_refused(self) -> bool:
        return (self.payload.name, self.field) in REFUSED and self.value not in (None, MISSING)

    @property
    def is_item_identity(self) -> bool:
        return (self.payload.name, self.field) in ITEM_IDENTITY


CASES = [
    pytest.param(Case(payload, field, name, value), id=f"{payload.name}.{field}:{name}")
    for payload in PAYLOADS
    for field in payload.model.model_fields
    for name, value in variants(payload.model, field)
]


@pytest.fixture(scope="module")
def replaying() -> Replaying:
    """The demo sandbox for the whole module, its answers remembered (the cases only read)."""
    sandbox = Sandbox(demo_dataset(TODAY), rate_limits=False)
    return Replaying(httpx.ASGITransport(app=sandbox.app))


@pytest.fixture(scope="module")
def warm_cache(replaying: Replaying) -> MemoryCache:
    """The account's metadata, cached once for the module's cases that are not about it."""
    cache = MemoryCache()

    async def warm() -> None:
        await look_up_rich(DoctoredUpstream(replaying), cache)

    asyncio.run(warm())
    return cache


@pytest.fixture
def upstream(replaying: Replaying) -> DoctoredUpstream:
    return DoctoredUpstream(replaying)


CONTEXT = CardContext(
    locale="en_US",
    timezone="Europe/Berlin",
    features=ALL_FEATURES,
    action_url=ACTION_URL,
    icon_base_url="https://cardin.example/static/icons",
    now=NOW,
    connector_id="c-1",
)


async def look_up_rich(upstream: DoctoredUpstream, cache: MemoryCache) -> Match | PipedriveError:
    async with httpx.AsyncClient(transport=upstream) as http:
        retry = RetryPolicy(attempts=1)
        engine = LookupEngine(
            http, cache, timeout=2.0, retry=retry, limits=LIMITS, api_base=SANDBOX_URL
        )
        try:
            result = await engine.lookup(
                RICH_EMAIL,
                credential=ApiToken(DEMO_TOKEN),
                account=DEMO_ACCOUNT,
                base_url=SANDBOX_URL,
            )
        except PipedriveError as exc:
            return exc
    assert isinstance(result, Match)
    return result


@pytest.mark.parametrize("case", CASES)
async def test_a_bad_field_never_hides_the_person(
    upstream: DoctoredUpstream, warm_cache: MemoryCache, case: Case
) -> None:
    payload = case.payload
    for call, edit in payload.setup:
        upstream.rewrite(call, edit)
    edit = SetField(payload.objects, case.field, case.value)
    upstream.rewrite(payload.call, edit)
    # The account's metadata is fetched afresh only when the case is about it.
    calls = {payload.call, *(call for call, _ in payload.setup)}
    outcome = await look_up_rich(upstream, MemoryCache() if calls & METADATA else warm_cache)
    assert edit.changed, "the lookup never read such an object"
    shown = failure_of(outcome) if isinstance(outcome, PipedriveError) else outcome
    card = render_outcome_card(shown, CONTEXT, email=RICH_EMAIL, connector_name="Pipedrive")
    assert_valid_response(trigger_response(card))
    if case.is_refused:
        assert isinstance(outcome, UnexpectedCompanyDomain)
        return
    if case.is_identity:
        assert isinstance(outcome, BadResponse)
        return
    assert isinstance(outcome, Match), f"{case}: {outcome!r}"
    assert outcome.contact.name  # the person, named (by the address when the name is unreadable)
    if not case.is_item_identity:
        # and the field alone went missing: no part of the contact is unavailable because of it
        assert not outcome.is_partial
        assert outcome.contact.fields_error is None
