"""`POST /api/v2/activities` and `PATCH /api/v2/activities/{id}`: shapes, reads after, refusals."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cardin.sandbox import Dataset

from .writing import data, refusal, send

DELETED_DEAL = 7
FOLLOW_UP = {
    "subject": "Follow up: quote",
    "type": "meeting",
    "due_date": "2026-03-17",
    "due_time": "09:00",
    "duration": "00:45",
    "deal_id": 2,
    "org_id": 2,
    "participants": [{"person_id": 1, "primary": True}],
    "note": "<p>Bring the <b>revised</b> quote</p>",
    "owner_id": 1,
    "done": False,
}


async def counts(http: httpx.AsyncClient, person_id: int) -> dict[str, Any]:
    """The person's activity counts and next activity."""
    fields = "activities_count,undone_activities_count,done_activities_count,next_activity_id"
    response = await http.get(f"/api/v2/persons/{person_id}", params={"include_fields": fields})
    result: dict[str, Any] = response.json()["data"]
    return result


async def test_a_scheduled_activity_is_listed_and_counted(client: httpx.AsyncClient) -> None:
    before = await counts(client, 22)
    body = {**FOLLOW_UP, "deal_id": None, "org_id": None}
    body = {key: value for key, value in body.items() if value is not None}
    body["participants"] = [{"person_id": 22, "primary": True}]
    body["due_date"] = "2026-03-10"  # earlier than any of Sam Lee's others
    created = data(await send(client, "POST", "/api/v2/activities", body))
    assert created["person_id"] == 22
    assert (created["due_time"], created["duration"]) == ("09:00:00", "00:45:00")
    assert created["note"] == body["note"]
    assert created["done"] is False
    assert created["marked_as_done_time"] is None
    assert created["creator_user_id"] == 1
    listed = await client.get("/api/v2/activities", params={"person_id": 22, "done": "false"})
    assert created["id"] in [a["id"] for a in listed.json()["data"]]
    after = await counts(client, 22)
    assert after["activities_count"] == before["activities_count"] + 1
    assert after["undone_activities_count"] == before["undone_activities_count"] + 1
    assert after["next_activity_id"] == created["id"]


async def test_an_activity_on_a_deal_is_listed_with_the_deal(client: httpx.AsyncClient) -> None:
    created = data(await send(client, "POST", "/api/v2/activities", FOLLOW_UP))
    assert (created["deal_id"], created["org_id"], created["type"]) == (2, 2, "meeting")
    listed = (await client.get("/api/v2/activities", params={"deal_id": 2})).json()["data"]
    assert created["id"] in [a["id"] for a in listed]
    deal = await client.get("/api/v2/deals/2", params={"include_fields": "activities_count"})
    assert deal.json()["data"]["activities_count"] == len(listed)


async def test_defaults_type_call_subject_from_the_type_due_today(
    client: httpx.AsyncClient,
) -> None:
    created = data(await send(client, "POST", "/api/v2/activities", {"person_id": 22}))
    assert created["type"] == "call"
    assert created["subject"] == "Call"
    assert created["participants"] == [{"person_id": 22, "primary": True}]
    assert created["due_date"] == created["add_time"][:10]


async def test_the_first_participant_is_primary_when_none_is(client: httpx.AsyncClient) -> None:
    body = {"participants": [{"person_id": 2}, {"person_id": 3}]}
    created = data(await send(client, "POST", "/api/v2/activities", body))
    assert created["person_id"] == 2
    assert created["participants"] == [
        {"person_id": 2, "primary": True},
        {"person_id": 3, "primary": False},
    ]


async def test_marking_done_is_seen_at_once(client: httpx.AsyncClient, dataset: Dataset) -> None:
    open_one = next(
        a for a in dataset.companies[0].activities if a["person_id"] == 1 and not a["done"]
    )
    before = await counts(client, 1)
    path = f"/api/v2/activities/{open_one['id']}"
    done = data(await send(client, "PATCH", path, {"done": True}))
    assert done["done"] is True
    assert done["marked_as_done_time"] is not None
    assert done["subject"] == open_one["subject"]  # what the body does not name is kept
    after = await counts(client, 1)
    assert after["done_activities_count"] == before["done_activities_count"] + 1
    assert after["undone_activities_count"] == before["undone_activities_count"] - 1
    undone = await client.get("/api/v2/activities", params={"person_id": 1, "done": "false"})
    assert open_one["id"] not in [a["id"] for a in undone.json()["data"]]
    again = data(await send(client, "PATCH", path, {"done": False}))
    assert again["marked_as_done_time"] is None


