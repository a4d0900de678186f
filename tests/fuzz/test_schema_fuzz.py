"""Replies generated from Pipedrive's OpenAPI files (nulls allowed anywhere) through the real
lookup engine and every card: a found contact (possibly with parts unavailable) or a clean
error card, valid — never an exception. A reply to a call the contact does not depend on never
hides the contact. `bench/fuzz.py` runs this at scale.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any
from unittest.mock import ANY

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from cardin.contact.model import Match
from cardin.contact.outcome import Failure, FailureKind
from cardin.pipedrive import PipedriveClient, PipedriveError
from cardin.pipedrive.models import Person
from tests.fuzz.lookups import TOKEN, look_up
from tests.fuzz.schemas import (
    LOOKUP_CALLS,
    OPERATIONS,
    V1,
    Reply,
    declared_schema,
    lookup_problem,
    lookups,
    replies_to,
)
from tests.fuzz.upstream import BASE_URL, Call, FakePipedrive
from tests.fuzz.world import BEST_ID, EMAIL, World
from tests.sandbox.conftest import _nullable

CI_EXAMPLES = 60
SCHEMA = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@settings(SCHEMA, max_examples=CI_EXAMPLES)
@given(replies=lookups())
def test_generated_replies_give_a_contact_or_a_clean_error_card(replies: tuple[Reply, ...]) -> None:
    assert asyncio.run(lookup_problem(replies)) is None


def declared(call: Call) -> OAS30Validator:
    """A validator of the call's reply as the spec declares it, with nulls allowed as the
    sandbox's own spec tests read it: an interpretation independent of the generator's."""
    schema = copy.deepcopy(declared_schema(call))
    _nullable(schema, drop_date_time=OPERATIONS[call][0] == V1)
    _null_in_enums(schema)
    return OAS30Validator(schema, format_checker=oas30_format_checker)


def _null_in_enums(node: Any) -> None:
    """OpenAPI 3.0 validators want null listed in a nullable enum, too."""
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"].append(None)
        for value in node.values():
            _null_in_enums(value)
    elif isinstance(node, list):
        for value in node:
            _null_in_enums(value)


@settings(SCHEMA, max_examples=60)
@given(data=st.data(), call=st.sampled_from(sorted(OPERATIONS)))
def test_generated_replies_are_what_the_spec_declares(data: st.DataObject, call: Call) -> None:
    reply = data.draw(replies_to(call))
    declared(call).validate(reply.body)


@settings(SCHEMA, max_examples=30)
@given(reply=replies_to(Call.CREATE_PERSON))
def test_a_generated_reply_to_adding_a_person_is_read_or_refused(reply: Reply) -> None:
    async def create() -> Person | PipedriveError:
        fake = FakePipedrive(bodies={Call.CREATE_PERSON: reply.body})
        async with httpx.AsyncClient(transport=fake) as http:
            client = PipedriveClient(
                http, auth=TOKEN.auth(), base_url=BASE_URL, configured_base=BASE_URL
            )
            try:
                return await client.create_person(name="Zoë", email=EMAIL, owner_id=None)
            except PipedriveError as exc:
                return exc

    assert isinstance(asyncio.run(create()), Person | PipedriveError)


# --- the shapes of issue 8 defect 4 and of a record about another person ------------------------


def person(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(World().person(BEST_ID))
    body["data"].update(changes)
    return body


def search(**item_changes: Any) -> dict[str, Any]:
    body = World().search()
    body["data"]["items"][0]["item"].update(item_changes)
    return body


NULL_SHAPES = {
    "label_ids: [null, 1]": (Call.PERSON, person(label_ids=[None, 1])),
    "emails: [null, …]": (Call.PERSON, person(emails=[None, {"value": EMAIL, "primary": True}])),
    "phones: [null]": (Call.PERSON, person(phones=[None])),
    'notes_count: "many"': (Call.PERSON, person(notes_count="many")),
    "search owner: {id: null}": (Call.SEARCH, search(owner={"id": None})),
    "search emails: [null, …]": (Call.SEARCH, search(emails=[None, EMAIL])),
    "search phones: [null]": (Call.SEARCH, search(phones=[None])),
}


@pytest.mark.parametrize(
    ("call", "body"),
    NULL_SHAPES.values(),
    ids=NULL_SHAPES.keys(),
)
async def test_a_bad_field_drops_the_field_not_the_person(call: Call, body: Any) -> None:
    outcome = await look_up(FakePipedrive(bodies={call: body}))
    assert isinstance(outcome, Match), outcome


async def test_a_person_record_about_another_person_is_a_bad_response() -> None:
    """The search names the person, whose record answers about someone without the address."""
    only_best = World().search()
    del only_best["data"]["items"][1:]
    merged = {"success": True, "data": {"id": 999, "name": "Merged", "emails": []}}
    replies = (
        Reply(Call.SEARCH, only_best, anchored=True),
        Reply(Call.PERSON, merged, anchored=False),
    )
    assert await lookup_problem(replies) is None
    outcome = await look_up(FakePipedrive(bodies={r.call: r.body for r in replies}))
    assert outcome == Failure(FailureKind.BAD_RESPONSE, ANY, None)


def test_every_call_the_lookup_makes_is_generated() -> None:
    assert set(LOOKUP_CALLS) | {Call.CREATE_PERSON} == set(OPERATIONS)
