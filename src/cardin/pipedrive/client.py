"""Async Pipedrive client: one method per endpoint Cardin uses, one private request path.

The request path is the only place that sees httpx: it sends each request with the account's
`httpx.Auth` (`cardin.pipedrive.auth`: the token in the `x-api-token` header, never in the
URL), bounds every call by a timeout and by what is left of the caller's
deadline, retries reads after connection errors, 429 and 5xx a bounded number of times with
jittered backoff (honouring `Retry-After`, and only when the deadline leaves time for it), maps
every failure onto `cardin.pipedrive.errors`, and records each call's token cost and rate-limit
headers. A `Pacer` (`cardin.pipedrive.pacing`), when given, is asked before every attempt and told
how it ended: it holds requests back to keep a burst window or a budget shared with others.

A read goes the quick way when the httpx client can send a plain GET itself (`QuickReads`: the
service's client, `cardin.transport.ServiceClient`) and the Auth is one header (`HeaderAuth`):
the URL is the checked API base, the path and the query as httpx would write them (a test keeps
the two equal), sent without httpx's request building. Everything else about the call (pacing,
timeouts, retries, the errors, the count) is the same either way, but for a reply whose body
cannot be decoded (a `content-encoding` it does not match): the quick way has its status before
the body and counts it as answered, as Pipedrive does; httpx's way fails before it has one.

A write (POST, PATCH, PUT, DELETE) is sent again only after a 429, which Pipedrive answers before
doing any work. Any other failure of a write that may have reached Pipedrive (a timeout once it
was sent, a connection dropped mid-exchange, a 5xx, a 2xx that cannot be read) raises
WriteUncertain; one that surely did not (the connection was never made) raises Unavailable. It sends
the token only to the configured API base or `https://<label>.pipedrive.com`: any other host is
refused with UntrustedHost before anything is sent.
"""

from __future__ import annotations

import asyncio
import copy
import email.utils
import json
import logging
import math
import random
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

import httpx
import msgspec
import orjson
from pydantic import BaseModel, ValidationError

from cardin.pipedrive.auth import HeaderAuth
from cardin.pipedrive.costs import token_cost
from cardin.pipedrive.deadline import Deadline
from cardin.pipedrive.errors import (
    BadResponse,
    Forbidden,
    InvalidToken,
    NotFound,
    PaymentRequired,
    PipedriveError,
    RateLimited,
    ScopeMismatch,
    Unavailable,
    UnexpectedCompanyDomain,
    UntrustedHost,
    WriteUncertain,
)
from cardin.pipedrive.models import (
    UNEXPECTED_DOMAIN,
    ActivityInfo,
    ActivityTypeInfo,
    CurrentUser,
    DealInfo,
    NoteInfo,
    OrganizationInfo,
    OrganizationSearchItem,
    OrganizationSearchResults,
    Person,
    PersonField,
    PersonSearchItem,
    Picture,
    Pipeline,
    SearchResults,
    Stage,
    User,
)
from cardin.pipedrive.pacing import PacedRequest, Pacer
from cardin.pipedrive.urls import DEFAULT_BASE_URL, may_receive_token

M = TypeVar("M", bound=BaseModel)
log = logging.getLogger(__name__)
Params = Mapping[str, str | int]

PERSON_COUNTS = (
    "open_deals_count,won_deals_count,lost_deals_count,activities_count,"
    "done_activities_count,undone_activities_count,notes_count"
)
DEAL_COUNTS = "activities_count,notes_count"
MAX_PAGE = 500
"""The largest page Pipedrive serves (v2 `limit`, v1 `limit`)."""
MAX_RETRY_AFTER = 86_400.0
SCOPE_MISMATCH = "Scope and URL mismatch"
"""The `error` of Pipedrive's 403 for an OAuth grant whose scopes do not cover the request."""
MAX_DIGITS = 18
"""The most integer digits of a deal value sent (Pipedrive stores it as a double)."""
_READS = frozenset({"GET", "HEAD", "OPTIONS"})
# Failures raised before any byte of the request left: a write that met them did not land.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


@runtime_checkable
class QuickReads(Protocol):
    """An httpx client that can also send a plain GET without httpx's request machinery."""

    @property
    def quick_reads(self) -> bool:
        """Whether `quick_get` sends what `request` would (no hooks, auth or params of its own)."""
        ...

    async def quick_get(
        self, url: str, headers: Sequence[tuple[str, str]], timeout: float
    ) -> httpx.Response:
        """GET `url` (absolute, encoded) with the client's headers and `headers` (which win),
        bounded by `timeout` as httpx bounds a request; raises httpx's exceptions. The reply's
        bytes are read, not yet decoded by its Content-Encoding (`aread` does that)."""
        ...


# the paths the client's reads are made of: a quick read's URL is the base's text and the path
_PLAIN_PATH = re.compile(r"(?:/[A-Za-z0-9_.-]+)+")


@lru_cache(maxsize=256)
def _quick_base(base: str, configured: str) -> bool:
    """Whether a read to `base` + a plain path may be sent as that text: the base is written as
    httpx writes it (so the text is the URL httpx would send) and may receive the token."""
    try:
        url = httpx.URL(base + "/v1")
    except httpx.InvalidURL:
        return False
    return str(url) == base + "/v1" and may_receive_token(url, configured)