async def test_an_update_can_move_the_activity_to_another_person(client: httpx.AsyncClient) -> None:
    created = data(await send(client, "POST", "/api/v2/activities", {"person_id": 22}))
    path = f"/api/v2/activities/{created['id']}"
    moved = data(
        await send(client, "PATCH", path, {"participants": [{"person_id": 2, "primary": True}]})
    )
    assert moved["person_id"] == 2
    listed = await client.get("/api/v2/activities", params={"person_id": 2})
    assert created["id"] in [a["id"] for a in listed.json()["data"]]


@pytest.mark.parametrize(
    ("body", "words", "schema_valid"),
    [
        ({"type": "rocket_launch"}, "type", True),
        ({"type": "webinar"}, "type", True),  # an inactive type
        ({"subject": 5}, "subject", False),
        ({"due_date": "17.03.2026"}, "due_date", True),
        ({"due_date": "2026-02-30"}, "due_date", True),
        ({"due_time": "9am"}, "due_time", True),
        ({"due_time": "24:00"}, "due_time", True),
        ({"duration": "forever"}, "duration", True),
        ({"participants": [{"person_id": 999, "primary": True}]}, "Person not found", True),
        ({"participants": [{"person_id": 1, "primary": "yes"}]}, "primary", False),
        (
            {
                "participants": [
                    {"person_id": 1, "primary": True},
                    {"person_id": 2, "primary": True},
                ]
            },
            "Only one",
            True,
        ),
        ({"person_id": 2, "participants": [{"person_id": 1}]}, "primary participant", True),
        ({"org_id": 999}, "Organization not found", True),
        ({"owner_id": 999}, "User not found", True),
        ({"done": "yes"}, "done", False),
        ({"lead_id": "abc"}, "not simulated", True),
        ({"priority": "high"}, "priority", False),
    ],
)
async def test_invalid_activities_are_refused(
    client: httpx.AsyncClient, body: dict[str, Any], words: str, *, schema_valid: bool
) -> None:
    response = await send(client, "POST", "/api/v2/activities", body, schema_valid=schema_valid)
    assert words in refusal(response, 400)
    assert response.json()["code"] == "ERR_SCHEMA_VALIDATION_FAILED"


async def test_a_refused_update_changes_nothing(client: httpx.AsyncClient) -> None:
    before = (await client.get("/api/v2/activities/2")).json()["data"]
    body = {"done": not before["done"], "due_time": "25:00"}
    refusal(await send(client, "PATCH", "/api/v2/activities/2", body), 400)
    assert (await client.get("/api/v2/activities/2")).json()["data"] == before


@pytest.mark.parametrize("activity_id", [999999, 0, -1])
async def test_updating_an_unknown_activity_is_a_404(
    client: httpx.AsyncClient, activity_id: int
) -> None:
    response = await send(client, "PATCH", f"/api/v2/activities/{activity_id}", {"done": True})
    assert refusal(response, 404) == "Entity was not found"


async def test_updating_a_deleted_activity_is_a_404(
    client: httpx.AsyncClient, dataset: Dataset
) -> None:
    dataset.companies[0].activities[0]["is_deleted"] = True
    response = await send(client, "PATCH", "/api/v2/activities/1", {"done": True})
    assert refusal(response, 404) == "Entity was not found"


async def test_an_activity_on_a_deleted_deal_is_a_404(client: httpx.AsyncClient) -> None:
    body = {"subject": "Too late", "deal_id": DELETED_DEAL}
    assert refusal(await send(client, "POST", "/api/v2/activities", body), 404) == "Deal not found"
    response = await send(client, "PATCH", "/api/v2/activities/2", {"deal_id": DELETED_DEAL})
    assert refusal(response, 404) == "Deal not found"


async def test_costs_and_daily_writes(client: httpx.AsyncClient) -> None:
    first = await send(client, "POST", "/api/v2/activities", {"person_id": 22})
    second = await send(client, "PATCH", "/api/v2/activities/2", {"done": True})
    assert first.headers["x-daily-requests-left"] == "9999"
    assert second.headers["x-daily-requests-left"] == "9998"
    log = (await client.get("/_sandbox/requests")).json()["requests"]
    assert [(r["method"], r["cost"]) for r in log] == [("POST", 5), ("PATCH", 5)]
