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
from collections.abc import Mapping
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
    """The service's HTTP client: `ServiceTransport` (or `transport`: tests, the demo), no
    cookies, no redirects followed. Where the environment names a proxy, httpx's own transport
    for everything (it reads the proxy variables; aiohttp here would not)."""
    if transport is None:
        if _proxy_in_environment():  # httpx's own transport (transport=None) reads the proxies
            log.info("a proxy is set in the environment: outgoing requests use httpx's transport")
        else:
            transport = ServiceTransport(limits=limits)
    return httpx.AsyncClient(
        transport=transport,
        limits=limits,  # used only by httpx's own transport
        headers=headers,
        cookies=NoCookies(),
        follow_redirects=False,
    )


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
        session = self._reads()
        timeouts = request.extensions.get("timeout", {})
        body = await request.aread()
        headers = [(k.decode("ascii"), v.decode("ascii")) for k, v in raw_headers]
        url = URL(str(request.url), encoded=True)  # sent as httpx encoded it
        if request.url.userinfo:  # httpx has made it an Authorization header already
            url = url.with_user(None)
        try:
            async with session.request(
                request.method,
                url,
                headers=headers,
                data=body or None,
                allow_redirects=False,
                timeout=_timeout(timeouts),
                server_hostname=request.extensions.get("sni_hostname"),
            ) as reply:
                content = await reply.read()
        except aiohttp.ClientError as exc:
            raise _httpx_error(exc, request) from exc
        except TimeoutError as exc:  # a timer of aiohttp's own, not one of its exceptions
            raise httpx.ReadTimeout(str(exc) or "timed out", request=request) from exc
        except ValueError as exc:  # a request aiohttp refuses to write (a line break in a header)
            raise httpx.LocalProtocolError(str(exc), request=request) from exc
        major, minor = reply.version or (1, 1)
        extensions: dict[str, Any] = {"http_version": b"HTTP/%d.%d" % (major, minor)}
        if reply.reason:
            extensions["reason_phrase"] = reply.reason.encode("latin-1", "replace")
        return httpx.Response(
            reply.status,
            headers=list(reply.raw_headers),
            stream=httpx.ByteStream(content),
            request=request,
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


def _timeout(timeouts: dict[str, float | None]) -> aiohttp.ClientTimeout:
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
