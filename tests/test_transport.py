"""The service's transport (cardin.transport): reads over aiohttp, writes over httpx's own
transport, and every failure raised as the httpx exception that says what happened, against
real sockets: a plain server, one that misbehaves in each way, and one speaking TLS."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gzip
import ipaddress
import json
import os
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cardin import transport as transport_module
from cardin.transport import NoCookies, ServiceClient, ServiceTransport, service_client


@pytest.fixture(autouse=True)
def no_proxy_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as if no proxy were named, whatever the machine's environment says."""
    for name in list(os.environ):
        if name.lower().endswith("_proxy") or name == "REQUEST_METHOD":
            monkeypatch.delenv(name)


Script = Callable[["Server", asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


class Server:
    """A local TCP server running `script` on each connection; counts connections and keeps
    every request head it read."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.connections = 0
        self.heads: list[bytes] = []
        self.request_read = asyncio.Event()
        self.url = ""
        self._writers: list[asyncio.StreamWriter] = []

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            await self.script(self, reader, writer)

    async def read_head(self, reader: asyncio.StreamReader) -> bytes:
        """One request's head (and its body, by Content-Length), kept in `heads`."""
        head = await reader.readuntil(b"\r\n\r\n")
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                head += await reader.readexactly(int(value))
        self.heads.append(head)
        self.request_read.set()
        return head

    def close(self) -> None:
        for writer in self._writers:
            writer.close()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., Awaitable[Server]]]:
    servers: list[tuple[asyncio.Server, Server]] = []

    async def start(script: Script, *, tls: ssl.SSLContext | None = None) -> Server:
        server = Server(script)
        listening = await asyncio.start_server(server._serve, "127.0.0.1", 0, ssl=tls)
        port = listening.sockets[0].getsockname()[1]
        server.url = f"{'https' if tls else 'http'}://{'localhost' if tls else '127.0.0.1'}:{port}"
        servers.append((listening, server))
        return server

    yield start
    for listening, server in servers:
        server.close()
        listening.close()


