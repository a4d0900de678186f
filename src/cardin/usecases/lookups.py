"""Looking people up: one connector's result, every connector's for the dashboard, and an
address someone typed."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cardin.actions import (
    Lookup,
    OpenConnector,
    OpenDeal,
    ReadNote,
    RunConnector,
    SearchOther,
    ShowAll,
)
from cardin.connectors.model import Connector
from cardin.contact.model import Deal, Match, Note
from cardin.contact.outcome import Failure, FailureKind, Outcome
from cardin.lookup import calls_deadline
from cardin.lookup.outcome import failure_of
from cardin.pipedrive import NotFound, PipedriveError
from cardin.usecases.connectors import own_connector, own_connectors
from cardin.usecases.people import Participant
from cardin.usecases.runs import (
    NeedsReauth,
    Run,
    account_key,
    look_up,
    run_all,
    stored_credential,
    warning_of,
)
from cardin.usecases.services import Services

MAX_ADDRESS = 254  # RFC 5321


@dataclass(frozen=True)
class ConnectorResult:
    """One connector's outcome for one person; `warning`: the reauth or payment problem of the
    connector's last run, when `outcome` is a cached answer served regardless."""

    connector: Connector
    person: Participant
    outcome: Outcome
    warning: FailureKind | None = None


@dataclass(frozen=True)
class Dashboard:
    """Every connector's run for the person (manual ones have not run), and the thread's other
    people."""

    person: Participant
    others: tuple[Participant, ...]
    runs: tuple[Run, ...]

    @property
    def default(self) -> Run:
        """The default connector's run (the first, should none be the default)."""
        return next((run for run in self.runs if run.connector.is_default), self.runs[0])


@dataclass(frozen=True)
class NoConnectors:
    """The user has no connector to look anybody up with."""


@dataclass(frozen=True)
class BadAddress:
    """What was typed is no email address."""


async def result_for(
    services: Services, connector: Connector, person: Participant, *, refresh: bool = False
) -> ConnectorResult:
    """The connector's outcome for the person (from the result cache unless `refresh`)."""
    outcome = await look_up(
        services, connector, person.email, base_email=person.base_email, refresh=refresh
    )
    warning = await warning_of(services, connector, outcome)
    return ConnectorResult(connector, person, outcome, warning)


async def open_connector(
    services: Services, sub: str, action: OpenConnector | RunConnector | ShowAll
) -> ConnectorResult:
    """One of the user's connectors' outcome for the action's address."""
    connector = await own_connector(services, sub, action.connector_id)
    return await result_for(services, connector, Participant.of(action.email, action.name))


@dataclass(frozen=True)
class NoteToRead:
    """A note of the contact to show in full, found in the connector's result, or on the deal
    it was read from (`deal`: that deal, when it was fetched to find the note)."""

    result: ConnectorResult
    match: Match
    note: Note
    deal: Deal | None = None


@dataclass(frozen=True)
class NoteGone:
    """Neither the contact's result nor the deal the note was read from holds a note with that
    id any more (deleted, or no longer among the notes fetched), or that deal is gone."""


async def read_note(
    services: Services, sub: str, action: ReadNote
) -> NoteToRead | NoteGone | ConnectorResult:
    """The note the action names, from the contact's result (the result cache when it has one);
    the result itself when it is no longer a match. A note read from a deal's card that the
    result does not hold (a deal beyond the ones fetched with the contact) is looked for on that
    deal, fetched now as `open_deal` fetches it; a failed fetch is the result's failure."""
    connector = await own_connector(services, sub, action.connector_id)
    result = await result_for(services, connector, Participant.of(action.email))
    if not isinstance(result.outcome, Match):
        return result
    note = find_note(result.outcome, action.note_id)
    if note is not None:
        return NoteToRead(result, result.outcome, note)
    if action.deal_id is None:
        return NoteGone()
    return await _note_on_deal(services, result, result.outcome, action.deal_id, action.note_id)


