"""A company page reads only the items it is asked for, and reads them as a whole list would."""

from __future__ import annotations

import contextlib
import gzip
import json
import types
from typing import Annotated, Any, Union, get_args, get_origin

import httpx
import msgspec
import orjson
import pytest
from pydantic import BaseModel, ValidationError

from cardin.pipedrive import BadResponse, PipedriveClient
from cardin.pipedrive import client as client_module
from cardin.pipedrive.auth import ApiTokenAuth
from cardin.pipedrive.client import FirstPage, _orjson_may_differ
from cardin.pipedrive.models import ActivityInfo, DealInfo, NoteInfo

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
    {"id": 13, "owner_id": 7},
    {"id": 14, "owner_id": "7", "deal_id": 7},
]


def read_each(items: list[object]) -> list[ActivityInfo]:
    """Every item the model reads, read one by one (the client's own list reading aside)."""
    read = []
    for raw in items:
        with contextlib.suppress(ValidationError):
            read.append(ActivityInfo.model_validate(raw))
    return read


def read_all_then_filter(key: str, value: int, limit: int) -> list[ActivityInfo]:
    """What the lookup did before: read every item, then keep the wanted ones."""
    return [item for item in read_each(HOSTILE_ITEMS) if getattr(item, key) == value][:limit]


@pytest.mark.parametrize("key", ["person_id", "deal_id"])
@pytest.mark.parametrize("limit", [0, 1, 2, 3, 100])
def test_pick_reads_what_reading_the_whole_list_reads(key: str, limit: int) -> None:
    page = FirstPage(ActivityInfo, list(HOSTILE_ITEMS), complete=True, path=PATH)
    assert page.pick(key, WANTED, limit) == read_all_then_filter(key, WANTED, limit)
    assert page.items == read_each(HOSTILE_ITEMS)
    assert PipedriveClient._parse_list(HOSTILE_ITEMS, ActivityInfo, PATH) == page.items


def test_pick_leaves_the_other_items_unread() -> None:
    items = [{"id": n, "person_id": n % 5} for n in range(1, 500)]
    page = FirstPage(ActivityInfo, items, complete=True, path=PATH)
    picked = page.pick("person_id", 3, 20)
    assert [a.id for a in picked] == [n for n in range(1, 500) if n % 5 == 3][:20]
    # the first readable item (to know the page is not all garbage) and the picked ones
    assert len(page._read) == 1 + 20


@pytest.mark.parametrize("data", [[{"x": 1}, "y", {"id": "z"}], {"id": 1}, "list", 0])
def test_a_page_is_refused_by_the_rules_of_every_list(data: object) -> None:
    with pytest.raises(BadResponse):
        FirstPage(NoteInfo, data, complete=True, path="/v1/notes")
    with pytest.raises(BadResponse):
        PipedriveClient._parse_list(data, NoteInfo, "/v1/notes")


@pytest.mark.parametrize("data", [[], None])
def test_null_is_an_empty_page(data: object) -> None:
    assert FirstPage(NoteInfo, data, complete=True, path="/v1/notes").items == []
    assert PipedriveClient._parse_list(data, NoteInfo, "/v1/notes") == []


async def test_a_page_without_its_list_is_refused_when_fetched() -> None:
    body = b'{"success":true,"data":{"id":1},"additional_data":{"next_cursor":null}}'
    with pytest.raises(BadResponse):
        await client_answering(body).company_notes()
    empty = b'{"success":true,"data":null}'  # no pagination: complete only because empty
    page = await client_answering(empty).company_notes()
    assert page.complete
    assert page.items == []


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
    assert page.items == read_each(json.loads(items))


async def test_a_reply_that_is_no_json_is_still_bad() -> None:
    with pytest.raises(BadResponse):
        await client_answering(b'{"success":true,"data":[').company_notes()


# JSON nested past the standard library's recursion limit but within orjson's (1024 levels)
DEEP = "[" * 1000 + "]" * 1000


def deals_body(value: str, *, deep: bool) -> bytes:
    # the picked item comes second: the first is read at once (to know the page is readable)
    items = f'[{{"id":2,"person_id":8}},{{"id":1,"person_id":7,"value":{value}}}]'
    extra = f',"deep":{DEEP}' if deep else ""
    return (
        f'{{"success":true,"data":{items},"additional_data":{{"next_cursor":null}}{extra}}}'
    ).encode()


