"""Adding an unknown sender to Pipedrive, after a warning when a likely duplicate exists."""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass

from cardin.actions import AddContact, AddContactConfirm
from cardin.connectors import Feature
from cardin.connectors.model import Connector
from cardin.contact.outcome import Failure, Outcome
from cardin.lookup.assemble import Links
from cardin.lookup.outcome import failure_of
from cardin.pipedrive import PipedriveClient, PipedriveError
from cardin.pipedrive.models import PersonSearchItem
from cardin.usecases.connectors import own_connector
from cardin.usecases.people import Participant
from cardin.usecases.runs import NeedsReauth, cache_id, look_up, stored_credential
from cardin.usecases.services import Services

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


class DuplicateReason(enum.StrEnum):
    """Why Pipedrive's person may be the one to add."""

    SAME_NAME = "same_name"
    SAME_DOMAIN = "same_domain"


@dataclass(frozen=True)
class Duplicate:
    """A person Pipedrive has who may be the one to add, and a link to them."""

    name: str
    reason: DuplicateReason
    url: str


@dataclass(frozen=True)
class FeatureOff:
    """The connector does not add contacts (the feature is off)."""


@dataclass(frozen=True)
class DuplicatesFound:
    """Nothing created: Pipedrive may already have the person; ask first."""

    connector: Connector
    person: Participant
    name: str
    duplicates: tuple[Duplicate, ...]


@dataclass(frozen=True)
class AddFailed:
    """Pipedrive refused or failed; nothing created (or nothing known to be)."""

    connector: Connector
    person: Participant
    failure: Failure


@dataclass(frozen=True)
class PersonCreated:
    """The person was created; `outcome` is the fresh lookup that shows them."""

    connector: Connector
    person: Participant
    name: str
    outcome: Outcome


AddContactResult = FeatureOff | DuplicatesFound | AddFailed | PersonCreated


def display_name(name: str | None, email: str) -> str:
    """The name to create: the header's display name, else the address' local part."""
    if name and name.strip():
        return name.strip()[:255]
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in local.replace("_", ".").split(".") if part)


async def find_duplicates(
    client: PipedriveClient, connector: Connector, *, name: str, email: str
) -> list[Duplicate]:
    """Persons that may be this one: the same name, or people at the email's organization."""
    links = Links(connector.account.company_domain)
    domain = email.rsplit("@", 1)[-1].lower()
    same_name, same_domain = await asyncio.gather(
        client.search_persons(name, fields="name", exact=True, limit=MAX_DUPLICATES),
        _colleagues(client, domain),
    )
    found: dict[int, Duplicate] = {}
    for item in same_name:
        found[item.id] = Duplicate(
            item.name or name, DuplicateReason.SAME_NAME, links.person(item.id)
        )
    for item in same_domain:
        if item.id not in found and item.organization is not None:
            found[item.id] = Duplicate(
                item.name or "", DuplicateReason.SAME_DOMAIN, links.person(item.id)
            )
    return list(found.values())[:MAX_DUPLICATES]


async def _colleagues(client: PipedriveClient, domain: str) -> list[PersonSearchItem]:
    if domain in FREE_MAIL or "." not in domain:
        return []
    return await client.search_persons(f"@{domain}", fields="email", exact=False, limit=10)


async def add_contact(
    services: Services, sub: str, action: AddContact | AddContactConfirm
) -> AddContactResult:
    """Create the person (owner: the connector's user) and look them up afresh; first look for
    likely duplicates, unless this is the confirmation."""
    connector = await own_connector(services, sub, action.connector_id)
    if Feature.ADD_CONTACT not in connector.features:
        return FeatureOff()
    person = Participant.of(action.email, action.name)
    name = display_name(person.name, person.email)
    try:
        credential = await stored_credential(services, connector)
        client = services.engine.client(credential, connector.base_url)
        if not isinstance(action, AddContactConfirm):
            duplicates = await find_duplicates(client, connector, name=name, email=person.email)
            if duplicates:
                return DuplicatesFound(connector, person, name, tuple(duplicates))
        await client.create_person(
            name=name, email=person.email, owner_id=connector.account.user_id
        )
    except NeedsReauth as exc:
        return AddFailed(connector, person, exc.failure)
    except PipedriveError as exc:
        return AddFailed(connector, person, failure_of(exc))
    await services.results.forget(cache_id(connector), person.email)
    outcome = await look_up(services, connector, person.email, refresh=True)
    return PersonCreated(connector, person, name, outcome)
