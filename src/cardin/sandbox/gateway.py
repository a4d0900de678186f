"""The Sandbox: Pipedrive's gateway (auth, 402, rate limits, latency, faults) over a Dataset.

Each API request goes: added latency, fault draw, token check (401 for a missing or unknown token,
or an unknown or expired OAuth access token in `Authorization: Bearer`, before any routing),
inactive company (402), routing (404 for a path no simulated operation has, 405 for a method its
operations do not take), burst window and daily budget (429 with Retry-After; an OAuth app's burst
is four times a token's), OAuth scope (403 "Scope and URL mismatch" when the grant's scopes do not
cover the operation), write permission (403 for a write by a user whose permission set lacks it, see
`set_write_permission`), then the operation: a path id that is not an integer gets the operation's
400 (or the 404 its spec documents), a well-formed id that names nothing the handler's 404. Tokens
are charged per request with the operation's published cost, whatever the answer, once the request
is admitted; unrouted requests cost nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import orjson

from cardin.sandbox.app import build_app
from cardin.sandbox.calls import Answer, ApiRequest, Call
from cardin.sandbox.data import Company, Dataset
from cardin.sandbox.errors import (
    GATEWAY_401,
    ApiError,
    forbidden,
    gateway_html,
    method_not_allowed,
    payment_required,
    rate_limited,
    server_error_json,
    unknown_route,
)
from cardin.sandbox.faults import WRITE_METHODS, FaultKind, FaultPlan
from cardin.sandbox.limits import Caller, RateLimiter, Verdict
from cardin.sandbox.oauth import (
    DEFAULT_ACCESS_TTL,
    SCOPE_MISMATCH,
    BearerIdentity,
    OAuthServer,
    scope_allows,
)
from cardin.sandbox.routes import Found, find_route

JSON = dict[str, Any]
SEARCH_PATHS = ("/api/v2/persons/search", "/api/v2/organizations/search", "/api/v2/itemSearch")
_MALFORMED = b"<html><body><h1>Pipedrive</h1><p>Something went wrong.</p></body></html>"


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One API request as the sandbox logged it (never the token)."""

    method: str
    path: str
    query: dict[str, str]
    status: int
    cost: int
    company_id: int | None
    user_id: int | None
    fault: str | None

    def to_json(self) -> JSON:
        """This record as JSON for `GET /_sandbox/requests`."""
        return asdict(self)


def json_answer(status: int, body: JSON, headers: dict[str, str]) -> Answer:
    """A JSON answer encoded as Pipedrive does (compact UTF-8, no ASCII escaping): by orjson,
    or by the standard library for what orjson refuses (an integer beyond 64 bits, a key that
    is not a string). Dates, times and dataclasses, which orjson would write but the standard
    library refuses, are refused as they were: a Python object leaking into an answer is a
    sandbox bug, not a plausible answer. What still differs from the standard library: a NaN or
    an infinity is written as null (JSON has neither; Pipedrive sends neither), a UUID or an
    Enum member is written where it was refused, and floats may be spelled otherwise (1e-05 as
    0.00001)."""
    try:
        payload = orjson.dumps(body, default=_refuse, option=_PASSTHROUGH)
    except orjson.JSONEncodeError:
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Answer(status, payload, headers)


_PASSTHROUGH = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def _refuse(value: object) -> object:
    """orjson's `default`: nothing orjson does not write itself is written (the standard
    library then decides)."""
    raise TypeError(type(value).__name__)


