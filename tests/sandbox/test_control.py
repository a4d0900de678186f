"""The `/_sandbox/` control endpoints of a running sandbox (no Pipedrive token needed)."""

from __future__ import annotations

import httpx

from cardin.sandbox import DEMO_TOKEN, INACTIVE_TOKEN, Sandbox

from .conftest import client_for


async def test_the_request_log_records_and_resets(sandbox: Sandbox) -> None:
    async with client_for(sandbox) as http:
        await http.get("/api/v2/deals", params={"person_id": 1})
        log = (await http.get("/_sandbox/requests")).json()["requests"]
        assert log == [
            {
                "method": "GET",
                "path": "/api/v2/deals",
                "query": {"person_id": "1"},
                "status": 200,
                "cost": 10,
                "company_id": 7301001,
                "user_id": 1,
                "fault": None,
            }
        ]
        assert (await http.delete("/_sandbox/requests")).json() == {"requests": []}
    assert sandbox.requests == []


async def test_faults_can_be_set_and_cleared(sandbox: Sandbox) -> None:
    async with client_for(sandbox, None) as control, client_for(sandbox) as api:
        answer = await control.put("/_sandbox/faults", json={"spec": "503@/v1/users"})
        assert answer.json() == {"spec": "503@/v1/users"}
        assert (await api.get("/v1/users/me")).status_code == 503
        await control.put("/_sandbox/faults", json={"spec": ""})
        assert (await api.get("/v1/users/me")).status_code == 200
        bad = await control.put("/_sandbox/faults", json={"spec": "explode"})
    assert bad.status_code == 400
    assert "unknown kind" in bad.json()["error"]


async def test_latency_can_be_set(sandbox: Sandbox) -> None:
    async with client_for(sandbox, None) as control:
        assert (await control.put("/_sandbox/latency", json={"ms": 50})).json() == {"ms": 50.0}
        assert sandbox.latency_ms == 50.0
        for bad in ({"ms": -1}, {"ms": "fast"}, {"ms": True}, {}):
            assert (await control.put("/_sandbox/latency", json=bad)).status_code == 400
        assert (await control.put("/_sandbox/latency", content=b"{")).status_code == 400


async def test_rotate_token_over_http(sandbox: Sandbox) -> None:
    async with client_for(sandbox, None) as control:
        rotated = await control.post("/_sandbox/rotate-token", json={"token": DEMO_TOKEN})
        unknown = await control.post("/_sandbox/rotate-token", json={"token": "nope"})
        tokens = (await control.get("/_sandbox/tokens")).json()["companies"]
    new_token = rotated.json()["token"]
    assert unknown.status_code == 404
    demo_tokens = {entry["token"] for entry in tokens[0]["tokens"]}
    assert new_token in demo_tokens
    assert DEMO_TOKEN not in demo_tokens
    async with client_for(sandbox, new_token) as http:
        assert (await http.get("/v1/users/me")).status_code == 200


async def test_tokens_lists_every_company(client: httpx.AsyncClient) -> None:
    companies = (await client.get("/_sandbox/tokens")).json()["companies"]
    assert [c["active"] for c in companies] == [True, True, False]
    assert companies[2]["tokens"] == [
        {"token": INACTIVE_TOKEN, "user_id": 1, "user_name": "Tina Trial"}
    ]
    assert companies[0]["tokens"][0]["user_name"] == "Maria Svensson"


async def test_control_requests_are_not_api_requests(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    await client.get("/_sandbox/tokens")
    assert sandbox.requests == []
