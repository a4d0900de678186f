"""Email → Match | NoMatch: the Pipedrive call plan, its concurrency and its partial results.

The plan adapts to the company (`cardin.lookup.sizes`: per company and day, whether its deals,
activities and notes each fit in one page of 500). When the metadata is cached:

1. the person search; alongside it, the company's first page of deals when they fit (or when
   that is not known yet today);
2. concurrently: the matching persons' details; for each of notes and activities, the company's
   first page when it fits (or is not known yet), else the best person's list; the person's
   deals unless the company page had them; the names the deals refer to when known;
3. what is left: the notes and activities of the deals shown in detail that neither a company
   page nor the person's own lists cover, the names deals and custom fields refer to.

A company page is used only when Pipedrive says it is the whole list; the items of the person
and of the person's deals (also those attached to a deal only) are then picked out in code, in
the order the filtered call would give. A page that says more items exist is never followed: the
company is recorded as large for the day and this lookup falls back to the person's and the
deals' own calls, which then go out in round 3 (once a day per company). In a large company a
deal's notes or activities are not fetched when the deal's counts (`notes_count`,
`activities_count`) show that the person's own complete list holds all of them.

The cost: a small company's lookup costs the search, one page of each list and the person (about
62 tokens whatever the number of deals shown), in 2 round trips when no name lookup waits for
the person; a large company's costs the same calls filtered by the person plus the deals whose
items the person's lists do not cover, in 3, and never grows with the size of the company.
Fetching the deals page with the search costs 10 tokens more on an address that is not in
Pipedrive; it is what lets the deals' organizations be named in round 2. The first lookup of
the day in a large company spends one page of each list (40 tokens) to learn it.

A failure of the search or of the account itself (401, 402) fails the lookup; any other failed
part is marked unavailable on the contact and the rest is shown (a failed company page falls
back to the person's and the deals' calls, and teaches nothing).

Under a deadline, every call ends by it (a timeout is then one more failed part), and a call
that is not required but that later rounds wait for (the optional metadata, the deals, the other
matching persons) may take only its share of the time left, so that when it hangs the rounds
after it still have time to fetch and show the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel

from cardin.cache import Cache
from cardin.connectors.setup import account_of
from cardin.contact.fields import referenced_ids
from cardin.contact.model import (
    Deal,
    LookupResult,
    Match,
    MatchReason,
    NoMatch,
    RefKind,
    SectionError,
    Usage,
)
from cardin.links import web_app_url
from cardin.lookup import assemble
from cardin.lookup.build import (
    ContactBuilder,
    DealDetails,
    Fetched,
    Names,
    PersonData,
    search_reason,
    selected,
)
from cardin.lookup.deal import fetch_deal
from cardin.lookup.metadata import AccountKey, AccountMetadata, load_metadata, metadata_key
from cardin.lookup.outcome import secondary, secondary_of, section_error
from cardin.lookup.pacing import Pacing
from cardin.lookup.plan import Limits, Parts
from cardin.lookup.sizes import LARGE, ListSizes, load_sizes, sizes_key, store_sizes
from cardin.lookup.tasks import TaskScope, gather_all, watching
from cardin.pipedrive import (
    BadResponse,
    Credential,
    Deadline,
    NotFound,
    PipedriveClient,
    PipedriveError,
    RetryPolicy,
    UsageMeter,
)
from cardin.pipedrive.client import FirstPage
from cardin.pipedrive.errors import ACCOUNT_ERRORS
from cardin.pipedrive.models import (
    ActivityInfo,
    DealInfo,
    NoteInfo,
    Person,
    PersonSearchItem,
)
from cardin.pipedrive.urls import DEFAULT_BASE_URL

T = TypeVar("T")
_OnDeal = TypeVar("_OnDeal", NoteInfo, ActivityInfo)
M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")
S = TypeVar("S")


@dataclass(frozen=True)
class PersonPlan:
    """The round-2 calls for one person, and the deal details that follow the deals."""

    notes: asyncio.Task[list[NoteInfo] | SectionError | None]
    deals: asyncio.Task[list[DealInfo] | SectionError | None]
    activities: asyncio.Task[list[ActivityInfo] | SectionError | None]
    details: asyncio.Task[dict[int, DealDetails]]

    def cancel(self) -> None:
        """Stop these calls (the person turned out not to be the best match)."""
        for task in (self.notes, self.deals, self.activities, self.details):
            task.cancel()


MAX_PICTURE_URL = 2_048
"""The longest picture URL a card is given (`cardin.cards.widgets.MAX_URL`)."""


class LookupEngine:
    """Looks email addresses up in Pipedrive accounts; one engine serves every account."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        cache: Cache,
        *,
        timeout: float = 8.0,
        api_base: str = DEFAULT_BASE_URL,
        retry: RetryPolicy | None = None,
        limits: Limits | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        adaptive: bool = True,
        pacing: Pacing | None = None,
    ) -> None:
        """`adaptive=False` keeps every lookup on the plan that does not look at the company:
        no company page, and every detailed deal's own notes and activities calls."""
        self._http = http
        self._adaptive = adaptive
        self._cache = cache
        self._timeout = timeout
        self._api_base = api_base  # the configured API base: the clients may send tokens there
        self._retry = retry
        self._limits = limits or Limits()
        self._clock = clock
        # the shared limiter (`cardin.lookup.pacing`); without one, calls are only counted
        self.pacing = pacing or Pacing(None)

    def client(
        self,
        credential: Credential,
        base_url: str = DEFAULT_BASE_URL,
        *,
        account: AccountKey | None = None,
    ) -> PipedriveClient:
        """A client for one account, metering into a fresh UsageMeter, paced by the shared
        limiter (the company's budget counted when `account` is known)."""
        company = account.company_id if account is not None else None
        user = account.user_id if account is not None else None
        return PipedriveClient(
            self._http,
            auth=credential.auth(),
            base_url=base_url,
            configured_base=self._api_base,
            timeout=self._timeout,
            retry=self._retry,
            meter=UsageMeter(),
            pacer=self.pacing.pacer(credential, company, user),
        )

    async def lookup(
        self,
        email: str,
        *,
        credential: Credential,
        account: AccountKey | None = None,
        base_url: str = DEFAULT_BASE_URL,
        parts: Parts | None = None,
        refresh_metadata: bool = False,
        deadline: Deadline | None = None,
    ) -> LookupResult:
        """Find `email` in the account; raises PipedriveError when the search itself fails.

        `account` is whose account the credential opens, when known (a connector knows it): the
        account's metadata is cached under it. Without it the metadata is fetched and not kept.
        Every call ends by `deadline` when one is given (see the module's docstring).
        """
        client = self.client(credential, base_url, account=account).within(deadline)
        parts = parts or Parts()
        now = self._clock()
        key = sizes_key(account.company_id, now) if account is not None and self._adaptive else None
        known = await load_sizes(self._cache, key) if key is not None else LARGE
        async with TaskScope() as scope:
            # the search goes out first, the company's deals page with it; the person's calls
            # go out when the search is back (they wait for the page only to pick the person's
            # deals), but a page refused for the account (an invalid token) ends the lookup
            search = scope.start(
                client.search_persons_by_email(email, limit=self._limits.candidates * 2)
            )
            deals_page = scope.start(
                _page_unless(
                    known.deals is False or not parts.deals,
                    lambda: _waited_for(client, rounds=2).company_deals(),
                )
            )
            meta, hits = await watching(
                gather_all(
                    load_metadata(
                        client,
                        self._cache,
                        metadata_key(account) if account is not None else None,
                        refresh=refresh_metadata,
                        optional=_waited_for(client, rounds=2),
                    ),
                    search,
                ),
                deals_page,
            )
            if account is not None and meta.users is not None:
                seats = sum(1 for u in meta.users if u.active_flag)
                await self.pacing.note_seats(account.company_id, seats)
            run = _Run(self, client, meta, email, parts, base_url=base_url, known=known)
            company_deals = scope.start(run.learned_page("deals", deals_page))
            result = await watching(run.resolve(hits, company_deals), company_deals)
            await company_deals  # its size learned (resolve has waited for it)
        if key is not None and run.learned != known:
            await store_sizes(self._cache, key, run.learned, now)
        return result

    async def account_metadata(
        self,
        credential: Credential,
        *,
        account: AccountKey | None,
        base_url: str = DEFAULT_BASE_URL,
        deadline: Deadline | float | None = None,
    ) -> AccountMetadata:
        """The account's metadata as a lookup uses it (the same cache entry), fetched if absent.

        For the forms: activity types, pipelines and stages, users, the default currency. Without
        `account` it is fetched and not kept. `deadline` (a Deadline, or seconds from now) ends
        every call. Raises PipedriveError when `/v1/users/me` fails; other parts that fail are
        None (and the metadata is then not cached).
        """
        if isinstance(deadline, int | float):
            deadline = Deadline.after(deadline)
        client = self.client(credential, base_url, account=account).within(deadline)
        key = metadata_key(account) if account is not None else None
        return await load_metadata(client, self._cache, key)

    async def deal(
        self,
        deal_id: int,
        *,
        credential: Credential,
        account: AccountKey | None,
        base_url: str = DEFAULT_BASE_URL,
        deadline: Deadline | None = None,
    ) -> Deal:
        """One deal with all its notes and activities (`cardin.lookup.deal`), for its card.

        The account's metadata (activity types, stages) comes from the lookups' cache entry.
        Raises PipedriveError when the deal itself cannot be fetched (NotFound when deleted).
        """
        client = self.client(credential, base_url, account=account).within(deadline)
        key = metadata_key(account) if account is not None else None
        meta = await load_metadata(client, self._cache, key, optional=_waited_for(client, rounds=1))
        return await fetch_deal(client, meta, deal_id, now=self._clock())


