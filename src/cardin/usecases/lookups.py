"""Looking people up: one connector's result, every connector's for the dashboard, and an
address someone typed."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
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
    """A note of the contact to show in full, found in the connector's result."""

    result: ConnectorResult
    match: Match
    note: Note


@dataclass(frozen=True)
class NoteGone:
    """The contact's result holds no note with that id any more (deleted, or no longer among
    the notes fetched)."""


async def read_note(
    services: Services, sub: str, action: ReadNote
) -> NoteToRead | NoteGone | ConnectorResult:
    """The note the action names, from the contact's result (the result cache when it has one);
    the result itself when it is no longer a match."""
    connector = await own_connector(services, sub, action.connector_id)
    result = await result_for(services, connector, Participant.of(action.email))
    if not isinstance(result.outcome, Match):
        return result
    note = find_note(result.outcome, action.note_id)
    return NoteGone() if note is None else NoteToRead(result, result.outcome, note)


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
    person = Participant.of(action.email)
    seconds = services.lookup_deadline
    try:
        credential = await stored_credential(services, connector)
        async with asyncio.timeout(seconds):  # the backstop; the calls end before it
            deal: Deal | Failure = await services.engine.deal(
                action.deal_id,
                credential=credential,
                account=account_key(connector),
                base_url=connector.base_url,
                deadline=calls_deadline(seconds),
            )
    except NeedsReauth as exc:
        deal = exc.failure
    except TimeoutError:
        deal = Failure(FailureKind.UNAVAILABLE, "Pipedrive did not answer in time")
    except NotFound as exc:
        deal = Failure(FailureKind.NOT_FOUND, str(exc))
    except PipedriveError as exc:
        deal = failure_of(exc)
    return DealResult(connector, person, deal)


async def dashboard(
    services: Services,
    sub: str,
    person: Participant,
    others: Sequence[Participant] = (),
    *,
    refresh: str | None = None,
) -> Dashboard | NoConnectors:
    """Every automatic connector's outcome for the person, at once; the connector `refresh`
    names runs too (manual or not) and bypasses the result cache."""
    connectors = await own_connectors(services, sub)
    if not connectors:
        return NoConnectors()
    refreshed = frozenset({refresh}) if refresh else frozenset()
    runs = await run_all(
        services, connectors, person.email, base_email=person.base_email, refresh=refreshed
    )
    return Dashboard(person, tuple(others), tuple(runs))


def address_to_look_up(typed: str, name: str | None = None) -> Participant | BadAddress:
    """The person to look up for a typed address (surrounding blanks ignored)."""
    email = typed.strip()
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
