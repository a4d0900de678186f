"""Every sandbox endpoint answers what Pipedrive's OpenAPI files declare (nulls allowed)."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest
from openapi_core.validation.response.exceptions import InvalidData

from cardin.sandbox import (
    INACTIVE_TOKEN,
    RICH_EMAIL,
    SECOND_TOKEN,
    SHARED_EMAIL,
    Sandbox,
)

from .conftest import SpecChecker, client_for, get_all_v2

PERSON_COUNTS = (
    "next_activity_id,last_activity_id,open_deals_count,related_open_deals_count,"
    "closed_deals_count,related_closed_deals_count,participant_open_deals_count,"
    "participant_closed_deals_count,email_messages_count,activities_count,done_activities_count,"
    "undone_activities_count,files_count,notes_count,followers_count,won_deals_count,"
    "related_won_deals_count,lost_deals_count,related_lost_deals_count,last_incoming_mail_time,"
    "last_outgoing_mail_time,smart_bcc_email"
)
DEAL_FIELDS = "activities_count,notes_count,next_activity_id,first_won_time,participants_count"

# (method, path, query) of every endpoint, in the shapes the add-on asks for
CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/v1/users/me", {}),
    ("GET", "/v1/users", {}),
    ("GET", "/v1/users/1", {}),
    ("GET", "/v1/users/5", {}),
    ("GET", "/v1/activityTypes", {}),
    ("GET", "/v1/currencies", {}),
    ("GET", "/v1/currencies", {"term": "eu"}),
    ("GET", "/v1/personFields", {}),
    ("GET", "/v1/personFields", {"start": 5, "limit": 5}),
    ("GET", "/v1/notes", {"person_id": 1, "sort": "add_time DESC", "limit": 20}),
    ("GET", "/v1/notes", {"deal_id": 1}),
    ("GET", "/v1/notes", {"org_id": 2, "sort": "update_time ASC"}),
    ("GET", "/api/v2/personFields", {"limit": 500}),
    ("GET", "/api/v2/personFields", {"include_fields": "ui_visibility,important_fields"}),
    (
        "GET",
        "/api/v2/persons/search",
        {"term": RICH_EMAIL, "fields": "email", "exact_match": "true"},
    ),
    ("GET", "/api/v2/persons/search", {"term": SHARED_EMAIL, "fields": "email"}),
    ("GET", "/api/v2/persons/search", {"term": "mar", "include_fields": "person.picture"}),
    ("GET", "/api/v2/persons/search", {"term": "quote", "fields": "notes"}),
    ("GET", "/api/v2/persons/search", {"term": "Procurement", "fields": "custom_fields"}),
    ("GET", "/api/v2/persons/search", {"term": "nobody@unknown.example", "fields": "email"}),
    ("GET", "/api/v2/persons", {}),
    ("GET", "/api/v2/persons", {"ids": "1,2,3", "include_option_labels": "true"}),
    ("GET", "/api/v2/persons/1", {"include_fields": PERSON_COUNTS}),
    ("GET", "/api/v2/persons/1", {"include_option_labels": "true", "include_labels": "true"}),
    ("GET", "/api/v2/persons/22", {}),
    ("GET", "/api/v2/persons/23", {}),
    ("GET", "/api/v2/persons/1/picture", {}),
    ("GET", "/api/v2/organizations", {"ids": "1,2,5"}),
    ("GET", "/api/v2/organizations/7", {}),
    ("GET", "/api/v2/deals", {"person_id": 1, "status": "open,won,lost"}),
    ("GET", "/api/v2/deals", {"status": "deleted", "include_fields": DEAL_FIELDS}),
    ("GET", "/api/v2/deals/1", {"include_fields": DEAL_FIELDS}),
    ("GET", "/api/v2/deals/3", {}),
    ("GET", "/api/v2/activities", {"person_id": 1, "sort_by": "due_date"}),
    ("GET", "/api/v2/activities", {"deal_id": 1, "include_fields": "attendees"}),
    ("GET", "/api/v2/activities/3", {"include_fields": "attendees"}),
    ("GET", "/api/v2/pipelines", {}),
    ("GET", "/api/v2/stages", {}),
    ("GET", "/api/v2/stages", {"pipeline_id": 2, "sort_by": "order_nr"}),
]


@pytest.mark.parametrize(("method", "path", "query"), CALLS)
async def test_endpoint_answers_match_the_spec(
    client: httpx.AsyncClient,
    spec_checker: SpecChecker,
    method: str,
    path: str,
    query: dict[str, Any],
) -> None:
    response = await client.request(method, path, params=query)
    assert response.status_code == 200, response.text
    assert response.json()["success"] is True
    spec_checker.check(response)


async def test_created_person_matches_the_spec(
    client: httpx.AsyncClient, spec_checker: SpecChecker
) -> None:
    body = {
        "name": "Nadia Haddad",
        "emails": [{"value": "nadia@example.org", "label": "work"}],
        "phones": [{"value": "+961 1 555 010"}],
        "org_id": 7,
        "label_ids": [2],
    }
    response = await client.post("/api/v2/persons", json=body)
    assert response.status_code == 200
    spec_checker.check(response)


@pytest.mark.parametrize(("path", "status"), [("/v1/users/me", 401), ("/v1/users/99", 404)])
async def test_declared_errors_match_the_spec(
    sandbox: Sandbox, spec_checker: SpecChecker, path: str, status: int
) -> None:
    token = "wrong-token" if status == 401 else None
    async with client_for(sandbox, token) if token else client_for(sandbox) as http:
        response = await http.get(path)
    assert response.status_code == status
    spec_checker.check(response)


async def test_every_demo_object_matches_the_spec(
    client: httpx.AsyncClient, spec_checker: SpecChecker
) -> None:
    for person in await get_all_v2(client, "/api/v2/persons", limit=500):
        for query in ({}, {"include_option_labels": "true", "include_fields": PERSON_COUNTS}):
            spec_checker.check(await client.get(f"/api/v2/persons/{person['id']}", params=query))
    for path in ("/api/v2/deals", "/api/v2/activities", "/api/v2/organizations"):
        spec_checker.check(await client.get(path, params={"limit": 500}))
    for start in range(0, 200, 100):
        spec_checker.check(await client.get("/v1/notes", params={"start": start, "limit": 100}))


async def test_other_companies_match_the_spec(sandbox: Sandbox, spec_checker: SpecChecker) -> None:
    async with client_for(sandbox, SECOND_TOKEN) as http:
        for path in ("/v1/users/me", "/api/v2/persons/1", "/api/v2/personFields", "/v1/notes"):
            spec_checker.check(await http.get(path))
    async with client_for(sandbox, INACTIVE_TOKEN) as http:
        assert (await http.get("/v1/users/me")).status_code == 402


@pytest.mark.parametrize(
    ("path", "breakage"),
    [
        ("/api/v2/persons/1", lambda body: body["data"].update(visible_to="3")),
        ("/v1/activityTypes", lambda body: body["data"][0].update(icon_key="rocket")),
        ("/api/v2/personFields", lambda body: body["data"][0].pop("field_code")),
        ("/v1/users/me", lambda body: body["data"]["access"][0].update(app="unknown-app")),
    ],
)
async def test_the_patched_spec_still_rejects_wrong_shapes(
    client: httpx.AsyncClient, spec_checker: SpecChecker, path: str, breakage: Any
) -> None:
    response = await client.get(path)
    body = copy.deepcopy(response.json())
    breakage(body)
    broken = httpx.Response(200, content=json.dumps(body).encode(), request=response.request)
    with pytest.raises(InvalidData):
        spec_checker.check(broken)
