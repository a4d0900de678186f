"""The service's HTTP transport: reads over aiohttp, writes over httpx's own transport.

Every outgoing request goes through one `httpx.AsyncClient` per process (`service_client`). A
lookup is half a dozen GETs whose client-side cost sits on its critical path: with httpx's own
transport (httpcore over anyio) a GET costs about 0.9 ms of CPU on the machine of the README's
figures, over aiohttp about 0.5 ms with httpx's client around it (`bench/transport.py`). So GET
and HEAD requests go over an `aiohttp.ClientSession`, unless a header value is not ASCII (httpx's
own transport sends it as Latin-1 bytes; aiohttp would re-encode it).

Every other method (POST, PUT, PATCH, DELETE: writes to Pipedrive, Google's token endpoint)
goes over `httpx.AsyncHTTPTransport`, unchanged: its `trace` extension reports how far a failed
request got, which is what tells a write that surely never left from one that may have landed
(`cardin.pipedrive.client`). Each method is sent once: aiohttp's own second attempt at a
request whose connection died (it makes one for GET, HEAD, PUT and DELETE) is turned off, so
that a read is retried only by the Pipedrive client's policy, which counts every attempt.

aiohttp's failures are raised as the httpx exceptions that say the same: `httpx.ConnectError`
and `httpx.ConnectTimeout` only when no connection could be had within the time (the request
was not written); a connection lost or reset later, a reply that is not HTTP or is cut short is
`httpx.RemoteProtocolError` or `httpx.ReadError`; a request aiohttp refuses to write (a header
value that could smuggle a line break) is `httpx.LocalProtocolError`, as with httpx's own
transport. The reply is read whole
before it is returned (every caller reads it whole) and decoded by httpx (`Content-Encoding`).
Reply header lines may be up to 16 KiB (aiohttp's default is 8 KiB). Timeouts are not rounded
up to whole seconds (aiohttp's default above 5 s).

`ServiceClient`, the client `service_client` makes over this transport, can also send a plain
GET without httpx's client around it (`quick_get`: no URL parsing, header merging, auth flow or
cookie handling of httpx's, about half a read's client CPU); the Pipedrive client's reads use it
(`cardin.pipedrive.client.QuickReads`). It is the same request on the same read pool, failing
with the same exceptions; only the client's own headers are added to it.

The transport belongs to the event loop of its first read, as httpx's own does to its loop.
`service_client` keeps no cookies (httpx's client would otherwise keep a cookie that one
company's Pipedrive set for `.pipedrive.com` and send it with every other company's requests),
and, where the environment names a proxy (`HTTPS_PROXY`, ...), sends everything over httpx's own
transport, which honours it: aiohttp would not.

The switch that turns aiohttp's second attempt off is a private attribute (aiohttp has no public
setting): pyproject.toml bounds aiohttp below 3.15, and a test fails when a dying GET is sent
twice.
"""

from __future__ import annotations

import logging
import math
import ssl
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from http.cookiejar import Cookie, CookieJar
from typing import Any

import aiohttp
import httpx
from yarl import URL

log = logging.getLogger(__name__)

_AIOHTTP_METHODS = frozenset({"GET", "HEAD"})
_MAX_HEADER_LINE = 16 * 1024

_DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


class NoCookies(CookieJar):
    """A cookie jar that keeps nothing: no reply's cookie is sent with a later request."""

    def extract_cookies(self, response: Any, request: Any) -> None:
        """Keep none of the reply's cookies."""

    def set_cookie(self, cookie: Cookie) -> None:
        """Keep no cookie (a request's own `cookies=` are still sent with that request)."""


def service_client(
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    limits: httpx.Limits = _DEFAULT_LIMITS,
    headers: Mapping[str, str] | None = None,
) -> httpx.AsyncClient:
    """The service's HTTP client: a `ServiceClient` over `ServiceTransport` (or over
    `transport` when it is one: the benchmarks' timed transport), else a plain client over
    `transport` (tests, the demo); no cookies, no redirects followed. Where the environment
    names a proxy and no transport is given, httpx's own transport for everything (it reads the
    proxy variables; aiohttp here would not)."""
    options: dict[str, Any] = {
        "limits": limits,  # used only by httpx's own transport
        "headers": headers,
        "cookies": NoCookies(),
        "follow_redirects": False,
    }
    if isinstance(transport, ServiceTransport):
        return ServiceClient(transport, **options)
    if transport is not None:
        return httpx.AsyncClient(transport=transport, **options)
    if _proxy_in_environment():  # httpx's own transport (transport=None) reads the proxies
        log.info("a proxy is set in the environment: outgoing requests use httpx's transport")
        return httpx.AsyncClient(**options)
    return ServiceClient(ServiceTransport(limits=limits), **options)


