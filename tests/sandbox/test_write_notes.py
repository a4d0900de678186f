"""`POST /v1/notes`: the note as the v1 spec shapes it, visible to later reads, and its refusals."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cardin.sandbox import COLLEAGUE_TOKEN, Sandbox

from .conftest import client_for
from .writing import data, refusal, send

DELETED_DEAL = 7  # demo deal of person 1, deleted
HTML = "<div><b>Called</b> about the quote</div>\n<ul><li>line one</li></ul>\nplain & simple"


async def notes_count(http: httpx.AsyncClient, person_id: int) -> int:
    """The person's `notes_count`."""
    response = await http.get(
        f"/api/v2/persons/{person_id}", params={"include_fields": "notes_count"}
    )
    return int(response.json()["data"]["notes_count"])


async def test_a_note_on_a_person_is_listed_counted_and_found(client: httpx.AsyncClient) -> None:
    before = await notes_count(client, 22)
    note = data(await send(client, "POST", "/v1/notes", {"content": HTML, "person_id": 22}))
    assert note["content"] == HTML  # HTML kept exactly as sent
    assert (note["person_id"], note["deal_id"], note["org_id"]) == (22, None, None)
    assert note["person"] == {"name": "Sam Lee"}
    assert note["user"]["is_you"] is True
    assert note["active_flag"] is True
    listed = (await client.get("/v1/notes", params={"person_id": 22})).json()["data"]
    assert note["id"] in [n["id"] for n in listed]
    assert await notes_count(client, 22) == before + 1
    query = {"term": "about the quote", "fields": "notes"}
    hits = (await client.get("/api/v2/persons/search", params=query)).json()["data"]["items"]
    assert 22 in [hit["item"]["id"] for hit in hits]


async def test_a_note_on_a_deal_is_also_its_persons_and_organizations(
    client: httpx.AsyncClient,
) -> None:
    before = await notes_count(client, 1)
    note = data(await send(client, "POST", "/v1/notes", {"content": "Deal note", "deal_id": 2}))
    assert (note["deal_id"], note["person_id"], note["org_id"]) == (2, 1, 2)
    assert note["deal"] == {"title": "Inverter sensor retrofit"}
    on_deal = (await client.get("/v1/notes", params={"deal_id": 2})).json()["data"]
    assert [n["id"] for n in on_deal if n["content"] == "Deal note"] == [note["id"]]
    assert await notes_count(client, 1) == before + 1


async def test_pins_and_a_given_time_are_kept(client: httpx.AsyncClient) -> None:
    body = {
        "content": "Pinned",
        "person_id": 1,
        "pinned_to_person_flag": 1,
        "add_time": "2026-03-01 09:30:00",
    }
    note = data(await send(client, "POST", "/v1/notes", body))
    assert note["pinned_to_person_flag"] is True
    assert note["pinned_to_deal_flag"] is False
    assert note["add_time"] == "2026-03-01 09:30:00"
    pinned = await client.get("/v1/notes", params={"person_id": 1, "pinned_to_person_flag": 1})
    assert note["id"] in [n["id"] for n in pinned.json()["data"]]


async def test_an_admin_may_name_another_author(client: httpx.AsyncClient) -> None:
    note = data(
        await send(client, "POST", "/v1/notes", {"content": "x", "org_id": 1, "user_id": 2})
    )
    assert note["user_id"] == 2
    assert note["last_update_user_id"] == 1
    assert note["user"]["is_you"] is False


async def test_a_user_who_is_no_admin_may_not(sandbox: Sandbox) -> None:
    async with client_for(sandbox, COLLEAGUE_TOKEN) as http:
        body = {"content": "x", "org_id": 1, "user_id": 1}
        message = refusal(await send(http, "POST", "/v1/notes", body), 400)
    assert "admin" in message


@pytest.mark.parametrize(
    ("body", "words", "schema_valid"),
    [
        ({"person_id": 1}, "content", False),
        ({"content": "   ", "person_id": 1}, "content", True),
        ({"content": 5, "person_id": 1}, "content", False),
        ({"content": "x"}, "One of deal_id, person_id or org_id", True),
        ({"content": "x", "person_id": 999}, "Person not found", True),
        ({"content": "x", "person_id": "1"}, "person_id", False),
        ({"content": "x", "org_id": 999}, "Organization not found", True),
        ({"content": "x", "user_id": 999, "person_id": 1}, "User not found", True),
        ({"content": "x", "project_id": 1}, "not simulated", True),
        ({"content": "x", "person_id": 1, "pinned_to_deal_flag": 1}, "needs deal_id", True),
        ({"content": "x", "person_id": 1, "pinned_to_person_flag": 2}, "0, 1", False),
        ({"content": "x", "person_id": 1, "add_time": "yesterday"}, "add_time", True),
    ],
)
async def test_invalid_notes_are_refused_in_v1_words(
    client: httpx.AsyncClient, body: dict[str, Any], words: str, *, schema_valid: bool
) -> None:
    response = await send(client, "POST", "/v1/notes", body, schema_valid=schema_valid)
    assert words in refusal(response, 400)
    assert "code" not in response.json()  # the v1 envelope, not v2's validation body


async def test_a_note_on_a_deleted_deal_is_a_404(client: httpx.AsyncClient) -> None:
    body = {"content": "too late", "deal_id": DELETED_DEAL}
    assert refusal(await send(client, "POST", "/v1/notes", body), 404) == "Deal not found."
    listed = (await client.get("/v1/notes", params={"deal_id": DELETED_DEAL})).json()["data"]
    assert "too late" not in [n["content"] for n in listed]


async def test_a_note_costs_ten_tokens_and_one_daily_write(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    response = await send(client, "POST", "/v1/notes", {"content": "x", "person_id": 1})
    assert response.headers["x-daily-requests-left"] == "9999"
    assert sandbox.requests[-1].cost == 10
    assert sandbox.tokens_spent(sandbox.dataset.companies[0].id) == 10
