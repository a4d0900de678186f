"""Lists: v2 cursor and v1 offset pagination, filters and sorting."""

from __future__ import annotations

import httpx
import pytest

from cardin.sandbox import Dataset

from .conftest import get_all_v2

HUGE = 14


async def test_a_cursor_walk_returns_every_item_once(
    client: httpx.AsyncClient, dataset: Dataset
) -> None:
    items = await get_all_v2(client, "/api/v2/activities", person_id=HUGE, limit=37)
    ids = [item["id"] for item in items]
    expected = sorted(a["id"] for a in dataset.companies[0].activities if a["person_id"] == HUGE)
    assert len(ids) == len(set(ids)) == 500
    assert ids == expected


async def test_the_last_page_has_a_null_cursor(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v2/pipelines")).json()
    assert body["additional_data"] == {"next_cursor": None}


@pytest.mark.parametrize("query", [{"cursor": "not-a-cursor"}, {"limit": 501}, {"limit": 0}])
async def test_bad_paging_parameters_are_refused(
    client: httpx.AsyncClient, query: dict[str, str | int]
) -> None:
    response = await client.get("/api/v2/deals", params=query)
    assert response.status_code == 400
    assert response.json()["success"] is False


async def test_v1_offset_pagination_walks_the_notes(client: httpx.AsyncClient) -> None:
    seen: list[int] = []
    start = 0
    while True:
        body = (
            await client.get("/v1/notes", params={"person_id": HUGE, "start": start, "limit": 30})
        ).json()
        seen += [note["id"] for note in body["data"]]
        pagination = body["additional_data"]["pagination"]
        assert pagination["start"] == start
        if not pagination["more_items_in_collection"]:
            assert "next_start" not in pagination
            break
        start = pagination["next_start"]
    assert len(seen) == len(set(seen)) == 121  # 100, the long one, 20 on their deals


async def test_notes_sort_by_add_time_descending(client: httpx.AsyncClient) -> None:
    notes = (await client.get("/v1/notes", params={"person_id": 1, "sort": "add_time DESC"})).json()
    times = [note["add_time"] for note in notes["data"]]
    assert times == sorted(times, reverse=True)
    assert len(times) == 9  # six person notes and three deal notes


async def test_notes_filter_by_deal_and_carry_inline_objects(client: httpx.AsyncClient) -> None:
    notes = (await client.get("/v1/notes", params={"deal_id": 1})).json()["data"]
    assert [note["deal"]["title"] for note in notes] == ["Solar park maintenance 2026"]
    assert notes[0]["person"] == {"name": "Élodie Marchand"}
    assert notes[0]["organization"] == {"name": "Énergies Côte d'Azur SAS"}
    assert notes[0]["user"]["is_you"] is True


async def test_notes_reject_an_unknown_sort_field(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/notes", params={"sort": "colour DESC"})
    assert response.status_code == 400


async def test_deals_filter_by_person_and_status(client: httpx.AsyncClient) -> None:
    all_deals = (await client.get("/api/v2/deals", params={"person_id": 1})).json()["data"]
    assert len(all_deals) == 6  # the deleted duplicate is left out
    won_lost = await client.get("/api/v2/deals", params={"person_id": 1, "status": "won,lost"})
    assert {deal["status"] for deal in won_lost.json()["data"]} == {"won", "lost"}
    deleted = await client.get("/api/v2/deals", params={"person_id": 1, "status": "deleted"})
    assert [deal["is_deleted"] for deal in deleted.json()["data"]] == [True]
    assert {deal["currency"] for deal in all_deals} == {"EUR", "USD", "GBP", "SEK"}


async def test_deals_sort_by_update_time_descending(client: httpx.AsyncClient) -> None:
    query: dict[str, str | int] = {
        "person_id": HUGE,
        "sort_by": "update_time",
        "sort_direction": "desc",
        "limit": 500,
    }
    deals = (await client.get("/api/v2/deals", params=query)).json()["data"]
    times = [deal["update_time"] for deal in deals]
    assert times == sorted(times, reverse=True)
    assert len(deals) == 200


async def test_deals_by_ids_and_organization(client: httpx.AsyncClient) -> None:
    by_ids = (await client.get("/api/v2/deals", params={"ids": "3,1,999"})).json()["data"]
    assert [deal["id"] for deal in by_ids] == [1, 3]
    by_org = (await client.get("/api/v2/deals", params={"org_id": 5})).json()["data"]
    assert {deal["org_id"] for deal in by_org} == {5}
    assert {"精密部品の年間供給契約", "試作品の評価"} <= {deal["title"] for deal in by_org}


async def test_activities_filter_by_person_done_and_sort_by_due_date(
    client: httpx.AsyncClient,
) -> None:
    query: dict[str, str | int] = {"person_id": 1, "sort_by": "due_date", "done": "false"}
    planned = (await client.get("/api/v2/activities", params=query)).json()["data"]
    assert all(activity["done"] is False for activity in planned)
    dates = [(a["due_date"], a["due_time"] or "") for a in planned]
    assert dates == sorted(dates)
    every = (await client.get("/api/v2/activities", params={"person_id": 1})).json()["data"]
    types = {activity["type"] for activity in every}
    assert {"call", "meeting", "task", "deadline", "email", "lunch"} <= types


async def test_activity_person_filter_is_the_primary_participant(client: httpx.AsyncClient) -> None:
    # François joins two of the rich contact's activities but is primary in none of them
    activities = (await client.get("/api/v2/activities", params={"person_id": 24})).json()["data"]
    assert all(activity["person_id"] == 24 for activity in activities)


async def test_attendees_only_when_asked_for(client: httpx.AsyncClient) -> None:
    plain = (await client.get("/api/v2/activities/3")).json()["data"]
    full = (await client.get("/api/v2/activities/3", params={"include_fields": "attendees"})).json()
    assert "attendees" not in plain
    assert len(full["data"]["attendees"]) == 2


async def test_persons_list_filters(client: httpx.AsyncClient) -> None:
    by_org = (await client.get("/api/v2/persons", params={"org_id": 4})).json()["data"]
    assert {person["org_id"] for person in by_org} == {4}
    everyone = await get_all_v2(client, "/api/v2/persons", limit=10)
    assert len(everyone) == 44  # the deleted person is not listed
    by_deal = (await client.get("/api/v2/persons", params={"deal_id": 1})).json()["data"]
    assert [person["id"] for person in by_deal] == [1]


async def test_stages_of_one_pipeline(client: httpx.AsyncClient) -> None:
    stages = (await client.get("/api/v2/stages", params={"pipeline_id": 2})).json()["data"]
    assert [stage["order_nr"] for stage in stages] == [1, 2, 3]


async def test_currencies_filter_by_term(client: httpx.AsyncClient) -> None:
    found = (await client.get("/v1/currencies", params={"term": "yen"})).json()["data"]
    assert [(c["code"], c["decimal_points"]) for c in found] == [("JPY", 0)]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v2/persons/999",
        "/api/v2/deals/999",
        "/api/v2/organizations/999",
        "/api/v2/activities/999",
        "/api/v2/persons/22/picture",
    ],
)
async def test_unknown_ids_get_the_v2_not_found_body(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.json() == {
        "success": False,
        "error": "Entity was not found",
        "error_info": "Object was not found.",
        "data": None,
        "additional_data": None,
    }


async def test_unknown_user_gets_the_v1_not_found_body(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/users/7")  # the deleted user
    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "User not found or not accessible."}