class ServiceClient(httpx.AsyncClient):
    """httpx's client over `ServiceTransport`, which can also send a plain GET itself."""

    def __init__(self, transport: ServiceTransport, **options: Any) -> None:
        super().__init__(transport=transport, **options)
        self._service_transport = transport

    @property
    def quick_reads(self) -> bool:
        """Whether `quick_get` sends what `request` would: no auth, parameters or event hooks
        of the client's own, no cookies kept, no redirects followed (as `service_client`)."""
        hooks = self.event_hooks
        return (
            self.auth is None
            and not self.params
            and not hooks["request"]
            and not hooks["response"]
            and not self.follow_redirects
            and isinstance(self.cookies.jar, NoCookies)
        )

    async def quick_get(
        self, url: str, headers: Sequence[tuple[str, str]], timeout: float
    ) -> httpx.Response:
        """GET `url` (absolute and encoded: sent as it reads) with this client's headers and
        `headers` (which win over them), each of httpx's timeouts `timeout`; raises httpx's
        exceptions as `ServiceTransport` does. The reply is read whole but not yet decoded
        (`aread`), and names no request (`raise_for_status` needs one: look at the status)."""
        given = {name.lower() for name, _ in headers}
        sent = [(k, v) for k, v in self.headers.multi_items() if k.lower() not in given]
        sent.extend(headers)
        return await self._service_transport.get(url, sent, timeout)


def _proxy_in_environment() -> bool:
    """Whether the environment names a proxy for the schemes httpx reads (`NO_PROXY` alone, or
    a proxy for another scheme, names none)."""
    proxies = urllib.request.getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


class ServiceTransport(httpx.AsyncBaseTransport):
    """GET and HEAD over aiohttp, every other method over httpx's own transport.

    Opened lazily on the first read (aiohttp's session belongs to the running event loop);
    `aclose` closes both pools. `limits` bounds each of the two pools (so up to twice
    `max_connections` sockets in all); aiohttp has no cap on idle connections of its own, so
    on the read side `max_connections` bounds them too.
    """

    def __init__(
        self,
        *,
        limits: httpx.Limits = _DEFAULT_LIMITS,
        verify: ssl.SSLContext | None = None,
    ) -> None:
        self._limits = limits
        # a context each: httpcore sets its ALPN protocols on the one it is given
        self._ssl = verify if verify is not None else httpx.create_ssl_context()
        writes_ssl = verify if verify is not None else httpx.create_ssl_context()
        self._writes = httpx.AsyncHTTPTransport(limits=limits, verify=writes_ssl)
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    def _reads(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._limits.max_connections or 0,
                keepalive_timeout=self._limits.keepalive_expiry,  # None: kept, as with httpx
                ssl=self._ssl,
                timeout_ceil_threshold=math.inf,
            )
            session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                auto_decompress=False,  # httpx decodes, by the reply's Content-Encoding
                timeout=aiohttp.ClientTimeout(total=None),
                trust_env=False,
                max_line_size=_MAX_HEADER_LINE,
                max_field_size=_MAX_HEADER_LINE,
            )
            # no second attempt of aiohttp's own when a connection dies: the request would be
            # sent (and charged) twice, unseen by the Pipedrive client's count of attempts
            session._retry_connection = False  # no public setting (aiohttp 3.14)
            self._session = session
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send `request`; raises the httpx exception that names what failed."""
        if self._closed:
            raise RuntimeError("the transport is closed")
        raw_headers = request.headers.raw
        if request.method not in _AIOHTTP_METHODS or not all(v.isascii() for _, v in raw_headers):
            return await self._writes.handle_async_request(request)
        body = await request.aread()
        headers = [(k.decode("ascii"), v.decode("ascii")) for k, v in raw_headers]
        url = URL(str(request.url), encoded=True)  # sent as httpx encoded it
        if request.url.userinfo:  # httpx has made it an Authorization header already
            url = url.with_user(None)
        response = await self._read(
            request.method,
            url,
            headers=headers,
            body=body,
            timeouts=request.extensions.get("timeout", {}),
            sni_hostname=request.extensions.get("sni_hostname"),
            failing=lambda: request,
        )
        response.request = request
        return response

    async def get(self, url: str, headers: list[tuple[str, str]], timeout: float) -> httpx.Response:
        """GET `url` (absolute and encoded: sent as it reads) with exactly `headers`, each of
        httpx's timeouts `timeout` (`ServiceClient.quick_get`). A header value that is not
        ASCII raises UnicodeEncodeError, as httpx's client raises for such a `str`."""
        if self._closed:
            raise RuntimeError("the transport is closed")
        for _, value in headers:
            value.encode("ascii")
        timeouts = dict.fromkeys(("connect", "read", "write", "pool"), timeout)
        return await self._read(
            "GET",
            URL(url, encoded=True),
            headers=headers,
            body=b"",
            timeouts=timeouts,
            sni_hostname=None,
            failing=lambda: httpx.Request("GET", url, headers=headers),
        )

    async def _read(
        self,
        method: str,
        url: URL,
        *,
        headers: list[tuple[str, str]],
        body: bytes,
        timeouts: Mapping[str, float | None],
        sni_hostname: str | None,
        failing: Callable[[], httpx.Request],
    ) -> httpx.Response:
        """One request over aiohttp, its reply read whole; `failing` gives the request that an
        exception names."""
        session = self._reads()
        try:
            async with session.request(
                method,
                url,
                headers=headers,
                data=body or None,
                allow_redirects=False,
                timeout=_timeout(timeouts),
                server_hostname=sni_hostname,
            ) as reply:
                content = await reply.read()
        except aiohttp.ClientError as exc:
            raise _httpx_error(exc, failing()) from exc
        except TimeoutError as exc:  # a timer of aiohttp's own, not one of its exceptions
            raise httpx.ReadTimeout(str(exc) or "timed out", request=failing()) from exc
        except ValueError as exc:  # a request aiohttp refuses to write (a line break in a header)
            raise httpx.LocalProtocolError(str(exc), request=failing()) from exc
        major, minor = reply.version or (1, 1)
        extensions: dict[str, Any] = {"http_version": b"HTTP/%d.%d" % (major, minor)}
        if reply.reason:
            extensions["reason_phrase"] = reply.reason.encode("latin-1", "replace")
        return httpx.Response(
            reply.status,
            headers=list(reply.raw_headers),
            stream=httpx.ByteStream(content),
            extensions=extensions,
        )

    async def aclose(self) -> None:
        """Close both pools."""
        self._closed = True
        try:
            if self._session is not None:
                await self._session.close()
        finally:
            await self._writes.aclose()


