"""Writes without permission (403); the faults where a write lands but its answer never comes."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
import uvicorn

from cardin.sandbox import COLLEAGUE_TOKEN, DEMO_TOKEN, Dataset, FaultKind, FaultPlan, Sandbox
from cardin.sandbox.app import ConnectionDropped

from .conftest import client_for
from .writing import data, refusal, send

WRITES: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "/v1/notes", {"content": "x", "person_id": 1}),
    ("POST", "/api/v2/activities", {"subject": "x", "person_id": 1}),
    ("PATCH", "/api/v2/activities/2", {"done": True}),
    ("POST", "/api/v2/deals", {"title": "x"}),
    ("DELETE", "/api/v2/deals/1", None),
    ("POST", "/api/v2/organizations", {"name": "x"}),
    ("POST", "/api/v2/persons", {"name": "x"}),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
async def test_a_user_without_write_permission_gets_pipedrives_403(
    sandbox: Sandbox, method: str, path: str, body: dict[str, Any] | None
) -> None:
    async with client_for(sandbox, None) as control:
        answer = await control.put(
            "/_sandbox/permissions", json={"token": COLLEAGUE_TOKEN, "write": False}
        )
    assert answer.json() == {"without_write": [{"company_id": 7301001, "user_id": 2}]}
    count = len(sandbox.dataset.companies[0].notes) + len(sandbox.dataset.companies[0].deals)
    async with client_for(sandbox, COLLEAGUE_TOKEN) as http:
        response = await send(http, method, path, body)
        assert refusal(response, 403) == "You do not have permissions to do this."
        assert (await http.get("/api/v2/deals/1")).status_code == 200  # reading still works
    assert (
        len(sandbox.dataset.companies[0].notes) + len(sandbox.dataset.companies[0].deals) == count
    )
    async with client_for(sandbox) as other:  # only that user lost it
        assert (await send(other, method, path, body)).status_code == 200


async def test_write_permission_comes_back(sandbox: Sandbox) -> None:
    async with client_for(sandbox, None) as control, client_for(sandbox, DEMO_TOKEN) as http:
        await control.put("/_sandbox/permissions", json={"token": DEMO_TOKEN, "write": False})
        assert (await http.post("/api/v2/deals", json={"title": "x"})).status_code == 403
        back = await control.put("/_sandbox/permissions", json={"token": DEMO_TOKEN, "write": True})
        assert back.json() == {"without_write": []}
        assert (await http.post("/api/v2/deals", json={"title": "x"})).status_code == 200
        assert (await control.get("/_sandbox/permissions")).json() == {"without_write": []}


@pytest.mark.parametrize(
    ("body", "status"),
    [({"token": "nope", "write": False}, 404), ({"token": DEMO_TOKEN}, 400), ({"write": 0}, 400)],
)
async def test_bad_permission_requests_are_refused(
    sandbox: Sandbox, body: dict[str, Any], status: int
) -> None:
    async with client_for(sandbox, None) as control:
        assert (await control.put("/_sandbox/permissions", json=body)).status_code == status
    assert sandbox.without_write == set()


def test_landed_and_dropped_parse_and_fire_on_writes_only() -> None:
    plan = FaultPlan.parse("landed@/v1/notes,dropped:0.5@/api/v2")
    assert str(plan) == "landed@/v1/notes,dropped:0.5@/api/v2"
    rule = plan.rules[0]
    assert rule.kind is FaultKind.LANDED
    assert rule.applies_to("/v1/notes", "POST")
    assert not rule.applies_to("/v1/notes", "GET")
    assert FaultPlan.parse("timeout").rules[0].applies_to("/v1/notes", "GET")


async def test_a_landed_write_is_applied_but_never_answered_in_time(dataset: Dataset) -> None:
    sandbox = Sandbox(dataset, faults=FaultPlan.parse("landed@/v1/notes"), timeout_seconds=5)
    body = {"content": "Landed while the client waited", "person_id": 22}
    async with client_for(sandbox) as http:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(http.post("/v1/notes", json=body), timeout=0.2)
        # the client looks before it retries: the note is there, once; reads are not held
        listed = (await http.get("/v1/notes", params={"person_id": 22})).json()["data"]
    assert [n["content"] for n in listed].count(body["content"]) == 1
    assert [(r.method, r.status, r.fault) for r in sandbox.requests] == [
        ("POST", 200, "landed"),
        ("GET", 200, None),
    ]


async def test_a_patient_client_gets_the_landed_answer(dataset: Dataset) -> None:
    sandbox = Sandbox(dataset, faults=FaultPlan.parse("landed"), timeout_seconds=0.01)
    async with client_for(sandbox) as http:
        response = await http.post("/api/v2/deals", json={"title": "Late answer"})
    assert data(response)["title"] == "Late answer"


async def test_a_dropped_write_is_applied_and_the_connection_closed(dataset: Dataset) -> None:
    sandbox = Sandbox(dataset, faults=FaultPlan.parse("dropped@/api/v2/activities"))
    async with client_for(sandbox) as http:
        with pytest.raises(ConnectionDropped):
            await http.patch("/api/v2/activities/2", json={"done": True})
        sandbox.set_faults(FaultPlan.none())
        activity = data(await http.get("/api/v2/activities/2"))
    assert activity["done"] is True
    assert sandbox.requests[0].fault == "dropped"


async def test_over_http_a_dropped_write_is_a_broken_connection(dataset: Dataset) -> None:
    sandbox = Sandbox(dataset, faults=FaultPlan.parse("dropped"))
    config = uvicorn.Config(sandbox.app, host="127.0.0.1", port=0, log_level="critical")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        headers = {"x-api-token": DEMO_TOKEN}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers) as http:
            with pytest.raises(httpx.RemoteProtocolError):
                await http.post("/api/v2/organizations", json={"name": "Dropped Ltd"})
    finally:
        server.should_exit = True
        await serving
    assert any(org["name"] == "Dropped Ltd" for org in dataset.companies[0].organizations)
