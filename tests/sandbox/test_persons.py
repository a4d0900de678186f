"""Person details: computed counts, custom fields and labels, pictures, and creating a person."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cardin.sandbox import Dataset, Sandbox
from cardin.sandbox.demo_fields import DELETED_INTEREST_ID, DELETED_USER_ID, KEY

COUNTS = (
    "open_deals_count,won_deals_count,lost_deals_count,closed_deals_count,activities_count,"
    "done_activities_count,undone_activities_count,notes_count,next_activity_id,last_activity_id"
)


async def person(http: httpx.AsyncClient, person_id: int, **params: Any) -> dict[str, Any]:
    """The `data` of GET /api/v2/persons/{id}."""
    response = await http.get(f"/api/v2/persons/{person_id}", params=params)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data


async def test_counts_of_the_rich_contact(client: httpx.AsyncClient) -> None:
    data = await person(client, 1, include_fields=COUNTS)
    assert data["open_deals_count"] == 3
    assert data["won_deals_count"] == 2
    assert data["lost_deals_count"] == 1
    assert data["closed_deals_count"] == 3
    assert data["activities_count"] == 13
    assert data["done_activities_count"] + data["undone_activities_count"] == 13
    assert data["notes_count"] == 9


@pytest.mark.parametrize("person_id", [1, 14, 22])
async def test_counts_agree_with_the_lists(
    client: httpx.AsyncClient, dataset: Dataset, person_id: int
) -> None:
    data = await person(client, person_id, include_fields=COUNTS)
    company = dataset.companies[0]
    deals = [d for d in company.deals if d["person_id"] == person_id and not d["is_deleted"]]
    activities = [a for a in company.activities if a["person_id"] == person_id]
    notes = [n for n in company.notes if n["person_id"] == person_id]
    assert data["open_deals_count"] == sum(d["status"] == "open" for d in deals)
    assert data["won_deals_count"] == sum(d["status"] == "won" for d in deals)
    assert data["activities_count"] == len(activities)
    assert data["undone_activities_count"] == sum(not a["done"] for a in activities)
    assert data["notes_count"] == len(notes)


async def test_counts_are_only_there_when_asked_for(client: httpx.AsyncClient) -> None:
    assert "open_deals_count" not in await person(client, 1)
    response = await client.get("/api/v2/persons/1", params={"include_fields": "shoe_size"})
    assert response.status_code == 400


async def test_next_activity_is_the_earliest_undone_one(
    client: httpx.AsyncClient, dataset: Dataset
) -> None:
    data = await person(client, 1, include_fields="next_activity_id")
    activity = dataset.companies[0].get("activities", data["next_activity_id"])
    assert activity is not None
    assert activity["subject"] == "Send the revised quote"  # overdue since three days


async def test_custom_fields_have_every_key_and_raw_values(client: httpx.AsyncClient) -> None:
    custom = (await person(client, 1))["custom_fields"]
    assert set(custom) == set(KEY.values())
    assert custom[KEY["Interests"]] == [101, 103, DELETED_INTEREST_ID]
    assert custom[KEY["Customer tier"]] == 114
    assert custom[KEY["Account manager"]] == DELETED_USER_ID
    assert custom[KEY["Annual budget"]] == {"value": 250000, "currency": "EUR"}
    minimal = (await person(client, 22))["custom_fields"]
    assert set(minimal.values()) == {None}


async def test_option_labels_and_labels(client: httpx.AsyncClient) -> None:
    data = await person(client, 1, include_option_labels="true", include_labels="true")
    custom = data["custom_fields"]
    assert custom[KEY["Customer tier"]] == {"id": 114, "label": "Platinum"}
    assert custom[KEY["Interests"]] == [
        {"id": 101, "label": "Webinars"},
        {"id": 103, "label": "Newsletter"},
        {"id": DELETED_INTEREST_ID, "label": None},
    ]
    assert data["labels"] == [{"id": 1, "label": "Customer"}, {"id": 5, "label": "VIP"}]


async def test_custom_fields_parameter_limits_the_keys(client: httpx.AsyncClient) -> None:
    data = await person(client, 1, custom_fields=KEY["Direct line"])
    assert data["custom_fields"] == {KEY["Direct line"]: "+33 4 93 00 11 22"}


async def test_contact_sync_fields_follow_the_company_setting(client: httpx.AsyncClient) -> None:
    data = await person(client, 1)
    assert data["birthday"] == "1984-06-21"
    assert data["im"][0]["label"] == "skype"


async def test_picture_points_at_a_served_avatar(client: httpx.AsyncClient) -> None:
    picture = (await client.get("/api/v2/persons/1/picture")).json()["data"]
    assert picture["item_id"] == 1
    avatar = await client.get(picture["pictures"]["128"])
    assert avatar.status_code == 200
    assert avatar.headers["content-type"] == "image/svg+xml"
    assert "ÉM" in avatar.text
    assert (await client.get("/_sandbox/pictures/7301001/99_128.svg")).status_code == 404


async def test_a_created_person_is_found_at_once(client: httpx.AsyncClient) -> None:
    emails = [
        {"value": "amara@newco.example", "label": "work"},
        {"value": "amara@home.example", "label": "home"},
    ]
    body = {"name": "Amara Okoye", "emails": emails}
    created = (await client.post("/api/v2/persons", json=body)).json()["data"]
    assert created["owner_id"] == 1
    assert created["first_name"] == "Amara"
    assert [email["primary"] for email in created["emails"]] == [True, False]
    query = {"term": "AMARA@newco.example", "fields": "email", "exact_match": "true"}
    found = (await client.get("/api/v2/persons/search", params=query)).json()["data"]["items"]
    assert [hit["item"]["id"] for hit in found] == [created["id"]]
    assert (await person(client, created["id"]))["name"] == "Amara Okoye"


async def test_creating_spends_a_write_request(client: httpx.AsyncClient, sandbox: Sandbox) -> None:
    response = await client.post("/api/v2/persons", json={"name": "Quick Add"})
    assert response.headers["x-daily-requests-left"] == "9999"
    assert sandbox.requests[-1].cost == 5


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "X", "owner_id": 99},
        {"name": "X", "org_id": 99},
        {"name": "X", "label_ids": [42]},
        {"name": "X", "emails": ["plain@string.example"]},
        {"name": "X", "visible_to": 2},
        {"name": "X", "custom_fields": {"nope": 1}},
        {"name": "X", "custom_fields": {KEY["Interests"]: []}},
    ],
)
async def test_invalid_bodies_are_refused(client: httpx.AsyncClient, body: dict[str, Any]) -> None:
    response = await client.post("/api/v2/persons", json=body)
    assert response.status_code == 400
    assert response.json()["success"] is False


async def test_a_body_that_is_not_json_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v2/persons", content=b"name=X")
    assert response.status_code == 400