class _Run:
    """One lookup in progress: the state shared by its rounds."""

    def __init__(
        self,
        engine: LookupEngine,
        client: PipedriveClient,
        meta: AccountMetadata,
        email: str,
        parts: Parts,
        *,
        base_url: str,
        known: ListSizes,
    ) -> None:
        self.client = client
        self.known = known
        self.learned = known
        self.base_url = base_url.rstrip("/")
        self.meta = meta
        self.email = email
        self.parts = parts
        self.limits = engine._limits
        self.adaptive = engine._adaptive
        self.now = engine._clock()
        self.account = account_of(meta.me)
        self.users = {u.id: u for u in meta.users or []}
        self.builder = ContactBuilder(meta, self.account, parts=parts, now=self.now, email=email)

    def learn(self, kind: str, page: FirstPage[M] | SectionError | None) -> FirstPage[M] | None:
        """What a company page says about its list's size; the page when it is the whole list
        (else None: the caller falls back to the filtered calls)."""
        if not isinstance(page, FirstPage):
            return None  # not fetched, or failed: nothing learned
        self.learned = self.learned.model_copy(update={kind: page.complete})
        return page if page.complete else None

    async def learned_page(
        self, kind: str, page: Awaitable[FirstPage[M] | SectionError | None]
    ) -> FirstPage[M] | None:
        """`learn` from a company page once it has come."""
        return self.learn(kind, await page)

    async def resolve(
        self,
        hits: Sequence[PersonSearchItem],
        company_deals: asyncio.Task[FirstPage[DealInfo] | None],
    ) -> LookupResult:
        """Rounds 2 and 3 for the search hits; each call starts once its inputs have arrived.

        `company_deals`, asked for with the search, gives the company's deals page when it is
        the whole list (else None: the person's deals are then their own call)."""
        candidates = [h for h in hits if assemble.is_candidate(h, self.email)]
        candidates = candidates[: self.limits.candidates]
        if not candidates:
            await company_deals  # asked for with the search: charged, so counted in the usage
            return self._no_match()
        guess = next(
            (c for c in candidates if assemble.has_email((c.emails or [])[:1], self.email)),
            candidates[0],
        )
        self.company_deals = company_deals
        async with TaskScope() as scope:
            pages = _waited_for(self.client, rounds=1)
            self.note_page = scope.start(
                self._company_page(
                    "notes",
                    self.known.notes is False
                    or not (self.parts.notes or (self.parts.deals and self.parts.deal_notes)),
                    pages.company_notes,
                )
            )
            self.activity_page = scope.start(
                self._company_page(
                    "activities",
                    self.known.activities is False
                    or not (
                        self.parts.activities or (self.parts.deals and self.parts.deal_activities)
                    ),
                    pages.company_activities,
                )
            )
            persons_task = scope.start(self._persons(candidates, guess.id))
            plan = self._start_person(scope, guess.id)
            deal_orgs = scope.start(self._deal_orgs(plan.deals, _hint(candidates, guess.id)))
            persons = await persons_task
            ranked = assemble.rank_candidates(persons, self.email) or [
                (p, search_reason(self.email)) for p in persons if p.id == guess.id
            ]
            if not ranked:  # the record asked for is about someone else, without the address
                raise BadResponse(
                    "Pipedrive sent another person's record", path=f"/api/v2/persons/{guess.id}"
                )
            best, reason = ranked[0]
            if best.id != guess.id:  # rare: the search's order misled us; fetch the right one
                plan.cancel()
                deal_orgs.cancel()
                plan = self._start_person(scope, best.id)
                deal_orgs = scope.start(self._deal_orgs(plan.deals, _hint(candidates, best.id)))
            known_orgs = _hint(candidates, best.id)
            picture = scope.start(self._picture(best))
            names = scope.start(
                self._names_after(best, plan.deals, ranked[1:], known_orgs, deal_orgs)
            )
            data = PersonData(await plan.notes, await plan.deals, await plan.activities)
            fetched = Fetched(
                person=best,
                data=data,
                deals=selected(data.deals),
                details=await plan.details,
                names=await names,
                picture=await picture,
            )
        return self._match(fetched, reason, ranked[1:])

    def _usage(self) -> Usage:
        meter = self.client.meter
        return Usage(
            requests=meter.requests,
            tokens=meter.tokens,
            rate_limit_remaining=meter.rate_limit_remaining,
            rate_limit_limit=meter.rate_limit_limit,
            daily_requests_left=meter.daily_requests_left,
        )

    def _no_match(self) -> NoMatch:
        search_url = web_app_url(self.account.company_domain, "search", query={"term": self.email})
        return NoMatch(self.email, self.account, search_url, self._usage())

    # --- round 2 ---------------------------------------------------------------------------------

    async def _persons(self, candidates: Sequence[PersonSearchItem], best_id: int) -> list[Person]:
        others = _waited_for(self.client, rounds=1)
        results = await gather_all(
            *(
                self.client.person(c.id) if c.id == best_id else secondary_of(others.person, c.id)
                for c in candidates
            )
        )
        return [p for p in results if isinstance(p, Person)]

    async def _company_page(
        self,
        kind: str,
        skip: bool,  # noqa: FBT001
        fetch: Callable[[], Awaitable[FirstPage[M]]],
    ) -> FirstPage[M] | None:
        """A company-wide first page of `kind` when it is the whole list, else None."""
        if skip:
            return None
        return await self.learned_page(kind, secondary(fetch()))

    def _start_person(self, scope: TaskScope, person_id: int) -> PersonPlan:
        parts, limits, client = self.parts, self.limits, self.client
        for_deals = _waited_for(client, rounds=1)
        if self.adaptive:  # the deals' details may wait for the person's lists (`_of_deal`)
            client = for_deals
        deals = scope.start(_maybe(parts.deals, lambda: self._person_deals(person_id)))
        notes = scope.start(
            _maybe(
                parts.notes,
                lambda: self._picked(
                    self.note_page,
                    person_id,
                    limits.notes,
                    lambda: client.notes(person_id=person_id, limit=limits.notes),
                ),
            )
        )
        activities = scope.start(
            _maybe(
                parts.activities,
                lambda: self._picked(
                    self.activity_page,
                    person_id,
                    limits.activities,
                    lambda: client.activities(person_id=person_id, limit=limits.activities),
                ),
            )
        )
        return PersonPlan(
            notes=notes,
            deals=deals,
            activities=activities,
            details=scope.start(self._details_after(deals, notes, activities)),
        )

    async def _person_deals(self, person_id: int) -> list[DealInfo]:
        """The person's deals: picked from the company's page when it is the whole list, else
        their own call (with its share of the time left once the page is known)."""
        page = await _shared(self.company_deals)
        if page is None:
            client = _waited_for(self.client, rounds=1)
            return await client.deals_of_person(person_id, limit=self.limits.deals)
        return page.pick("person_id", person_id, self.limits.deals)

    @staticmethod
    async def _picked(
        page: asyncio.Task[FirstPage[_OnDeal] | None],
        person_id: int,
        limit: int,
        call: Callable[[], Awaitable[list[_OnDeal]]],
    ) -> list[_OnDeal]:
        """The first `limit` items of the company page that are the person's, in the page's
        order (the order of the filtered call); without a whole page, the filtered call."""
        items = await _shared(page)
        if items is None:
            return await call()
        return items.pick("person_id", person_id, limit)

    # --- round 3 ---------------------------------------------------------------------------------

    def _match(
        self, fetched: Fetched, reason: MatchReason, others: Sequence[tuple[Person, MatchReason]]
    ) -> Match:
        return Match(
            email=self.email,
            contact=self.builder.contact(fetched),
            reason=reason,
            account=self.account,
            others=tuple(self.builder.other(p, r, fetched.names) for p, r in others),
            usage=self._usage(),
            fetched_at=self.now,
        )

    async def _details_after(
        self,
        deals_task: Awaitable[list[DealInfo] | SectionError | None],
        notes_task: Awaitable[list[NoteInfo] | SectionError | None],
        activities_task: Awaitable[list[ActivityInfo] | SectionError | None],
    ) -> dict[int, DealDetails]:
        """Notes and activities of the deals shown in detail, as soon as the deals are known."""
        detailed = selected(await deals_task)[: self.limits.detailed_deals]
        details = await gather_all(
            *(self._deal_details(d, notes_task, activities_task) for d in detailed)
        )
        return dict(zip([d.id for d in detailed], details, strict=True))

    async def _names_after(
        self,
        person: Person,
        deals_task: Awaitable[list[DealInfo] | SectionError | None],
        others: Sequence[tuple[Person, MatchReason]],
        known_orgs: Mapping[int, str],
        deal_orgs: Awaitable[dict[int, str]],
    ) -> Names:
        """Names that the deals and custom fields refer to, once the deals are known."""
        known = {**known_orgs, **await deal_orgs}
        return await self._names(person, selected(await deals_task), others, known)

    async def _deal_orgs(
        self,
        deals_task: Awaitable[list[DealInfo] | SectionError | None],
        known_orgs: Mapping[int, str],
    ) -> dict[int, str]:
        """The names of the deals' organizations, as soon as the deals are known: when the
        company's deals page came with the search, they go out with the person's details and
        need no round of their own (a failed one is tried again with the other names)."""
        deals = selected(await deals_task)
        names: dict[int, str] = {}
        ids = {d.org_id for d in deals if d.org_id} - known_orgs.keys()
        await self._resolve(ids, names, self._org)
        return names

    async def _deal_details(
        self,
        deal: DealInfo,
        notes_task: Awaitable[list[NoteInfo] | SectionError | None],
        activities_task: Awaitable[list[ActivityInfo] | SectionError | None],
    ) -> DealDetails:
        parts, limits, deal_id = self.parts, self.limits, deal.id
        notes, activities = await gather_all(
            _maybe(
                parts.deal_notes,
                lambda: self._of_deal(
                    self.note_page,
                    notes_task,
                    (deal_id, deal.notes_count, limits.notes),
                    person_listed=self.adaptive and self.known.notes is False and parts.notes,
                    limit=limits.deal_notes,
                    call=lambda: self.client.notes(deal_id=deal_id, limit=limits.deal_notes),
                ),
            ),
            _maybe(
                parts.deal_activities,
                lambda: self._of_deal(
                    self.activity_page,
                    activities_task,
                    (deal_id, deal.activities_count, limits.activities),
                    person_listed=self.adaptive
                    and self.known.activities is False
                    and parts.activities,
                    limit=limits.deal_activities,
                    call=lambda: self.client.activities(
                        deal_id=deal_id, limit=limits.deal_activities
                    ),
                ),
            ),
        )
        return DealDetails(notes, activities)

    @staticmethod
    async def _of_deal(
        page: asyncio.Task[FirstPage[_OnDeal] | None],
        person_task: Awaitable[list[_OnDeal] | SectionError | None],
        deal: tuple[int, int | None, int],
        *,
        person_listed: bool,
        limit: int,
        call: Callable[[], Awaitable[list[_OnDeal]]],
    ) -> list[_OnDeal]:
        """A deal's notes or activities: picked from the company page when it is whole; else
        from the person's own list when the deal's count shows it holds them all (only when
        that list was asked for in round 2, so as not to hold the call back a round); else
        the deal's own call."""
        deal_id, count, person_limit = deal
        items = await _shared(page)
        if items is None and person_listed and count is not None:
            person_items = await person_task
            if isinstance(person_items, list) and len(person_items) < person_limit:
                mine = [item for item in person_items if item.deal_id == deal_id]
                if len(mine) == count:
                    return mine[:limit]
        if items is None:
            return await call()
        return items.pick("deal_id", deal_id, limit)

    async def _picture(self, person: Person) -> str | None:
        if person.picture_id is None:
            return None
        picture = await secondary(self.client.person_picture(person.id))
        if isinstance(picture, SectionError) or not picture.pictures:
            return None
        url = picture.pictures.get("128") or next(iter(picture.pictures.values()), None)
        return url if url is not None and self._may_show(url) else None

    def _may_show(self, url: str) -> bool:
        """Whether a card may load the picture: https (or from the API base itself, as the
        local sandbox serves it), at most MAX_PICTURE_URL characters."""
        if len(url) > MAX_PICTURE_URL or url.startswith(self.base_url + "//"):
            return False
        if url.startswith(self.base_url + "/"):
            return True
        try:
            parts = urlsplit(url)
        except ValueError:  # an unbalanced "[" in the host
            return False
        return parts.scheme == "https" and bool(parts.netloc)

    async def _names(
        self,
        person: Person,
        deals: Sequence[DealInfo],
        others: Sequence[tuple[Person, MatchReason]],
        known_orgs: Mapping[int, str],
    ) -> Names:
        names = Names(organizations=dict(known_orgs))
        refs = self._references(person)
        org_ids = {d.org_id for d in deals if d.org_id} | {p.org_id for p, _ in others if p.org_id}
        if person.org_id and self.parts.organization:
            org_ids.add(person.org_id)
        org_ids |= refs.get(RefKind.ORGANIZATION, frozenset())
        user_ids = set(refs.get(RefKind.USER, frozenset()))
        if self.parts.owner and person.owner_id:
            user_ids.add(person.owner_id)
        *_, user_errors = await gather_all(
            self._resolve(org_ids - names.organizations.keys(), names.organizations, self._org),
            self._resolve(refs.get(RefKind.PERSON, frozenset()), names.persons, self._person),
            self._resolve(user_ids - self.users.keys(), names.users, self.client.user),
        )
        names.user_errors.update(user_errors)
        return names

    def _references(self, person: Person) -> dict[RefKind, frozenset[int]]:
        if not self.parts.custom_fields or not person.custom_fields:
            return {}
        definitions = assemble.field_definitions(self.meta.person_fields)
        return referenced_ids(person.custom_fields, definitions)

    async def _resolve(
        self, ids: Iterable[int], into: dict[int, R], fetch: Callable[[int], Awaitable[R]]
    ) -> dict[int, SectionError]:
        """Fetch what ids name (a bounded number) into `into`; returns the look-ups that failed.

        Ids Pipedrive does not know (404) stay unresolved without an error.
        """
        chosen = sorted(ids)[: self.limits.references]
        results = await gather_all(*(_known(fetch, i) for i in chosen))
        failed = {}
        for item_id, result in zip(chosen, results, strict=True):
            if isinstance(result, SectionError):
                failed[item_id] = result
            elif result is not None:
                into[item_id] = result
        return failed

    async def _org(self, org_id: int) -> str:
        return (await self.client.organization(org_id)).name or f"#{org_id}"

    async def _person(self, person_id: int) -> str:
        return (await self.client.person(person_id)).name or f"#{person_id}"