def _query(params: Params) -> str:
    """`params` as httpx writes them in a URL (`httpx.QueryParams`)."""
    return str(httpx.QueryParams(params))


_LEAST_READ = 0.25
"""Seconds a read keeps for itself when the pacer holds it back (half, when it has less than
twice that)."""

_NOT_OBJECT = object()
"""What an item that is no JSON object holds (no model reads it)."""


class Items(Generic[M]):
    """A list reply's `data`, its items read into `model` on demand, by the rules of every list
    the client reads: `null` is an empty list (Pipedrive answers it for one), anything else but
    a list is refused; an item without its identity (an id) is dropped, and logged; a list with
    items but none readable is not a list of these. What is refused is refused when the list is
    made (BadResponse); reading its items afterwards raises nothing.
    """

    def __init__(self, model: type[M], data: object, *, path: str) -> None:
        if data is None:
            data = []
        if not isinstance(data, list):
            raise BadResponse("Pipedrive sent an object where a list belongs", path=path)
        self._model = model
        self._data: list[Any] = data
        self._path = path
        self._read: dict[int, M | None] = {}
        self._columns: dict[str, list[object]] = {}
        if data and not self._any_readable():
            raise BadResponse("Pipedrive sent a list of nothing readable", path=path)

    @property
    def items(self) -> list[M]:
        """Every readable item, in the list's order (reads them all)."""
        read = (self._item(index) for index in range(len(self._data)))
        return [item for item in read if item is not None]

    def pick(self, key: str, value: int, limit: int) -> list[M]:
        """The first `limit` readable items whose `key` (an optional integer field, None by
        default) is `value`, in the list's order."""
        found: list[M] = []
        for index, held in enumerate(self._column(key)):
            if 0 <= limit <= len(found):
                break
            if held is None or held is _NOT_OBJECT or (type(held) is int and held != value):
                continue  # no object, or read as None or as that other integer: not picked
            item = self._item(index)
            if item is not None and getattr(item, key) == value:
                found.append(item)
        return found[:limit]

    def _column(self, key: str) -> list[object]:
        """What each item holds under `key` (None when absent), `_NOT_OBJECT` for an item that
        is no JSON object; made once per key."""
        column = self._columns.get(key)
        if column is None:
            column = self._columns[key] = [self._held(index, key) for index in range(len(self))]
        return column

    def __len__(self) -> int:
        return len(self._data)

    def _held(self, index: int, key: str) -> object:
        """What the item at `index` holds under `key` (see `_column`)."""
        raw = self._data[index]
        return raw.get(key) if type(raw) is dict else _NOT_OBJECT

    def _object(self, index: int) -> object:
        """The item at `index` as a model reads it."""
        return self._data[index]

    def _any_readable(self) -> bool:
        likely = (
            index
            for index, raw in enumerate(self._data)
            if type(raw) is dict and type(raw.get("id")) is int
        )
        if any(self._item(index) is not None for index in likely):
            return True
        return any(self._item(index) is not None for index in range(len(self._data)))

    def _item(self, index: int) -> M | None:
        if index in self._read:
            return self._read[index]
        try:
            item: M | None = self._model.model_validate(self._object(index))
        except ValidationError as exc:
            log.debug("%s: dropped an unreadable item (%d problems)", self._path, exc.error_count())
            item = None
        self._read[index] = item
        return item


class FirstPage(Items[M]):
    """The first page of a company-wide list: whether it is the whole list, and its items.

    `complete` is False when Pipedrive says more items exist (a v2 `next_cursor`, v1
    `more_items_in_collection`); the client never follows it.

    A page holds up to 500 items of which a lookup needs a few (one person's and their deals'),
    so an item is read into its model only when asked for: `pick` reads the items whose `key`
    holds a value, and skips, unread, those whose `key` is plainly another integer or null
    (the model would read the same there). What is read and refused is what `Items` reads and
    refuses, as for any other list.

    A page fetched by the client holds its items as their JSON text (`Raw`: the reply's bytes,
    split by msgspec without reading them): `pick` first reads only the items' `person_id` and
    `deal_id`, and an item becomes Python objects only when it is read into its model (or, for
    a pick by another key, to see what it holds there), once, by orjson, or by the standard
    library where orjson would read it otherwise (`_item_object`).
    An item neither can read (bytes that are not UTF-8) is dropped like any unreadable item,
    where a page read whole is refused whole for it.
    """

    def __init__(self, model: type[M], data: object, *, complete: bool, path: str) -> None:
        self._keys: list[_Keys | None] | None = None
        self._objects: dict[int, object] = {}  # raw items read into Python objects, by index
        super().__init__(model, data, path=path)
        self.complete = complete

    def _column(self, key: str) -> list[object]:
        raw = bool(self._data) and type(self._data[0]) is msgspec.Raw
        if not raw or key not in _Keys.__struct_fields__ or key in self._columns:
            return super()._column(key)
        if self._keys is None:  # every item's keys, read once
            self._keys = [_keys_of(item) for item in self._data]
        column = [_NOT_OBJECT if k is None else getattr(k, key) for k in self._keys]
        self._columns[key] = column
        return column

    def _held(self, index: int, key: str) -> object:
        # a key `_Keys` does not hold: the item becomes Python objects (once: `_object`), not
        # yet its model, so an item plainly holding another value is still skipped unread
        if type(self._data[index]) is not msgspec.Raw:
            return super()._held(index, key)
        item = self._object(index)
        return item.get(key) if type(item) is dict else _NOT_OBJECT

    def _object(self, index: int) -> object:
        raw = self._data[index]
        if type(raw) is not msgspec.Raw:
            return raw
        if index not in self._objects:
            self._objects[index] = _item_object(raw)
        return self._objects[index]


