"""Adding an unknown sender to Pipedrive, after a warning when a likely duplicate exists."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from cardin.actions import AddContact, AddContactConfirm
from cardin.addon.participants import Participant
from cardin.addon.runs import cache_id, look_up, stored_token
from cardin.cards import (
    DUPLICATE_SAME_DOMAIN,
    DUPLICATE_SAME_NAME,
    action_response,
    pop,
    push,
    render_add_contact_confirm,
    update,
)
from cardin.cards.states import render_error_card
from cardin.connectors import Feature
from cardin.connectors.model import Connector
from cardin.lookup.assemble import Links
from cardin.pipedrive import PipedriveClient, PipedriveError
from cardin.pipedrive.models import PersonSearchItem

if TYPE_CHECKING:
    from cardin.addon.handlers import AddOn
    from cardin.cards import Json

# Addresses at these domains say nothing about an organization.
FREE_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "proton.me",
        "protonmail.com",
        "yandex.ru",
        "mail.ru",
        "qq.com",
        "163.com",
    }
)
MAX_DUPLICATES = 5


def display_name(name: str | None, email: str) -> str:
    """The name to create: the header's display name, else the address' local part."""
    if name and name.strip():
        return name.strip()[:255]
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in local.replace("_", ".").split(".") if part)


async def find_duplicates(
    client: PipedriveClient, connector: Connector, *, name: str, email: str
) -> list[tuple[str, str, str]]:
    """Persons that may be this one: the same name, or people at the email's organization."""
    links = Links(connector.account.company_domain)
    domain = email.rsplit("@", 1)[-1].lower()
    same_name, same_domain = await asyncio.gather(
        client.search_persons(name, fields="name", exact=True, limit=MAX_DUPLICATES),
        _colleagues(client, domain),
    )
    found: dict[int, tuple[str, str, str]] = {}
    for item in same_name:
        found[item.id] = (item.name or name, DUPLICATE_SAME_NAME, links.person(item.id))
    for item in same_domain:
        if item.id not in found and item.organization is not None:
            found[item.id] = (item.name or "", DUPLICATE_SAME_DOMAIN, links.person(item.id))
    return list(found.values())[:MAX_DUPLICATES]


async def _colleagues(client: PipedriveClient, domain: str) -> list[PersonSearchItem]:
    if domain in FREE_MAIL or "." not in domain:
        return []
    return await client.search_persons(f"@{domain}", fields="email", exact=False, limit=10)


async def add_contact(addon: AddOn, action: AddContact | AddContactConfirm) -> Json:
    """Create the person (owner: the connector's user) and show their card; first ask when a
    likely duplicate exists, unless this is the confirmation."""
    confirmed = isinstance(action, AddContactConfirm)
    connector = await addon.connector(action.connector_id)
    if Feature.ADD_CONTACT not in connector.features:
        return action_response(notification=addon.text("notice.feature_off"))
    person = Participant.of(action.email, action.name)
    name = display_name(person.name, person.email)
    ctx = addon.context(connector)
    try:
        token = await stored_token(addon.runtime, connector)
        client = addon.runtime.engine.client(token, connector.base_url)
        if not confirmed:
            duplicates = await find_duplicates(client, connector, name=name, email=person.email)
            if duplicates:
                card = render_add_contact_confirm(
                    ctx, name=name, email=person.email, duplicates=duplicates
                )
                return action_response(push(card))
        await client.create_person(
            name=name, email=person.email, owner_id=connector.account.user_id
        )
    except PipedriveError as exc:
        card = render_error_card(exc, ctx, connector_name=connector.name, email=person.email)
        return action_response(push(card))
    await addon.runtime.results.forget(cache_id(connector), person.email)
    outcome = await look_up(addon.runtime, connector, person.email, refresh=True)
    shown = addon.outcome_card(connector, outcome, person)
    if shown is None:  # pragma: no cover - a lookup that ran always has a card
        return action_response()
    navigations = [pop(), update(shown)] if confirmed else [update(shown)]
    notice = ctx.msgs.text("add.done", name=name)
    return action_response(*navigations, notification=notice, state_changed=True)
