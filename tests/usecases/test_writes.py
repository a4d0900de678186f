"""The writes on their own: typed actions in, domain results out, on the in-process sandbox.

Each write happens at most once per request key (replays, double submits, a write that landed
without an answer), refuses bad input before sending anything, and says why Pipedrive refused.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx
import pytest

from cardin.actions import (
    CLOSE_DATE_INPUT,
    CURRENCY_INPUT,
    DUE_INPUT,
    NOTE_INPUT,
    PERSON_NAME_INPUT,
    SUBJECT_INPUT,
    TYPE_INPUT,
    VALUE_INPUT,
    About,
    AddContact,
    AddNote,
    CreateContact,
    CreateDeal,
    LogEmail,
    MarkDone,
    ScheduleActivity,
)
from cardin.connectors import ALL_FEATURES, Feature
from cardin.connectors.features import WRITES_RELEASE, default_features
from cardin.connectors.model import Connector
from cardin.contact.model import DealStatus, Match, Section
from cardin.contact.notes import note_plain_text
from cardin.contact.outcome import FailureKind
from cardin.lookup.metadata import AccountMetadata
from cardin.pipedrive import PipedriveClient
from cardin.pipedrive.models import CurrentUser
from cardin.sandbox import DEMO_TOKEN, RICH_EMAIL, UNKNOWN_EMAIL, Sandbox
from cardin.sandbox.faults import FaultPlan
from cardin.store import ConnectorNotFound
from cardin.usecases import contacts, writes
from cardin.usecases.runs import cache_id, look_up, stored_credential
from cardin.usecases.services import Services
from cardin.usecases.writes import (
    EmailMessage,
    FeatureOff,
    Invalid,
    Problem,
    ProblemCode,
    WriteFailed,
    WriteKind,
    Written,
)
from tests.cards.fixtures import connector as card_connector
from tests.cards.fixtures import minimal_match, rich_match
from tests.conftest import SANDBOX_URL
from tests.usecases.test_usecases import EVERYTHING, SUB, connected

KEY = "a" * 32
OTHER_KEY = "b" * 32


async def rich(services: Services, connector: Connector | None = None) -> tuple[Connector, About]:
    """The demo's rich contact and what a write about them carries."""
    connector = connector or await connected(services)
    outcome = await look_up(services, connector, RICH_EMAIL)
    assert isinstance(outcome, Match)
    about = About(
        connector_id=connector.id,
        email=RICH_EMAIL,
        person_id=outcome.contact.id,
        name="Élodie Marchand",
    )
    return connector, about


async def client_of(services: Services, connector: Connector) -> PipedriveClient:
    credential = await stored_credential(services, connector)
    return services.engine.client(credential, connector.base_url)


async def note_texts(services: Services, connector: Connector, person_id: int) -> list[str]:
    client = await client_of(services, connector)
    return [note_plain_text(n.content or "") for n in await client.notes(person_id=person_id)]


def written(result: object) -> Written:
    assert isinstance(result, Written), result
    return result


# --- notes, once per form ----------------------------------------------------------------------


async def test_a_note_is_added_once_and_shows_on_the_fresh_card(services: Services) -> None:
    connector, about = await rich(services)
    before = await note_texts(services, connector, about.person_id)
    action = AddNote(about=about, request_key=KEY, content="Call back <Monday>\nask for Ann")

    first = written(await writes.add_note(services, SUB, action))

    assert (first.receipt.kind, first.receipt.tokens, first.receipt.replayed) == (
        WriteKind.NOTE,
        10,
        False,
    )
    assert isinstance(first.outcome, Match)
    shown = [note_plain_text(n.html) for n in first.outcome.contact.notes.items]
    assert "Call back <Monday>\nask for Ann" in shown
    again = written(await writes.add_note(services, SUB, action))
    assert again.receipt == replace(first.receipt, replayed=True)
    after = await note_texts(services, connector, about.person_id)
    assert len(after) == len(before) + 1


async def test_a_double_click_writes_once(services: Services) -> None:
    connector, about = await rich(services)
    before = await note_texts(services, connector, about.person_id)
    action = AddNote(about=about, request_key=KEY, content="Only once")

    results = await asyncio.gather(*(writes.add_note(services, SUB, action) for _ in range(3)))

    ids = {written(r).receipt.item_id for r in results}
    assert len(ids) == 1
    assert sum(not written(r).receipt.replayed for r in results) == 1
    assert len(await note_texts(services, connector, about.person_id)) == len(before) + 1