async def _note_on_deal(
    services: Services, result: ConnectorResult, match: Match, deal_id: int, note_id: int
) -> NoteToRead | NoteGone | ConnectorResult:
    """The note on a deal of `result`'s contact (`match`), fetched now; gone with the deal; a
    failed fetch (of the deal, or of its notes) as the result's failure."""
    deal = await fetch_deal(services, result.connector, deal_id)
    if isinstance(deal, Failure):
        if deal.kind is FailureKind.NOT_FOUND:
            return NoteGone()
        return ConnectorResult(result.connector, result.person, deal)
    notes = deal.notes
    if notes is not None and notes.error is not None:
        failed = notes.error
        kind = FailureKind(failed.kind.value)  # a section's kinds are failure kinds too
        failure = Failure(kind, failed.message, failed.retry_after)
        return ConnectorResult(result.connector, result.person, failure)
    note = next((n for n in notes.items if n.id == note_id), None) if notes else None
    return NoteGone() if note is None else NoteToRead(result, match, note, deal)


def find_note(match: Match, note_id: int) -> Note | None:
    """The person's note with that id, or one of their deals' notes, among those fetched."""
    contact = match.contact
    deal_notes = (d.notes.items for d in contact.deals.items if d.notes is not None)
    for notes in (contact.notes.items, *deal_notes):
        for note in notes:
            if note.id == note_id:
                return note
    return None


@dataclass(frozen=True)
class DealResult:
    """A deal fetched for its card, or why it could not be (NOT_FOUND: it was deleted)."""

    connector: Connector
    person: Participant
    deal: Deal | Failure


async def open_deal(services: Services, sub: str, action: OpenDeal) -> DealResult:
    """The deal the action names, with all its notes and activities, fetched now (deals are
    not cached) within the lookup deadline."""
    connector = await own_connector(services, sub, action.connector_id)
    deal = await fetch_deal(services, connector, action.deal_id)
    return DealResult(connector, Participant.of(action.email), deal)


async def fetch_deal(services: Services, connector: Connector, deal_id: int) -> Deal | Failure:
    """The connector's deal with all its notes and activities, fetched now within the lookup
    deadline; why not (NOT_FOUND: it was deleted)."""
    seconds = services.lookup_deadline
    try:
        credential = await stored_credential(services, connector)
        async with asyncio.timeout(seconds):  # the backstop; the calls end before it
            return await services.engine.deal(
                deal_id,
                credential=credential,
                account=account_key(connector),
                base_url=connector.base_url,
                deadline=calls_deadline(seconds),
            )
    except NeedsReauth as exc:
        return exc.failure
    except TimeoutError:
        return Failure(FailureKind.UNAVAILABLE, "Pipedrive did not answer in time")
    except NotFound as exc:
        return Failure(FailureKind.NOT_FOUND, str(exc))
    except PipedriveError as exc:
        return failure_of(exc)


async def dashboard(
    services: Services,
    sub: str,
    person: Participant,
    others: Sequence[Participant] = (),
    *,
    refresh: str | None = None,
    known: Mapping[str, Outcome] | None = None,
) -> Dashboard | NoConnectors:
    """Every automatic connector's outcome for the person, at once; the connector `refresh`
    names runs too (manual or not) and bypasses the result cache; `known` outcomes (a
    connector's lookup made just now, after a write) are used as they are."""
    connectors = await own_connectors(services, sub)
    if not connectors:
        return NoConnectors()
    refreshed = frozenset({refresh}) if refresh else frozenset()
    runs = await run_all(
        services,
        connectors,
        person.email,
        base_email=person.base_email,
        refresh=refreshed,
        known=known,
    )
    return Dashboard(person, tuple(others), tuple(runs))


# What a card puts in an address so that it wraps well (a zero-width space, a word joiner) and
# a byte order mark: invisible, and carried along when an address is copied from a card.
_INVISIBLE = str.maketrans("", "", "\u200b\u2060\ufeff")


def address_to_look_up(typed: str, name: str | None = None) -> Participant | BadAddress:
    """The person to look up for a typed address (surrounding blanks and the invisible
    characters of an address copied from a card ignored)."""
    email = typed.translate(_INVISIBLE).strip()
    if "@" not in email or len(email) > MAX_ADDRESS:
        return BadAddress()
    return Participant.of(email, name)


async def look_up_address(
    services: Services, sub: str, action: Lookup | SearchOther
) -> Dashboard | NoConnectors | BadAddress:
    """The dashboard for the address typed in the search field, else the one the button names."""
    given, name = (action.email, action.name) if isinstance(action, Lookup) else (None, None)
    person = address_to_look_up(action.search or given or "", name)
    if isinstance(person, BadAddress):
        return person
    return await dashboard(services, sub, person)
