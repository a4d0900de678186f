"""Rate limits: headers, the 2-second burst window per token, the daily token budget."""

from __future__ import annotations

import httpx

from cardin.sandbox import (
    COLLEAGUE_TOKEN,
    DEMO_COMPANY_ID,
    DEMO_TOKEN,
    SECOND_TOKEN,
    Dataset,
    Sandbox,
)
from cardin.sandbox.limits import daily_budget

from .conftest import client_for


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_every_answer_carries_the_rate_limit_headers(client: httpx.AsyncClient) -> None:
    first = await client.get("/v1/users/me")
    second = await client.get("/api/v2/persons/1")
    assert first.headers["x-ratelimit-limit"] == "100"  # the demo company is on premium
    assert int(second.headers["x-ratelimit-remaining"]) == 98
    assert first.headers["x-ratelimit-reset"] == "2"
    assert first.headers["x-daily-requests-left"] == "10000"
    assert "x-ratelimit-limit" in (await client.get("/v1/nonsense")).headers


async def test_the_burst_window_refuses_then_recovers(dataset: Dataset) -> None:
    clock = FakeClock()
    sandbox = Sandbox(dataset, clock=clock)
    async with client_for(sandbox) as http:
        statuses = [(await http.get("/v1/users/me")).status_code for _ in range(100)]
        refused = await http.get("/v1/users/me")
        async with client_for(sandbox, COLLEAGUE_TOKEN) as colleague:
            assert (await colleague.get("/v1/users/me")).status_code == 200  # per token
        clock.now += 2.01
        recovered = await http.get("/v1/users/me")
    assert set(statuses) == {200}
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "2"
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert refused.json()["success"] is False
    assert recovered.status_code == 200


async def test_search_has_its_own_smaller_burst_limit(dataset: Dataset) -> None:
    sandbox = Sandbox(dataset, clock=FakeClock())
    async with client_for(sandbox) as http:
        params = {"term": "nobody@unknown.example", "exact_match": "true"}
        answers = [await http.get("/api/v2/persons/search", params=params) for _ in range(11)]
        other = await http.get("/v1/users/me")
    assert [a.status_code for a in answers] == [200] * 10 + [429]
    assert answers[0].headers["x-ratelimit-limit"] == "10"
    assert other.status_code == 200


async def test_the_burst_limit_follows_the_plan(sandbox: Sandbox) -> None:
    async with client_for(sandbox, SECOND_TOKEN) as http:
        response = await http.get("/v1/users/me")
    assert response.headers["x-ratelimit-limit"] == "40"  # growth


async def test_tokens_are_spent_at_the_published_costs(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    await client.get("/v1/users/me")
    await client.get("/api/v2/persons/search", params={"term": "sam.lee@minimal.example"})
    await client.get("/api/v2/persons/1")
    await client.get("/api/v2/persons/999")  # a 404 is still charged
    async with client_for(sandbox, "wrong") as stranger:
        await stranger.get("/v1/users/me")  # refused at the gate: free
    assert sandbox.tokens_spent(DEMO_COMPANY_ID) == 2 + 20 + 1 + 1
    assert [record.cost for record in sandbox.requests] == [2, 20, 1, 1, 0]


async def test_an_exhausted_budget_answers_429_until_midnight(
    client: httpx.AsyncClient, sandbox: Sandbox
) -> None:
    budget = daily_budget("premium", 6)
    assert budget == 30_000 * 5 * 6
    sandbox.limiter.charge(DEMO_COMPANY_ID, budget - 2)
    assert (await client.get("/v1/users/me")).status_code == 200  # exactly the last 2 tokens
    refused = await client.get("/api/v2/persons/1")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 86_400
    assert "budget" in refused.json()["error"]
    assert sandbox.tokens_spent(DEMO_COMPANY_ID) == budget


async def test_limits_can_be_switched_off_but_spending_is_still_counted(dataset: Dataset) -> None:
    sandbox = Sandbox(dataset, clock=FakeClock(), rate_limits=False)
    async with client_for(sandbox, DEMO_TOKEN) as http:
        statuses = {(await http.get("/v1/users/me")).status_code for _ in range(120)}
    assert statuses == {200}
    assert sandbox.tokens_spent(DEMO_COMPANY_ID) == 240
