"""Every status code and transport failure maps onto the error tree; retries are bounded."""

from __future__ import annotations

import json
import random
from collections.abc import Callable

import httpx
import pytest

from cardin.pipedrive import (
    ApiTokenAuth,
    BadResponse,
    Forbidden,
    InvalidToken,
    NotFound,
    PaymentRequired,
    PipedriveClient,
    PipedriveError,
    RateLimited,
    RetryPolicy,
    Unavailable,
    WriteUncertain,
)

TOKEN = "secret-token-0123456789"
ME = {
    "success": True,
    "data": {"id": 7, "name": "Ann", "company_id": 1, "company_domain": "acme", "locale": "en_US"},
}

Handler = Callable[[httpx.Request], httpx.Response]


class FakeSleep:
    """Records the delays the client asked for instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def make_client(
    handler: Handler, *, attempts: int = 3, timeout: float = 5.0
) -> tuple[PipedriveClient, FakeSleep, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    sleep = FakeSleep()
    http = httpx.AsyncClient(transport=httpx.MockTransport(recording))
    retry = RetryPolicy(attempts=attempts, sleep=sleep, rng=random.Random(1))
    client = PipedriveClient(
        http,
        auth=ApiTokenAuth(TOKEN),
        base_url="https://acme.pipedrive.com",
        retry=retry,
        timeout=timeout,
    )
    return client, sleep, seen


def reply(status: int, body: object = None, headers: dict[str, str] | None = None) -> Handler:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return lambda _request: httpx.Response(status, content=content, headers=headers)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, InvalidToken),
        (402, PaymentRequired),
        (403, Forbidden),
        (404, NotFound),
        (410, NotFound),
        (400, BadResponse),
        (405, BadResponse),
        (500, Unavailable),
        (502, Unavailable),
        (503, Unavailable),
        (504, Unavailable),
    ],
)
async def test_status_codes_map_to_errors(status: int, error: type[PipedriveError]) -> None:
    body = {"success": False, "error": "unauthorized access", "errorCode": status}
    client, _, _ = make_client(reply(status, body))
    with pytest.raises(error) as info:
        await client.current_user()
    assert info.value.status == status
    assert info.value.path == "/v1/users/me"
    assert TOKEN not in str(info.value)


async def test_token_goes_in_header_never_in_url() -> None:
    client, _, seen = make_client(reply(200, ME))
    await client.current_user()
    assert seen[0].headers["x-api-token"] == TOKEN
    assert TOKEN not in str(seen[0].url)


async def test_html_error_page_is_still_mapped() -> None:
    page = b"<html><body>This error is produced by Cloudflare</body></html>"
    client, _, _ = make_client(reply(403, page, {"content-type": "text/html"}))
    with pytest.raises(Forbidden, match="HTTP 403"):
        await client.current_user()


@pytest.mark.parametrize(
    "body",
    [b"<html>oops</html>", b'{"success": true, "data": {"id": 7', b"", b"\xff\xfe\x00"],
    ids=["html", "truncated", "empty", "binary"],
)
async def test_unreadable_bodies_are_bad_responses(body: bytes) -> None:
    client, _, _ = make_client(reply(200, body))
    with pytest.raises(BadResponse, match="not JSON"):
        await client.current_user()


@pytest.mark.parametrize(
    "body",
    [
        {"success": True, "data": {"name": "no id"}},
        {"success": True, "data": [1, 2]},
        {"success": False, "error": "weird"},
        [1, 2, 3],
    ],
)
async def test_wrongly_shaped_bodies_are_bad_responses(body: object) -> None:
    client, _, _ = make_client(reply(200, body))
    with pytest.raises(BadResponse):
        await client.current_user()


@pytest.mark.parametrize(
    "exc",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("cut")],
)
async def test_transport_failures_are_unavailable_after_bounded_retries(exc: Exception) -> None:
    def fail(_request: httpx.Request) -> httpx.Response:
        raise exc

    client, sleep, seen = make_client(fail, attempts=3)
    with pytest.raises(Unavailable):
        await client.current_user()
    assert len(seen) == 3
    assert len(sleep.delays) == 2
    assert all(0 <= d <= 2.0 for d in sleep.delays)
    assert client.meter.tokens == 0  # nothing reached Pipedrive


async def test_slow_reply_times_out_by_the_deadline() -> None:
    async def slow_app(scope: object, receive: object, send: object) -> None:
        import asyncio  # noqa: PLC0415

        await asyncio.sleep(10)

    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=slow_app))
    retry = RetryPolicy(attempts=1)
    client = PipedriveClient(
        http,
        auth=ApiTokenAuth(TOKEN),
        base_url="http://x",
        configured_base="http://x",
        timeout=0.05,
        retry=retry,
    )
    with pytest.raises(Unavailable, match=r"did not answer within 0\.05 s"):
        await client.current_user()


async def test_429_honours_retry_after_then_succeeds() -> None:
    answers = iter(
        [
            httpx.Response(429, json={"success": False}, headers={"retry-after": "1.5"}),
            httpx.Response(200, json=ME),
        ]
    )
    client, sleep, seen = make_client(lambda _r: next(answers))
    me = await client.current_user()
    assert me.id == 7
    assert sleep.delays == [1.5]
    assert len(seen) == 2
    assert client.meter.tokens == 4  # both requests were charged


async def test_429_with_long_retry_after_is_not_waited_for() -> None:
    client, sleep, seen = make_client(reply(429, {"success": False}, {"retry-after": "30"}))
    with pytest.raises(RateLimited) as info:
        await client.current_user()
    assert info.value.retry_after == 30
    assert sleep.delays == []
    assert len(seen) == 1


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("99999999999", 86_400.0),
        ("inf", None),
        ("nan", None),
        ("-5", 0.0),
        ("soon", None),
        ("Fri, 31 Dec 9999 23:59:59 GMT", 86_400.0),
        ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
        ("Mon, 99 Foo 2026 25:61:61 GMT", None),
    ],
)
async def test_a_broken_retry_after_is_capped_or_ignored(
    header: str, seconds: float | None
) -> None:
    client, _sleep, _seen = make_client(reply(429, {"success": False}, {"retry-after": header}))
    with pytest.raises(RateLimited) as info:
        await client.current_user()
    assert info.value.retry_after == seconds


async def test_429_uses_ratelimit_reset_when_no_retry_after() -> None:
    client, sleep, seen = make_client(reply(429, {}, {"x-ratelimit-reset": "1"}), attempts=2)
    with pytest.raises(RateLimited) as info:
        await client.current_user()
    assert info.value.retry_after == 1
    assert sleep.delays == [1.0]
    assert len(seen) == 2


async def test_5xx_retries_are_bounded_then_recover() -> None:
    answers = iter([httpx.Response(503), httpx.Response(502), httpx.Response(200, json=ME)])
    client, sleep, seen = make_client(lambda _r: next(answers), attempts=3)
    assert (await client.current_user()).company_domain == "acme"
    assert len(seen) == 3
    assert len(sleep.delays) == 2


@pytest.mark.parametrize("status", [401, 402, 403, 404])
async def test_client_errors_are_never_retried(status: int) -> None:
    client, sleep, seen = make_client(reply(status, {"success": False}))
    with pytest.raises(PipedriveError):
        await client.current_user()
    assert len(seen) == 1
    assert sleep.delays == []


async def test_meter_records_cost_and_rate_limit_headers() -> None:
    headers = {
        "x-ratelimit-limit": "40",
        "x-ratelimit-remaining": "39",
        "x-daily-requests-left": "9",
    }
    client, _, _ = make_client(
        reply(200, {"success": True, "data": [], "additional_data": {}}, headers)
    )
    await client.person_fields()
    await client.notes(person_id=3)
    assert client.meter.requests == 2
    assert client.meter.tokens == 10 + 20
    assert (client.meter.rate_limit_limit, client.meter.rate_limit_remaining) == (40, 39)
    assert client.meter.daily_requests_left == 9


async def test_v2_cursor_pages_are_followed() -> None:
    pages = {
        None: {
            "success": True,
            "data": [{"field_code": "a"}],
            "additional_data": {"next_cursor": "c2"},
        },
        "c2": {
            "success": True,
            "data": [{"field_code": "b"}],
            "additional_data": {"next_cursor": None},
        },
    }
    client, _, seen = make_client(
        lambda r: httpx.Response(200, json=pages[r.url.params.get("cursor")])
    )
    fields = await client.person_fields()
    assert [f.field_code for f in fields] == ["a", "b"]
    assert len(seen) == 2


def test_backoff_is_jittered_and_capped() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=1.0, rng=random.Random(3))
    delays = [policy.backoff(n) for n in range(1, 8)]
    assert all(0 <= d <= 1.0 for d in delays)
    assert len(set(delays)) == len(delays)


async def test_a_write_is_not_repeated_after_a_5xx() -> None:
    client, sleep, seen = make_client(reply(503, {"success": False}))
    with pytest.raises(WriteUncertain):
        await client.create_person(name="Ann", email="ann@x.example", owner_id=1)
    assert len(seen) == 1
    assert sleep.delays == []


async def test_a_write_refused_with_429_is_sent_again() -> None:
    person = {"success": True, "data": {"id": 9, "name": "Ann"}}
    answers = iter(
        [
            httpx.Response(429, json={"success": False}, headers={"retry-after": "1"}),
            httpx.Response(200, json=person),
        ]
    )
    client, sleep, seen = make_client(lambda _r: next(answers))
    created = await client.create_person(name="Ann", email="ann@x.example", owner_id=None)
    assert created.id == 9
    assert len(seen) == 2
    assert json.loads(seen[1].content) == {
        "name": "Ann",
        "emails": [{"value": "ann@x.example", "primary": True, "label": "work"}],
    }
    assert sleep.delays == [1.0]


async def test_a_token_with_characters_no_token_has_is_invalid() -> None:
    http = httpx.AsyncClient(transport=httpx.MockTransport(reply(200, ME)))
    client = PipedriveClient(
        http, auth=ApiTokenAuth("abc\u00e9\u2028"), base_url="https://x.pipedrive.com"
    )
    with pytest.raises(InvalidToken):
        await client.current_user()


DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize("status", [200, 500])
async def test_json_nested_past_the_stack_is_an_unreadable_reply(status: int) -> None:
    client, _sleep, _seen = make_client(reply(status, DEEP), attempts=1)
    with pytest.raises(PipedriveError) as info:
        await client.current_user()
    assert not isinstance(info.value, RecursionError)
    if status == 200:
        assert isinstance(info.value, BadResponse)