class _Keys(msgspec.Struct):
    """What `FirstPage.pick` looks at before it reads an item (an absent key reads as null)."""

    person_id: Any = None
    deal_id: Any = None


class _Page(msgspec.Struct):
    """A reply of a company list, its `data` left unread."""

    success: Any = None
    data: msgspec.Raw = msgspec.Raw(b"null")
    additional_data: Any = None


_KEYS = msgspec.json.Decoder(_Keys)


def _keys_of(raw: msgspec.Raw) -> _Keys | None:
    """An item's `_Keys`; None when it is no JSON object, or one that cannot be read (bytes
    that are not UTF-8, nesting deeper than the stack allows): read whole, it would be
    dropped all the same (`_item_object`). An item msgspec reads but refuses (a number beyond
    a float's range, such as 1e400, in `person_id` or `deal_id`, at any depth) is read as the
    model would read it: its keys are taken from that."""
    try:
        return _KEYS.decode(raw)
    except msgspec.ValidationError:  # the JSON is sound; a value is out of msgspec's range
        item = _item_object(raw)
        if type(item) is not dict:
            return None
        return _Keys(person_id=item.get("person_id"), deal_id=item.get("deal_id"))
    except (msgspec.DecodeError, RecursionError):  # DecodeError: ValidationError's parent
        return None


_PAGE = msgspec.json.Decoder(_Page)
_RAW_ITEMS = msgspec.json.Decoder(list[msgspec.Raw])


def _split_page(content: bytes) -> tuple[list[msgspec.Raw] | None, object] | None:
    """A page's items as their JSON text and its `additional_data`; None for a reply this does
    not read (not JSON to msgspec, nested too deeply, `success: false`, `data` not a list):
    the client then reads it whole, as any reply."""
    try:
        page = _PAGE.decode(content)
        raw = bytes(page.data)
        items = None if raw == b"null" else _RAW_ITEMS.decode(raw)
    except (msgspec.DecodeError, RecursionError):
        return None
    if page.success is False:
        return None
    return items, page.additional_data


def _is_text(value: str) -> bool:
    """Whether a string from a reply can go into a request (as UTF-8: no lone surrogate)."""
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def _item_object(raw: msgspec.Raw) -> object:
    """An item's JSON text as the standard library reads it (orjson where they agree); an item
    neither can read (bytes that are not UTF-8, say) is `_NOT_OBJECT`."""
    text = bytes(raw)
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        value = _NOT_OBJECT
    if value is _NOT_OBJECT or _orjson_may_differ(text, [value]):
        try:
            value = json.loads(text)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return _NOT_OBJECT
    return value


def _orjson_may_differ(content: bytes, data: object) -> bool:
    """Whether an item of a list may hold an integer literal beyond 64 bits, which orjson reads
    as a float and the standard library as an int. Such a literal has at least 19 digits in a
    row: a reply without such a run (every reply but a rare one) is not looked into. Otherwise
    only the items' top-level values are looked at: the picked models read numbers nowhere
    else (tests/pipedrive/test_first_page.py checks it)."""
    if _DIGIT_RUN not in content.translate(_DIGITS_AS_ZERO):
        return False
    if type(data) is not list:
        return False
    return any(
        type(value) is float and abs(value) >= _INT64 and value.is_integer()
        for raw in data
        if type(raw) is dict
        for value in raw.values()
    )


_INT64 = float(2**63)
# every digit as "0", the other bytes as they are: a run of 19 digits becomes a run of 19 "0"s
_DIGITS_AS_ZERO = bytes.maketrans(b"123456789", b"000000000")
_DIGIT_RUN = b"0" * len(str(2**63))


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry: connection errors, 429 and 5xx only.

    A 429 whose `Retry-After` exceeds `max_wait` is not waited for: the caller gets RateLimited
    with the delay and can tell the user when to come back.
    """

    attempts: int = 3
    base_delay: float = 0.2
    max_delay: float = 2.0
    max_wait: float = 2.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    rng: random.Random = field(default_factory=random.Random)

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential delay before retry number `attempt` (1-based)."""
        cap = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return self.rng.uniform(0, cap)


@dataclass(frozen=True)
class CallRecord:
    """One request as sent: what it cost and how it ended."""

    method: str
    path: str
    status: int | None
    tokens: int
    seconds: float


