"""The use cases on their own: typed actions in, domain results out, no add-on and no cards.

A real store (SQLite), the lookup engine on the in-process sandbox, and the in-memory caches.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from cardin.actions import (
    AddContact,
    Carried,
    CreateContact,
    DeleteConfirm,
    Lookup,
    OpenConnector,
    ReauthConfirm,
    ReauthToken,
    SetupBehaviour,
    SetupToken,
)
from cardin.cards.widgets import breakable_email
from cardin.connectors import ALL_FEATURES, Feature
from cardin.connectors.model import Connector, RunMode
from cardin.connectors.setup import TokenProblem, inactive_account
from cardin.contact.model import Match, SectionErrorKind
from cardin.contact.outcome import FailureKind
from cardin.sandbox import DEMO_TOKEN, RICH_EMAIL, SECOND_TOKEN
from cardin.usecases import contacts, lookups, runs, setup
from cardin.usecases.people import Participant
from cardin.usecases.services import Services

SUB = "google-sub-ann"
KEY = "0123456789abcdef0123456789abcdef"
EVERYTHING = Carried(
    name="Aurora", features=ALL_FEATURES, run_mode=RunMode.AUTOMATIC, show_in_dashboard=True
)


async def connected(services: Services, carried: Carried = EVERYTHING) -> Connector:
    """A connector set up with the demo token."""
    step = await setup.token_step(
        services, SUB, SetupToken(carried=carried, setup_key=KEY, token=DEMO_TOKEN)
    )
    assert isinstance(step.outcome, setup.ConnectorCreated)
    return step.outcome.connector


# --- set-up ------------------------------------------------------------------------------------


async def test_a_new_wizard_starts_from_the_offered_defaults(services: Services) -> None:
    step = await setup.start(services, SUB)
    assert step.connector is None
    assert step.settings.run_mode is RunMode.AUTOMATIC  # the first connector
    assert step.setup_key is not None
    assert len(step.setup_key) == 32


@pytest.mark.parametrize(
    ("token", "problem"),
    [(" ", TokenProblem.EMPTY), ("bogus", TokenProblem.INVALID), ("tök", TokenProblem.INVALID)],
)
async def test_a_refused_token_stores_nothing(
    services: Services, token: str, problem: TokenProblem
) -> None:
    action = SetupToken(carried=EVERYTHING, setup_key=KEY, token=token)
    step = await setup.token_step(services, SUB, action)
    assert step.outcome == setup.TokenRefused(problem)
    assert (step.connector, step.setup_key) == (None, KEY)
    assert services.store.list(SUB) == []


async def test_a_checked_token_creates_the_connector_once(services: Services) -> None:
    created = await connected(services)
    assert (created.name, created.features) == ("Aurora", ALL_FEATURES)
    again = await setup.token_step(
        services, SUB, SetupToken(carried=EVERYTHING, setup_key=KEY, token=DEMO_TOKEN)
    )
    assert again.outcome == setup.TokenSaved(services.store.get(SUB, created.id))
    other_wizard = SetupToken(carried=EVERYTHING, setup_key="f" * 32, token=DEMO_TOKEN)
    refused = await setup.token_step(services, SUB, other_wizard)
    assert isinstance(refused.outcome, setup.AlreadyConnected)
    assert refused.outcome.holder.id == created.id
    assert [c.id for c in services.store.list(SUB)] == [created.id]


async def test_editing_without_a_token_keeps_the_saved_one(services: Services) -> None:
    created = await connected(services)
    step = await setup.token_step(
        services, SUB, SetupToken(connector_id=created.id, carried=Carried(name="EU"))
    )
    assert step.outcome == setup.TokenKept(created)
    assert step.settings is not None
    assert step.settings.name == "EU"


async def test_step_4_saves_the_behaviour(services: Services) -> None:
    created = await connected(services)
    action = SetupBehaviour(
        connector_id=created.id, carried=Carried(name="EU"), run_mode=RunMode.MANUAL
    )
    saved = await setup.save_behaviour(services, SUB, action)
    assert (saved.connector.name, saved.connector.run_mode) == ("EU", RunMode.MANUAL)
    assert not saved.connector.show_in_dashboard  # the switch sent nothing: off


async def test_another_accounts_token_is_held_until_confirmed(services: Services) -> None:
    created = await connected(services)
    asked = await setup.reauth_token(
        services, SUB, ReauthToken(connector_id=created.id, token=SECOND_TOKEN)
    )
    assert isinstance(asked.outcome, setup.AccountChange)
    assert asked.settings is None  # a reauthorization
    account = asked.outcome.account
    assert services.store.credential(SUB, created.id).token == DEMO_TOKEN
    confirm = ReauthConfirm(
        connector_id=created.id,
        carried=Carried(),
        company_id=account.company_id,
        user_id=account.user_id,
    )
    done = await setup.confirm_account_change(services, SUB, confirm)
    assert isinstance(done, setup.TokenStep)
    assert isinstance(done.outcome, setup.TokenSaved)
    assert services.store.credential(SUB, created.id).token == SECOND_TOKEN
    assert await setup.confirm_account_change(services, SUB, confirm) == setup.Expired()


async def test_delete_deletes(services: Services) -> None:
    created = await connected(services)
    deleted = await setup.delete(services, SUB, DeleteConfirm(connector_id=created.id))
    assert deleted == setup.ConnectorDeleted(created)
    assert services.store.list(SUB) == []


# --- lookups and adding a contact --------------------------------------------------------------


async def test_lookups_need_a_connector_and_an_address(services: Services) -> None:
    nobody = await lookups.dashboard(services, SUB, Participant.of(RICH_EMAIL))
    assert nobody == lookups.NoConnectors()
    bad = await lookups.look_up_address(services, SUB, Lookup(search="no address"))
    assert bad == lookups.BadAddress()


async def test_a_connector_finds_the_person(services: Services) -> None:
    created = await connected(services)
    action = OpenConnector(connector_id=created.id, email=RICH_EMAIL)
    result = await lookups.open_connector(services, SUB, action)
    assert isinstance(result.outcome, Match)
    assert result.outcome.contact.name == "Élodie Marchand"
    found = await lookups.look_up_address(services, SUB, Lookup(search=f" {RICH_EMAIL} "))
    assert isinstance(found, lookups.Dashboard)
    assert found.default.connector == created


async def test_an_address_copied_from_a_card_is_looked_up_without_its_invisible_marks(
    services: Services,
) -> None:
    await connected(services)
    copied = breakable_email(RICH_EMAIL)  # as a card shows it: where it may wrap
    assert copied != RICH_EMAIL
    found = await lookups.look_up_address(services, SUB, Lookup(search=copied))
    assert isinstance(found, lookups.Dashboard)
    assert found.person.email == RICH_EMAIL
    assert isinstance(found.default.outcome, Match)


async def test_a_section_problem_is_a_failure_kind_too() -> None:
    # a note read from a deal whose notes failed is that failure (usecases/lookups.py)
    assert {kind.value for kind in SectionErrorKind} <= {kind.value for kind in FailureKind}


async def test_the_contact_form_warns_of_duplicates_then_creates(services: Services) -> None:
    created = await connected(services)
    ask = AddContact(connector_id=created.id, email="elodie@new.example", name="Élodie Marchand")
    form = await contacts.contact_form(services, SUB, ask)
    assert isinstance(form, contacts.ContactForm)
    assert form.duplicates[0].reason is contacts.DuplicateReason.SAME_NAME
    create = CreateContact(
        connector_id=created.id,
        email=ask.email,
        name=ask.name,
        request_key=KEY,
        person_name=form.name,
    )
    added = await contacts.create_contact(services, SUB, create)
    assert isinstance(added, contacts.PersonCreated)
    assert isinstance(added.outcome, Match)


async def test_the_contact_form_preselects_the_one_organization_of_the_domain(
    services: Services,
) -> None:
    created = await connected(services)
    domain = RICH_EMAIL.rsplit("@", 1)[1]
    ask = AddContact(connector_id=created.id, email=f"newcomer@{domain}", name="New Comer")
    form = await contacts.contact_form(services, SUB, ask)
    assert isinstance(form, contacts.ContactForm)
    assert form.org_id is not None
    assert form.org_name
    assert {d.reason for d in form.duplicates} == {contacts.DuplicateReason.SAME_DOMAIN}


async def test_adding_a_contact_needs_the_feature(services: Services) -> None:
    without = Carried(
        name="Reads only", features=ALL_FEATURES - {Feature.ADD_CONTACT}, run_mode=RunMode.MANUAL
    )
    created = await connected(services, without)
    action = AddContact(connector_id=created.id, email="zoe@fresh-startup.example")
    assert await contacts.contact_form(services, SUB, action) == contacts.FeatureOff()
    create = CreateContact(
        connector_id=created.id, email=action.email, request_key=KEY, person_name="Zoë"
    )
    assert await contacts.create_contact(services, SUB, create) == contacts.FeatureOff()


async def test_one_connector_failing_unexpectedly_never_takes_the_others_down(
    services: Services, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from cardin.contact.outcome import Failure, FailureKind  # noqa: PLC0415
    from cardin.usecases import runs  # noqa: PLC0415

    good = await connected(services)
    broken = replace(good, id="broken")
    real_look_up = runs.look_up

    async def look_up(services: Services, connector: Connector, *args: object, **kw: object):  # type: ignore[no-untyped-def]
        if connector.id == "broken":
            raise RecursionError("maximum recursion depth exceeded")
        return await real_look_up(services, connector, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(runs, "look_up", look_up)
    found = await runs.run_all(services, [good, broken], RICH_EMAIL)
    assert isinstance(found[0].outcome, Match)
    assert found[1].outcome == Failure(FailureKind.INTERNAL, "an unexpected failure (see the log)")
    assert "connector broken failed unexpectedly" in caplog.text


async def test_an_account_pipedrive_said_nothing_about_shares_no_cached_metadata(
    services: Services,
) -> None:
    created = await connected(services)
    assert runs.account_key(created) is not None
    unknown = replace(created, account=inactive_account())
    assert runs.account_key(unknown) is None  # company and user 0 are nobody's cache key
