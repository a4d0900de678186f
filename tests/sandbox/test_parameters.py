"""Every documented parameter is applied or refused with a 400 naming it: none is ignored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from cardin.sandbox import Dataset, Sandbox

JSON = dict[str, Any]
V2_LISTS = ("/api/v2/persons", "/api/v2/organizations", "/api/v2/deals", "/api/v2/activities")


async def refusal(client: httpx.AsyncClient, path: str, **params: Any) -> str:
    """The error of a request the sandbox must refuse with a 400."""
    response = await client.get(path, params=params)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["success"] is False
    return str(body["error"])


async def data(client: httpx.AsyncClient, path: str, **params: Any) -> Any:
    """The `data` of a request the sandbox must answer."""
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()["data"]


@pytest.mark.parametrize("path", V2_LISTS)
async def test_filter_id_is_refused_not_ignored(client: httpx.AsyncClient, path: str) -> None:
    assert "filter_id" in await refusal(client, path, filter_id=1)
    assert "filter_id" in await refusal(client, path, filter_id="banana")


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v2/deals", "limit"),
        ("/api/v2/deals", "cursor"),
        ("/api/v2/deals", "status"),
        ("/api/v2/persons", "ids"),
        ("/api/v2/persons", "sort_by"),
        ("/api/v2/persons", "include_fields"),
        ("/api/v2/persons", "custom_fields"),
        ("/api/v2/activities", "done"),
        ("/api/v2/persons/search", "term"),
        ("/v1/notes", "start"),
        ("/v1/notes", "sort"),
        ("/v1/currencies", "term"),
    ],
)
async def test_an_empty_value_is_an_error(client: httpx.AsyncClient, path: str, name: str) -> None:
    assert name in await refusal(client, path, **{name: ""})


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v2/deals", {"limit": "1_0"}),
        ("/api/v2/deals", {"limit": " 10"}),
        ("/api/v2/deals", {"include_labels": "banana"}),
        ("/api/v2/persons", {"include_labels": "banana"}),
        ("/api/v2/organizations", {"include_option_labels": "banana"}),
        ("/api/v2/organizations", {"include_fields": "AAA"}),
        ("/api/v2/organizations/2", {"include_fields": "AAA"}),
        ("/api/v2/deals", {"ids": "1,,2"}),
        ("/api/v2/persons", {"updated_since": "2025-01-01T00:00:00"}),  # no offset: a 500 before
        ("/api/v2/persons", {"updated_until": "yesterday"}),
        ("/v1/notes", {"lead_id": "not-a-uuid"}),
        ("/v1/notes", {"start_date": "20250101"}),
        ("/v1/notes", {"pinned_to_deal_flag": "2"}),
    ],
)
async def test_a_bad_value_is_refused_naming_its_parameter(
    client: httpx.AsyncClient, path: str, params: dict[str, str]
) -> None:
    assert next(iter(params)) in await refusal(client, path, **params)


@pytest.mark.parametrize("path", ["/api/v2/deals", "/api/v2/organizations/2"])
async def test_labels_of_objects_without_field_definitions_are_refused(
    client: httpx.AsyncClient, path: str
) -> None:
    assert "include_labels" in await refusal(client, path, include_labels="true")
    assert "include_option_labels" in await refusal(client, path, include_option_labels="1")
    await data(client, path, include_labels="false", include_option_labels="false")


async def test_custom_fields_picks_the_keys_of_deals_and_organizations(
    client: httpx.AsyncClient, dataset: Dataset
) -> None:
    company = dataset.companies[0]
    for collection in ("deals", "organizations"):
        stored = company.get(collection, 2)
        assert stored is not None
        stored["custom_fields"] = {"a" * 40: 1, "b" * 40: "two"}
    deal = await data(client, "/api/v2/deals/2", custom_fields="b" * 40)
    assert deal["custom_fields"] == {"b" * 40: "two"}
    org = await data(client, "/api/v2/organizations", ids="2", custom_fields="a" * 40)
    assert org[0]["custom_fields"] == {"a" * 40: 1}


async def test_organizations_answer_their_include_fields(
    client: httpx.AsyncClient, dataset: Dataset
) -> None:
    company = dataset.companies[0]
    org = await data(
        client, "/api/v2/organizations/2", include_fields="people_count,open_deals_count"
    )
    people = [p for p in company.persons if p.get("org_id") == 2 and not p.get("is_deleted")]
    deals = [d for d in company.deals if d.get("org_id") == 2 and not d["is_deleted"]]
    assert org["people_count"] == len(people)
    assert org["open_deals_count"] == sum(1 for d in deals if d["status"] == "open")
    assert "won_deals_count" not in org


async def test_v1_paging_keeps_only_the_documented_bound(client: httpx.AsyncClient) -> None:
    assert "limit" in await refusal(client, "/v1/notes", limit=501)
    response = await client.get("/v1/notes", params={"start": -5, "limit": 2})
    assert response.status_code == 200
    assert response.json()["additional_data"]["pagination"]["start"] == 0
    assert len(await data(client, "/v1/personFields", limit=500)) > 0


async def test_notes_apply_every_id_filter(client: httpx.AsyncClient, dataset: Dataset) -> None:
    notes = dataset.companies[0].notes
    notes[0].update(project_id=7, task_id=9, lead_id="ADF21080-0E10-11EB-879B-05D71FB426EC")
    for name, value in (("project_id", 7), ("task_id", 9), ("user_id", 3)):
        found = await data(client, "/v1/notes", **{name: value}, limit=500)
        expected = [n["id"] for n in notes if n.get(name) == value and n["active_flag"]]
        assert [note["id"] for note in found] == expected
        assert expected
    by_lead = await data(client, "/v1/notes", lead_id="adf21080-0e10-11eb-879b-05d71fb426ec")
    assert [note["id"] for note in by_lead] == [notes[0]["id"]]


async def test_notes_filter_by_pinning(client: httpx.AsyncClient, dataset: Dataset) -> None:
    notes = dataset.companies[0].notes
    pinned = await data(client, "/v1/notes", pinned_to_deal_flag=1, limit=500)
    assert [n["id"] for n in pinned] == [n["id"] for n in notes if n["pinned_to_deal_flag"]]
    assert len(pinned) == 1
    unpinned = await data(client, "/v1/notes", pinned_to_person_flag=0, limit=500)
    assert len(unpinned) == sum(1 for n in notes if not n["pinned_to_person_flag"])
    assert await data(client, "/v1/notes", pinned_to_task_flag=1) == []


async def test_notes_filter_by_dates(client: httpx.AsyncClient, dataset: Dataset) -> None:
    notes = dataset.companies[0].notes
    days = sorted({n["add_time"][:10] for n in notes})
    first, last = days[len(days) // 3], days[2 * len(days) // 3]
    found = await data(client, "/v1/notes", start_date=first, end_date=last, limit=500)
    expected = [n["id"] for n in notes if first <= n["add_time"][:10] <= last]
    assert [note["id"] for note in found] == expected
    assert 0 < len(expected) < len(notes)
    since = sorted(n["update_time"] for n in notes)[len(notes) // 2]
    stamp = datetime.fromisoformat(since).replace(tzinfo=UTC).isoformat()
    recent = await data(client, "/v1/notes", updated_since=stamp, limit=500)
    assert [note["id"] for note in recent] == [n["id"] for n in notes if n["update_time"] >= since]


async def test_notes_carry_the_task_link_the_spec_declares(client: httpx.AsyncClient) -> None:
    note = (await data(client, "/v1/notes", limit=1))[0]
    assert note["task_id"] is None
    assert note["task"] is None
    assert note["pinned_to_task_flag"] is False


async def test_activities_filter_by_lead(client: httpx.AsyncClient, dataset: Dataset) -> None:
    activity = dataset.companies[0].activities[4]
    activity["lead_id"] = "adf21080-0e10-11eb-879b-05d71fb426ec"
    found = await data(client, "/api/v2/activities", lead_id=activity["lead_id"])
    assert [a["id"] for a in found] == [activity["id"]]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("owner_id", True),
        ("org_id", True),
        ("visible_to", True),
        ("label_ids", [True]),
        ("emails", [{"value": "a@example.org", "primary": "yes"}]),
        ("phones", [{"value": "+1 555", "label": 3}]),
        ("im", "skype"),
        ("birthday", 19800101),
        ("postal_address", {"locality": 5}),
        ("marketing_status", "maybe"),
        ("add_time", "tomorrow"),
    ],
)
async def test_a_person_body_of_the_wrong_type_is_refused(
    client: httpx.AsyncClient, sandbox: Sandbox, field: str, value: Any
) -> None:
    before = len(sandbox.dataset.companies[0].persons)
    response = await client.post("/api/v2/persons", json={"name": "Ada Test", field: value})
    assert response.status_code == 400
    assert field in response.json()["error"]
    assert len(sandbox.dataset.companies[0].persons) == before


async def test_a_created_person_keeps_the_declared_extras(client: httpx.AsyncClient) -> None:
    body = {
        "name": "Ada Test",
        "job_title": "Engineer",
        "birthday": "1980-01-01",
        "postal_address": {"value": "1 Main St", "locality": "Springfield"},
        "add_time": "2025-01-01T10:20:00+02:00",
    }
    created = (await client.post("/api/v2/persons", json=body)).json()["data"]
    assert created["add_time"] == "2025-01-01T08:20:00Z"
    person = await data(client, f"/api/v2/persons/{created['id']}")
    assert person["last_name"] == "Test"
    assert person["im"] == []  # like emails and phones: none is an empty list, not null


async def test_head_answers_like_get(client: httpx.AsyncClient) -> None:
    assert (await client.head("/v1/users/me")).status_code == 200