async def test_an_empty_note_comes_back_with_its_problem_and_uses_no_key(
    services: Services,
) -> None:
    connector, about = await rich(services)
    before = await note_texts(services, connector, about.person_id)

    refused = await writes.add_note(services, SUB, AddNote(about=about, request_key=KEY))

    assert isinstance(refused, Invalid)
    assert refused.problems == (Problem(NOTE_INPUT, ProblemCode.REQUIRED),)
    assert await note_texts(services, connector, about.person_id) == before
    fixed = AddNote(about=about, request_key=KEY, content="Now with text")
    assert not written(await writes.add_note(services, SUB, fixed)).receipt.replayed


async def test_a_write_that_landed_unanswered_is_found_not_repeated(
    services: Services, sandbox: Sandbox
) -> None:
    connector, about = await rich(services)
    before = await note_texts(services, connector, about.person_id)
    sandbox.set_faults(FaultPlan.parse("landed@/v1/notes"))
    action = AddNote(about=about, request_key=KEY, content="Landed in the dark")

    found = written(await writes.add_note(services, SUB, action))

    sandbox.set_faults(FaultPlan.none())
    texts = await note_texts(services, connector, about.person_id)
    assert texts.count("Landed in the dark") == 1
    assert len(texts) == len(before) + 1
    replay = written(await writes.add_note(services, SUB, action))
    assert replay.receipt.item_id == found.receipt.item_id
    assert replay.receipt.replayed
    assert len(await note_texts(services, connector, about.person_id)) == len(before) + 1


async def test_a_write_that_never_arrived_is_offered_again_and_written_once(
    services: Services, sandbox: Sandbox
) -> None:
    connector, about = await rich(services)
    before = await note_texts(services, connector, about.person_id)
    sandbox.set_faults(FaultPlan.parse("timeout@/v1/notes"))
    action = AddNote(about=about, request_key=KEY, content="Try again later")

    failed = await writes.add_note(services, SUB, action)

    assert isinstance(failed, WriteFailed)
    assert failed.failure.kind is FailureKind.UNAVAILABLE
    sandbox.set_faults(FaultPlan.none())
    assert await note_texts(services, connector, about.person_id) == before
    retried = written(await writes.add_note(services, SUB, action))
    assert not retried.receipt.replayed
    texts = await note_texts(services, connector, about.person_id)
    assert texts.count("Try again later") == 1


async def test_a_user_without_write_permission_is_told_and_can_retry_once_allowed(
    services: Services, sandbox: Sandbox
) -> None:
    _connector, about = await rich(services)
    sandbox.set_write_permission(DEMO_TOKEN, allowed=False)
    action = AddNote(about=about, request_key=KEY, content="Allowed?")

    refused = await writes.add_note(services, SUB, action)

    assert isinstance(refused, WriteFailed)
    assert refused.failure.kind is FailureKind.FORBIDDEN
    sandbox.set_write_permission(DEMO_TOKEN, allowed=True)
    assert not written(await writes.add_note(services, SUB, action)).receipt.replayed


async def test_a_note_on_a_deleted_deal_says_the_deal_is_gone(
    services: Services, http: httpx.AsyncClient
) -> None:
    _, about = await rich(services)
    form = await writes.form_basis(services, SUB, about, Feature.WRITE_NOTES)
    assert isinstance(form, writes.Basis)
    deal = form.open_deals[0]
    deleted = await http.delete(
        f"{SANDBOX_URL}/api/v2/deals/{deal.id}", headers={"x-api-token": DEMO_TOKEN}
    )
    assert deleted.status_code == 200
    action = AddNote(about=about, request_key=KEY, content="On the deal", deal_id=deal.id)

    refused = await writes.add_note(services, SUB, action)

    assert isinstance(refused, WriteFailed)
    assert refused.failure.kind is FailureKind.NOT_FOUND
    assert refused.failure.reason


async def test_a_write_is_a_feature_of_the_connector(services: Services) -> None:
    older = replace(EVERYTHING, features=ALL_FEATURES - {Feature.WRITE_NOTES})
    _connector, about = await rich(services, await connected(services, older))
    action = AddNote(about=about, request_key=KEY, content="x")
    assert await writes.add_note(services, SUB, action) == FeatureOff()


