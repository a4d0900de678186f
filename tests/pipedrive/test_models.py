"""The models read per field: an unreadable field or element is dropped, only identity fails."""

from __future__ import annotations

import logging
import math
from datetime import UTC, datetime

import httpx
import pytest
from pydantic import ValidationError

from cardin.pipedrive import ApiTokenAuth, BadResponse, PipedriveClient
from cardin.pipedrive.models import ActivityInfo, ActivityTypeInfo, Person, SearchResults, User

SECRET = "do-not-log-this-value"


def test_unreadable_fields_and_elements_are_dropped(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="cardin.pipedrive.models")
    person = Person.model_validate(
        {
            "id": 7,
            "name": {"first": SECRET},
            "owner_id": None,
            "org_id": SECRET,
            "label_ids": [None, 3, SECRET, [4], 5],
            "emails": [None, {"value": None, "primary": True}, {"value": "a@b.example"}, 9],
            "phones": SECRET,
            "is_deleted": None,
            "open_deals_count": math.inf,
        }
    )
    assert person.id == 7
    assert (person.name, person.owner_id, person.org_id, person.phones) == (None,) * 4
    assert person.label_ids == [3, 5]
    assert [e.value for e in person.emails or []] == [None, "a@b.example"]
    assert person.is_deleted is False  # an unreadable flag keeps its default
    assert person.open_deals_count is None
    logged = caplog.text
    assert "label_ids.0" in logged
    assert "org_id" in logged
    assert SECRET not in logged


@pytest.mark.parametrize("person_id", [None, "seven", 7.5, [7], {"id": 7}])
def test_a_person_without_a_readable_id_fails(person_id: object) -> None:
    with pytest.raises(ValidationError):
        Person.model_validate({"id": person_id, "name": "Ann"})
    with pytest.raises(ValidationError):
        Person.model_validate({"name": "Ann"})


def test_a_search_hit_without_its_person_fails_the_search() -> None:
    # Dropping it could turn a match into "no match", and the card would offer to add them again.
    readable = {"result_score": 1.0, "item": {"id": 1, "emails": [None, "a@b.example"]}}
    results = SearchResults.model_validate({"items": [readable]})
    assert results.items[0].item.emails == ["a@b.example"]
    for hit in ({"item": {"id": None}}, {"item": None}, None):
        with pytest.raises(ValidationError):
            SearchResults.model_validate({"items": [readable, hit]})


def test_a_timestamp_outside_what_utc_can_hold_is_dropped() -> None:
    user = User.model_validate({"id": 1})
    assert user.active_flag is True
    person = Person.model_validate(
        {"id": 1, "add_time": "0001-01-01T00:00:00+05:00", "update_time": "2026-03-16 09:30:00"}
    )
    assert person.add_time is None
    assert person.update_time == datetime(2026, 3, 16, 9, 30, tzinfo=UTC)


def test_an_activity_type_is_known_by_its_key_alone() -> None:
    assert ActivityTypeInfo.model_validate({"id": None, "key_string": "call"}).key_string == "call"
    with pytest.raises(ValidationError):
        ActivityTypeInfo.model_validate({"id": 1, "key_string": None})


def client_answering(data: object) -> PipedriveClient:
    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"success": True, "data": data})

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    return PipedriveClient(http, auth=ApiTokenAuth("t"), base_url="https://acme.pipedrive.com")


async def test_a_list_drops_the_items_without_identity() -> None:
    users = await client_answering([{"id": 1, "name": "Ann"}, {"name": "no id"}, None]).users()
    assert [u.name for u in users] == ["Ann"]
    assert await client_answering(None).users() == []
    assert await client_answering([]).users() == []


async def test_a_list_of_nothing_readable_is_a_bad_response() -> None:
    with pytest.raises(BadResponse, match="nothing readable"):
        await client_answering([{"name": "no id"}, 3]).users()
    with pytest.raises(BadResponse, match="object where a list belongs"):
        await client_answering({"id": 1}).users()


@pytest.mark.parametrize("duration", ["99999999999:00", "1:99999999999999999999"])
def test_a_duration_beyond_timedelta_is_dropped(duration: str) -> None:
    # timedelta raises OverflowError, which pydantic does not turn into a validation error
    activity = ActivityInfo.model_validate({"id": 1, "person_id": 7, "duration": duration})
    assert activity.person_id == 7
    assert activity.duration is None
