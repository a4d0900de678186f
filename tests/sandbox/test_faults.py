"""Fault injection and latency: every fault kind, path scoping, seeded rates, invalid specs."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from cardin.sandbox import Dataset, FaultKind, FaultPlan, FaultRule, Sandbox, demo_dataset

from .conftest import TODAY, client_for


def test_a_spec_parses_into_rules() -> None:
    plan = FaultPlan.parse("429:0.1, timeout@/v1/notes,malformed:0.05@/api/v2/persons")
    assert plan.rules == (
        FaultRule(FaultKind.RATE_LIMITED, 0.1),
        FaultRule(FaultKind.TIMEOUT, 1.0, "/v1/notes"),
        FaultRule(FaultKind.MALFORMED, 0.05, "/api/v2/persons"),
    )
    assert str(plan) == "429:0.1,timeout@/v1/notes,malformed:0.05@/api/v2/persons"
    assert not FaultPlan.parse("")
    assert not FaultPlan.none()


@pytest.mark.parametrize(
    ("spec", "complaint"),
    [
        ("418", "unknown kind"),
        ("429:2", "between 0 and 1"),
        ("429:often", "not a number"),
        ("500@v1/notes", "must start with '/'"),
        ("429,,500", "empty rule"),
        ("500,", "empty rule"),
        ("timeout:-0.1", "between 0 and 1"),
        ("503:nan", "between 0 and 1"),
    ],
)
def test_an_invalid_spec_says_what_is_wrong(spec: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        FaultPlan.parse(spec)


async def answer_with(sandbox: Sandbox, spec: str, path: str = "/v1/users/me") -> httpx.Response:
    """One request to `path` under the fault plan `spec`."""
    sandbox.set_faults(FaultPlan.parse(spec))
    async with client_for(sandbox) as http:
        return await http.get(path)


async def test_429_fault_says_when_to_retry(sandbox: Sandbox) -> None:
    response = await answer_with(sandbox, "429")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert response.headers["x-ratelimit-reset"] == "2"
    assert response.json()["success"] is False
    assert sandbox.requests[-1].fault == "429"
    assert sandbox.requests[-1].cost == 0


async def test_5xx_faults_answer_json_or_html(sandbox: Sandbox) -> None:
    server_error = await answer_with(sandbox, "500")
    assert server_error.status_code == 500
    assert server_error.json()["success"] is False
    for status in (502, 503):
        response = await answer_with(sandbox, str(status))
        assert response.status_code == status
        assert response.headers["content-type"].startswith("text/html")
        assert f"{status}" in response.text


async def test_malformed_fault_answers_200_with_a_body_that_is_not_json(sandbox: Sandbox) -> None:
    response = await answer_with(sandbox, "malformed")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        response.json()


async def test_truncated_fault_cuts_the_real_answer_in_half(sandbox: Sandbox) -> None:
    whole = await answer_with(sandbox, "", "/api/v2/persons/1")
    cut = await answer_with(sandbox, "truncated", "/api/v2/persons/1")
    assert cut.status_code == 200
    assert whole.content.startswith(cut.content)
    assert len(cut.content) == len(whole.content) // 2
    with pytest.raises(json.JSONDecodeError):
        cut.json()


async def test_timeout_fault_holds_the_answer_past_the_client_timeout(dataset: Dataset) -> None:
    sandbox = Sandbox(dataset, faults=FaultPlan.parse("timeout"), timeout_seconds=0.2)
    async with client_for(sandbox) as http:
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(http.get("/v1/users/me"), timeout=0.02)
    sandbox.timeout_seconds = 0.01
    async with client_for(sandbox) as http:
        late = await http.get("/v1/users/me")
    assert late.status_code == 200  # a patient client gets the real answer


async def test_a_path_prefix_limits_the_fault(sandbox: Sandbox) -> None:
    sandbox.set_faults(FaultPlan.parse("500@/v1/notes"))
    async with client_for(sandbox) as http:
        assert (await http.get("/v1/notes")).status_code == 500
        assert (await http.get("/v1/users/me")).status_code == 200
    sandbox.set_faults(FaultPlan.none())
    async with client_for(sandbox) as http:
        assert (await http.get("/v1/notes")).status_code == 200


async def statuses(seed: int, count: int = 200) -> list[int]:
    """Statuses of `count` requests under `500:0.3` with that seed."""
    sandbox = Sandbox(
        demo_dataset(TODAY), faults=FaultPlan.parse("500:0.3"), seed=seed, rate_limits=False
    )
    async with client_for(sandbox) as http:
        return [(await http.get("/v1/users/me")).status_code for _ in range(count)]


async def test_a_rate_fails_about_that_share_reproducibly() -> None:
    first, again, other = await statuses(1), await statuses(1), await statuses(2)
    assert 30 <= first.count(500) <= 90
    assert set(first) == {200, 500}
    assert first == again
    assert first != other


async def test_latency_is_added_to_every_request(
    dataset: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def recorded(seconds: float) -> None:
        slept.append(seconds)
        await real_sleep(seconds)

    monkeypatch.setattr("cardin.sandbox.gateway.asyncio.sleep", recorded)
    sandbox = Sandbox(dataset, latency_ms=20)
    async with client_for(sandbox) as http:
        started = time.perf_counter()
        for _ in range(3):
            await http.get("/v1/users/me")
        slow = time.perf_counter() - started
        sandbox.latency_ms = 0
        await http.get("/v1/users/me")
    assert slow >= 0.06  # the latency is really waited for
    assert slept == [0.02, 0.02, 0.02]  # and not once latency is 0 (no timed upper bound)