def test_the_writes_are_on_for_new_connectors_and_off_for_older_ones() -> None:
    write_features = {
        Feature.LOG_EMAILS,
        Feature.WRITE_NOTES,
        Feature.WRITE_ACTIVITIES,
        Feature.WRITE_DEALS,
    }
    assert write_features <= default_features(WRITES_RELEASE)
    assert not write_features & default_features(WRITES_RELEASE - timedelta(days=1))


async def test_another_user_replaying_the_submit_writes_nothing(services: Services) -> None:
    connector, about = await rich(services)
    before = await note_texts(services, connector, about.person_id)
    action = AddNote(about=about, request_key=KEY, content="Not yours")
    with pytest.raises(ConnectorNotFound):
        await writes.add_note(services, "google-sub-mallory", action)
    assert await note_texts(services, connector, about.person_id) == before


# --- log email ---------------------------------------------------------------------------------


def message(message_id: str = "17088a2c5b91b2fe") -> EmailMessage:
    return EmailMessage(
        message_id=message_id,
        subject="Solar renewal",
        sender="Élodie Marchand <elodie.marchand@cotedazur-energies.example>",
        to="Maria <maria@aurora.example>",
        cc="",
        sent_at=datetime(2026, 11, 30, 9, 15, tzinfo=UTC),
        gmail_url="https://mail.google.com/mail/u/0/#all/17088a2c5b91b2fe",
    )


async def test_an_email_is_logged_once_per_message(services: Services) -> None:
    connector, about = await rich(services)
    action = LogEmail(about=about, request_key=KEY, comment="Renewal looks likely")

    logged = written(
        await writes.log_email(
            services, SUB, action, message(), zone="Europe/Paris", locale="en_US"
        )
    )

    assert logged.receipt.kind is WriteKind.EMAIL
    texts = await note_texts(services, connector, about.person_id)
    [note] = [t for t in texts if "Solar renewal" in t]
    assert "From: Élodie Marchand" in note
    assert "2026-11-30 10:15 (Europe/Paris)" in note
    assert "Renewal looks likely" in note
    stored = await services.logged.find(
        owner=SUB, connector_id=connector.id, message_id="17088a2c5b91b2fe"
    )
    assert stored is not None
    assert stored.note_id == logged.receipt.item_id
    second = LogEmail(about=about, request_key=OTHER_KEY)
    again = written(
        await writes.log_email(services, SUB, second, message(), zone="UTC", locale="en_US")
    )
    assert again.receipt.replayed
    assert again.receipt.item_id == logged.receipt.item_id
    assert len(await note_texts(services, connector, about.person_id)) == len(texts)


# --- activities --------------------------------------------------------------------------------


async def test_an_activity_is_scheduled_with_the_person_and_can_be_marked_done(
    services: Services,
) -> None:
    _connector, about = await rich(services)
    due = writes.next_working_morning(datetime(2026, 12, 4, 16, tzinfo=UTC), "Europe/Berlin")
    assert due.isoformat() == "2026-12-07T09:00:00+01:00"  # Friday afternoon → Monday 09:00
    action = ScheduleActivity(
        about=about,
        request_key=KEY,
        subject="Follow up: Solar renewal",
        activity_type="call",
        due=due,
        duration_minutes=30,
        note="Bring the offer",
    )

    made = written(await writes.schedule_activity(services, SUB, action))

    assert isinstance(made.outcome, Match)
    [shown] = [a for a in made.outcome.contact.activities.items if a.id == made.receipt.item_id]
    assert (shown.subject, shown.type.key, shown.is_done) == (
        "Follow up: Solar renewal",
        "call",
        False,
    )
    assert shown.duration == timedelta(minutes=30)
    done = written(
        await writes.mark_done(
            services, SUB, MarkDone(about=about, activity_id=made.receipt.item_id)
        )
    )
    assert isinstance(done.outcome, Match)
    [after] = [a for a in done.outcome.contact.activities.items if a.id == made.receipt.item_id]
    assert after.is_done


async def test_an_activity_without_subject_type_or_due_date_comes_back(
    services: Services,
) -> None:
    _, about = await rich(services)
    action = ScheduleActivity(about=about, request_key=KEY, subject=" ", activity_type="party")

    refused = await writes.schedule_activity(services, SUB, action)

    assert isinstance(refused, Invalid)
    assert {(p.field, p.code) for p in refused.problems} == {
        (SUBJECT_INPUT, ProblemCode.REQUIRED),
        (TYPE_INPUT, ProblemCode.UNKNOWN_TYPE),
        (DUE_INPUT, ProblemCode.REQUIRED),
    }