def _hint(candidates: Sequence[PersonSearchItem], person_id: int) -> dict[int, str]:
    """The organization the search named for the person, with its name when it gave one."""
    hint = next((c.organization for c in candidates if c.id == person_id), None)
    return {hint.id: hint.name} if hint and hint.name else {}


def _shared(page: asyncio.Task[T]) -> Awaitable[T]:
    """A company page that several calls wait for, such that cancelling one of them (the calls
    of a person who turned out not to be the best match) leaves the page to the others."""
    return asyncio.shield(page)


async def _page_unless(
    skip: bool,  # noqa: FBT001
    fetch: Callable[[], Awaitable[FirstPage[M]]],
) -> FirstPage[M] | SectionError | None:
    """A company page (its failure as a SectionError), or None when `skip`."""
    if skip:
        return None
    return await secondary(fetch())


async def _known(fetch: Callable[[int], Awaitable[T]], item_id: int) -> T | SectionError | None:
    """Look an id up like `secondary_of`, but None when Pipedrive does not know the id."""
    try:
        return await fetch(item_id)
    except NotFound:
        return None
    except ACCOUNT_ERRORS:
        raise
    except PipedriveError as exc:
        return section_error(exc)


def _waited_for(client: PipedriveClient, *, rounds: int) -> PipedriveClient:
    """The client for an optional call that `rounds` more rounds of calls wait for.

    It may take 1/(rounds + 1) of the time left, so that a hang leaves time for those rounds.
    """
    deadline = client.deadline
    return client.within(deadline.share(rounds + 1) if deadline else None)


async def _maybe(wanted: bool, call: Callable[[], Awaitable[T]]) -> T | SectionError | None:  # noqa: FBT001
    """Run a secondary call only when its part is wanted."""
    if not wanted:
        return None
    return await secondary(call())
