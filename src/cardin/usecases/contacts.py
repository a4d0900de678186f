"""Adding an unknown sender to Pipedrive with a form: likely duplicates, the organization, once."""

from __future__ import annotations

import asyncio
import enum
from dataclasses import dataclass

from cardin.actions import (
    JOB_TITLE_INPUT,
    ORG_INPUT,
    PERSON_NAME_INPUT,
    PHONE_INPUT,
    AddContact,
    CreateContact,
)
from cardin.connectors import Feature
from cardin.connectors.model import Connector
from cardin.contact.outcome import Failure, Outcome
from cardin.lookup.assemble import Links
from cardin.lookup.outcome import failure_of
from cardin.pipedrive import PipedriveClient, PipedriveError, WriteUncertain
from cardin.pipedrive.models import PersonSearchItem
from cardin.usecases.connectors import own_connector
from cardin.usecases.people import Participant
from cardin.usecases.runs import (
    NeedsReauth,
    account_key,
    cache_id,
    look_up,
    stored_credential,
)
from cardin.usecases.services import Services
from cardin.usecases.writes import (
    Busy,
    Problem,
    ProblemCode,
    Receipt,
    Takeover,
    WriteKind,
    claim_request,
    write_client,
    write_failure,
    write_or_find,
)

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


def display_name(name: str | None, email: str) -> str:
    """The name to create: the header's display name, else the address' local part."""
    if name and name.strip():
        return name.strip()[:255]
    local = email.split("@", 1)[0]
    return " ".join(part.capitalize() for part in local.replace("_", ".").split(".") if part)


async def _colleagues(client: PipedriveClient, domain: str) -> list[PersonSearchItem]:
    if domain in FREE_MAIL or "." not in domain:
        return []
    return await client.search_persons(f"@{domain}", fields="email", exact=False, limit=10)


# --- the add-contact form -----------------------------------------------------------------------


@dataclass(frozen=True)
class ContactForm:
    """What the add-contact form shows: the name to create, the likely duplicates, and the
    organization preselected when the people at the address' domain all belong to one."""

    connector: Connector
    person: Participant
    name: str
    duplicates: tuple[Duplicate, ...] = ()
    org_id: int | None = None
    org_name: str | None = None


@dataclass(frozen=True)
class ContactInvalid:
    """Nothing sent: the form comes back with these problems and everything typed."""

    connector: Connector
    person: Participant
    problems: tuple[Problem, ...]


@dataclass(frozen=True)
class ContactSaving:
    """The same form's first submit is still creating the person."""

    connector: Connector
    person: Participant


ContactFormResult = FeatureOff | AddFailed | ContactForm
CreateContactResult = FeatureOff | ContactInvalid | AddFailed | ContactSaving | PersonCreated
MAX_NAME = 255
MAX_PHONE = 100


async def contact_form(services: Services, sub: str, action: AddContact) -> ContactFormResult:
    """The add-contact form's content: one search for namesakes and colleagues (40 tokens)."""
    connector = await own_connector(services, sub, action.connector_id)
    if Feature.ADD_CONTACT not in connector.features:
        return FeatureOff()
    person = Participant.of(action.email, action.name)
    name = display_name(person.name, person.email)
    try:
        credential = await stored_credential(services, connector)
        client = services.engine.client(
            credential, connector.base_url, account=account_key(connector)
        )
        same_name, colleagues = await asyncio.gather(
            client.search_persons(name, fields="name", exact=True, limit=MAX_DUPLICATES),
            _colleagues(client, person.domain),
        )
    except NeedsReauth as exc:
        return AddFailed(connector, person, exc.failure)
    except PipedriveError as exc:
        return AddFailed(connector, person, failure_of(exc))
    duplicates = _duplicates(connector, name, same_name, colleagues)
    orgs = {
        item.organization.id: item.organization.name
        for item in colleagues
        if item.organization is not None
    }
    org_id, org_name = next(iter(orgs.items())) if len(orgs) == 1 else (None, None)
    return ContactForm(connector, person, name, tuple(duplicates), org_id, org_name or None)


def _duplicates(
    connector: Connector,
    name: str,
    same_name: list[PersonSearchItem],
    same_domain: list[PersonSearchItem],
) -> list[Duplicate]:
    links = Links(connector.account.company_domain)
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


