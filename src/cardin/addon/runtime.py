"""What the service shares across requests, opened by the app's lifespan and closed after it.

One httpx client (Pipedrive, Google's certificates, Gmail), one database engine with the
connector store, the write keys and the logged emails, one cache (in-process or Redis) behind
the lookup engine and the result cache, and the limiter beside it that paces every Pipedrive
call (`cardin.lookup.pacing`). While it is open, a task gives the C heap's free memory back to
the system after busy moments (`cardin.memory`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
from sqlalchemy import Engine

from cardin.addon.auth import GoogleCertificates, RequestVerifier
from cardin.addon.gmail import GmailClient
from cardin.cache import Cache, MemoryCache
from cardin.cache_redis import RedisCache
from cardin.lookup import LookupEngine
from cardin.lookup.pacing import Pacing
from cardin.lookup.results import ResultCache
from cardin.memory import glibc_heap, keep_trimmed
from cardin.pipedrive.oauth import OAuthApp, TokenEndpoint, is_oauth_url
from cardin.pipedrive.urls import DEFAULT_BASE_URL
from cardin.ratelimit import limiter_for
from cardin.settings import Settings, oauth_redirect_uri
from cardin.store import (
    ConnectorStore,
    LoggedEmails,
    TokenCipher,
    WriteRequests,
    create_database_engine,
    default_database_url,
    ensure_schema,
    load_or_create_key,
)
from cardin.transport import service_client
from cardin.usecases.grants import Grants
from cardin.usecases.services import Services

log = logging.getLogger(__name__)
USER_AGENT = "Cardin/0.1 (+https://cardin.example)"


class ConfigurationError(Exception):
    """The service cannot start with these settings; the message says which one to set."""


@dataclass
class Runtime:
    """The shared, lifespan-owned parts of the service."""

    settings: Settings
    http: httpx.AsyncClient
    store: ConnectorStore
    writes: WriteRequests
    logged: LoggedEmails
    engine: LookupEngine
    results: ResultCache
    verifier: RequestVerifier
    gmail: GmailClient
    cache: Cache
    cipher: TokenCipher
    grants: Grants | None = None
    """The Pipedrive app ("Sign in with Pipedrive"), when the deployment has one."""

    @property
    def action_url(self) -> str:
        """The absolute URL every card action calls."""
        return f"{self.public_url}/addon/action"

    @property
    def public_url(self) -> str:
        """The service's public base URL, without a trailing slash."""
        return self.settings.public_url.rstrip("/")

    @property
    def api_base(self) -> str:
        """The Pipedrive API base a new token is checked against: configured, else Pipedrive's."""
        return self.settings.pipedrive_base_url or DEFAULT_BASE_URL

    @property
    def services(self) -> Services:
        """The parts the use cases work with."""
        return Services(
            store=self.store,
            writes=self.writes,
            logged=self.logged,
            engine=self.engine,
            results=self.results,
            cache=self.cache,
            cipher=self.cipher,
            api_base=self.api_base,
            lookup_deadline=self.settings.lookup_deadline,
            grants=self.grants,
            keep_copies=self.settings.result_ttl > 0,
        )


def _cache(settings: Settings) -> Cache:
    if settings.cache_url.startswith(("redis://", "rediss://")):
        return RedisCache.from_url(settings.cache_url)
    if settings.cache_url.startswith("memory://"):
        return MemoryCache()
    raise ConfigurationError("CARDIN_CACHE_URL must be memory:// or redis://HOST:PORT/DB")


def _store(settings: Settings) -> tuple[ConnectorStore, TokenCipher, Engine]:
    url = settings.database_url or default_database_url(settings.data_dir)
    engine = create_database_engine(url)
    ensure_schema(engine)  # at the head (the usual start): a read, and Alembic stays unloaded
    if settings.secret_key is not None:
        key = settings.secret_key.get_secret_value().encode()
    else:
        key = load_or_create_key(settings.data_dir / "secret.key")
    cipher = TokenCipher(key)
    return ConnectorStore(engine, cipher), cipher, engine


def _verifier(settings: Settings, http: httpx.AsyncClient) -> RequestVerifier:
    if not settings.google_service_account or not settings.google_oauth_client_id:
        raise ConfigurationError(
            "Set CARDIN_GOOGLE_SERVICE_ACCOUNT and CARDIN_GOOGLE_OAUTH_CLIENT_ID "
            "(from `gcloud workspace-add-ons get-authorization`)."
        )
    certs = GoogleCertificates(http, settings.google_certs_url)
    return RequestVerifier(
        certs,
        service_account=settings.google_service_account,
        oauth_client_id=settings.google_oauth_client_id,
    )


def _grants(
    settings: Settings, http: httpx.AsyncClient, store: ConnectorStore, cache: Cache
) -> Grants | None:
    """The Pipedrive app of CARDIN_PIPEDRIVE_CLIENT_ID and _SECRET (both, or neither)."""
    client_id, secret = settings.pipedrive_client_id, settings.pipedrive_client_secret
    if client_id is None and secret is None:
        return None
    if not client_id or secret is None or not secret.get_secret_value():
        raise ConfigurationError(
            "Set both CARDIN_PIPEDRIVE_CLIENT_ID and CARDIN_PIPEDRIVE_CLIENT_SECRET, or neither."
        )
    if not is_oauth_url(settings.pipedrive_oauth_url):
        # the value stays out of the message: it may hold a mistyped secret
        raise ConfigurationError(
            "CARDIN_PIPEDRIVE_OAUTH_URL must be an https URL (http only on 127.0.0.1, localhost "
            "or ::1): the app's client secret and the sign-in codes are sent there."
        )
    app = OAuthApp(client_id, secret.get_secret_value(), settings.pipedrive_oauth_url)
    endpoint = TokenEndpoint(
        http,
        app,
        configured_base=settings.pipedrive_base_url or DEFAULT_BASE_URL,
        timeout=settings.pipedrive_timeout,
    )
    return Grants(app, endpoint, store, cache, oauth_redirect_uri(settings))


@contextlib.asynccontextmanager
async def open_runtime(
    settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[Runtime]:
    """Open every shared part; `transport` replaces the network (tests, the demo)."""
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    async with service_client(
        transport=transport, limits=limits, headers={"user-agent": USER_AGENT}
    ) as http:
        cache = _cache(settings)
        store, cipher, database = await asyncio.to_thread(_store, settings)
        heap = glibc_heap()
        trimming = asyncio.create_task(keep_trimmed(heap)) if heap is not None else None
        if heap is None:
            log.info("this C library cannot trim its heap (glibc 2.33+ can): memory is not trimmed")
        try:
            yield Runtime(
                settings=settings,
                http=http,
                store=store,
                writes=WriteRequests(database),
                logged=LoggedEmails(database),
                engine=LookupEngine(
                    http,
                    cache,
                    timeout=settings.pipedrive_timeout,
                    api_base=settings.pipedrive_base_url or DEFAULT_BASE_URL,
                    pacing=Pacing(limiter_for(cache)),
                ),
                results=ResultCache(cache, ttl=settings.result_ttl),
                verifier=_verifier(settings, http),
                gmail=GmailClient(http, settings.gmail_api_url, cache=cache),
                cache=cache,
                cipher=cipher,
                grants=_grants(settings, http, store, cache),
            )
        finally:
            if trimming is not None:
                trimming.cancel()
                # its own cancellation is a result here; one aimed at the lifespan still ends it
                await asyncio.gather(trimming, return_exceptions=True)
            database.dispose()
            if isinstance(cache, RedisCache):
                await cache.close()
