"""The sandbox's JSON answers: orjson's bytes where it writes what the standard library writes,
and the standard library's refusal for Python objects that leak into an answer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest

from cardin.sandbox.gateway import json_answer


@dataclass
class Leaked:
    id: int


@pytest.mark.parametrize(
    "value",
    [date(2026, 11, 30), datetime(2026, 11, 30, 16, 0, tzinfo=UTC), time(9, 30), Leaked(1)],
    ids=["date", "datetime", "time", "dataclass"],
)
def test_a_leaked_python_object_is_refused(value: object) -> None:
    with pytest.raises(TypeError):
        json.dumps(value)  # what the sandbox answered before orjson
    with pytest.raises(TypeError):
        json_answer(200, {"success": True, "data": [{"id": 1, "due": value}]}, {})


@pytest.mark.parametrize(
    "body",
    [
        {"success": True, "data": [{"id": 1, "name": "Zoë ☃", "value": 1.5, "flag": None}]},
        {"success": True, "data": {"id": 2**70}},  # beyond orjson: the standard library
        {"success": True, "data": {1: "a key that is not a string"}},
    ],
)
def test_answers_are_what_the_standard_library_writes(body: dict[str, object]) -> None:
    answer = json_answer(200, body, {})
    assert answer.body == json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
