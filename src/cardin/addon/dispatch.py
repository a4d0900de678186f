"""The one dispatch table of card actions: each `Op` to the handler that renders its answer.

`events.py` has parsed the action; `act` looks its route up and runs it. An event whose
parameters are no action (missing, unknown or malformed) gets the "unknown action" notice, and
an action naming a connector the user does not have gets "connector gone".
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from cardin.actions import (
    Action,
    ActivityForm,
    AddContact,
    AddNote,
    Cancel,
    CreateContact,
    CreateDeal,
    DealForm,
    Delete,
    DeleteConfirm,
    Edit,
    Home,
    LogEmail,
    LogEmailForm,
    Lookup,
    MarkDone,
    NoteForm,
    Op,
    OpenConnector,
    OpenDeal,
    ReadNote,
    Reauth,
    ReauthConfirm,
    ReauthToken,
    Refresh,
    Retry,
    RunConnector,
    ScheduleActivity,
    SearchOther,
    SetupBehaviour,
    SetupFeatures,
    SetupName,
    SetupStart,
    SetupToken,
    ShowAll,
)
from cardin.addon import contact_actions as contact
from cardin.addon import setup_actions as setup
from cardin.addon import write_actions as write
from cardin.addon.handlers import AddOn
from cardin.cards import Json, action_response
from cardin.store import ConnectorNotFound

log = logging.getLogger(__name__)
A = TypeVar("A", bound=Action)


@dataclass(frozen=True)
class Route(Generic[A]):
    """The handler of one kind of action."""

    kind: type[A]
    handler: Callable[[AddOn, A], Awaitable[Json]]

    async def run(self, addon: AddOn, action: Action) -> Json:
        """The handler's answer to `action` (which must be of this route's kind)."""
        if not isinstance(action, self.kind):
            raise TypeError(f"{type(action).__name__} is not routed to {self.kind.__name__}")
        return await self.handler(addon, action)


def route(kind: type[A], handler: Callable[[AddOn, A], Awaitable[Json]]) -> Route[Any]:
    """A table entry; the type checker makes sure the handler takes this kind of action."""
    return Route(kind, handler)


ROUTES: Mapping[Op, Route[Any]] = {
    entry.kind.op: entry
    for entry in (
        route(ShowAll, contact.show_all),
        route(Retry, contact.retry),
        route(Refresh, contact.retry),
        route(AddContact, write.add_contact_form),
        route(SearchOther, contact.look_up_address),
        route(Lookup, contact.look_up_address),
        route(OpenConnector, contact.open_connector),
        route(RunConnector, contact.open_connector),
        route(Home, contact.home),
        route(Cancel, contact.cancel),
        route(SetupStart, setup.setup_start),
        route(SetupName, setup.setup_name),
        route(SetupFeatures, setup.setup_features),
        route(SetupToken, setup.setup_token),
        route(SetupBehaviour, setup.setup_behaviour),
        route(Edit, setup.edit),
        route(Reauth, setup.reauth),
        route(ReauthToken, setup.reauth_token),
        route(ReauthConfirm, setup.reauth_confirm),
        route(Delete, setup.delete),
        route(DeleteConfirm, setup.delete_confirm),
        route(CreateContact, write.create_contact),
        route(LogEmailForm, write.log_email_form),
        route(LogEmail, write.log_email),
        route(NoteForm, write.note_form),
        route(AddNote, write.add_note),
        route(ActivityForm, write.activity_form),
        route(ScheduleActivity, write.schedule_activity),
        route(DealForm, write.deal_form),
        route(CreateDeal, write.create_deal),
        route(MarkDone, write.mark_done),
        route(ReadNote, contact.read_note),
        route(OpenDeal, contact.open_deal),
    )
}


async def act(addon: AddOn) -> Json:
    """A card action's answer."""
    action = addon.event.action
    if action is None:
        log.info("not a card action: %s", addon.event.action_problem or "no parameters")
        return action_response(notification=addon.text("notice.unknown_action"))
    try:
        return await ROUTES[action.op].run(addon, action)
    except ConnectorNotFound:
        return action_response(notification=addon.text("notice.connector_gone"))