@dataclass
class UsageMeter:
    """Collects what a series of calls cost; shared by the concurrent calls of one lookup."""

    calls: list[CallRecord] = field(default_factory=list)
    rate_limit_limit: int | None = None
    rate_limit_remaining: int | None = None
    daily_requests_left: int | None = None

    @property
    def requests(self) -> int:
        """Requests sent, retries included."""
        return len(self.calls)

    @property
    def tokens(self) -> int:
        """Pipedrive tokens charged (every request that reached Pipedrive is charged)."""
        return sum(c.tokens for c in self.calls)

    def record(self, call: CallRecord, headers: httpx.Headers | None) -> None:
        """Add a call and remember the latest rate-limit headers."""
        self.calls.append(call)
        if headers is None:
            return
        self.rate_limit_limit = _int_header(headers, "x-ratelimit-limit", self.rate_limit_limit)
        self.rate_limit_remaining = _int_header(
            headers, "x-ratelimit-remaining", self.rate_limit_remaining
        )
        self.daily_requests_left = _int_header(
            headers, "x-daily-requests-left", self.daily_requests_left
        )


def _int_header(headers: httpx.Headers, name: str, default: int | None) -> int | None:
    raw = headers.get(name)
    try:
        return int(raw) if raw is not None else default
    except ValueError:
        return default


def _seconds(raw: str) -> float | None:
    """Seconds from now of a Retry-After value: a number, or an HTTP date (RFC 9110)."""
    try:
        return float(raw)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000": a time in UTC whose sender does not know the zone
        when = when.replace(tzinfo=UTC)
    return (when - datetime.now(UTC)).total_seconds()


def _retry_after(headers: httpx.Headers) -> float | None:
    for name in ("retry-after", "x-ratelimit-reset"):
        raw = headers.get(name)
        if raw is None:
            continue
        seconds = _seconds(raw)
        if seconds is not None and math.isfinite(seconds):
            # Pipedrive's budgets reset within a day: a longer wait is a broken header
            return min(max(0.0, seconds), MAX_RETRY_AFTER)
    return None


def _error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except (ValueError, RecursionError):  # RecursionError: JSON nested past Python's stack
        return f"HTTP {response.status_code}"
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return str(body["error"])[:200]
    return f"HTTP {response.status_code}"


def _raise_for_status(response: httpx.Response, path: str) -> None:
    status = response.status_code
    if status < 400:  # noqa: PLR2004 - HTTP success range
        return
    message = _error_message(response)
    kinds: dict[int, type[PipedriveError]] = {
        401: InvalidToken,
        402: PaymentRequired,
        403: Forbidden,
        404: NotFound,
        410: NotFound,
    }
    if status == 429:  # noqa: PLR2004
        raise RateLimited(message, retry_after=_retry_after(response.headers), path=path)
    if status >= 500:  # noqa: PLR2004
        raise Unavailable(f"Pipedrive answered {status}", status=status, path=path)
    if status == 403 and message == SCOPE_MISMATCH:  # noqa: PLR2004
        raise ScopeMismatch(message, status=status, path=path)
    raise kinds.get(status, BadResponse)(message, status=status, path=path)


class _Exchange:
    """How far one request got, as httpcore's `trace` extension reports it.

    A transport that reports nothing (a test double) leaves it unknown: never "surely unsent".
    """

    def __init__(self) -> None:
        self.reported = False
        self.sending = False

    async def trace(self, event: str, _info: Mapping[str, Any]) -> None:
        """httpcore's callback: `connection.connect_tcp.started`, `http11.send_request_headers.
        started`, ..."""
        self.reported = True
        if ".send_request_" in event or ".send_connection_init" in event:
            self.sending = True

    @property
    def surely_unsent(self) -> bool:
        """Whether the transport reported its progress and never began to send the request."""
        return self.reported and not self.sending


def _put(body: dict[str, Any], **values: object) -> None:
    """Add the values that are not None to a request body."""
    body.update({key: value for key, value in values.items() if value is not None})