async def test_a_page_the_standard_library_cannot_read_again_is_refused_when_fetched() -> None:
    # an item orjson may read differently makes the page read again by the standard library,
    # which cannot: the page is refused when fetched (as before orjson), not when picked
    with pytest.raises(BadResponse):
        await client_answering(deals_body("12345678901234567890123", deep=True)).company_deals()
    # 1e19 is a float to both readers: the page is read once, by orjson, which can
    page = await client_answering(deals_body("1e19", deep=True)).company_deals()
    assert [d.value for d in page.pick("person_id", 7, 10)] == [1e19]


@pytest.mark.parametrize(
    ("content", "differs"),
    [
        (b'[{"id":1,"value":18446744073709551616}]', True),  # 2**64: a float to orjson
        (b'[{"id":1,"value":-9223372036854775809}]', True),  # below -2**63
        (b'[{"id":1,"value":9223372036854775807}]', False),  # 2**63 - 1: an int to both
        (b'[{"id":1,"value":1e19}]', False),  # a float to both
        (b'[{"id":1,"phone":"+123456789012345678901234"}]', False),  # digits in a string
    ],
)
def test_a_page_is_read_again_only_for_an_integer_beyond_64_bits(
    content: bytes, *, differs: bool
) -> None:
    assert _orjson_may_differ(content, orjson.loads(content)) is differs


@pytest.mark.parametrize("value", ["1e19", "12345678901234567890123", "5"])
async def test_an_accepted_page_picks_without_raising(value: str) -> None:
    page = await client_answering(deals_body(value, deep=False)).company_deals()
    assert [d.value for d in page.pick("person_id", 7, 10)] == [float(json.loads(value))]
    deep = await client_answering(deals_body("5", deep=True)).company_deals()
    assert [d.id for d in deep.pick("person_id", 7, 10)] == [1]


# --- the models a page is picked into read numbers only in their top-level values ------------

PICKED = (DealInfo, ActivityInfo, NoteInfo)  # what the lookup picks from company pages


