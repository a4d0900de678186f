"""The card actions about a contact, rendered: a connector's result, retry and refresh, a full
list, a lookup of another address, and the homepage and Back (adding the sender is a form:
`write_actions`)."""

from __future__ import annotations

from cardin.actions import (
    Cancel,
    Home,
    Lookup,
    OpenConnector,
    OpenDeal,
    ReadNote,
    Refresh,
    Retry,
    RunConnector,
    SearchOther,
    ShowAll,
)
from cardin.addon.handlers import AddOn, scope_request
from cardin.cards import (
    Json,
    action_response,
    pop,
    push,
    render_deal_card,
    render_list_card,
    render_note_card,
    update,
)
from cardin.contact.model import Match
from cardin.contact.outcome import Failure, FailureKind
from cardin.usecases import lookups
from cardin.usecases.connectors import own_connector
from cardin.usecases.people import Participant


async def _card(addon: AddOn, result: lookups.ConnectorResult) -> Json:
    writes = await addon.write_options(result.connector)
    card = addon.outcome_card(
        result.connector, result.outcome, result.person, writes=writes, warning=result.warning
    )
    assert card is not None  # noqa: S101 - a lookup that ran always has a card
    return card


async def open_connector(addon: AddOn, action: OpenConnector | RunConnector) -> Json:
    """Push the connector's result (from the result cache when it has one)."""
    result = await lookups.open_connector(addon.services, addon.user.sub, action)
    return action_response(push(await _card(addon, result)))


async def retry(addon: AddOn, action: Retry | Refresh) -> Json:
    """Look up again, bypassing the cache: the whole dashboard when this is the default
    connector of the open message, else this connector's card."""
    connector = await own_connector(addon.services, addon.user.sub, action.connector_id)
    person = Participant.of(action.email or "", action.name)
    if connector.is_default and addon.event.gmail and addon.event.gmail.message_id:
        if addon.lacks_metadata_scope():
            return scope_request()
        first, *others = await addon.participants() or [person]
        card = await addon.dashboard(first, others, refresh=connector.id)
        return action_response(update(card), state_changed=True)
    if not action.email:  # nothing to look up again (a card from before Retry carried it)
        return action_response(update(await addon.homepage_card()))
    result = await lookups.result_for(addon.services, connector, person, refresh=True)
    return action_response(update(await _card(addon, result)))


async def show_all(addon: AddOn, action: ShowAll) -> Json:
    """Push one list of the contact in full, paged (the outcome's card when it is no longer a
    match)."""
    result = await lookups.open_connector(addon.services, addon.user.sub, action)
    if not isinstance(result.outcome, Match):
        card = addon.outcome_card(result.connector, result.outcome, result.person)
        return action_response(push(card)) if card else action_response()
    ctx = addon.context(result.connector)
    writes = await addon.write_options(result.connector)
    card = render_list_card(
        result.outcome,
        action.section.value,
        ctx,
        writes=writes,
        sender_name=action.name,
        page=action.page or 0,
    )
    # Previous and Next replace the page shown; the first open pushes the list
    return action_response(update(card) if action.page is not None else push(card))


async def open_deal(addon: AddOn, action: OpenDeal) -> Json:
    """Push the deal's card (or the page asked for in place of the one shown); a deal that is
    gone gets a notice, a failed fetch the connector's error card."""
    result = await lookups.open_deal(addon.services, addon.user.sub, action)
    deal = result.deal
    if isinstance(deal, Failure):
        if deal.kind is FailureKind.NOT_FOUND:
            return action_response(notification=addon.text("notice.deal_gone"))
        card = addon.outcome_card(result.connector, deal, result.person)
        return action_response(push(card)) if card else action_response()
    card = render_deal_card(
        deal,
        addon.context(result.connector),
        email=action.email,
        person_id=action.person_id,
        page=action.page or 0,
    )
    return action_response(update(card) if action.page is not None else push(card))


async def read_note(addon: AddOn, action: ReadNote) -> Json:
    """Push the note card (or, paging, put the asked page in its place; Back returns to the card
    it was read from, the deal's card included); a notice when the note or its deal is gone,
    the outcome's card when the address no longer matches or the deal cannot be fetched."""
    found = await lookups.read_note(addon.services, addon.user.sub, action)
    if isinstance(found, lookups.NoteGone):
        return action_response(notification=addon.text("note.gone"))
    if isinstance(found, lookups.ConnectorResult):
        card = addon.outcome_card(found.connector, found.outcome, found.person)
        return action_response(push(card)) if card else action_response()
    ctx = addon.context(found.result.connector)
    card = render_note_card(
        found.match,
        found.note,
        ctx,
        page=action.page or 1,
        deal_id=action.deal_id,
        deal=found.deal,
    )
    return action_response(push(card) if action.page is None else update(card))


async def look_up_address(addon: AddOn, action: Lookup | SearchOther) -> Json:
    """Push the dashboard for the address typed (or the thread's other person clicked)."""
    found = await lookups.look_up_address(addon.services, addon.user.sub, action)
    if isinstance(found, lookups.BadAddress):
        return action_response(notification=addon.text("notice.bad_address"))
    return action_response(push(await addon.dashboard_card(found)))


async def home(addon: AddOn, _action: Home) -> Json:
    """The homepage in place of the top card."""
    return action_response(update(await addon.homepage_card()))


async def cancel(_addon: AddOn, _action: Cancel) -> Json:
    """Back one card."""
    return action_response(pop())