# --- deals -------------------------------------------------------------------------------------


async def test_a_deal_is_created_with_a_value_in_the_users_notation(
    services: Services,
) -> None:
    _, about = await rich(services)
    action = CreateDeal(
        about=about,
        request_key=KEY,
        title="Côte d'Azur – Solar renewal",
        value="1.500,50",
        currency="eur",
        expected_close=date(2027, 1, 31),
    )

    made = written(await writes.create_deal(services, SUB, action, locale="de_DE"))

    assert isinstance(made.outcome, Match)
    [deal] = [d for d in made.outcome.contact.deals.items if d.id == made.receipt.item_id]
    assert deal.title == "Côte d'Azur – Solar renewal"
    assert deal.value is not None
    assert Decimal(str(deal.value.amount)) == Decimal("1500.50")
    assert deal.expected_close == date(2027, 1, 31)


@pytest.mark.parametrize(
    ("value", "currency", "problems"),
    [
        ("lots", "EUR", {(VALUE_INPUT, ProblemCode.NOT_A_NUMBER)}),
        ("-5", "EUR", {(VALUE_INPUT, ProblemCode.NEGATIVE)}),
        ("10", "Euro", {(CURRENCY_INPUT, ProblemCode.BAD_CURRENCY)}),
    ],
)
async def test_a_deal_with_a_bad_value_or_currency_comes_back(
    services: Services, value: str, currency: str, problems: set[tuple[str, ProblemCode]]
) -> None:
    _, about = await rich(services)
    action = CreateDeal(about=about, request_key=KEY, title="T", value=value, currency=currency)
    refused = await writes.create_deal(services, SUB, action, locale="en_US")
    assert isinstance(refused, Invalid)
    assert {(p.field, p.code) for p in refused.problems} == problems


async def test_pipedrives_refusal_comes_back_in_its_words(services: Services) -> None:
    _, about = await rich(services)
    action = CreateDeal(about=about, request_key=KEY, title="T", currency="XYZ")
    refused = await writes.create_deal(services, SUB, action, locale="en_US")
    assert isinstance(refused, WriteFailed)
    assert refused.failure.kind is FailureKind.REFUSED
    assert "currency" in refused.failure.reason.lower()


# --- adding a contact with the form ------------------------------------------------------------


async def test_a_contact_is_added_with_a_new_organization_once(services: Services) -> None:
    connector = await connected(services)
    form = await contacts.contact_form(
        services, SUB, AddContact(connector_id=connector.id, email=UNKNOWN_EMAIL, name="Robin")
    )
    assert isinstance(form, contacts.ContactForm)
    assert form.name == "Robin"
    action = CreateContact(
        connector_id=connector.id,
        email=UNKNOWN_EMAIL,
        name="Robin",
        request_key=KEY,
        person_name="Robin Hale",
        organization="Hale Ventures",
        phone="+44 20 7946 0000",
        job_title="Founder",
    )

    created = await contacts.create_contact(services, SUB, action)

    assert isinstance(created, contacts.PersonCreated)
    assert isinstance(created.outcome, Match)
    contact = created.outcome.contact
    assert contact.name == "Robin Hale"
    assert contact.organization is not None
    assert contact.organization.name == "Hale Ventures"
    again = await contacts.create_contact(services, SUB, action)
    assert isinstance(again, contacts.PersonCreated)
    client = await client_of(services, connector)
    assert len(await client.search_persons_by_email(UNKNOWN_EMAIL)) == 1


async def test_a_contact_without_a_name_comes_back(services: Services) -> None:
    connector = await connected(services)
    action = CreateContact(
        connector_id=connector.id, email=UNKNOWN_EMAIL, request_key=KEY, person_name="  "
    )
    refused = await contacts.create_contact(services, SUB, action)
    assert isinstance(refused, contacts.ContactInvalid)
    assert refused.problems == (Problem(PERSON_NAME_INPUT, ProblemCode.REQUIRED),)


# --- what the review found ---------------------------------------------------------------------


async def test_a_write_that_uses_the_whole_deadline_is_still_checked_before_a_retry(
    services: Services, sandbox: Sandbox
) -> None:
    # as in production: the per-call timeout (0.5 s here) outlasts the deadline (0.3 s)
    tight = replace(services, lookup_deadline=0.3)
    connector, about = await rich(tight)
    sandbox.set_faults(FaultPlan.parse("landed@/v1/notes"))
    action = AddNote(about=about, request_key=KEY, content="Against the clock")

    found = await writes.add_note(tight, SUB, action)

    sandbox.set_faults(FaultPlan.none())
    assert isinstance(found, Written)
    retried = written(await writes.add_note(tight, SUB, action))
    assert retried.receipt.replayed
    texts = await note_texts(services, connector, about.person_id)
    assert texts.count("Against the clock") == 1


