"""Person search: exact and partial, case-insensitive, several matches, no match, other accounts."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from cardin.sandbox import (
    CROSS_ACCOUNT_EMAIL,
    DELETED_EMAIL,
    HUGE_EMAIL,
    MINIMAL_EMAIL,
    MIXED_CASE_EMAIL,
    RICH_EMAIL,
    SECOND_TOKEN,
    SHARED_EMAIL,
    UNKNOWN_EMAIL,
    Sandbox,
)

from .conftest import client_for


async def search(http: httpx.AsyncClient, term: str, **params: Any) -> list[dict[str, Any]]:
    """The items of one search page."""
    response = await http.get("/api/v2/persons/search", params={"term": term, **params})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["data"]["items"]
    return items


async def by_email(http: httpx.AsyncClient, email: str) -> list[int]:
    """Ids found by the add-on's exact email lookup."""
    items = await search(http, email, fields="email", exact_match="true")
    return [item["item"]["id"] for item in items]


@pytest.mark.parametrize(
    ("email", "ids"),
    [
        (RICH_EMAIL, [1]),
        (MINIMAL_EMAIL, [22]),
        (HUGE_EMAIL, [14]),
        (SHARED_EMAIL, [6, 7]),
        (UNKNOWN_EMAIL, []),
        (DELETED_EMAIL, []),
        (MIXED_CASE_EMAIL, [2]),
        (RICH_EMAIL.upper(), [1]),
        ("elodie.m@mail.example", [1]),
    ],
)
async def test_exact_email_lookup(client: httpx.AsyncClient, email: str, ids: list[int]) -> None:
    assert await by_email(client, email) == ids


async def test_exact_match_needs_the_full_address(client: httpx.AsyncClient) -> None:
    assert await by_email(client, "elodie.marchand@cotedazur-energies") == []
    partial = await search(client, "cotedazur-energies.example", fields="email")
    assert {item["item"]["id"] for item in partial} == {1, 24, 32}


async def test_search_items_have_the_spec_shape(client: httpx.AsyncClient) -> None:
    (hit,) = await search(client, RICH_EMAIL, fields="email", exact_match="true")
    item = hit["item"]
    assert hit["result_score"] > 0
    assert item["type"] == "person"
    assert item["emails"][0] == RICH_EMAIL
    assert all(isinstance(phone, str) for phone in item["phones"])
    assert item["owner"] == {"id": 1}
    assert item["organization"]["name"] == "Énergies Côte d'Azur SAS"
    minimal = (await search(client, MINIMAL_EMAIL, fields="email"))[0]["item"]
    assert minimal["organization"] is None
    assert minimal["phones"] == []


async def test_name_search_is_case_insensitive_in_any_script(client: httpx.AsyncClient) -> None:
    assert [i["item"]["id"] for i in await search(client, "ΓΙΏΡΓΟΣ", fields="name")] == [6]
    assert [i["item"]["id"] for i in await search(client, "山田", fields="name")] == [8]
    assert [i["item"]["id"] for i in await search(client, "élodie", fields="name")] == [1]


async def test_exact_name_match_scores_above_partial(client: httpx.AsyncClient) -> None:
    hits = await search(client, "Jonas Müller", fields="name")
    assert hits[0]["item"]["id"] == 2
    assert hits[0]["result_score"] == pytest.approx(0.9)


async def test_phone_search_compares_digits(client: httpx.AsyncClient) -> None:
    hits = await search(client, "+33 (4) 93-12-34-56", fields="phone", exact_match="true")
    assert [hit["item"]["id"] for hit in hits] == [1]


async def test_notes_and_custom_field_search_report_what_matched(client: httpx.AsyncClient) -> None:
    (note_hit,) = await search(client, "uptime statistics", fields="notes")
    assert "uptime statistics" in note_hit["item"]["notes"][0]
    custom = await search(client, "+33 4 93 00 11 22", fields="custom_fields", exact_match="true")
    assert [hit["item"]["custom_fields"] for hit in custom] == [["+33 4 93 00 11 22"]]


async def test_organization_filter_and_picture(client: httpx.AsyncClient) -> None:
    hits = await search(client, "olympia", organization_id=4, include_fields="person.picture")
    assert {hit["item"]["id"] for hit in hits} == {6, 7, 42}
    assert all("picture" in hit["item"] for hit in hits)


@pytest.mark.parametrize(
    "params",
    [
        {"term": "a"},
        {"term": ""},
        {"term": "ab", "fields": "title"},
        {"term": "ab", "include_fields": "person.owner"},
    ],
)
async def test_invalid_searches_are_refused(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await client.get("/api/v2/persons/search", params=params)
    assert response.status_code == 400


async def test_one_character_is_enough_with_exact_match(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v2/persons/search", params={"term": "x", "exact_match": 1})
    assert response.status_code == 200


async def test_search_pages_with_cursors(client: httpx.AsyncClient) -> None:
    query: dict[str, str | int] = {"term": "example", "limit": 20}
    first = (await client.get("/api/v2/persons/search", params=query)).json()
    cursor = first["additional_data"]["next_cursor"]
    second = (await client.get("/api/v2/persons/search", params={**query, "cursor": cursor})).json()
    ids = [i["item"]["id"] for i in first["data"]["items"] + second["data"]["items"]]
    assert len(ids) == len(set(ids)) == 40


async def test_a_sender_can_match_in_two_accounts(sandbox: Sandbox) -> None:
    async with client_for(sandbox) as demo, client_for(sandbox, SECOND_TOKEN) as second:
        assert await by_email(demo, CROSS_ACCOUNT_EMAIL) == [3]
        assert await by_email(second, CROSS_ACCOUNT_EMAIL) == [1]
        assert await by_email(second, RICH_EMAIL) == []
