"""Token auth: 401 for a missing, wrong or rotated token; 402 for an inactive company."""

from __future__ import annotations

import httpx
import pytest

from cardin.sandbox import (
    COLLEAGUE_TOKEN,
    DEMO_COMPANY_DOMAIN,
    DEMO_TOKEN,
    INACTIVE_TOKEN,
    SECOND_COMPANY_ID,
    SECOND_TOKEN,
    Sandbox,
    demo_dataset,
)

from .conftest import TODAY, client_for

GATEWAY_401 = {
    "success": False,
    "error": "unauthorized access",
    "errorCode": 401,
    "error_info": "Please check developers.pipedrive.com",
}


@pytest.mark.parametrize("token", [None, "", "wrong-token", DEMO_TOKEN.upper()])
async def test_a_missing_or_wrong_token_gets_pipedrives_401(
    sandbox: Sandbox, token: str | None
) -> None:
    async with client_for(sandbox, token) as http:
        response = await http.get("/api/v2/persons/1")
    assert response.status_code == 401
    assert response.json() == GATEWAY_401
    assert sandbox.requests[-1].cost == 0


async def test_the_token_is_only_read_from_the_header(sandbox: Sandbox) -> None:
    async with client_for(sandbox, None) as http:
        response = await http.get("/v1/users/me", params={"api_token": DEMO_TOKEN})
    assert response.status_code == 401


async def test_an_unknown_path_or_method_looks_like_a_bad_token(client: httpx.AsyncClient) -> None:
    # Pipedrive's gateway answers these with the same 401 body
    assert (await client.get("/v1/nonsense")).json() == GATEWAY_401
    assert (await client.delete("/api/v2/persons/1")).status_code == 401


async def test_an_inactive_company_gets_402_on_every_endpoint(sandbox: Sandbox) -> None:
    async with client_for(sandbox, INACTIVE_TOKEN) as http:
        for path in ("/v1/users/me", "/api/v2/persons/search?term=trevor", "/v1/notes"):
            response = await http.get(path)
            assert response.status_code == 402
            assert response.json()["success"] is False
            assert "x-ratelimit-limit" in response.headers


async def test_users_me_identifies_user_and_company(client: httpx.AsyncClient) -> None:
    me = (await client.get("/v1/users/me")).json()["data"]
    assert me["id"] == 1
    assert me["is_you"] is True
    assert me["company_domain"] == DEMO_COMPANY_DOMAIN


async def test_each_token_is_its_own_user_and_company(sandbox: Sandbox) -> None:
    async with client_for(sandbox, COLLEAGUE_TOKEN) as http:
        assert (await http.get("/v1/users/me")).json()["data"]["name"] == "Jonas Becker"
    async with client_for(sandbox, SECOND_TOKEN) as http:
        me = (await http.get("/v1/users/me")).json()["data"]
    assert me["company_id"] == SECOND_COMPANY_ID


async def test_a_rotated_token_stops_working_and_the_new_one_is_the_same_user(
    sandbox: Sandbox,
) -> None:
    new_token = sandbox.rotate_token(DEMO_TOKEN)
    assert new_token != DEMO_TOKEN
    async with client_for(sandbox, DEMO_TOKEN) as old:
        assert (await old.get("/v1/users/me")).status_code == 401
    async with client_for(sandbox, new_token) as new:
        me = await new.get("/v1/users/me")
    assert me.status_code == 200
    assert me.json()["data"]["id"] == 1


def test_rotating_an_unknown_token_raises(sandbox: Sandbox) -> None:
    with pytest.raises(KeyError):
        sandbox.rotate_token("no-such-token")


def test_rotation_is_reproducible_with_the_same_seed() -> None:
    first = Sandbox(demo_dataset(TODAY), seed=7).rotate_token(DEMO_TOKEN)
    second = Sandbox(demo_dataset(TODAY), seed=7).rotate_token(DEMO_TOKEN)
    assert first == second