async def test_when_the_check_fails_too_the_retry_looks_before_writing(
    services: Services, sandbox: Sandbox
) -> None:
    connector, about = await rich(services)
    sandbox.set_faults(FaultPlan.parse("landed@/v1/notes,500@/v1/notes"))
    action = AddNote(about=about, request_key=KEY, content="Did it land?")

    unsure = await writes.add_note(services, SUB, action)

    assert isinstance(unsure, WriteFailed)
    assert unsure.failure.kind is FailureKind.UNAVAILABLE
    sandbox.set_faults(FaultPlan.none())
    retried = written(await writes.add_note(services, SUB, action))
    assert not retried.receipt.replayed
    texts = await note_texts(services, connector, about.person_id)
    assert texts.count("Did it land?") == 1


async def test_a_submit_goes_ahead_when_the_lookup_before_it_fails(
    services: Services, sandbox: Sandbox
) -> None:
    connector, about = await rich(services)
    await services.results.forget(cache_id(connector), about.email)
    sandbox.set_faults(FaultPlan.parse("503@/api/v2/persons"))
    action = AddNote(about=about, request_key=KEY, content="Written blind")

    made = written(await writes.add_note(services, SUB, action))

    sandbox.set_faults(FaultPlan.none())
    assert made.receipt.kind is WriteKind.NOTE
    assert "Written blind" in await note_texts(services, connector, about.person_id)


@pytest.mark.parametrize("which", ["activity", "deal"])
async def test_every_write_says_when_the_user_may_not_write(
    services: Services, sandbox: Sandbox, which: str
) -> None:
    _, about = await rich(services)
    sandbox.set_write_permission(DEMO_TOKEN, allowed=False)
    if which == "activity":
        due = datetime(2026, 12, 1, 8, tzinfo=UTC)
        activity = ScheduleActivity(
            about=about, request_key=KEY, subject="S", activity_type="call", due=due
        )
        refused = await writes.schedule_activity(services, SUB, activity)
    else:
        deal = CreateDeal(about=about, request_key=KEY, title="T", currency="EUR")
        refused = await writes.create_deal(services, SUB, deal, locale="en_US")
    assert isinstance(refused, WriteFailed)
    assert refused.failure.kind is FailureKind.FORBIDDEN


async def test_a_request_key_used_for_another_form_writes_nothing(services: Services) -> None:
    connector, about = await rich(services)
    written(
        await writes.add_note(services, SUB, AddNote(about=about, request_key=KEY, content="n"))
    )
    client = await client_of(services, connector)
    deals_before = len(await client.deals_of_person(about.person_id))
    deal = CreateDeal(about=about, request_key=KEY, title="Sneaky", currency="EUR")

    result = await writes.create_deal(services, SUB, deal, locale="en_US")

    assert isinstance(result, writes.StillSaving)
    assert len(await client.deals_of_person(about.person_id)) == deals_before


async def test_dates_far_away_are_refused_before_anything_is_sent(services: Services) -> None:
    _, about = await rich(services)
    far = datetime(9999, 12, 31, 23, tzinfo=UTC)
    activity = ScheduleActivity(
        about=about, request_key=KEY, subject="S", activity_type="call", due=far
    )
    refused = await writes.schedule_activity(services, SUB, activity)
    assert isinstance(refused, Invalid)
    assert refused.problems == (Problem(DUE_INPUT, ProblemCode.OUT_OF_RANGE),)
    deal = CreateDeal(
        about=about, request_key=KEY, title="T", currency="EUR", expected_close=date(1, 1, 1)
    )
    late = await writes.create_deal(services, SUB, deal, locale="en_US")
    assert isinstance(late, Invalid)
    assert late.problems == (Problem(CLOSE_DATE_INPUT, ProblemCode.OUT_OF_RANGE),)


def test_without_the_companys_types_the_built_in_ones_are_offered() -> None:
    keys = [t.key_string for t in writes.activity_types(None)]
    assert keys[:3] == ["call", "meeting", "task"]


# --- what the forms start with -----------------------------------------------------------------


