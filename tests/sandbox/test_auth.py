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


@pytest.mark.parametrize(
    "path",
    ["/v1/nonsense", "/v1/userSettings", "/api/v2/persons/1/deals", "/api/v2/deals/archived"],
)
async def test_an_unknown_path_is_404_not_a_token_problem(
    sandbox: Sandbox, client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert response.json()["success"] is False
    assert response.json()["error"] == f"Unknown route: GET {path}"
    assert sandbox.requests[-1].cost == 0


async def test_a_method_the_path_does_not_take_is_405(client: httpx.AsyncClient) -> None:
    response = await client.delete("/api/v2/persons/1")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
    assert (await client.put("/api/v2/persons")).headers["allow"] == "GET, HEAD, POST"


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/v1/nonsense"), ("DELETE", "/api/v2/persons/1"), ("QUERY", "/")]
)
async def test_the_token_is_checked_before_routing(
    sandbox: Sandbox, method: str, path: str
) -> None:
    async with client_for(sandbox, "wrong-token") as http:
        response = await http.request(method, path)
    assert response.status_code == 401
    assert response.json() == GATEWAY_401


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v2/persons/1.5", 400),
        ("/api/v2/persons/1e3", 400),
        ("/api/v2/deals/null%2Cnull", 400),
        ("/api/v2/persons/-1", 404),
        ("/api/v2/persons/0", 404),
        ("/api/v2/persons/99999999999999999999", 404),
        ("/api/v2/persons/%20/picture", 400),
        ("/v1/users/-1", 404),
        ("/v1/users/%0A", 404),
        ("/v1/users/1.5", 404),
    ],
)
async def test_a_bad_id_is_400_or_404_and_charged(
    sandbox: Sandbox, client: httpx.AsyncClient, path: str, status: int
) -> None:
    response = await client.get(path)
    assert response.status_code == status
    assert response.json()["success"] is False
    assert sandbox.requests[-1].cost > 0


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