async def create_contact(
    services: Services, sub: str, action: CreateContact
) -> CreateContactResult:
    """Create the person from the form (and the organization, when a new name was typed), at
    most once per form, then look them up afresh."""
    connector = await own_connector(services, sub, action.connector_id)
    if Feature.ADD_CONTACT not in connector.features:
        return FeatureOff()
    person = Participant.of(action.email, action.name)
    problems = _contact_problems(action)
    if problems:
        return ContactInvalid(connector, person, problems)
    first = await claim_request(services, sub, connector, action.op, action.request_key)
    if isinstance(first, Busy):
        return ContactSaving(connector, person)
    name = " ".join(action.person_name.split())
    if isinstance(first, Receipt):
        outcome = await look_up(services, connector, person.email)
        return PersonCreated(connector, person, name, outcome)
    failed = await _write_contact(
        services, sub, connector, action, name=name, check_first=isinstance(first, Takeover)
    )
    if failed is not None:
        return AddFailed(connector, person, failed)
    await services.results.forget(cache_id(connector), person.email)
    outcome = await look_up(services, connector, person.email, refresh=True)
    return PersonCreated(connector, person, name, outcome)


async def _write_contact(
    services: Services,
    sub: str,
    connector: Connector,
    action: CreateContact,
    *,
    name: str,
    check_first: bool,
) -> Failure | None:
    """Create the organization (when a new name was typed) and the person, each found instead
    when an unanswered write landed (with `check_first`, looked for before writing); the
    failure if not. A write that may have landed leaves the key for the next submit to check."""
    key = {"owner": sub, "request_key": action.request_key}
    email = Participant.of(action.email).email
    seconds = services.lookup_deadline
    try:
        client = await write_client(services, connector)
        org_id = await _organization(client, connector, action, check_seconds=seconds)
        person_id = await write_or_find(
            client,
            lambda c: _create_person(c, connector, action, name=name, org_id=org_id),
            lambda c: _existing_person(c, email),
            check_seconds=seconds,
            check_first=check_first,
        )
    except NeedsReauth as exc:
        await services.writes.release(**key)
        return exc.failure
    except WriteUncertain as exc:
        await services.writes.abandon(**key)
        return write_failure(exc)
    except PipedriveError as exc:
        await services.writes.release(**key)
        return write_failure(exc)
    except BaseException:
        await asyncio.shield(services.writes.abandon(**key))
        raise
    receipt = Receipt(WriteKind.CONTACT, person_id, client.meter.tokens)
    await services.writes.complete(**key, result=receipt.as_record())
    return None


def _contact_problems(action: CreateContact) -> tuple[Problem, ...]:
    problems = []
    name = " ".join(action.person_name.split())
    if not name:
        problems.append(Problem(PERSON_NAME_INPUT, ProblemCode.REQUIRED))
    elif len(name) > MAX_NAME:
        problems.append(Problem(PERSON_NAME_INPUT, ProblemCode.TOO_LONG, MAX_NAME))
    if len(action.organization.strip()) > MAX_NAME:
        problems.append(Problem(ORG_INPUT, ProblemCode.TOO_LONG, MAX_NAME))
    if len(action.phone.strip()) > MAX_PHONE:
        problems.append(Problem(PHONE_INPUT, ProblemCode.TOO_LONG, MAX_PHONE))
    if len(action.job_title.strip()) > MAX_NAME:
        problems.append(Problem(JOB_TITLE_INPUT, ProblemCode.TOO_LONG, MAX_NAME))
    return tuple(problems)


async def _organization(
    client: PipedriveClient, connector: Connector, action: CreateContact, *, check_seconds: float
) -> int | None:
    """The organization to link: the preselected one when its name was left as shown, else one
    of that exact name, else a new one; None when the field is empty."""
    typed = " ".join(action.organization.split())
    if not typed:
        return None
    if action.org_id is not None and typed == " ".join((action.org_name or "").split()):
        return action.org_id

    async def named(c: PipedriveClient) -> int | None:
        found = await c.search_organizations(typed, exact=True, limit=1)
        return found[0].id if found else None

    async def create(c: PipedriveClient) -> int:
        created = await c.create_organization(name=typed, owner_id=connector.account.user_id)
        if created.id is None:  # made, but which? the next submit looks for it by name
            raise WriteUncertain("Pipedrive's new organization came without its id")
        return created.id

    return await write_or_find(client, create, named, check_seconds=check_seconds, check_first=True)


async def _create_person(
    client: PipedriveClient,
    connector: Connector,
    action: CreateContact,
    *,
    name: str,
    org_id: int | None,
) -> int:
    created = await client.create_person(
        name=name,
        email=Participant.of(action.email).email,
        owner_id=connector.account.user_id,
        org_id=org_id,
        phone=action.phone.strip() or None,
        job_title=action.job_title.strip() or None,
    )
    return created.id


async def _existing_person(client: PipedriveClient, email: str) -> int | None:
    hits = await client.search_persons_by_email(email, limit=1)
    return hits[0].id if hits else None