def basis_of(match: Match, metadata: AccountMetadata | None = None) -> writes.Basis:
    """A form's basis on a looked-up contact (no I/O: the defaults read only this)."""
    contact = match.contact
    about = About(connector_id="conn-1", email=match.email, person_id=contact.id, name=None)
    return writes.Basis(card_connector(), about, match, metadata)


def with_deals(match: Match, *statuses: tuple[int, DealStatus]) -> Match:
    """The contact with only these deals (by id, from the rich contact's, status as given)."""
    rich_deals = {d.id: d for d in match.contact.deals.items}
    deals = tuple(replace(rich_deals[i], status=status) for i, status in statuses)
    contact = replace(match.contact, deals=Section(items=deals, total=len(deals)))
    return replace(match, contact=contact)


def test_a_log_or_note_goes_on_the_persons_only_open_deal_by_default() -> None:
    # one open deal among won and lost ones: that deal is picked
    one_open = with_deals(
        rich_match(), (103, DealStatus.LOST), (101, DealStatus.OPEN), (102, DealStatus.WON)
    )
    assert writes.default_deal(basis_of(one_open)) == 101


def test_with_several_open_deals_or_none_a_log_or_note_goes_on_the_person() -> None:
    several = rich_match()
    assert [d.id for d in basis_of(several).open_deals] == [101, 105]
    assert writes.default_deal(basis_of(several)) == 0
    closed = with_deals(several, (101, DealStatus.WON), (105, DealStatus.LOST))
    assert writes.default_deal(basis_of(closed)) == 0
    assert writes.default_deal(basis_of(minimal_match())) == 0


def test_a_new_deals_title_is_the_organizations_name_and_the_subject() -> None:
    basis = basis_of(rich_match())
    assert writes.deal_title(basis, " Solar renewal ") == "Analytical Engines Ltd – Solar renewal"
    assert writes.deal_title(basis, "") == "Analytical Engines Ltd"


def test_without_an_organization_a_new_deals_title_is_the_persons_name_and_the_subject() -> None:
    match = rich_match()
    alone = replace(match, contact=replace(match.contact, organization=None))
    assert writes.deal_title(basis_of(alone), "Solar renewal") == "Ada Lovelace – Solar renewal"
    assert writes.deal_title(basis_of(alone), None) == "Ada Lovelace"


def test_a_new_deals_currency_starts_at_the_default_currency_of_the_metadata() -> None:
    me = CurrentUser.model_validate({"id": 7, "company_id": 1, "default_currency": "chf"})
    assert writes.default_currency(AccountMetadata(me=me)) == "CHF"
    without = AccountMetadata(me=CurrentUser.model_validate({"id": 7, "company_id": 1}))
    assert writes.default_currency(without) == writes.FALLBACK_CURRENCY == "EUR"
    assert writes.default_currency(None) == "EUR"


@pytest.mark.parametrize(
    ("now", "zone", "due"),
    [
        # a working day: the next day
        ("2026-11-23T10:00:00+00:00", "Europe/Berlin", "2026-11-24T09:00:00+01:00"),
        # Friday, Saturday and Sunday: Monday
        ("2026-11-27T16:00:00+00:00", "Europe/Berlin", "2026-11-30T09:00:00+01:00"),
        ("2026-11-28T12:00:00+00:00", "Europe/Berlin", "2026-11-30T09:00:00+01:00"),
        ("2026-11-29T12:00:00+00:00", "Europe/Berlin", "2026-11-30T09:00:00+01:00"),
        # the user's zone says which day it is: Thursday 23:30 UTC is Friday in Berlin ...
        ("2026-11-26T23:30:00+00:00", "Europe/Berlin", "2026-11-30T09:00:00+01:00"),
        # ... and Friday 03:00 UTC still Thursday in Los Angeles
        ("2026-11-27T03:00:00+00:00", "America/Los_Angeles", "2026-11-27T09:00:00-08:00"),
        # 09:00 on the clock of the due day, also after a change to summer time (Mar 29)
        ("2026-03-27T12:00:00+00:00", "Europe/Berlin", "2026-03-30T09:00:00+02:00"),
    ],
)
def test_an_activity_is_due_the_next_working_day_at_nine_in_the_users_zone(
    now: str, zone: str, due: str
) -> None:
    found = writes.next_working_morning(datetime.fromisoformat(now), zone)
    assert found.isoformat() == due
    assert found.tzinfo == ZoneInfo(zone)