def _number(value: Decimal) -> int | float:
    """A JSON number for a Decimal: exact when whole, else the nearest float.

    ValueError for NaN, an infinity, or a value of more than MAX_DIGITS integer digits.
    """
    if not value.is_finite():
        raise ValueError("the value is not a finite number")
    if value and value.adjusted() >= MAX_DIGITS:
        raise ValueError("the value is too large")
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _hours_minutes(duration: timedelta) -> str:
    """'HH:MM' of a duration (seconds dropped); ValueError when it is negative."""
    if duration < timedelta(0):
        raise ValueError("a duration cannot be negative")
    hours, minutes = divmod(int(duration.total_seconds()) // 60, 60)
    return f"{hours:02d}:{minutes:02d}"


class PipedriveClient:
    """Talks to one Pipedrive account with one credential, presented by `auth`.

    Cheap to create (per lookup): the httpx client underneath is shared and owned by the caller.
    `base_url` is where this account's calls go (often a stored one); `configured_base` is the
    operator's API base, the one host besides `https://<label>.pipedrive.com` trusted with tokens.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        auth: httpx.Auth,
        base_url: str = DEFAULT_BASE_URL,
        configured_base: str = DEFAULT_BASE_URL,
        timeout: float = 8.0,
        retry: RetryPolicy | None = None,
        meter: UsageMeter | None = None,
        deadline: Deadline | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        self._http = http
        self._auth = auth
        self._base_url = base_url.rstrip("/")
        self._configured_base = configured_base
        self._timeout = timeout
        self._retry = retry or RetryPolicy()
        self.meter = meter if meter is not None else UsageMeter()
        self.deadline = deadline
        self._pacer = pacer
        # reads go the quick way (see the module's docstring) when both sides allow it, as the
        # httpx client is now: hooks or auth given to it later would not be seen by those reads
        self._quick: tuple[QuickReads, HeaderAuth] | None = None
        if isinstance(http, QuickReads) and http.quick_reads and isinstance(auth, HeaderAuth):
            self._quick = (http, auth)

    def within(self, deadline: Deadline | None) -> PipedriveClient:
        """This client (same account, same meter) with its calls ended by `deadline`."""
        if deadline is None:
            return self
        clone = copy.copy(self)
        clone.deadline = deadline
        return clone

    # --- endpoints ---------------------------------------------------------------------------

    async def current_user(self) -> CurrentUser:
        """`GET /v1/users/me`: the token's user, company domain, locale and currency."""
        return await self._get_one("/v1/users/me", CurrentUser)

    async def users(self) -> list[User]:
        """`GET /v1/users`: every user of the company (the spec defines no paging)."""
        return await self._get_list("/v1/users", User)

    async def user(self, user_id: int) -> User:
        """`GET /v1/users/{id}`."""
        return await self._get_one(f"/v1/users/{user_id}", User)

    async def activity_types(self) -> list[ActivityTypeInfo]:
        """`GET /v1/activityTypes`."""
        return await self._get_list("/v1/activityTypes", ActivityTypeInfo)

    async def person_fields(self) -> list[PersonField]:
        """`GET /api/v2/personFields`, every page."""
        return await self._get_pages("/api/v2/personFields", PersonField, {"limit": 500})

    async def search_persons_by_email(
        self, email: str, *, limit: int = 10
    ) -> list[PersonSearchItem]:
        """`GET /api/v2/persons/search`: exact (case-insensitive) match on the email fields."""
        return await self.search_persons(email, fields="email", exact=True, limit=limit)

    async def search_persons(
        self, term: str, *, fields: str, exact: bool, limit: int = 10
    ) -> list[PersonSearchItem]:
        """`GET /api/v2/persons/search` on the given fields (name, email, ...)."""
        params: dict[str, str | int] = {
            "term": term,
            "fields": fields,
            "exact_match": "true" if exact else "false",
            "limit": limit,
        }
        data = await self._get_data("/api/v2/persons/search", params)
        return [
            hit.item for hit in self._parse(data, SearchResults, "/api/v2/persons/search").items
        ]

    async def create_person(
        self,
        *,
        name: str,
        email: str,
        owner_id: int | None,
        org_id: int | None = None,
        phone: str | None = None,
        job_title: str | None = None,
    ) -> Person:
        """`POST /api/v2/persons`: a person with one primary work email (a write, see above).

        `phone` becomes the one primary work phone; `job_title` is a contact-sync field that
        Pipedrive keeps only where contact sync created it. Empty values are not sent.
        """
        body: dict[str, Any] = {
            "name": name,
            "emails": [{"value": email, "primary": True, "label": "work"}],
        }
        if phone:
            body["phones"] = [{"value": phone, "primary": True, "label": "work"}]
        _put(body, owner_id=owner_id, org_id=org_id, job_title=job_title or None)
        return await self._write("POST", "/api/v2/persons", body, Person)

    async def create_organization(
        self, *, name: str, owner_id: int | None = None
    ) -> OrganizationInfo:
        """`POST /api/v2/organizations`."""
        body: dict[str, Any] = {"name": name}
        _put(body, owner_id=owner_id)
        return await self._write("POST", "/api/v2/organizations", body, OrganizationInfo)

    async def search_organizations(
        self, term: str, *, exact: bool = True, limit: int = 5
    ) -> list[OrganizationSearchItem]:
        """`GET /api/v2/organizations/search` by name (case-insensitive when `exact`).

        Pipedrive wants at least 2 characters in `term` (1 with `exact`).
        """
        path = "/api/v2/organizations/search"
        params: dict[str, str | int] = {
            "term": term,
            "fields": "name",
            "exact_match": "true" if exact else "false",
            "limit": limit,
        }
        data = await self._get_data(path, params)
        return [hit.item for hit in self._parse(data, OrganizationSearchResults, path).items]

    async def create_note(
        self,
        *,
        content: str,
        person_id: int | None = None,
        deal_id: int | None = None,
        org_id: int | None = None,
    ) -> NoteInfo:
        """`POST /v1/notes`: `content` is HTML, attached to every item given (at least one)."""
        if person_id is None and deal_id is None and org_id is None:
            raise ValueError("a note belongs to a person, a deal or an organization")
        body: dict[str, Any] = {"content": content}
        _put(body, person_id=person_id, deal_id=deal_id, org_id=org_id)
        return await self._write("POST", "/v1/notes", body, NoteInfo)

    async def create_activity(
        self,
        *,
        subject: str,
        type: str,  # noqa: A002 - Pipedrive's name of the activity type's key
        due: datetime | None,
        duration: timedelta | None,
        person_id: int,
        deal_id: int | None = None,
        note: str | None = None,
        owner_id: int | None = None,
    ) -> ActivityInfo:
        """`POST /api/v2/activities` with the person as its primary participant.

        `due` (timezone-aware) goes as `due_date` and `due_time` ("HH:MM") in UTC, `duration`
        as "HH:MM"; `note` is HTML. ValueError for a naive `due` or a negative `duration`.
        """
        body: dict[str, Any] = {
            "subject": subject,
            "type": type,
            "participants": [{"person_id": person_id, "primary": True}],
        }
        if due is not None:
            if due.utcoffset() is None:
                raise ValueError("the due time needs a time zone")
            utc = due.astimezone(UTC)
            body["due_date"] = utc.date().isoformat()
            body["due_time"] = utc.strftime("%H:%M")
        if duration is not None:
            body["duration"] = _hours_minutes(duration)
        _put(body, deal_id=deal_id, note=note, owner_id=owner_id)
        return await self._write("POST", "/api/v2/activities", body, ActivityInfo)

    async def mark_activity_done(self, activity_id: int) -> ActivityInfo:
        """`PATCH /api/v2/activities/{id}` with `done: true`."""
        path = f"/api/v2/activities/{activity_id}"
        return await self._write("PATCH", path, {"done": True}, ActivityInfo)

    async def create_deal(
        self,
        *,
        title: str,
        person_id: int,
        org_id: int | None = None,
        value: Decimal | None = None,
        currency: str | None = None,
        pipeline_id: int | None = None,
        stage_id: int | None = None,
        expected_close_date: date | None = None,
        owner_id: int | None = None,
    ) -> DealInfo:
        """`POST /api/v2/deals` linked to the person (and organization). ValueError for a value
        that is not a finite number."""
        body: dict[str, Any] = {"title": title, "person_id": person_id}
        _put(
            body,
            org_id=org_id,
            value=_number(value) if value is not None else None,
            currency=currency,
            pipeline_id=pipeline_id,
            stage_id=stage_id,
            expected_close_date=expected_close_date.isoformat() if expected_close_date else None,
            owner_id=owner_id,
        )
        return await self._write("POST", "/api/v2/deals", body, DealInfo)

    async def pipelines(self) -> list[Pipeline]:
        """`GET /api/v2/pipelines`, every page."""
        return await self._get_pages("/api/v2/pipelines", Pipeline, {"limit": 500})

    async def stages(self) -> list[Stage]:
        """`GET /api/v2/stages` of every pipeline, every page."""
        return await self._get_pages("/api/v2/stages", Stage, {"limit": 500})

    async def person(self, person_id: int) -> Person:
        """`GET /api/v2/persons/{id}` with deal, activity and note counts."""
        params = {"include_fields": PERSON_COUNTS}
        return await self._get_one(f"/api/v2/persons/{person_id}", Person, params)

    async def person_picture(self, person_id: int) -> Picture:
        """`GET /api/v2/persons/{id}/picture`."""
        return await self._get_one(f"/api/v2/persons/{person_id}/picture", Picture)

    async def organization(self, org_id: int) -> OrganizationInfo:
        """`GET /api/v2/organizations/{id}`."""
        return await self._get_one(f"/api/v2/organizations/{org_id}", OrganizationInfo)

    async def deal(self, deal_id: int) -> DealInfo:
        """`GET /api/v2/deals/{id}` (NotFound for a deal that is gone)."""
        return await self._get_one(f"/api/v2/deals/{deal_id}", DealInfo)

    async def deals_of_person(self, person_id: int, *, limit: int = 500) -> list[DealInfo]:
        """`GET /api/v2/deals?person_id=`: the person's open, won and lost deals, one page, with
        each deal's activity and note counts."""
        params = {**_DEAL_LIST, "person_id": person_id, "limit": limit}
        return await self._get_list("/api/v2/deals", DealInfo, params)

    async def company_deals(self, *, limit: int = MAX_PAGE) -> FirstPage[DealInfo]:
        """The first page of the company's open, won and lost deals (as `deals_of_person`)."""
        return await self._first_page("/api/v2/deals", DealInfo, {**_DEAL_LIST, "limit": limit})

    async def company_activities(self, *, limit: int = MAX_PAGE) -> FirstPage[ActivityInfo]:
        """The first page of the company's activities, in the order of `activities`."""
        return await self._first_page("/api/v2/activities", ActivityInfo, _activity_query(limit))

    async def company_notes(self, *, limit: int = MAX_PAGE) -> FirstPage[NoteInfo]:
        """The first page of the company's notes, in the order of `notes`."""
        return await self._first_page("/v1/notes", NoteInfo, _note_query(limit))

    async def activities(
        self, *, person_id: int | None = None, deal_id: int | None = None, limit: int = 500
    ) -> list[ActivityInfo]:
        """`GET /api/v2/activities` of a person (primary participant) or of a deal, one page."""
        params = _activity_query(limit)
        if person_id is not None:
            params["person_id"] = person_id
        if deal_id is not None:
            params["deal_id"] = deal_id
        return await self._get_list("/api/v2/activities", ActivityInfo, params)

    async def notes(
        self, *, person_id: int | None = None, deal_id: int | None = None, limit: int = 100
    ) -> list[NoteInfo]:
        """`GET /v1/notes` of a person or a deal, newest first, one page."""
        params = _note_query(limit)
        if person_id is not None:
            params["person_id"] = person_id
        if deal_id is not None:
            params["deal_id"] = deal_id
        return await self._get_list("/v1/notes", NoteInfo, params)

    # --- the request path ----------------------------------------------------------------------

    async def _get_one(self, path: str, model: type[M], params: Params | None = None) -> M:
        return self._parse(await self._get_data(path, params), model, path)

    async def _get_list(self, path: str, model: type[M], params: Params | None = None) -> list[M]:
        return self._parse_list(await self._get_data(path, params), model, path)

    async def _first_page(self, path: str, model: type[M], params: Params) -> FirstPage[M]:
        response = await self._send("GET", path, params)
        split = _split_page(response.content)  # decoded already, whatever the encoding
        data: object
        if split is not None:  # its items left as JSON text (see FirstPage)
            data, additional = split
        else:  # read whole, as any reply
            body = self._read_body(response, path, fast=True)
            if _orjson_may_differ(response.content, body.get("data")):
                # read as the standard library reads it, now: the page is taken or refused whole
                body = self._read_body(response, path)
            data = body.get("data")
            additional = body.get("additional_data")
        if not isinstance(additional, dict):
            complete = not data  # an unknown shape: complete only if empty (else refused)
        elif isinstance(pagination := additional.get("pagination"), dict):  # v1
            complete = pagination.get("more_items_in_collection") is False
        else:
            complete = additional.get("next_cursor") is None
        return FirstPage(model, data, complete=complete, path=path)

    async def _get_pages(
        self, path: str, model: type[M], params: Params, max_pages: int = 20
    ) -> list[M]:
        items: list[M] = []
        query = dict(params)
        for _ in range(max_pages):
            body = await self._get_body(path, query)
            items.extend(self._parse_list(body.get("data"), model, path))
            additional = body.get("additional_data")
            cursor = additional.get("next_cursor") if isinstance(additional, dict) else None
            if not isinstance(cursor, str) or not cursor:
                break
            if not _is_text(cursor):  # a lone surrogate: no request can carry it
                raise BadResponse("Pipedrive sent a cursor that is not text", path=path)
            query["cursor"] = cursor
        return items

    async def _get_data(self, path: str, params: Params | None) -> Any:
        return (await self._get_body(path, params)).get("data")

    async def _get_body(self, path: str, params: Params | None) -> dict[str, Any]:
        return self._read_body(await self._send("GET", path, params), path)

    async def _write(self, method: str, path: str, body: dict[str, Any], model: type[M]) -> M:
        response = await self._send(method, path, None, body)
        try:
            return self._parse(self._read_body(response, path).get("data"), model, path)
        except BadResponse as exc:
            # Pipedrive took the write (2xx) but what it made cannot be read back from the reply.
            raise WriteUncertain(
                f"Pipedrive answered the write with a reply that cannot be read ({exc})",
                status=response.status_code,
                path=path,
            ) from exc

    @staticmethod
    def _read_body(response: httpx.Response, path: str, *, fast: bool = False) -> dict[str, Any]:
        """The reply's JSON object. `fast` decodes it with orjson (a company page of hundreds
        of items), and with the standard library when orjson refuses it (NaN, a byte order
        mark, a lone surrogate...), so that what can be read is the same either way."""
        try:
            body = orjson.loads(response.content) if fast else response.json()
        except orjson.JSONDecodeError:
            return PipedriveClient._read_body(response, path)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            # RecursionError: JSON nested deeper than Python's stack; unreadable all the same
            raise BadResponse("Pipedrive sent a reply that is not JSON", path=path) from exc
        if not isinstance(body, dict) or body.get("success") is False:
            raise BadResponse("Pipedrive sent an unexpected reply", path=path)
        return body

    @staticmethod
    def _parse(data: object, model: type[M], path: str) -> M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            if any(error["type"] == UNEXPECTED_DOMAIN for error in exc.errors()):
                raise UnexpectedCompanyDomain(
                    "Pipedrive reported a company domain that is not a DNS label", path=path
                ) from exc
            raise BadResponse(
                f"Pipedrive's reply is not shaped as documented ({exc.error_count()} problems)",
                path=path,
            ) from exc

    @staticmethod
    def _parse_list(data: object, model: type[M], path: str) -> list[M]:
        """The readable items of a list (the rules are `Items`')."""
        return Items(model, data, path=path).items

    async def _send(
        self, method: str, path: str, params: Params | None, body: object = None
    ) -> httpx.Response:
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._send_once(method, path, params, body)
            except (RateLimited, Unavailable) as exc:
                delay = self._retry_delay(exc, attempt, method)
                if delay is None or not self._has_time_after(delay):
                    raise
                await self._retry.sleep(delay)

    def _has_time_after(self, delay: float) -> bool:
        """Whether the deadline leaves time for another attempt after waiting `delay`."""
        return self.deadline is None or self.deadline.remaining() > delay

    def _attempt_timeout(self, path: str) -> float:
        """The configured timeout, cut to what is left of the deadline."""
        if self.deadline is None:
            return self._timeout
        left = self.deadline.remaining()
        if left <= 0:
            raise Unavailable("no time was left to ask Pipedrive", path=path)
        return min(self._timeout, left)

    def _retry_delay(self, exc: PipedriveError, attempt: int, method: str) -> float | None:
        if attempt >= self._retry.attempts:
            return None
        if isinstance(exc, RateLimited) and exc.status is None:
            return None  # the pacer did not send it: it waited as long as the attempt allows
        # A write that failed on the way back may have been applied: only a 429 (refused before
        # any work) is safe to send again.
        if method not in _READS and not isinstance(exc, RateLimited):
            return None
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            return exc.retry_after if exc.retry_after <= self._retry.max_wait else None
        return self._retry.backoff(attempt)

    async def _send_once(
        self, method: str, path: str, params: Params | None, body: object = None
    ) -> httpx.Response:
        exchange = _Exchange()
        send = self._quick_read(method, path, params) or self._request(
            method, self._url(path), params, body, exchange
        )
        paced = PacedRequest(method, path, token_cost(method, path))
        if self._pacer is not None:
            # the wait for the window leaves a write half of the time left (a write cut short
            # is uncertain), and a read a quarter second of it (half, when less than that)
            left = self._attempt_timeout(path)
            keep = min(left / 2, _LEAST_READ) if method in _READS else left / 2
            await self._pacer.before(paced, wait_at_most=left - keep)
        timeout = self._attempt_timeout(path)
        loop = asyncio.get_running_loop()
        started = loop.time()
        response: httpx.Response | None = None
        try:
            async with asyncio.timeout(timeout):
                response = await send(timeout)
                await response.aread()
        except (TimeoutError, httpx.TimeoutException) as exc:
            message = f"Pipedrive did not answer within {timeout:.2g} s"
            raise self._failure(method, exc, exchange)(message, path=path) from exc
        except httpx.HTTPError as exc:
            message = f"Cannot reach Pipedrive ({type(exc).__name__})"
            raise self._failure(method, exc, exchange)(message, path=path) from exc
        except UnicodeEncodeError as exc:
            # Only a token can carry such characters into the request: no Pipedrive token does.
            raise InvalidToken("the API token contains characters no token has", path=path) from exc
        finally:
            self._record(method, path, response, loop.time() - started)
            if self._pacer is not None:
                status = response.status_code if response is not None else None
                await self._pacer.after(
                    paced, status, response.headers if response is not None else None
                )
        try:
            _raise_for_status(response, path)
        except Unavailable as exc:  # a 5xx: the work may have been done before it failed
            if method in _READS:
                raise
            message = f"Pipedrive answered {response.status_code} to a write"
            raise WriteUncertain(message, status=exc.status, path=path) from exc
        return response

    @staticmethod
    def _failure(method: str, exc: Exception, exchange: _Exchange) -> type[Unavailable]:
        """Unavailable, or WriteUncertain for a write that may have reached Pipedrive."""
        if method in _READS or isinstance(exc, _NOT_SENT) or exchange.surely_unsent:
            return Unavailable
        return WriteUncertain

    def _request(
        self, method: str, url: httpx.URL, params: Params | None, body: object, exchange: _Exchange
    ) -> Callable[[float], Awaitable[httpx.Response]]:
        """How to send a request through the httpx client, given its timeout."""

        def send(timeout: float) -> Awaitable[httpx.Response]:
            return self._http.request(
                method,
                url,
                params=params,
                json=body,
                headers={"accept": "application/json"},
                auth=self._auth,
                timeout=timeout,
                extensions={"trace": exchange.trace},
            )

        return send

    def _quick_read(
        self, method: str, path: str, params: Params | None
    ) -> Callable[[float], Awaitable[httpx.Response]] | None:
        """How to send a read the quick way, given its timeout; None to send it the other way
        (see the module's docstring)."""
        if self._quick is None or method != "GET" or not _PLAIN_PATH.fullmatch(path):
            return None
        if not _quick_base(self._base_url, self._configured_base):
            return None  # the other way, which refuses a base that may not have the token
        reader, auth = self._quick
        url = self._base_url + path + ("?" + _query(params) if params else "")

        def send(timeout: float) -> Awaitable[httpx.Response]:
            headers = [("accept", "application/json"), auth.header()]
            return reader.quick_get(url, headers, timeout)

        return send

    def _url(self, path: str) -> httpx.URL:
        """The URL of `path`; UntrustedHost when the token must not go there."""
        try:
            url = httpx.URL(self._base_url + path)
        except httpx.InvalidURL as exc:
            raise UntrustedHost("the API base is not a URL", path=path) from exc
        if not may_receive_token(url, self._configured_base):
            # The host stays out of the message: it may be text an attacker chose.
            raise UntrustedHost("the API base is not a Pipedrive host", path=path)
        return url

    def _record(
        self, method: str, path: str, response: httpx.Response | None, seconds: float
    ) -> None:
        status = response.status_code if response is not None else None
        # Pipedrive charges a request that it answered; one that never arrived costs nothing.
        tokens = token_cost(method, path) if status is not None else 0
        call = CallRecord(method, path, status, tokens, seconds)
        self.meter.record(call, response.headers if response is not None else None)


_DEAL_LIST: dict[str, str | int] = {
    "status": "open,won,lost",
    "sort_by": "update_time",
    "sort_direction": "desc",
    "include_fields": DEAL_COUNTS,
}


def _activity_query(limit: int) -> dict[str, str | int]:
    return {"sort_by": "due_date", "sort_direction": "desc", "limit": limit}


def _note_query(limit: int) -> dict[str, str | int]:
    return {"sort": "add_time DESC", "start": 0, "limit": limit}
