"""A company page reads only the items it is asked for, and reads them as a whole list would."""

from __future__ import annotations

import json

import httpx
import pytest

from cardin.pipedrive import BadResponse, PipedriveClient
from cardin.pipedrive.auth import ApiTokenAuth
from cardin.pipedrive.client import FirstPage
from cardin.pipedrive.models import ActivityInfo, NoteInfo

PATH = "/api/v2/activities"
WANTED = 7
# What a hostile or broken Pipedrive could put in a page, around the items of person 7.
HOSTILE_ITEMS: list[object] = [
    {"id": 1, "person_id": 7, "subject": "mine"},
    {"id": 2, "person_id": 8},
    {"id": 3, "person_id": "7"},  # a numeric string: read as 7
    {"id": 4, "person_id": 7.0},  # a whole float: read as 7
    {"id": 5, "person_id": True},
    {"id": 6, "person_id": "seven"},  # unreadable: dropped to None
    {"person_id": 7},  # no id: the item is dropped
    {"id": "x", "person_id": 7},
    "not an object",
    None,
    [7],
    {"id": 9, "person_id": None, "deal_id": 7},
    {"id": 10, "deal_id": "7", "person_id": 7, "due_date": "garbage"},
    {"id": 11, "person_id": [7]},
    {"id": 12, "person_id": 7, "done": "maybe"},
]


def read_all_then_filter(key: str, value: int, limit: int) -> list[ActivityInfo]:
    """What the lookup did before: read every item, then keep the wanted ones."""
    items = PipedriveClient._parse_list(HOSTILE_ITEMS, ActivityInfo, PATH)
    return [item for item in items if getattr(item, key) == value][:limit]


@pytest.mark.parametrize("key", ["person_id", "deal_id"])
@pytest.mark.parametrize("limit", [0, 1, 2, 3, 100])
def test_pick_reads_what_reading_the_whole_list_reads(key: str, limit: int) -> None:
    page = FirstPage(ActivityInfo, list(HOSTILE_ITEMS), complete=True, path=PATH)
    assert page.pick(key, WANTED, limit) == read_all_then_filter(key, WANTED, limit)
    assert page.items == PipedriveClient._parse_list(HOSTILE_ITEMS, ActivityInfo, PATH)


def test_pick_leaves_the_other_items_unread() -> None:
    items = [{"id": n, "person_id": n % 5} for n in range(1, 500)]
    page = FirstPage(ActivityInfo, items, complete=True, path=PATH)
    picked = page.pick("person_id", 3, 20)
    assert [a.id for a in picked] == [n for n in range(1, 500) if n % 5 == 3][:20]
    # the first readable item (to know the page is not all garbage) and the picked ones
    assert len(page._read) == 1 + 20


def test_a_page_of_nothing_readable_is_refused() -> None:
    with pytest.raises(BadResponse):
        FirstPage(NoteInfo, [{"x": 1}, "y", {"id": "z"}], complete=True, path="/v1/notes")
    assert FirstPage(NoteInfo, [], complete=True, path="/v1/notes").items == []


def client_answering(body: bytes) -> PipedriveClient:
    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    return PipedriveClient(http, auth=ApiTokenAuth("token"))


async def test_an_integer_beyond_64_bits_is_read_as_the_standard_library_reads_it() -> None:
    huge = 2**70 + 1  # orjson reads it as a float (2**70), the standard library exactly
    items = f'[{{"id":{huge},"person_id":7}}]'
    body = f'{{"success":true,"data":{items},"additional_data":{{"next_cursor":null}}}}'
    page = await client_answering(body.encode()).company_activities()
    assert page.complete
    assert [a.id for a in page.pick("person_id", 7, 10)] == [huge]


async def test_what_orjson_refuses_is_read_by_the_standard_library() -> None:
    # NaN is no JSON, but Python's reader takes it; the model drops the field it lands in
    items = '[{"id":1,"person_id":7,"subject":NaN},{"id":2,"person_id":8}]'
    body = f'{{"success":true,"data":{items},"additional_data":{{"next_cursor":"abc"}}}}'
    page = await client_answering(body.encode()).company_activities()
    assert not page.complete
    assert page.pick("person_id", 7, 10) == [ActivityInfo(id=1, person_id=7)]
    expected = PipedriveClient._parse_list(json.loads(items), ActivityInfo, PATH)
    assert page.items == expected


async def test_a_reply_that_is_no_json_is_still_bad() -> None:
    with pytest.raises(BadResponse):
        await client_answering(b'{"success":true,"data":[').company_notes()