def numbers_below_the_top(annotation: Any, *, top: bool) -> list[str]:
    """Where `annotation` reads a number (an int, a float, or Any) other than as the value
    itself: inside a list, an object of values or a nested model."""
    if get_origin(annotation) is Annotated:
        return numbers_below_the_top(get_args(annotation)[0], top=top)
    if get_origin(annotation) in (Union, types.UnionType):
        return [f for arg in get_args(annotation) for f in numbers_below_the_top(arg, top=top)]
    if annotation is Any or (annotation in (int, float) and not top):
        return [str(annotation)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [
            f"{annotation.__name__}.{name}: {found}"
            for name, field in annotation.model_fields.items()
            for found in numbers_below_the_top(field.annotation, top=False)
        ]
    return [f for arg in get_args(annotation) for f in numbers_below_the_top(arg, top=False)]


def nested_numbers(model: type[BaseModel]) -> list[str]:
    """Where an item read into `model` reads a number other than in a top-level value."""
    return [
        f"{model.__name__}.{name}: {found}"
        for name, field in model.model_fields.items()
        for found in numbers_below_the_top(field.annotation, top=True)
    ]


@pytest.mark.parametrize("model", PICKED)
def test_picked_models_read_numbers_only_at_the_top(model: type[BaseModel]) -> None:
    # the client re-reads a page with the standard library only when an item's top-level value
    # is a float orjson may have made of a huge integer (`_orjson_may_differ`)
    assert nested_numbers(model) == []


def test_the_walk_finds_a_nested_number() -> None:
    class Inner(BaseModel):
        count: int | None = None

    class Outer(BaseModel):
        id: int
        inner: Inner | None = None
        ids: list[int] | None = None

    assert len(nested_numbers(Outer)) == 2  # Inner.count and an element of ids, not id


# --- a fetched page keeps its items as JSON text until they are read -------------------------


def page_body(items: list[object] | bytes) -> bytes:
    data = items if isinstance(items, bytes) else json.dumps(items).encode()
    return b'{"success":true,"data":' + data + b',"additional_data":{"next_cursor":null}}'


@pytest.mark.parametrize("key", ["person_id", "deal_id", "owner_id"])
@pytest.mark.parametrize("limit", [0, 1, 2, 100])
async def test_a_fetched_page_reads_what_reading_the_whole_list_reads(key: str, limit: int) -> None:
    page = await client_answering(page_body(HOSTILE_ITEMS)).company_activities()
    assert all(isinstance(raw, msgspec.Raw) for raw in page._data)  # left unread
    assert page.pick(key, WANTED, limit) == read_all_then_filter(key, WANTED, limit)
    assert page.items == read_each(HOSTILE_ITEMS)


async def test_a_fetched_page_reads_only_the_picked_items() -> None:
    items = [{"id": n, "person_id": n % 5, "subject": f"#{n}"} for n in range(1, 500)]
    page = await client_answering(page_body(items)).company_activities()
    picked = page.pick("person_id", 3, 20)
    assert [a.id for a in picked] == [n for n in range(1, 500) if n % 5 == 3][:20]
    assert len(page._read) == 1 + 20  # the first (the page is readable) and the picked


async def test_a_pick_by_another_key_reads_each_item_once_and_models_only_the_picked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    items = [{"id": n, "owner_id": n % 5, "subject": f"#{n}"} for n in range(1, 500)]
    decoded: list[bytes] = []
    real = client_module._item_object

    def counting(raw: msgspec.Raw) -> object:
        decoded.append(bytes(raw))
        return real(raw)

    monkeypatch.setattr(client_module, "_item_object", counting)
    page = await client_answering(page_body(items)).company_activities()
    assert len(decoded) == 1  # the first item, read to know the page is readable
    picked = page.pick("owner_id", 3, 20)
    assert [a.id for a in picked] == [n for n in range(1, 500) if n % 5 == 3][:20]
    assert len(page._read) == 1 + 20  # the first (the page is readable) and the picked
    assert len(decoded) == len(set(decoded)) == 499  # every item looked at once, none twice
    assert page.pick("no_such_field", 3, 20) == []  # a key no item holds: nothing picked
    assert len(decoded) == 499


async def test_an_item_that_is_not_utf8_is_dropped_and_the_rest_is_read() -> None:
    items = b'[{"id":1,"person_id":7,"subject":"caf\xe9"},{"id":2,"person_id":7},{"id":3}]'
    page = await client_answering(page_body(items)).company_activities()
    assert [a.id for a in page.pick("person_id", 7, 10)] == [2]
    assert [a.id for a in page.items] == [2, 3]


async def test_an_item_whose_key_is_not_utf8_is_dropped_and_the_rest_is_read() -> None:
    items = b'[{"id":1,"person_id":"\xff"},{"id":2,"person_id":7},{"id":3,"deal_id":"\xfe"}]'
    page = await client_answering(page_body(items)).company_activities()
    assert [a.id for a in page.pick("person_id", 7, 10)] == [2]
    assert page.pick("deal_id", 7, 10) == []
    assert [a.id for a in page.items] == [2]


@pytest.mark.parametrize("other", ["1e400", "-1e309", '{"x": [1e999]}'])
async def test_an_item_with_a_number_beyond_a_float_is_picked_as_read_whole(other: str) -> None:
    # msgspec refuses such a number in a key it reads; the model drops only that field
    first = f'{{"id":1,"person_id":7,"deal_id":{other}}}'
    second = f'{{"id":2,"deal_id":7,"person_id":{other}}}'
    body = page_body(f"[{first},{second}]".encode())
    fetched = await client_answering(body).company_activities()
    whole = FirstPage(ActivityInfo, json.loads(body)["data"], complete=True, path=PATH)
    for key in ("person_id", "deal_id"):
        assert fetched.pick(key, 7, 10) == whole.pick(key, 7, 10) != []


async def test_a_compressed_page_is_split_too() -> None:
    body = gzip.compress(page_body([{"id": 1, "person_id": 7}, {"id": 2, "person_id": 8}]))

    def answer(_request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "application/json", "content-encoding": "gzip"}
        return httpx.Response(200, content=body, headers=headers)

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    page = await PipedriveClient(http, auth=ApiTokenAuth("token")).company_activities()
    assert all(isinstance(raw, msgspec.Raw) for raw in page._data)
    assert [a.id for a in page.pick("person_id", 7, 10)] == [1]