def _timeout(timeouts: Mapping[str, float | None]) -> aiohttp.ClientTimeout:
    """httpx's timeouts as aiohttp's. aiohttp bounds the whole wait for a connection (a pooled
    one, or a new one made) with one timeout, which gets httpx's `pool` (the service sets the
    four alike); making a new connection is also bounded by `connect`, and each wait for the
    reply's bytes by `read`. A small request's writing is bounded by the caller's deadline."""
    pool, connect = timeouts.get("pool"), timeouts.get("connect")
    return aiohttp.ClientTimeout(
        total=None,
        connect=pool,
        sock_connect=connect,
        sock_read=timeouts.get("read"),
        ceil_threshold=math.inf,
    )


def _httpx_error(exc: aiohttp.ClientError, request: httpx.Request) -> httpx.TransportError:
    """The httpx exception for one of aiohttp's (the most specific class first)."""
    message = str(exc) or type(exc).__name__
    kind: type[httpx.TransportError]
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        kind = httpx.ConnectTimeout  # no connection within the time: nothing was sent
    elif isinstance(exc, aiohttp.ServerTimeoutError):
        kind = httpx.ReadTimeout
    elif isinstance(exc, aiohttp.ClientConnectorError):
        kind = httpx.ConnectError  # DNS, refused, TLS handshake or certificate: nothing sent
    elif isinstance(exc, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        kind = httpx.UnsupportedProtocol
    elif isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        kind = httpx.RemoteProtocolError
    elif isinstance(exc, aiohttp.ClientResponseError):
        kind = httpx.RemoteProtocolError  # a reply that is not HTTP
    elif isinstance(exc, aiohttp.ClientOSError | aiohttp.ClientConnectionResetError):
        kind = httpx.ReadError  # reset, or closing as the request went out
    elif isinstance(exc, aiohttp.ClientConnectionError):
        kind = httpx.RemoteProtocolError  # "Connection closed" before the reply was whole
    else:
        kind = httpx.TransportError
    return kind(message, request=request)
