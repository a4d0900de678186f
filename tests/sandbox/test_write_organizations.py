"""`POST /api/v2/organizations`, `GET /api/v2/organizations/search`, and a person in a new one."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cardin.sandbox import Dataset

from .writing import data, refusal, send, write_specs


async def search(http: httpx.AsyncClient, **query: str) -> list[dict[str, Any]]:
    """The hits of one organization search, its answer checked against the spec."""
    response = await http.get("/api/v2/organizations/search", params=query)
    write_specs().check_answer(response)
    items: list[dict[str, Any]] = data(response)["items"]
    return items


async def test_a_created_organization_is_found_at_once(client: httpx.AsyncClient) -> None:
    body = {"name": "Gamma Widgets Ltd", "owner_id": 2, "website": "https://gamma.example"}
    created = data(await send(client, "POST", "/api/v2/organizations", body))
    assert (created["name"], created["owner_id"], created["visible_to"]) == (body["name"], 2, 3)
    assert created["address"] is None
    hits = await search(client, term="gamma widgets ltd", fields="name", exact_match="true")
    assert [hit["item"]["id"] for hit in hits] == [created["id"]]
    assert hits[0]["item"]["type"] == "organization"
    assert (await client.get(f"/api/v2/organizations/{created['id']}")).status_code == 200


async def test_a_person_created_in_a_new_organization_is_counted_there(
    client: httpx.AsyncClient,
) -> None:
    org = data(await send(client, "POST", "/api/v2/organizations", {"name": "Delta Ventures"}))
    person_body = {
        "name": "Dana Delta",
        "org_id": org["id"],
        "emails": [{"value": "dana@delta.example", "primary": True, "label": "work"}],
        "phones": [{"value": "+1 555 0100"}],
        "job_title": "Buyer",
    }
    person = data(await send(client, "POST", "/api/v2/persons", person_body))
    assert (person["org_id"], person["job_title"]) == (org["id"], "Buyer")
    assert person["phones"] == [{"value": "+1 555 0100", "primary": True, "label": "work"}]
    fetched = await client.get(
        f"/api/v2/organizations/{org['id']}", params={"include_fields": "people_count"}
    )
    assert fetched.json()["data"]["people_count"] == 1
    members = await client.get("/api/v2/persons", params={"org_id": org["id"]})
    assert [p["id"] for p in members.json()["data"]] == [person["id"]]


async def test_search_by_part_of_the_name_or_the_address(client: httpx.AsyncClient) -> None:
    by_name = await search(client, term="nordlicht")
    assert [hit["item"]["id"] for hit in by_name] == [1]
    assert by_name[0]["item"]["address"].startswith("Leopoldstraße")
    by_address = await search(client, term="München", fields="address")
    assert [hit["item"]["id"] for hit in by_address] == [1]
    assert await search(client, term="München", fields="name") == []
    assert await search(client, term="nordlicht", exact_match="true") == []


@pytest.mark.parametrize(
    "query",
    [{"term": "x"}, {"term": "ab", "fields": "email"}, {"term": "ab", "exact_match": "maybe"}],
)
async def test_bad_searches_are_refused(client: httpx.AsyncClient, query: dict[str, str]) -> None:
    response = await client.get("/api/v2/organizations/search", params=query)
    refusal(response, 400)
    write_specs().check_answer(response)


@pytest.mark.parametrize(
    ("body", "words", "schema_valid"),
    [
        ({}, "name", False),
        ({"name": ""}, "name", True),
        ({"name": 5}, "name", False),
        ({"name": "X", "owner_id": 999}, "User not found", True),
        ({"name": "X", "visible_to": 4}, "visible_to", True),
        ({"name": "X", "address": "Main St"}, "address", False),
        ({"name": "X", "employee_count": "many"}, "employee_count", False),
        ({"name": "X", "custom_fields": {"abc": 1}}, "not simulated", True),
    ],
)
async def test_invalid_organizations_are_refused(
    client: httpx.AsyncClient, body: dict[str, Any], words: str, *, schema_valid: bool
) -> None:
    response = await send(client, "POST", "/api/v2/organizations", body, schema_valid=schema_valid)
    assert words in refusal(response, 400)


async def test_a_person_in_a_deleted_organization_is_refused(
    client: httpx.AsyncClient, dataset: Dataset
) -> None:
    org = dataset.companies[0].get("organizations", 11)
    assert org is not None
    org["is_deleted"] = True
    response = await send(client, "POST", "/api/v2/persons", {"name": "Late", "org_id": 11})
    assert "Organization not found" in refusal(response, 400)
    assert await search(client, term="Łódź Systemy") == []


async def test_costs(client: httpx.AsyncClient) -> None:
    created = await send(client, "POST", "/api/v2/organizations", {"name": "Costs"})
    await client.get("/api/v2/organizations/search", params={"term": "Costs"})
    assert created.headers["x-daily-requests-left"] == "9999"
    log = (await client.get("/_sandbox/requests")).json()["requests"]
    assert [(r["method"], r["cost"]) for r in log] == [("POST", 5), ("GET", 20)]
