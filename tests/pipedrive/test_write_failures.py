"""How a write fails: sent once (again only after a 429); WriteUncertain when it may have landed,
Unavailable when it surely did not; reads fail as before."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import httpx
import pytest

from cardin.pipedrive import (
    ApiTokenAuth,
    BadResponse,
    Forbidden,
    NotFound,
    PipedriveClient,
    PipedriveError,
    RateLimited,
    RetryPolicy,
    Unavailable,
    WriteUncertain,
)
from cardin.transport import ServiceTransport
from tests.conftest import FakeSleep

TOKEN = "secret-token-0123456789"
BASE = "https://acme.pipedrive.com"
ACTIVITY = {"success": True, "data": {"id": 60, "subject": "Call", "done": True}}

Write = Callable[[PipedriveClient], Awaitable[object]]
WRITES: dict[str, Write] = {
    "note": lambda c: c.create_note(content="<p>x</p>", person_id=1),
    "activity": lambda c: c.create_activity(
        subject="s", type="call", due=None, duration=None, person_id=1
    ),
    "mark done": lambda c: c.mark_activity_done(60),
    "deal": lambda c: c.create_deal(title="t", person_id=1),
    "organization": lambda c: c.create_organization(name="Acme"),
    "person": lambda c: c.create_person(name="Ann", email="ann@x.example", owner_id=None),
}
Handler = Callable[[httpx.Request], httpx.Response]


def make_client(
    handler: Handler | httpx.AsyncBaseTransport,
    *,
    attempts: int = 3,
    timeout: float = 5.0,
    base: str = BASE,
) -> tuple[PipedriveClient, FakeSleep, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    if isinstance(handler, httpx.AsyncBaseTransport):
        transport = handler
    else:

        def recording(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return handler(request)

        transport = httpx.MockTransport(recording)
    sleep = FakeSleep()
    retry = RetryPolicy(attempts=attempts, sleep=sleep, rng=random.Random(1))
    client = PipedriveClient(
        httpx.AsyncClient(transport=transport),
        auth=ApiTokenAuth(TOKEN),
        base_url=base,
        configured_base=base,
        retry=retry,
        timeout=timeout,
    )
    return client, sleep, seen


def raising(exc: Exception) -> Handler:
    def fail(_request: httpx.Request) -> httpx.Response:
        raise exc

    return fail


# Failures before any byte left: the write did not land, the caller may send it again.
NOT_SENT = {
    "connect error": raising(httpx.ConnectError("refused")),
    "connect timeout": raising(httpx.ConnectTimeout("slow to connect")),
    "pool timeout": raising(httpx.PoolTimeout("no free connection")),
}
# Failures once the request may have reached Pipedrive.
MAYBE_LANDED = {
    "read timeout": raising(httpx.ReadTimeout("slow")),
    "write timeout": raising(httpx.WriteTimeout("slow to send")),
    "connection dropped": raising(httpx.RemoteProtocolError("Server disconnected")),
    "read error": raising(httpx.ReadError("reset by peer")),
    "500": lambda _r: httpx.Response(500, json={"success": False, "error": "oops"}),
    "502": lambda _r: httpx.Response(502, text="<html>Bad gateway</html>"),
    "503": lambda _r: httpx.Response(503),
    "504": lambda _r: httpx.Response(504),
    "2xx not JSON": lambda _r: httpx.Response(200, content=b'{"success": true, "data": {"id'),
    "2xx without data": lambda _r: httpx.Response(200, json={"success": True, "data": None}),
    "2xx not a success": lambda _r: httpx.Response(200, json={"success": False}),
}


@pytest.mark.parametrize("failure", NOT_SENT)
@pytest.mark.parametrize("write", WRITES)
async def test_a_write_that_never_left_is_unavailable_and_not_repeated(
    write: str, failure: str
) -> None:
    client, sleep, seen = make_client(NOT_SENT[failure])
    with pytest.raises(Unavailable) as info:
        await WRITES[write](client)
    assert not isinstance(info.value, WriteUncertain)
    assert len(seen) == 1
    assert sleep.delays == []
    assert client.meter.tokens == 0


@pytest.mark.parametrize("failure", MAYBE_LANDED)
@pytest.mark.parametrize("write", WRITES)
async def test_a_write_that_may_have_landed_is_uncertain_and_not_repeated(
    write: str, failure: str
) -> None:
    client, sleep, seen = make_client(MAYBE_LANDED[failure])
    with pytest.raises(WriteUncertain) as info:
        await WRITES[write](client)
    assert isinstance(info.value, Unavailable)  # callers that know only Unavailable still cope
    assert info.value.path == seen[0].url.path
    assert TOKEN not in str(info.value)
    assert len(seen) == 1
    assert sleep.delays == []


@pytest.mark.parametrize("status", [500, 503])
async def test_an_uncertain_write_keeps_the_status(status: int) -> None:
    client, _, _ = make_client(lambda _r: httpx.Response(status))
    with pytest.raises(WriteUncertain) as info:
        await client.create_note(content="x", person_id=1)
    assert info.value.status == status


@pytest.mark.parametrize(
    ("status", "error"),
    [(400, BadResponse), (403, Forbidden), (404, NotFound), (410, NotFound)],
)
@pytest.mark.parametrize("write", WRITES)
async def test_a_refused_write_says_why_and_is_not_repeated(
    write: str, status: int, error: type[PipedriveError]
) -> None:
    reason = "Deal not found" if status in {404, 410} else "Bad request: title is required"
    client, sleep, seen = make_client(
        lambda _r: httpx.Response(status, json={"success": False, "error": reason})
    )
    with pytest.raises(error) as info:
        await WRITES[write](client)
    assert not isinstance(info.value, Unavailable)
    assert str(info.value) == reason
    assert len(seen) == 1
    assert sleep.delays == []


@pytest.mark.parametrize("write", WRITES)
async def test_a_write_refused_with_429_is_sent_again(write: str) -> None:
    created = {"success": True, "data": {"id": 60, "name": "x", "title": "t", "content": "c"}}
    answers = iter(
        [
            httpx.Response(429, json={"success": False}, headers={"retry-after": "1"}),
            httpx.Response(429, json={"success": False}),  # no Retry-After: backoff
            httpx.Response(200, json=created),
        ]
    )
    client, sleep, seen = make_client(lambda _r: next(answers))
    await WRITES[write](client)
    assert len(seen) == 3
    assert [r.content for r in seen[1:]] == [seen[0].content] * 2
    assert sleep.delays[0] == 1.0
    assert len(sleep.delays) == 2
    assert 0 <= sleep.delays[1] <= 2.0


async def test_a_write_refused_with_429_too_often_is_rate_limited() -> None:
    client, sleep, seen = make_client(
        lambda _r: httpx.Response(429, json={"success": False}, headers={"retry-after": "1"}),
        attempts=3,
    )
    with pytest.raises(RateLimited):
        await client.create_deal(title="t", person_id=1)
    assert len(seen) == 3
    assert sleep.delays == [1.0, 1.0]


async def test_a_429_then_a_timeout_is_uncertain() -> None:
    answers: list[Handler] = [
        lambda _r: httpx.Response(429, json={"success": False}, headers={"retry-after": "0"}),
        raising(httpx.ReadTimeout("slow")),
    ]

    def answer(request: httpx.Request) -> httpx.Response:
        return answers[len(seen) - 1](request)

    client, _, seen = make_client(answer)
    with pytest.raises(WriteUncertain):
        await client.mark_activity_done(60)
    assert len(seen) == 2


@pytest.mark.parametrize("failure", [*NOT_SENT, "read timeout", "connection dropped", "503"])
async def test_reads_still_retry_and_are_never_uncertain(failure: str) -> None:
    handler = NOT_SENT.get(failure) or MAYBE_LANDED[failure]
    client, sleep, seen = make_client(handler, attempts=3)
    with pytest.raises(Unavailable) as info:
        await client.pipelines()
    assert not isinstance(info.value, WriteUncertain)
    assert len(seen) == 3
    assert len(sleep.delays) == 2


# --- a request that hangs until the client's own timeout ends it -------------------------------


class Traced(httpx.AsyncBaseTransport):
    """Reports progress through the `trace` extension as httpcore does, then never answers."""

    def __init__(self, events: tuple[str, ...]) -> None:
        self.events = events
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        trace = request.extensions.get("trace")
        for event in self.events:
            if trace is not None:
                await trace(event, {})
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


CONNECTING = ("connection.connect_tcp.started",)
SENT = ("connection.connect_tcp.started", "connection.connect_tcp.complete")
SENT += ("http11.send_request_headers.started", "http11.send_request_headers.complete")
SENT += ("http11.send_request_body.started", "http11.send_request_body.complete")
SENT += ("http11.receive_response_headers.started",)


@pytest.mark.parametrize(
    ("events", "uncertain"),
    [
        (CONNECTING, False),  # still connecting when the time ran out: nothing was sent
        (("connection.start_tls.started",), False),
        (("http11.send_request_headers.started",), True),  # a reused connection, sending
        (SENT, True),
        ((), True),  # a transport that reports nothing: it may have been sent
    ],
)
async def test_a_hanging_write_is_uncertain_once_it_was_sent(
    events: tuple[str, ...], *, uncertain: bool
) -> None:
    transport = Traced(events)
    client, _, _ = make_client(transport, timeout=0.05)
    with pytest.raises(Unavailable, match="did not answer within") as info:
        await client.create_deal(title="t", person_id=1)
    assert isinstance(info.value, WriteUncertain) is uncertain
    assert transport.requests == 1


# --- a real socket ------------------------------------------------------------------------------


@pytest.fixture
async def silent_server() -> AsyncIterator[tuple[str, list[bytes]]]:
    """A local HTTP server that reads requests and never answers; yields (base URL, received)."""
    received: list[bytes] = []
    writers: list[asyncio.StreamWriter] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        received.append(await reader.read(65536))
        await asyncio.Event().wait()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", received
    for writer in writers:
        writer.close()
    server.close()


# httpx's own transport, and the service's (cardin.transport), which sends writes over it
TRANSPORTS = pytest.mark.parametrize(
    "transport", [httpx.AsyncHTTPTransport, ServiceTransport], ids=["httpx", "service"]
)


@TRANSPORTS
async def test_a_write_sent_to_a_silent_server_is_uncertain(
    silent_server: tuple[str, list[bytes]], transport: type[httpx.AsyncBaseTransport]
) -> None:
    base, received = silent_server
    async with transport() as sending:
        client, _, _ = make_client(sending, timeout=0.2, base=base)
        with pytest.raises(WriteUncertain):
            await client.create_note(content="<p>landed?</p>", person_id=1)
    assert received
    assert received[0].startswith(b"POST /v1/notes ")


@TRANSPORTS
async def test_a_read_from_a_silent_server_is_unavailable(
    silent_server: tuple[str, list[bytes]], transport: type[httpx.AsyncBaseTransport]
) -> None:
    base, received = silent_server
    async with transport() as sending:
        client, sleep, _ = make_client(sending, timeout=0.2, base=base)
        with pytest.raises(Unavailable, match="did not answer within"):
            await client.person(1)
    assert len(received) == 3  # tried again, as a read may be
    assert received[0].startswith(b"GET /api/v2/persons/1?")
    assert len(sleep.delays) == 2


@TRANSPORTS
async def test_a_write_to_a_closed_port_is_unavailable(
    transport: type[httpx.AsyncBaseTransport],
) -> None:
    server = await asyncio.start_server(lambda _r, _w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()  # nothing listens there now
    base = f"http://127.0.0.1:{port}"
    async with transport() as sending:
        client, sleep, _ = make_client(sending, timeout=1.0, base=base)
        with pytest.raises(Unavailable) as info:
            await client.create_note(content="x", person_id=1)
    assert not isinstance(info.value, WriteUncertain)
    assert sleep.delays == []


def _body(request: httpx.Request) -> Mapping[str, Any]:
    loaded: Mapping[str, Any] = json.loads(request.content)
    return loaded


async def test_mark_done_is_a_patch_of_done_only() -> None:
    client, _, seen = make_client(lambda _r: httpx.Response(200, json=ACTIVITY))
    done = await client.mark_activity_done(60)
    assert done.done
    assert (seen[0].method, seen[0].url.path, _body(seen[0])) == (
        "PATCH",
        "/api/v2/activities/60",
        {"done": True},
    )
