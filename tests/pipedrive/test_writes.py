"""The client's writes and form look-ups: each request matches its operation in Pipedrive's
OpenAPI files (openapi-core, plus no undeclared property), and the reply is read."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from openapi_core.validation.request.exceptions import RequestValidationError

from cardin.pipedrive import ApiTokenAuth, BadResponse, PipedriveClient, token_cost

from .openapi import assert_valid_request, raw_spec, request_schema, undeclared

TOKEN = "secret-token-0123456789"
BERLIN = ZoneInfo("Europe/Berlin")


def envelope(data: object) -> dict[str, Any]:
    return {"success": True, "data": data}


# Replies by (method, path): small, as Pipedrive shapes them.
REPLIES: dict[tuple[str, str], object] = {
    ("POST", "/v1/notes"): envelope({"id": 50, "content": "<p>Hi</p>", "person_id": 1}),
    ("POST", "/api/v2/activities"): envelope(
        {"id": 60, "subject": "Call", "type": "call", "done": False, "person_id": 1}
    ),
    ("PATCH", "/api/v2/activities/60"): envelope({"id": 60, "subject": "Call", "done": True}),
    ("POST", "/api/v2/deals"): envelope(
        {"id": 70, "title": "Seats", "value": 1234.5, "currency": "EUR", "status": "open"}
    ),
    ("POST", "/api/v2/organizations"): envelope({"id": 80, "name": "Acme"}),
    ("POST", "/api/v2/persons"): envelope({"id": 90, "name": "Ann", "org_id": 80}),
    ("GET", "/api/v2/organizations/search"): envelope(
        {
            "items": [
                {"result_score": 1.0, "item": {"id": 80, "name": "Acme", "type": "organization"}},
                {"result_score": 0.5, "item": {"id": 81, "name": "Acme GmbH"}},
            ]
        }
    ),
    ("GET", "/api/v2/pipelines"): {
        "success": True,
        "data": [
            {"id": 1, "name": "Sales", "order_nr": 1, "is_deleted": False},
            {"id": 2, "name": "Partners", "order_nr": 2, "is_deleted": True},
        ],
        "additional_data": {"next_cursor": None},
    },
    ("GET", "/api/v2/stages"): {
        "success": True,
        "data": [
            {"id": 11, "name": "Lead in", "pipeline_id": 1, "order_nr": 1},
            {"id": 12, "name": "Won?", "pipeline_id": 1, "order_nr": 2, "is_deleted": False},
        ],
        "additional_data": {"next_cursor": None},
    },
    ("GET", "/v1/users/me"): envelope(
        {
            "id": 7,
            "name": "Ann",
            "company_id": 1,
            "company_domain": "acme",
            "default_currency": "EUR",
        }
    ),
}


@dataclass
class Upstream:
    """A MockTransport answering REPLIES and keeping the requests."""

    seen: list[httpx.Request]
    client: PipedriveClient


def make_upstream(replies: dict[tuple[str, str], object] | None = None) -> Upstream:
    answers = replies or REPLIES
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = answers.get((request.method, request.url.path))
        if body is None:
            return httpx.Response(404, json={"success": False, "error": "Unknown"})
        return httpx.Response(200, json=body)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
    client = PipedriveClient(http, auth=ApiTokenAuth(TOKEN), base_url="https://acme.pipedrive.com")
    return Upstream(seen, client)


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


Call = Callable[[PipedriveClient], Awaitable[object]]

# Each write (and form look-up) in its fullest and its barest form: (call, method, path, body)
CALLS: dict[str, tuple[Call, str, str, dict[str, Any] | None]] = {
    "note on a person": (
        lambda c: c.create_note(content="<p>Hi<br>there</p>", person_id=1),
        "POST",
        "/v1/notes",
        {"content": "<p>Hi<br>there</p>", "person_id": 1},
    ),
    "note on a deal, person and organization": (
        lambda c: c.create_note(content="x", person_id=1, deal_id=2, org_id=3),
        "POST",
        "/v1/notes",
        {"content": "x", "person_id": 1, "deal_id": 2, "org_id": 3},
    ),
    "activity, everything": (
        lambda c: c.create_activity(
            subject="Follow up: Offer",
            type="call",
            due=datetime(2026, 3, 17, 9, 0, tzinfo=BERLIN),
            duration=timedelta(minutes=90),
            person_id=1,
            deal_id=2,
            note="<p>Bring slides</p>",
            owner_id=5,
        ),
        "POST",
        "/api/v2/activities",
        {
            "subject": "Follow up: Offer",
            "type": "call",
            "participants": [{"person_id": 1, "primary": True}],
            "due_date": "2026-03-17",
            "due_time": "08:00",
            "duration": "01:30",
            "deal_id": 2,
            "note": "<p>Bring slides</p>",
            "owner_id": 5,
        },
    ),
    "activity, bare": (
        lambda c: c.create_activity(
            subject="Call", type="call", due=None, duration=None, person_id=1
        ),
        "POST",
        "/api/v2/activities",
        {"subject": "Call", "type": "call", "participants": [{"person_id": 1, "primary": True}]},
    ),
    "mark done": (lambda c: c.mark_activity_done(60), "PATCH", "/api/v2/activities/60", None),
    "deal, everything": (
        lambda c: c.create_deal(
            title="Seats",
            person_id=1,
            org_id=3,
            value=Decimal("1234.50"),
            currency="EUR",
            pipeline_id=1,
            stage_id=11,
            expected_close_date=date(2026, 4, 30),
            owner_id=5,
        ),
        "POST",
        "/api/v2/deals",
        {
            "title": "Seats",
            "person_id": 1,
            "org_id": 3,
            "value": 1234.5,
            "currency": "EUR",
            "pipeline_id": 1,
            "stage_id": 11,
            "expected_close_date": "2026-04-30",
            "owner_id": 5,
        },
    ),
    "deal, bare": (
        lambda c: c.create_deal(title="Seats", person_id=1),
        "POST",
        "/api/v2/deals",
        {"title": "Seats", "person_id": 1},
    ),
    "organization": (
        lambda c: c.create_organization(name="Acme", owner_id=5),
        "POST",
        "/api/v2/organizations",
        {"name": "Acme", "owner_id": 5},
    ),
    "person, everything": (
        lambda c: c.create_person(
            name="Ann",
            email="ann@acme.example",
            owner_id=5,
            org_id=80,
            phone="+49 30 1234",
            job_title="Buyer",
        ),
        "POST",
        "/api/v2/persons",
        {
            "name": "Ann",
            "emails": [{"value": "ann@acme.example", "primary": True, "label": "work"}],
            "phones": [{"value": "+49 30 1234", "primary": True, "label": "work"}],
            "owner_id": 5,
            "org_id": 80,
            "job_title": "Buyer",
        },
    ),
    "person, empty phone and title": (
        lambda c: c.create_person(
            name="Ann", email="ann@acme.example", owner_id=None, phone="", job_title=""
        ),
        "POST",
        "/api/v2/persons",
        {
            "name": "Ann",
            "emails": [{"value": "ann@acme.example", "primary": True, "label": "work"}],
        },
    ),
    "organization search": (
        lambda c: c.search_organizations("Acme"),
        "GET",
        "/api/v2/organizations/search",
        None,
    ),
    "pipelines": (lambda c: c.pipelines(), "GET", "/api/v2/pipelines", None),
    "stages": (lambda c: c.stages(), "GET", "/api/v2/stages", None),
}


@pytest.mark.parametrize("name", CALLS)
async def test_each_request_matches_its_operation_in_the_spec(name: str) -> None:
    call, method, path, expected = CALLS[name]
    upstream = make_upstream()
    result = await call(upstream.client)
    assert result
    [request] = upstream.seen
    assert (request.method, request.url.path) == (method, path)
    assert request.headers["x-api-token"] == TOKEN
    assert_valid_request(request)
    if method == "PATCH":
        assert body_of(request) == {"done": True}
    elif expected is not None:
        assert body_of(request) == expected
    assert upstream.client.meter.tokens == token_cost(method, path) > 0


def test_the_check_catches_what_pipedrive_would_refuse_or_ignore() -> None:
    """The spec check is not vacuous: a wrong type and an undeclared property both fail it."""
    wrong = httpx.Request(
        "POST",
        "https://acme.pipedrive.com/api/v2/deals",
        json={"title": "Seats", "person_id": "one"},
        headers={"x-api-token": TOKEN},
    )
    with pytest.raises(RequestValidationError):
        assert_valid_request(wrong)
    missing = httpx.Request(
        "POST",
        "https://acme.pipedrive.com/api/v2/deals",
        json={"person_id": 1},
        headers={"x-api-token": TOKEN},
    )
    with pytest.raises(RequestValidationError):
        assert_valid_request(missing)
    misspelt = httpx.Request(
        "POST",
        "https://acme.pipedrive.com/api/v2/activities",
        json={"subject": "x", "participants": [{"person_id": 1, "primary_flag": True}]},
        headers={"x-api-token": TOKEN},
    )
    with pytest.raises(AssertionError, match=r"participants\[0\]\.primary_flag"):
        assert_valid_request(misspelt)


def test_undeclared_reads_through_all_of() -> None:
    spec = raw_spec("openapi-v1.yaml")
    schema = request_schema("/v1/notes", "POST")
    assert undeclared(spec, schema, {"content": "x", "person_id": 1, "user_id": 2}) == []
    assert undeclared(spec, schema, {"content": "x", "persons_id": 1}) == [".persons_id"]


async def test_every_reply_is_read() -> None:
    upstream = make_upstream()
    client = upstream.client
    note = await client.create_note(content="<p>Hi</p>", person_id=1)
    assert (note.id, note.content, note.person_id) == (50, "<p>Hi</p>", 1)
    done = await client.mark_activity_done(60)
    assert (done.id, done.done) == (60, True)
    deal = await client.create_deal(title="Seats", person_id=1)
    assert (deal.id, deal.value, deal.currency) == (70, 1234.5, "EUR")
    org = await client.create_organization(name="Acme")
    assert (org.id, org.name) == (80, "Acme")
    found = await client.search_organizations("acme", exact=False, limit=3)
    assert [(o.id, o.name) for o in found] == [(80, "Acme"), (81, "Acme GmbH")]
    pipelines = await client.pipelines()
    assert [(p.id, p.name, p.order_nr, p.is_deleted) for p in pipelines] == [
        (1, "Sales", 1, False),
        (2, "Partners", 2, True),
    ]
    stages = await client.stages()
    assert [(s.id, s.pipeline_id, s.order_nr) for s in stages] == [(11, 1, 1), (12, 1, 2)]
    me = await client.current_user()
    assert me.default_currency == "EUR"


async def test_the_organization_search_asks_by_name() -> None:
    upstream = make_upstream()
    await upstream.client.search_organizations("Acme Ltd", exact=False, limit=3)
    params = upstream.seen[0].url.params
    assert dict(params) == {
        "term": "Acme Ltd",
        "fields": "name",
        "exact_match": "false",
        "limit": "3",
    }


async def test_an_unreadable_organization_hit_fails_the_search() -> None:
    """Dropping it could turn "exists" into "create it" (a duplicate organization)."""
    replies = dict(REPLIES)
    replies["GET", "/api/v2/organizations/search"] = envelope(
        {"items": [{"item": {"id": 80, "name": "Acme"}}, {"item": {"name": "no id"}}]}
    )
    with pytest.raises(BadResponse):
        await make_upstream(replies).client.search_organizations("Acme")


async def test_pipelines_and_stages_follow_pages() -> None:
    pages: dict[str | None, object] = {
        None: {"success": True, "data": [{"id": 1}], "additional_data": {"next_cursor": "c2"}},
        "c2": {"success": True, "data": [{"id": 2}], "additional_data": {"next_cursor": None}},
    }
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=pages[request.url.params.get("cursor")])

    http = httpx.AsyncClient(transport=httpx.MockTransport(handle))
    client = PipedriveClient(http, auth=ApiTokenAuth(TOKEN), base_url="https://acme.pipedrive.com")
    assert [s.id for s in await client.stages()] == [1, 2]
    assert [p.id for p in await client.pipelines()] == [1, 2]
    assert [r.url.params["limit"] for r in seen] == ["500"] * 4
    for request in seen:
        assert_valid_request(request)


@pytest.mark.parametrize(
    ("due", "due_date", "due_time"),
    [
        (datetime(2026, 3, 17, 0, 30, tzinfo=BERLIN), "2026-03-16", "23:30"),  # the day before
        (datetime(2026, 7, 1, 9, 0, 59, tzinfo=BERLIN), "2026-07-01", "07:00"),  # summer time
        (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), "2026-12-31", "23:59"),
        (datetime(2026, 1, 1, 8, 0, tzinfo=ZoneInfo("America/New_York")), "2026-01-01", "13:00"),
    ],
)
async def test_the_due_time_goes_in_utc(due: datetime, due_date: str, due_time: str) -> None:
    upstream = make_upstream()
    await upstream.client.create_activity(
        subject="s", type="call", due=due, duration=None, person_id=1
    )
    body = body_of(upstream.seen[0])
    assert (body["due_date"], body["due_time"]) == (due_date, due_time)


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (timedelta(0), "00:00"),
        (timedelta(minutes=15), "00:15"),
        (timedelta(hours=2, seconds=59), "02:00"),
        (timedelta(days=1, minutes=5), "24:05"),
    ],
)
async def test_the_duration_goes_as_hours_and_minutes(duration: timedelta, text: str) -> None:
    upstream = make_upstream()
    await upstream.client.create_activity(
        subject="s", type="call", due=None, duration=duration, person_id=1
    )
    assert body_of(upstream.seen[0])["duration"] == text


@pytest.mark.parametrize(
    ("value", "sent"),
    [
        (Decimal(1000), 1000),
        (Decimal("1000.00"), 1000),
        (Decimal("0.1"), 0.1),
        (Decimal("-5.25"), -5.25),
        (Decimal(0), 0),
        (Decimal(999999999999999999), 999999999999999999),
    ],
)
async def test_a_deal_value_is_a_json_number(value: Decimal, sent: float) -> None:
    upstream = make_upstream()
    await upstream.client.create_deal(title="t", person_id=1, value=value, currency="EUR")
    request = upstream.seen[0]
    assert body_of(request)["value"] == sent
    assert type(body_of(request)["value"]) is type(sent)
    assert_valid_request(request)


BAD_INPUT: dict[str, Call] = {
    "naive due time": lambda c: c.create_activity(
        subject="s",
        type="call",
        due=datetime(2026, 3, 17, 9),  # noqa: DTZ001 - naive on purpose
        duration=None,
        person_id=1,
    ),
    "negative duration": lambda c: c.create_activity(
        subject="s", type="call", due=None, duration=timedelta(minutes=-1), person_id=1
    ),
    "value NaN": lambda c: c.create_deal(title="t", person_id=1, value=Decimal("NaN")),
    "value infinite": lambda c: c.create_deal(title="t", person_id=1, value=Decimal("-Infinity")),
    "value too large": lambda c: c.create_deal(title="t", person_id=1, value=Decimal("1e18")),
    "value huge exponent": lambda c: c.create_deal(
        title="t", person_id=1, value=Decimal("1e999999")
    ),
    "note on nothing": lambda c: c.create_note(content="x"),
}


@pytest.mark.parametrize("name", BAD_INPUT)
async def test_bad_input_is_refused_before_anything_is_sent(name: str) -> None:
    upstream = make_upstream()
    with pytest.raises(ValueError, match=r"\w"):
        await BAD_INPUT[name](upstream.client)
    assert upstream.seen == []
    assert upstream.client.meter.requests == 0