class Sandbox:
    """A simulated Pipedrive API over a Dataset; `app` is its ASGI application."""

    def __init__(
        self,
        dataset: Dataset,
        latency_ms: float = 0.0,
        faults: FaultPlan | None = None,
        seed: int = 0,
        timeout_seconds: float = 30.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        rate_limits: bool = True,
        oauth_clients: Mapping[str, str] | None = None,
        access_ttl: float = DEFAULT_ACCESS_TTL,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.dataset = dataset
        self.latency_ms = latency_ms
        self.timeout_seconds = timeout_seconds
        self.faults = faults or FaultPlan.none()
        self.limiter = RateLimiter(clock)
        self.rate_limits = rate_limits
        self.requests: list[RecordedRequest] = []
        self.without_write: set[tuple[int, int]] = set()
        self._rng = random.Random(seed)
        self._token_rng = random.Random(f"tokens/{seed}")
        self._identities = {
            token: (company, user_id)
            for company in dataset.companies
            for token, user_id in company.tokens.items()
        }
        self.oauth = OAuthServer(dataset, dict(oauth_clients or {}), access_ttl, wall_clock)
        self.app = build_app(self)

    def set_faults(self, faults: FaultPlan) -> None:
        """Replace the fault plan (FaultPlan.none() clears it)."""
        self.faults = faults

    def rotate_token(self, old_token: str) -> str:
        """Give the token's user a new token; the old one answers 401 from now on."""
        company, user_id = self._identities.pop(old_token)
        new_token = f"{self._token_rng.getrandbits(160):040x}"
        del company.tokens[old_token]
        company.tokens[new_token] = user_id
        self._identities[new_token] = (company, user_id)
        return new_token

    def set_write_permission(self, token: str, *, allowed: bool) -> tuple[int, int]:
        """Let the token's user write or not (403 on every write); KeyError for an unknown token.

        Pipedrive's permission sets decide what a user may do; the sandbox simulates the one case
        a client must handle: a user who may read but not write. Returns (company id, user id).
        """
        company, user_id = self._identities[token]
        key = (company.id, user_id)
        if allowed:
            self.without_write.discard(key)
        else:
            self.without_write.add(key)
        return key

    def tokens_spent(self, company_id: int) -> int:
        """Tokens the company has spent today."""
        return self.limiter.spent(company_id)

    def reset_log(self) -> None:
        """Forget the recorded requests."""
        self.requests.clear()

    async def handle(self, request: ApiRequest) -> Answer:
        """Answer one API request the way Pipedrive would, with latency and faults applied."""
        if self.latency_ms > 0:
            await asyncio.sleep(self.latency_ms / 1000)
        bearer = self.oauth.identity(request.bearer) if request.bearer else None
        identity = self._identities.get(request.token or "")
        if identity is None and bearer is not None:
            identity = (bearer.company, bearer.user_id)
        fault = self.faults.pick(request.path, self._rng, request.method)
        cost = 0
        if fault is not None and fault.replaces_answer:
            answer = self._fault_answer(fault, identity)
        else:
            if fault is FaultKind.TIMEOUT:
                await asyncio.sleep(self.timeout_seconds)
            answer, cost = self._api_answer(request, identity, bearer)
            if fault is FaultKind.TRUNCATED:
                answer = Answer(answer.status, answer.body[: len(answer.body) // 2], answer.headers)
            if fault is FaultKind.DROPPED:
                answer = dataclasses.replace(answer, dropped=True)
        self._record(request, answer, cost, identity, fault)
        if fault is FaultKind.LANDED:
            # the write is applied and logged; the answer comes after the client gave up
            await asyncio.sleep(self.timeout_seconds)
        return answer

    def _api_answer(  # noqa: PLR0911 - one return per step of the gateway
        self,
        request: ApiRequest,
        identity: tuple[Company, int] | None,
        bearer: BearerIdentity | None = None,
    ) -> tuple[Answer, int]:
        if identity is None:
            return json_answer(401, GATEWAY_401, self.limiter.idle_headers()), 0
        company, user_id = identity
        idle = self.limiter.idle_headers(company.plan)
        if not company.is_active:
            return json_answer(402, payment_required(), idle), 0
        found = find_route(request.method, request.path)
        if not isinstance(found, Found):
            return _unrouted(request, found.allowed, idle), 0
        cost = found.route.cost
        verdict = self._admit(request, company, cost, bearer)
        if not verdict.allowed:
            headers = {**verdict.headers, "Retry-After": str(verdict.retry_after)}
            return json_answer(429, rate_limited(verdict.reason), headers), 0
        try:
            if bearer is not None and not scope_allows(
                bearer.scopes, request.method, found.route.template
            ):
                return json_answer(403, SCOPE_MISMATCH, verdict.headers), cost
            if request.method in WRITE_METHODS and (company.id, user_id) in self.without_write:
                raise forbidden()
            ids = found.ids()
            call = Call(company, user_id, request.query, ids, request.body, request.base_url)
            return json_answer(200, found.route.handler(call), verdict.headers), cost
        except ApiError as error:
            return json_answer(error.status, error.body, verdict.headers), cost

    def _admit(
        self, request: ApiRequest, company: Company, cost: int, bearer: BearerIdentity | None
    ) -> Verdict:
        caller = Caller(
            # an OAuth app's window is per grant (its access tokens change at every refresh)
            token=f"oauth:{bearer.grant_id}" if bearer else request.token or "",
            oauth=bearer is not None,
            company_id=company.id,
            plan=company.plan,
            seats=company.seats,
            cost=cost,
            is_search=request.path in SEARCH_PATHS,
            is_write=request.method in ("POST", "PUT", "PATCH"),
        )
        verdict = self.limiter.admit(caller)
        if verdict.allowed or self.rate_limits:
            return verdict
        # limits off: charge the request anyway so token accounting stays truthful
        self.limiter.charge(company.id, cost)
        return Verdict(verdict.headers)

    def _fault_answer(self, fault: FaultKind, identity: tuple[Company, int] | None) -> Answer:
        plan = identity[0].plan if identity else "lite"
        headers = self.limiter.idle_headers(plan)
        if fault is FaultKind.RATE_LIMITED:
            headers.update(
                {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "2", "Retry-After": "2"}
            )
            return json_answer(429, rate_limited("fault"), headers)
        if fault is FaultKind.SERVER_ERROR:
            return json_answer(500, server_error_json(), headers)
        if fault is FaultKind.MALFORMED:
            return Answer(200, _MALFORMED, headers)
        status = 502 if fault is FaultKind.BAD_GATEWAY else 503
        return Answer(status, gateway_html(status).encode(), headers, media_type="text/html")

    def _record(
        self,
        request: ApiRequest,
        answer: Answer,
        cost: int,
        identity: tuple[Company, int] | None,
        fault: FaultKind | None,
    ) -> None:
        company_id = identity[0].id if identity else None
        user_id = identity[1] if identity else None
        self.requests.append(
            RecordedRequest(
                request.method,
                request.path,
                dict(request.query),
                answer.status,
                cost,
                company_id,
                user_id,
                fault.value if fault else None,
            )
        )


def _unrouted(request: ApiRequest, allowed: tuple[str, ...], headers: dict[str, str]) -> Answer:
    if not allowed:
        return json_answer(404, unknown_route(request.method, request.path), headers)
    allow = ", ".join(sorted({*allowed, *(("HEAD",) if "GET" in allowed else ())}))
    body = method_not_allowed(request.method, request.path)
    return json_answer(405, body, {**headers, "Allow": allow})
