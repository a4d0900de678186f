"""The client's reads over the service's client (`QuickReads`): the same request as httpx sends,
the same checks before it, the same failures and retries, and the same contact found."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Any

import httpx
import pytest
import uvicorn
from hypothesis import given, settings
from hypothesis import strategies as st

from cardin.cache import MemoryCache
from cardin.contact.model import Match
from cardin.lookup import AccountKey, LookupEngine
from cardin.pipedrive import (
    ApiToken,
    ApiTokenAuth,
    BadResponse,
    InvalidToken,
    PipedriveClient,
    PipedriveError,
    RetryPolicy,
    Unavailable,
    UntrustedHost,
)
from cardin.pipedrive.client import _query
from cardin.sandbox import (
    DEMO_COMPANY_ID,
    DEMO_TOKEN,
    DEMO_USER_ID,
    HUGE_EMAIL,
    RICH_EMAIL,
    SHARED_EMAIL,
    Sandbox,
)
from cardin.transport import NoCookies, ServiceClient, ServiceTransport, service_client
from tests.conftest import NOW, FakeSleep

TOKEN = "secret-token-0123456789"
Read = Callable[[PipedriveClient], Awaitable[object]]
READS: dict[str, Read] = {
    "search": lambda c: c.search_persons_by_email("ann+sales@x.example"),
    "person": lambda c: c.person(47),
    "activities page": lambda c: c.company_activities(),
    "notes of a deal": lambda c: c.notes(deal_id=3, limit=5),
    "deals of a person": lambda c: c.deals_of_person(7),
    "user": lambda c: c.user(12),
}


@pytest.fixture(autouse=True)
def no_proxy_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)


class Recorder:
    """A local HTTP server that keeps each request head and answers `body` (keep-alive), or
    never answers when `body` is None."""

    def __init__(self, body: bytes | None) -> None:
        self.body = body
        self.heads: list[bytes] = []
        self.url = ""

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                self.heads.append(await reader.readuntil(b"\r\n\r\n"))
                if self.body is None:
                    await asyncio.Event().wait()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
                writer.write(b"Content-Length: %d\r\n\r\n%s" % (len(self.body), self.body))
                await writer.drain()


@pytest.fixture
async def recorder() -> AsyncIterator[Callable[[bytes | None], Awaitable[Recorder]]]:
    servers: list[asyncio.Server] = []

    async def start(body: bytes | None) -> Recorder:
        recording = Recorder(body)
        server = await asyncio.start_server(recording.serve, "127.0.0.1", 0)
        recording.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        servers.append(server)
        return recording

    yield start
    for server in servers:
        server.close()


def pipedrive(http: httpx.AsyncClient, base: str, **options: Any) -> PipedriveClient:
    options.setdefault("auth", ApiTokenAuth(TOKEN))
    return PipedriveClient(http, base_url=base, configured_base=base, **options)


def the_other_way() -> httpx.AsyncClient:
    """The service's settings, sent through httpx's client (no quick reads)."""
    return httpx.AsyncClient(
        transport=ServiceTransport(), headers={"user-agent": "Cardin/test"}, cookies=NoCookies()
    )


def sent(head: bytes) -> tuple[str, dict[str, str]]:
    request_line, *lines = head.decode("latin-1").split("\r\n")
    return request_line, {k.lower(): v for k, v in (x.split(": ", 1) for x in lines if x)}


@pytest.mark.parametrize("read", READS)
async def test_a_quick_read_sends_what_httpx_sends(recorder: Any, read: str) -> None:
    server = await recorder(b'{"success": true, "data": null}')
    async with service_client(headers={"user-agent": "Cardin/test"}) as quick_http:
        quick = pipedrive(quick_http, server.url)
        assert quick._quick is not None  # the quick way is taken
        with contextlib.suppress(PipedriveError):
            await READS[read](quick)
    async with the_other_way() as http:
        other = pipedrive(http, server.url)
        assert other._quick is None
        with contextlib.suppress(PipedriveError):
            await READS[read](other)
    assert len(server.heads) == 2
    assert sent(server.heads[0]) == sent(server.heads[1])
    assert sent(server.heads[0])[1]["x-api-token"] == TOKEN


@pytest.mark.parametrize(
    ("spelling", "quick"),
    [
        ("http://{host}", True),
        ("http://{host}/", True),  # the client drops a trailing "/"
        ("http://{host}/api/", True),
        ("HTTP://{host}", False),  # httpx would write "http": the text is not what it sends
        ("http://LOCALHOST:{port}", False),
    ],
)
async def test_a_base_httpx_would_write_otherwise_goes_the_other_way(
    recorder: Any, monkeypatch: pytest.MonkeyPatch, spelling: str, *, quick: bool
) -> None:
    server = await recorder(b'{"success": true, "data": {"id": 47}}')
    host = server.url.removeprefix("http://")
    base = spelling.format(host=host, port=host.rpartition(":")[2])
    quick_gets: list[str] = []
    original = ServiceClient.quick_get

    async def counted(self: ServiceClient, url: str, *args: Any) -> httpx.Response:
        quick_gets.append(url)
        return await original(self, url, *args)

    monkeypatch.setattr(ServiceClient, "quick_get", counted)
    async with service_client() as http:
        person = await pipedrive(http, base).person(47)
    assert person.id == 47
    assert len(quick_gets) == (1 if quick else 0)
    path = b"/api/api/v2/persons/47?" if "/api/" in base else b"/api/v2/persons/47?"
    assert server.heads[0].startswith(b"GET " + path)


async def test_the_token_goes_nowhere_else_and_must_be_ascii(recorder: Any) -> None:
    server = await recorder(b'{"success": true, "data": {"id": 47}}')
    async with service_client() as http:
        untrusted = PipedriveClient(
            http, auth=ApiTokenAuth(TOKEN), base_url=server.url, configured_base="https://x.test"
        )
        with pytest.raises(UntrustedHost):
            await untrusted.person(47)
        with pytest.raises(InvalidToken):
            await pipedrive(http, server.url, auth=ApiTokenAuth("tökén")).person(47)
    for way in (service_client(), the_other_way()):
        async with way as http:  # a line break in a token is refused before it is sent
            with pytest.raises(Unavailable, match="LocalProtocolError"):
                await pipedrive(http, server.url, auth=ApiTokenAuth("a\r\nx: y")).person(47)
    assert server.heads == []


async def test_a_quick_read_from_a_silent_server_is_retried_then_unavailable(
    recorder: Any,
) -> None:
    server = await recorder(None)
    sleep = FakeSleep()
    async with service_client() as http:
        client = pipedrive(
            http, server.url, timeout=0.2, retry=RetryPolicy(attempts=3, sleep=sleep)
        )
        with pytest.raises(Unavailable, match="did not answer within"):
            await client.person(1)
    assert len(server.heads) == 3  # tried again, as a read may be
    assert len(sleep.delays) == 2
    assert client.meter.requests == 3


@pytest.mark.parametrize("quick", [True, False], ids=["quick", "httpx"])
async def test_a_cursor_that_is_not_text_is_a_bad_reply_either_way(
    recorder: Any, quick: bool
) -> None:
    # a lone surrogate, which JSON may carry and no request can: Pipedrive's fault, not the
    # token's (InvalidToken would ask the user to connect again), and never a bare exception
    field = '{"field_code": "name", "field_name": "Name", "field_type": "varchar"}'
    body = '{"success": true, "data": [%s], "additional_data": {"next_cursor": "\\ud800"}}'
    server = await recorder((body % field).encode())
    async with service_client() if quick else the_other_way() as http:
        with pytest.raises(BadResponse, match="cursor that is not text"):
            await pipedrive(http, server.url).person_fields()
    assert len(server.heads) == 1  # the first page; the second is never asked for


PARAMS = st.dictionaries(
    st.text(min_size=1, max_size=8),
    st.one_of(st.text(max_size=12), st.integers(-(2**70), 2**70)),
    max_size=4,
)


@settings(max_examples=300, deadline=None)
@given(params=PARAMS, path=st.sampled_from(["/v1/notes", "/api/v2/persons/search"]))
def test_the_quick_url_is_the_url_httpx_sends(params: dict[str, str | int], path: str) -> None:
    base = "https://acme.pipedrive.com"
    quick = base + path + ("?" + _query(params) if params else "")
    assert quick == str(httpx.URL(base + path).copy_merge_params(params))


@pytest.mark.parametrize("email", [RICH_EMAIL, HUGE_EMAIL, SHARED_EMAIL])
async def test_a_lookup_over_real_http_finds_what_the_in_process_lookup_finds(
    sandbox: Sandbox, email: str
) -> None:
    config = uvicorn.Config(sandbox.app, host="127.0.0.1", port=0, log_level="critical")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    account = AccountKey(DEMO_COMPANY_ID, DEMO_USER_ID)
    try:
        while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
            await asyncio.sleep(0.01)
        url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
        results = []
        for http in (
            service_client(),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app)),
        ):
            base = url if isinstance(http, ServiceClient) else "http://sandbox.test"
            async with http:
                engine = LookupEngine(http, MemoryCache(), api_base=base, clock=lambda: NOW)
                results.append(
                    await engine.lookup(
                        email, credential=ApiToken(DEMO_TOKEN), account=account, base_url=base
                    )
                )
    finally:
        server.should_exit = True
        await serving
    quick, in_process = results
    assert isinstance(quick, Match)
    assert isinstance(in_process, Match)
    assert quick.usage.requests == in_process.usage.requests
    # the picture is served from the API base, which differs: the rest is the same
    assert quick.contact.picture_url != in_process.contact.picture_url or email != RICH_EMAIL
    assert replace(quick.contact, picture_url=None) == replace(in_process.contact, picture_url=None)