def reply(status: int, body: bytes, *headers: tuple[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} Whatever", f"Content-Length: {len(body)}"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def answering(
    body: bytes = b'{"ok": true}', *headers: tuple[str, str], status: int = 200
) -> Script:
    """A script that answers every request on the connection the same way (keep-alive)."""

    async def script(
        server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while True:
            await server.read_head(reader)
            writer.write(reply(status, body, *headers))
            await writer.drain()

    return script


async def silent(server: Server, reader: asyncio.StreamReader, _: asyncio.StreamWriter) -> None:
    """Read a request and never answer."""
    await server.read_head(reader)
    await asyncio.Event().wait()


def client(**options: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=ServiceTransport(**options), timeout=2.0)


# --- what goes out and what comes back ----------------------------------------------------------


async def test_a_get_sends_the_url_as_encoded_and_the_headers_once(serve: Any) -> None:
    json_reply = answering(b'{"data": [1, 2]}', ("Content-Type", "application/json"))
    server = await serve(json_reply)
    async with client() as http:
        http.headers["user-agent"] = "Cardin/test"
        response = await http.get(
            f"{server.url}/api/v2/persons/search",
            params={"term": "a+b@x.example", "path": "a/b", "name": "Zoë"},
            headers={"x-api-token": "tok"},
        )
    assert response.status_code == 200
    assert response.json() == {"data": [1, 2]}
    assert response.reason_phrase == "Whatever"
    assert response.http_version == "HTTP/1.1"
    head = server.heads[0].decode("latin-1")
    request_line, *header_lines = head.split("\r\n")
    assert request_line == (
        "GET /api/v2/persons/search?term=a%2Bb%40x.example&path=a%2Fb&name=Zo%C3%AB HTTP/1.1"
    )
    names = [line.split(":")[0].lower() for line in header_lines if line]
    assert sorted(names) == sorted(set(names)), names  # no header twice
    headers = dict(line.split(": ", 1) for line in header_lines if line)
    lowered = {k.lower(): v for k, v in headers.items()}
    assert lowered["user-agent"] == "Cardin/test"
    assert lowered["x-api-token"] == "tok"
    assert lowered["host"] == server.url.removeprefix("http://")
    assert "cookie" not in lowered


async def test_a_gzipped_reply_is_decoded_by_httpx(serve: Any) -> None:
    body = gzip.compress(json.dumps({"big": "x" * 10_000}).encode())
    server = await serve(answering(body, ("Content-Encoding", "gzip")))
    async with client() as http:
        response = await http.get(f"{server.url}/v1/notes")
    assert response.json() == {"big": "x" * 10_000}
    assert response.headers["content-encoding"] == "gzip"


async def test_reads_keep_their_connection_alive(serve: Any) -> None:
    server = await serve(answering())
    async with client() as http:
        for _ in range(5):
            (await http.get(f"{server.url}/v1/users/me")).raise_for_status()
    assert server.connections == 1
    assert len(server.heads) == 5


async def test_cookies_are_neither_kept_nor_sent(serve: Any) -> None:
    server = await serve(answering(b"{}", ("Set-Cookie", "__cf_bm=abc; Path=/")))
    async with service_client() as http:
        assert isinstance(http._transport, ServiceTransport)
        first = await http.get(f"{server.url}/a")
        await http.get(f"{server.url}/b")
        await http.post(f"{server.url}/c", json={})
    assert first.headers["set-cookie"] == "__cf_bm=abc; Path=/"
    assert len(server.heads) == 3
    assert all(b"\r\ncookie:" not in head.lower() for head in server.heads)


async def test_a_write_goes_over_httpx_own_transport_and_reports_its_progress(
    serve: Any,
) -> None:
    server = await serve(answering(b'{"data": {"id": 1}}', status=201))
    events: list[str] = []

    async def trace(event: str, _info: Any) -> None:
        events.append(event)

    async with client() as http:
        created = await http.post(
            f"{server.url}/v1/notes", json={"content": "hi"}, extensions={"trace": trace}
        )
        read = await http.get(f"{server.url}/v1/notes/1", extensions={"trace": trace})
    assert (created.status_code, read.status_code) == (201, 201)
    assert server.heads[0].startswith(b"POST /v1/notes HTTP/1.1")
    assert server.heads[0].endswith(b'{"content":"hi"}')
    # httpcore's progress reports come for the write, which the write's failures rely on
    assert "http11.send_request_headers.started" in events
    assert server.connections == 2  # one pool for the write, one for the read


# --- failures -----------------------------------------------------------------------------------


async def closed_port() -> str:
    listening = await asyncio.start_server(lambda _r, _w: None, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    listening.close()
    await listening.wait_closed()
    return f"http://127.0.0.1:{port}"


async def test_a_refused_connection_is_a_connect_error() -> None:
    url = await closed_port()
    async with client() as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"{url}/v1/users/me")
        with pytest.raises(httpx.ConnectError):  # a write, over httpx's own transport
            await http.post(f"{url}/v1/notes", json={})


async def test_a_silent_server_is_a_read_timeout(serve: Any) -> None:
    server = await serve(silent)
    async with httpx.AsyncClient(transport=ServiceTransport(), timeout=0.2) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get(f"{server.url}/v1/users/me")


async def test_no_connection_within_the_pool_timeout_is_a_connect_timeout(serve: Any) -> None:
    server = await serve(silent)
    transport = ServiceTransport(limits=httpx.Limits(max_connections=1))
    async with httpx.AsyncClient(transport=transport, timeout=1.0) as http:
        hung = asyncio.create_task(http.get(f"{server.url}/first"))
        async with asyncio.timeout(5):
            await server.request_read.wait()  # the first request holds the only connection
        # the only connection is taken: this request is never written anywhere
        with pytest.raises(httpx.ConnectTimeout):
            await http.get(f"{server.url}/second", timeout=httpx.Timeout(5.0, pool=0.1))
        with pytest.raises(httpx.ReadTimeout):
            await hung
    assert server.connections == 1  # the second request never had one


@pytest.mark.parametrize(
    ("name", "answer"),
    [
        ("closed without a reply", b""),
        ("a body cut short", b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"partial'),
        ("not HTTP", b"HELLO THERE\r\n\r\n"),
        ("a broken chunk", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
    ],
)
async def test_a_broken_reply_is_a_protocol_error_never_a_connect_error(
    serve: Any, name: str, answer: bytes
) -> None:
    async def broken(
        server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await server.read_head(reader)
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await serve(broken)
    async with client() as http:
        with pytest.raises(httpx.TransportError) as info:
            await http.get(f"{server.url}/v1/users/me")
    # the request was written: a failure that says "never sent" would be a lie
    assert isinstance(info.value, httpx.RemoteProtocolError | httpx.ReadError), name
    assert not isinstance(info.value, httpx.ConnectError | httpx.ConnectTimeout), name
    # and written once: aiohttp's own second attempt (charged, uncounted) is off
    assert len(server.heads) == 1, name


async def test_an_unsupported_scheme_is_refused_before_sending() -> None:
    async with client() as http:
        with pytest.raises(httpx.UnsupportedProtocol):
            await http.get("ftp://127.0.0.1/file")


async def test_the_transport_recovers_after_failures(serve: Any) -> None:
    calls = {"n": 0}

    async def flaky(
        server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while True:
            await server.read_head(reader)
            calls["n"] += 1
            if calls["n"] == 1:  # the first connection dies without answering
                writer.close()
                return
            writer.write(reply(200, b'{"ok": 1}'))
            await writer.drain()

    server = await serve(flaky)
    async with client() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(f"{server.url}/x")
        response = await http.get(f"{server.url}/x")
    assert response.json() == {"ok": 1}
    assert len(server.heads) == 2


async def test_a_cancelled_read_leaves_the_transport_usable(serve: Any) -> None:
    hanging = await serve(silent)
    answering_server = await serve(answering())
    # one connection in all: the next read needs the one the cancelled read held
    async with client(limits=httpx.Limits(max_connections=1)) as http:
        read = asyncio.create_task(http.get(f"{hanging.url}/slow"))
        await asyncio.sleep(0.05)
        read.cancel()
        with pytest.raises(asyncio.CancelledError):
            await read
        response = await http.get(f"{answering_server.url}/fast")
    assert response.json() == {"ok": True}


async def test_a_line_break_in_a_header_value_is_refused_before_sending(serve: Any) -> None:
    server = await serve(answering())
    async with client() as http:
        with pytest.raises(httpx.LocalProtocolError):
            await http.get(f"{server.url}/x", headers={"x-api-token": "a\r\nInjected: 1"})
    assert server.heads == []


async def test_long_header_lines_head_and_no_content(serve: Any) -> None:
    long_policy = ("Content-Security-Policy", "default-src " + "x" * 9_000)
    server = await serve(answering(b"", long_policy, status=204))
    async with client() as http:
        empty = await http.get(f"{server.url}/x")
        head = await http.head(f"{server.url}/x")
    assert (empty.status_code, empty.content) == (204, b"")
    assert len(empty.headers["content-security-policy"]) == 9_012
    assert head.status_code == 204
    assert server.heads[1].startswith(b"HEAD /x HTTP/1.1")


async def test_a_proxy_named_in_the_environment_is_used(
    serve: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = await serve(answering(b'{"via": "proxy"}'))
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    async with service_client() as http:
        read = await http.get("http://pipedrive.invalid/v1/users/me")
    assert read.json() == {"via": "proxy"}
    assert proxy.heads[0].startswith(b"GET http://pipedrive.invalid/v1/users/me HTTP/1.1")


async def test_a_closed_transport_refuses_to_read() -> None:
    transport = ServiceTransport()
    await transport.aclose()
    async with httpx.AsyncClient(transport=transport) as http:
        with pytest.raises(RuntimeError, match="closed"):
            await http.get("http://127.0.0.1:9/")


# --- TLS ----------------------------------------------------------------------------------------


def self_signed(tmp: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context for `localhost` and a client context that trusts only it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp / "cert.pem", tmp / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert_file, key_file)
    trusting = ssl.create_default_context(cafile=str(cert_file))
    trusting.verify_flags &= ~ssl.VERIFY_X509_STRICT  # a bare test certificate (Python 3.13+)
    return server, trusting


async def test_https_with_a_trusted_certificate(serve: Any, tmp_path: Path) -> None:
    server_tls, trusting = self_signed(tmp_path)
    server = await serve(answering(b'{"tls": true}'), tls=server_tls)
    async with client(verify=trusting) as http:
        read = await http.get(f"{server.url}/v1/users/me")
        written = await http.post(f"{server.url}/v1/notes", json={})
    assert read.json() == {"tls": True}
    assert written.json() == {"tls": True}


async def test_an_untrusted_certificate_is_a_connect_error(serve: Any, tmp_path: Path) -> None:
    server_tls, _ = self_signed(tmp_path)
    server = await serve(answering(), tls=server_tls)
    async with client() as http:  # the default trust store does not know this certificate
        with pytest.raises(httpx.ConnectError):
            await http.get(f"{server.url}/v1/users/me")
        with pytest.raises(httpx.ConnectError):
            await http.post(f"{server.url}/v1/notes", json={})
    assert server.heads == []


async def test_no_proxy_alone_names_no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "localhost")
    monkeypatch.setenv("FTP_PROXY", "http://127.0.0.1:9")
    async with service_client() as http:
        assert isinstance(http._transport, ServiceTransport)


async def test_a_non_ascii_header_goes_out_as_httpx_sends_it(serve: Any) -> None:
    server = await serve(answering())
    async with client() as http:
        await http.get(f"{server.url}/x", headers={"x-note": b"Zo\xeb"})
    assert b"\r\nx-note: Zo\xeb\r\n" in server.heads[0]


async def test_a_url_with_a_user_and_password_is_sent_with_basic_auth(serve: Any) -> None:
    server = await serve(answering())
    url = server.url.replace("http://", "http://ann:secret@")
    async with client() as http:
        (await http.get(f"{url}/x")).raise_for_status()
    assert b"\r\nAuthorization: Basic YW5uOnNlY3JldA==\r\n" in server.heads[0]
    assert b"ann:secret" not in server.heads[0]


def test_timeouts_are_httpx_own_and_not_rounded_up() -> None:
    timeout = transport_module._timeout({"connect": 8.0, "read": 7.0, "write": 8.0, "pool": 6.5})
    assert (timeout.total, timeout.connect, timeout.sock_connect, timeout.sock_read) == (
        None,
        6.5,
        8.0,
        7.0,
    )
    assert timeout.ceil_threshold == float("inf")  # aiohttp rounds above 5 s by default


async def test_the_read_pool_keeps_connections_as_httpx_limits_say() -> None:
    for expiry in (None, 3.0):
        transport = ServiceTransport(
            limits=httpx.Limits(max_connections=7, keepalive_expiry=expiry)
        )
        session = transport._reads()
        connector = session.connector
        assert connector is not None
        assert (connector.limit, connector._keepalive_timeout) == (7, expiry)
        assert connector._timeout_ceil_threshold == float("inf")
        await transport.aclose()


async def test_closing_closes_the_write_pool_even_when_the_read_pool_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    transport = ServiceTransport()
    session = transport._reads()
    closed: list[str] = []

    async def failing_close() -> None:
        raise OSError("cannot close")

    async def write_pool_close() -> None:
        closed.append("writes")

    monkeypatch.setattr(session, "close", failing_close)
    monkeypatch.setattr(transport._writes, "aclose", write_pool_close)
    with pytest.raises(OSError, match="cannot close"):
        await transport.aclose()
    assert closed == ["writes"]
    await session.connector.close()  # type: ignore[union-attr]


# --- a quick read (ServiceClient.quick_get: no httpx request around it) -------------------------


def quick_client(**options: Any) -> ServiceClient:
    return ServiceClient(ServiceTransport(**options), cookies=NoCookies(), timeout=2.0)


async def quick_read(
    http: ServiceClient, url: str, *headers: tuple[str, str], timeout: float = 2.0
) -> httpx.Response:
    response = await http.quick_get(url, list(headers), timeout)
    await response.aread()
    return response


async def test_a_quick_read_sends_what_httpx_sends(serve: Any) -> None:
    server = await serve(answering(b'{"data": [1]}', ("Content-Type", "application/json")))
    params = {"term": "a+b@x.example", "name": "Zoë", "limit": 5}
    token = ("x-api-token", "tok")
    async with quick_client() as http:
        http.headers["user-agent"] = "Cardin/test"
        url = f"{server.url}/api/v2/persons/search"
        through_httpx = await http.get(url, params=params, headers=dict([token]))
        quick_url = str(httpx.URL(url).copy_merge_params(params))
        quick = await quick_read(http, quick_url, ("Accept", "application/json"), token)
    assert quick.status_code == through_httpx.status_code == 200
    assert quick.json() == through_httpx.json() == {"data": [1]}
    assert (quick.reason_phrase, quick.http_version) == ("Whatever", "HTTP/1.1")

    def sent(head: bytes) -> tuple[str, dict[str, str]]:
        request_line, *lines = head.decode("latin-1").split("\r\n")
        names = [line.split(":")[0].lower() for line in lines if line]
        assert sorted(names) == sorted(set(names)), names  # no header twice
        return request_line, {k.lower(): v for k, v in (x.split(": ", 1) for x in lines if x)}

    (line, headers), (quick_line, quick_headers) = sent(server.heads[0]), sent(server.heads[1])
    assert quick_line == line
    assert quick_headers == {**headers, "accept": "application/json"}  # the given header wins
    assert headers["user-agent"] == "Cardin/test"
    assert server.connections == 1  # the same pool


async def test_a_quick_read_is_decoded_by_its_content_encoding(serve: Any) -> None:
    body = gzip.compress(json.dumps({"big": "x" * 10_000}).encode())
    server = await serve(answering(body, ("Content-Encoding", "gzip")))
    async with quick_client() as http:
        response = await quick_read(http, f"{server.url}/v1/notes")
    assert response.json() == {"big": "x" * 10_000}


async def test_a_quick_read_fails_as_any_read_fails(serve: Any) -> None:
    url = await closed_port()
    quiet = await serve(silent)

    async def cut_short(
        server: Server, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        await server.read_head(reader)
        writer.write(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"partial')
        await writer.drain()
        writer.close()

    broken = await serve(cut_short)
    async with quick_client() as http:
        with pytest.raises(httpx.ConnectError) as refused:
            await quick_read(http, f"{url}/v1/users/me")
        with pytest.raises(httpx.ReadTimeout):
            await quick_read(http, f"{quiet.url}/v1/users/me", timeout=0.2)
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            await quick_read(http, f"{broken.url}/v1/users/me")
        with pytest.raises(httpx.LocalProtocolError):
            await quick_read(http, f"{quiet.url}/x", ("x-api-token", "a\r\nInjected: 1"))
        # and it recovers: the same client reads again
        ok = await serve(answering())
        assert (await quick_read(http, f"{ok.url}/x")).json() == {"ok": True}
    assert str(refused.value.request.url) == f"{url}/v1/users/me"  # the request it names
    assert len(broken.heads) == 1  # sent once
    assert len(quiet.heads) == 1  # the refused header never went out


async def test_a_quick_read_refuses_a_non_ascii_header_as_httpx_does(serve: Any) -> None:
    server = await serve(answering())
    async with quick_client() as http:
        with pytest.raises(UnicodeEncodeError):
            await http.get(f"{server.url}/x", headers={"x-note": "Zoë"})
        with pytest.raises(UnicodeEncodeError):
            await quick_read(http, f"{server.url}/x", ("x-note", "Zoë"))
        await http.aclose()
        with pytest.raises(RuntimeError, match="closed"):
            await quick_read(http, f"{server.url}/x")
    assert server.heads == []


async def test_only_the_service_client_reads_quickly(monkeypatch: pytest.MonkeyPatch) -> None:
    async with service_client() as http:
        assert isinstance(http, ServiceClient)
        assert http.quick_reads
    async with service_client(transport=httpx.MockTransport(lambda _r: httpx.Response(200))) as h:
        assert not isinstance(h, ServiceClient)
    async with service_client(transport=ServiceTransport()) as http:  # a benchmark's, timed
        assert isinstance(http, ServiceClient)
        assert http.quick_reads
    async with quick_client() as http:

        async def hook(_request: httpx.Request) -> None:
            return None

        http.event_hooks["request"] = [hook]  # something quick_get would not run
        assert not http.quick_reads
    async with quick_client() as http:
        http.auth = ("ann", "secret")
        assert not http.quick_reads
    async with ServiceClient(ServiceTransport()) as http:  # a client that keeps cookies
        assert not http.quick_reads
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    async with service_client() as http:
        assert not isinstance(http, ServiceClient)  # a proxy: httpx's own transport
