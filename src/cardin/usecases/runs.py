"""Running a user's connectors for one address: concurrently, each under its own deadline.

One slow or failing account never blocks or breaks the others: every run ends within the
deadline with a result or an error, and the error becomes that connector's state. The lookup's
calls end a margin before the deadline (`calls_deadline`), so that a slow part of the contact is
marked unavailable on a card that still arrives in time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cardin import logs, metrics
from cardin.connectors import Feature
from cardin.connectors.model import Connector, ConnectorState
from cardin.connectors.setup import is_known
from cardin.contact.model import Match, NoMatch
from cardin.contact.outcome import Failure, FailureKind, Outcome
from cardin.lookup import AccountKey, Parts, calls_deadline
from cardin.lookup.outcome import settle
from cardin.pipedrive import Credential, Deadline, OAuthGrant
from cardin.pipedrive.oauth import KeptGrant
from cardin.store import TokenUnreadable
from cardin.usecases import budget, coalesce
from cardin.usecases.services import Services

log = logging.getLogger(__name__)


class NeedsReauth(Exception):
    """The connector's stored credential cannot be used; `failure` is the outcome to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.failure = Failure(FailureKind.REAUTH, reason)


@dataclass(frozen=True, slots=True)
class Run:
    """One connector's outcome for the address; `outcome` is None when it did not run.

    `warning` is the reauth or payment problem of the connector's last run when `outcome` was
    served from the result cache regardless.
    """

    connector: Connector
    outcome: Outcome | None
    warning: FailureKind | None = None

    @property
    def state(self) -> ConnectorState:
        """The dashboard label (the warning's, over a cached answer)."""
        if self.warning is not None:
            return state_of(Failure(self.warning, "the connector's last run"))
        return state_of(self.outcome)


def state_of(outcome: Outcome | None) -> ConnectorState:
    """Has match, no match, reauth, payment, error — or manual when it did not run."""
    if outcome is None:
        return ConnectorState.MANUAL
    if isinstance(outcome, Match):
        return ConnectorState.HAS_MATCH
    if isinstance(outcome, NoMatch):
        return ConnectorState.NO_MATCH
    if outcome.kind is FailureKind.REAUTH:
        return ConnectorState.REAUTH
    if outcome.kind is FailureKind.PAYMENT:
        return ConnectorState.PAYMENT
    return ConnectorState.ERROR


