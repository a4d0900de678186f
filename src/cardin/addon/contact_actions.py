"""The card actions about a contact: a connector's result, retry and refresh, a full list, a
lookup of another address, adding the sender, and the homepage and Back."""

from __future__ import annotations

from cardin.actions import (
    Cancel,
    Home,
    Lookup,
    OpenConnector,
    Refresh,
    Retry,
    RunConnector,
    SearchOther,
    ShowAll,
)
from cardin.addon.handlers import AddOn, scope_request
from cardin.addon.participants import Participant
from cardin.addon.runs import look_up
from cardin.cards import Json, action_response, pop, push, render_list_card, update
from cardin.connectors.model import Connector
from cardin.contact.model import Match


async def _connector_card(
    addon: AddOn, connector: Connector, person: Participant, *, refresh: bool
) -> Json:
    outcome = await look_up(
        addon.runtime, connector, person.email, base_email=person.base_email, refresh=refresh
    )
    card = addon.outcome_card(connector, outcome, person)
    assert card is not None  # noqa: S101 - a lookup that ran always has a card
    return card


async def open_connector(addon: AddOn, action: OpenConnector | RunConnector) -> Json:
    """Push the connector's result (from the result cache when it has one)."""
    connector = await addon.connector(action.connector_id)
    person = Participant.of(action.email, action.name)
    card = await _connector_card(addon, connector, person, refresh=False)
    return action_response(push(card))


async def retry(addon: AddOn, action: Retry | Refresh) -> Json:
    """Look up again, bypassing the cache: the whole dashboard when this is the default
    connector of the open message, else this connector's card."""
    connector = await addon.connector(action.connector_id)
    person = Participant.of(action.email or "", action.name)
    if connector.is_default and addon.event.gmail and addon.event.gmail.message_id:
        if addon.lacks_metadata_scope():
            return scope_request()
        participants = await addon.participants() or [person]
        first, *others = participants
        card = await addon.dashboard(first, others, refresh=connector.id)
        return action_response(update(card), state_changed=True)
    card = await _connector_card(addon, connector, person, refresh=True)
    return action_response(update(card))


async def show_all(addon: AddOn, action: ShowAll) -> Json:
    """Push one list of the contact in full (the outcome's card when it is no longer a match)."""
    connector = await addon.connector(action.connector_id)
    person = Participant.of(action.email, action.name)
    outcome = await look_up(addon.runtime, connector, person.email, base_email=person.base_email)
    if not isinstance(outcome, Match):
        card = addon.outcome_card(connector, outcome, person)
        return action_response(push(card)) if card else action_response()
    card = render_list_card(outcome, action.section.value, addon.context(connector))
    return action_response(push(card))


async def look_up_address(addon: AddOn, action: Lookup | SearchOther) -> Json:
    """Push the dashboard for the address typed (or the thread's other person clicked)."""
    given = action.email if isinstance(action, Lookup) else None
    email = (action.search or given or "").strip()
    if "@" not in email or len(email) > 254:  # noqa: PLR2004 - RFC 5321 address length
        return action_response(notification=addon.text("notice.bad_address"))
    name = action.name if isinstance(action, Lookup) else None
    person = Participant.of(email, name)
    return action_response(push(await addon.dashboard(person, [])))


async def home(addon: AddOn, _action: Home) -> Json:
    """The homepage in place of the top card."""
    return action_response(update(await addon.homepage_card()))


async def cancel(_addon: AddOn, _action: Cancel) -> Json:
    """Back one card."""
    return action_response(pop())
