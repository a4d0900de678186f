"""`POST /api/v2/deals` and `DELETE /api/v2/deals/{id}`: placement, reads after, refusals."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .writing import data, refusal, send

DELETED_DEAL = 7


async def open_deals(http: httpx.AsyncClient, person_id: int) -> int:
    """The person's `open_deals_count`."""
    response = await http.get(
        f"/api/v2/persons/{person_id}", params={"include_fields": "open_deals_count"}
    )
    return int(response.json()["data"]["open_deals_count"])


async def test_a_created_deal_is_listed_and_counted(client: httpx.AsyncClient) -> None:
    before = await open_deals(client, 22)
    body = {
        "title": "Sam Lee: pilot",
        "value": 1250.5,
        "currency": "USD",
        "person_id": 22,
        "org_id": 10,
        "pipeline_id": 2,
        "stage_id": 7,
        "expected_close_date": "2026-06-30",
        "owner_id": 2,
        "status": "open",
    }
    created = data(await send(client, "POST", "/api/v2/deals", body))
    assert {key: created[key] for key in body} == body
    assert created["creator_user_id"] == 1
    assert created["is_deleted"] is False
    listed = (await client.get("/api/v2/deals", params={"person_id": 22})).json()["data"]
    assert [deal["id"] for deal in listed] == [created["id"]]
    assert await open_deals(client, 22) == before + 1
    fetched = (await client.get(f"/api/v2/deals/{created['id']}")).json()["data"]
    assert fetched["title"] == "Sam Lee: pilot"


async def test_defaults_first_stage_of_first_pipeline_and_the_users_currency(
    client: httpx.AsyncClient,
) -> None:
    created = data(await send(client, "POST", "/api/v2/deals", {"title": "Bare"}))
    assert (created["pipeline_id"], created["stage_id"]) == (1, 1)
    assert (created["value"], created["currency"], created["status"]) == (0, "EUR", "open")
    assert created["owner_id"] == 1


async def test_a_stage_alone_implies_its_pipeline(client: httpx.AsyncClient) -> None:
    created = data(await send(client, "POST", "/api/v2/deals", {"title": "S", "stage_id": 8}))
    assert (created["pipeline_id"], created["stage_id"]) == (2, 8)
    only_pipeline = {"title": "P", "pipeline_id": 2}
    created = data(await send(client, "POST", "/api/v2/deals", only_pipeline))
    assert (created["pipeline_id"], created["stage_id"]) == (2, 6)


async def test_a_won_deal_gets_its_close_times(client: httpx.AsyncClient) -> None:
    body = {"title": "Won", "status": "won", "won_time": "2026-03-01 10:00:00"}
    created = data(await send(client, "POST", "/api/v2/deals", body))
    assert created["won_time"] == "2026-03-01T10:00:00Z"
    assert created["close_time"] == created["won_time"]
    assert created["lost_time"] is None
    won = (await client.get("/api/v2/deals", params={"status": "won"})).json()["data"]
    assert created["id"] in [deal["id"] for deal in won]


@pytest.mark.parametrize(
    ("body", "words", "schema_valid"),
    [
        ({}, "title", False),
        ({"title": "  "}, "title", True),
        ({"title": 7}, "title", False),
        ({"title": "X", "value": "lots"}, "value", False),
        ({"title": "X", "value": True}, "value", False),
        ({"title": "X", "currency": "XXX"}, "currency", True),
        ({"title": "X", "person_id": 999}, "Person not found", True),
        ({"title": "X", "org_id": 999}, "Organization not found", True),
        ({"title": "X", "owner_id": 999}, "User not found", True),
        ({"title": "X", "pipeline_id": 99}, "Pipeline not found", True),
        ({"title": "X", "stage_id": 99}, "Stage not found", True),
        ({"title": "X", "pipeline_id": 1, "stage_id": 6}, "does not belong", True),
        ({"title": "X", "expected_close_date": "soon"}, "expected_close_date", False),
        ({"title": "X", "status": "deleted"}, "status", True),
        ({"title": "X", "lost_reason": "price"}, "lost", True),
        ({"title": "X", "is_deleted": True}, "deleted", True),
        ({"title": "X", "label_ids": [1]}, "not simulated", True),
        ({"title": "X", "visible_to": 2}, "visible_to", True),
    ],
)
async def test_invalid_deals_are_refused(
    client: httpx.AsyncClient, body: dict[str, Any], words: str, *, schema_valid: bool
) -> None:
    response = await send(client, "POST", "/api/v2/deals", body, schema_valid=schema_valid)
    assert words in refusal(response, 400)
    listed = (await client.get("/api/v2/deals", params={"limit": 500})).json()["data"]
    assert "X" not in [deal["title"] for deal in listed]


async def test_a_deleted_deal_is_gone_for_every_later_write(client: httpx.AsyncClient) -> None:
    before = await open_deals(client, 1)
    assert data(await send(client, "DELETE", "/api/v2/deals/2")) == {"id": 2}
    assert await open_deals(client, 1) == before - 1
    listed = (await client.get("/api/v2/deals", params={"person_id": 1})).json()["data"]
    assert 2 not in [deal["id"] for deal in listed]
    deleted = await client.get("/api/v2/deals", params={"status": "deleted"})
    assert 2 in [deal["id"] for deal in deleted.json()["data"]]
    again = await send(client, "DELETE", "/api/v2/deals/2")
    assert refusal(again, 404) == "Entity was not found"
    note = await send(client, "POST", "/v1/notes", {"content": "x", "deal_id": 2})
    assert refusal(note, 404) == "Deal not found."
    activity = await send(client, "POST", "/api/v2/activities", {"deal_id": 2})
    assert refusal(activity, 404) == "Deal not found"


@pytest.mark.parametrize("deal_id", [DELETED_DEAL, 999999])
async def test_deleting_a_deal_that_is_gone_is_a_404(
    client: httpx.AsyncClient, deal_id: int
) -> None:
    assert refusal(await send(client, "DELETE", f"/api/v2/deals/{deal_id}"), 404)


async def test_costs(client: httpx.AsyncClient) -> None:
    created = await send(client, "POST", "/api/v2/deals", {"title": "Costs"})
    deleted = await send(client, "DELETE", f"/api/v2/deals/{data(created)['id']}")
    assert created.headers["x-daily-requests-left"] == "9999"
    # Pipedrive's daily counter is of POST and PUT requests; a DELETE is not one
    assert deleted.headers["x-daily-requests-left"] == "9999"
    log = (await client.get("/_sandbox/requests")).json()["requests"]
    assert [(r["method"], r["cost"]) for r in log] == [("POST", 5), ("DELETE", 3)]