async def look_up(
    services: Services,
    connector: Connector,
    email: str,
    *,
    base_email: str | None = None,
    refresh: bool = False,
) -> Outcome:
    """One connector's lookup (from the result cache unless `refresh`), within the deadline.

    An address with a +tag that matches nobody is looked up again without the tag.
    """
    started = time.perf_counter()
    with logs.connector_scope(connector.id):
        outcome = await _within_deadline(services, connector, email, base_email, refresh=refresh)
        log.info(
            "lookup",
            extra={
                "outcome": _outcome_label(outcome),
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
    return outcome


async def _within_deadline(
    services: Services, connector: Connector, email: str, base_email: str | None, *, refresh: bool
) -> Outcome:
    seconds = services.lookup_deadline
    calls = calls_deadline(seconds)
    try:
        # The calls end by their own deadline; this one is the backstop for everything else.
        async with asyncio.timeout(seconds):
            return await _look_up(services, connector, email, base_email, calls, refresh=refresh)
    except TimeoutError:
        return Failure(FailureKind.UNAVAILABLE, "Pipedrive did not answer in time")
    except NeedsReauth as exc:
        await services.results.note_problem(cache_id(connector), exc.failure.kind)
        return exc.failure


async def warning_of(
    services: Services, connector: Connector, outcome: Outcome | None
) -> FailureKind | None:
    """The reauth or payment problem of the connector's last run, for an answer that did not
    fail (it came from the result cache, as a fresh answer clears the problem), or RATE_LIMITED
    while the company's daily budget is spent (the answer is what was cached); else None."""
    if outcome is None or isinstance(outcome, Failure):
        return None
    problem = await services.results.problem(cache_id(connector))
    if problem is None and not await budget.allows(
        services.engine, account_key(connector), parts_for(connector.features)
    ):
        return FailureKind.RATE_LIMITED  # the company's budget is spent: no fresh answer today
    return problem


async def _look_up(
    services: Services,
    connector: Connector,
    email: str,
    base_email: str | None,
    deadline: Deadline,
    *,
    refresh: bool,
) -> Outcome:
    result = await _cached_or_fresh(services, connector, email, deadline, refresh=refresh)
    if isinstance(result, NoMatch) and base_email and base_email != email:
        return await _cached_or_fresh(services, connector, base_email, deadline, refresh=refresh)
    return result


async def _cached_or_fresh(
    services: Services, connector: Connector, email: str, deadline: Deadline, *, refresh: bool
) -> Outcome:
    """Where every lookup starts: the result cache, the company's budget, then one run of the
    identical lookups in flight (`cardin.usecases.coalesce`)."""
    key = cache_id(connector)
    if not refresh:
        cached = await services.results.get(key, email)
        metrics.RESULT_CACHE.labels("miss" if cached is None else "hit").inc()
        if cached is not None:
            return cached
    if not await budget.allows(
        services.engine, account_key(connector), parts_for(connector.features)
    ):
        metrics.LOOKUPS.labels("budget_cached").inc()
        return await budget.copy_of(services.cache, key, email)
    return await coalesce.once(
        services.cache, key, email, deadline, lambda: _fresh(services, connector, email, deadline)
    )


async def _fresh(
    services: Services, connector: Connector, email: str, deadline: Deadline
) -> Outcome:
    key = cache_id(connector)
    credential = await stored_credential(services, connector)
    result = await settle(
        services.engine.lookup(
            email,
            credential=credential,
            account=account_key(connector),
            base_url=connector.base_url,
            parts=parts_for(connector.features),
            deadline=deadline,
        )
    )
    metrics.LOOKUPS.labels(_outcome_label(result)).inc()
    if isinstance(result, Failure):
        await services.results.note_problem(key, result.kind)
        return result
    await services.results.clear_problem(key)
    # A partial answer is shown but not kept: the next open tries the missing parts again.
    if not (isinstance(result, Match) and result.is_partial):
        await services.results.put(key, email, result)
        if services.keep_copies:
            await budget.keep(services.cache, key, email, result)
    return result


def _outcome_label(outcome: Outcome) -> str:
    if isinstance(outcome, Failure):
        return outcome.kind.value
    if isinstance(outcome, Match):
        return "partial_match" if outcome.is_partial else "match"
    return "no_match"


def account_key(connector: Connector) -> AccountKey | None:
    """Whose account the connector opens, as the metadata cache knows it; None for an account
    Pipedrive said nothing about (stored as company and user 0): its metadata is not shared."""
    account = connector.account
    return AccountKey(account.company_id, account.user_id) if is_known(account) else None


def cache_id(connector: Connector) -> str:
    """The connector as the result cache knows it: any change to it (credential, features) is
    new."""
    return f"{connector.id}.{int(connector.updated_at.timestamp() * 1000)}"


async def stored_credential(services: Services, connector: Connector) -> Credential:
    """The connector's credential; NeedsReauth for one the secret key cannot open, or for a
    connector whose stored account cannot be trusted.

    A grant comes with its keeper, so that its Auth refreshes it (`cardin.usecases.grants`); a
    grant in a deployment without a Pipedrive app is sent as it is until it expires.
    """
    if connector.needs_reauth:
        raise NeedsReauth("the stored company domain is not Pipedrive's: please reauthorize")
    try:
        stored = await asyncio.to_thread(services.store.credential, connector.owner, connector.id)
    except TokenUnreadable as exc:
        raise NeedsReauth("the stored token cannot be read: please reauthorize") from exc
    if isinstance(stored, OAuthGrant) and services.grants is not None:
        return KeptGrant(stored, services.grants.keeper(connector))
    return stored


async def _isolated(
    services: Services, connector: Connector, email: str, *, base_email: str | None, refresh: bool
) -> Outcome:
    """One connector's lookup, whose unexpected failure is its own and never the others'."""
    try:
        return await look_up(services, connector, email, base_email=base_email, refresh=refresh)
    except Exception:  # the edge of one connector's run: logged, shown as that one's error
        log.exception("connector %s failed unexpectedly", connector.id)
        return Failure(FailureKind.INTERNAL, "an unexpected failure (see the log)")


async def run_all(
    services: Services,
    connectors: Sequence[Connector],
    email: str,
    *,
    base_email: str | None = None,
    refresh: frozenset[str] = frozenset(),
    known: Mapping[str, Outcome] | None = None,
) -> list[Run]:
    """Every automatic connector looked up at once; manual ones wait.

    Connectors in `refresh` run (manual or not) and bypass the result cache; a connector in
    `known` has that outcome already (a lookup made just now, with what it cost) and runs not.
    """
    known = known or {}
    chosen = [c for c in connectors if c.is_automatic or c.id in refresh or c.id in known]

    async def run(c: Connector) -> Outcome:
        if c.id in known:
            return known[c.id]
        return await _isolated(services, c, email, base_email=base_email, refresh=c.id in refresh)

    outcomes = await asyncio.gather(*(run(c) for c in chosen))
    by_id = dict(zip([c.id for c in chosen], outcomes, strict=True))
    for connector, outcome in by_id.items():
        if isinstance(outcome, Failure):
            log.info("connector %s: %s", connector, outcome.kind.name)
    runs = [Run(c, by_id.get(c.id)) for c in connectors]
    warnings = await asyncio.gather(*(warning_of(services, r.connector, r.outcome) for r in runs))
    return [Run(r.connector, r.outcome, w) for r, w in zip(runs, warnings, strict=True)]


def parts_for(features: Iterable[Feature]) -> Parts:
    """Which parts of a contact the lookup fetches for these features."""
    on = frozenset(features)
    return Parts(
        custom_fields=Feature.CUSTOM_FIELDS in on,
        notes=Feature.NOTES in on,
        deals=Feature.DEALS in on,
        deal_notes=Feature.DEALS in on and Feature.DEAL_NOTES in on,
        deal_activities=Feature.DEALS in on and Feature.DEAL_ACTIVITIES in on,
        activities=Feature.ACTIVITIES in on,
        owner=Feature.OWNER in on,
        organization=Feature.ORGANIZATION in on,
    )
