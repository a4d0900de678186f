"""Model objects the card tests render: rich, minimal, several matches, partial, huge; fixed now."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from cardin.cards import CardContext
from cardin.connectors.features import ALL_FEATURES, Feature
from cardin.connectors.model import Connector, ConnectorSettings, RunMode
from cardin.contact.model import (
    Account,
    ActivitiesOverview,
    Activity,
    ActivityState,
    ActivityType,
    AddressValue,
    Contact,
    DateSpan,
    Deal,
    DealsOverview,
    DealStatus,
    Email,
    FieldValue,
    Label,
    Match,
    MatchReason,
    MoneyValue,
    NoMatch,
    Note,
    NumberValue,
    OptionsValue,
    Organization,
    OtherMatch,
    Owner,
    Phone,
    PhoneValue,
    Reference,
    RefKind,
    Section,
    SectionError,
    SectionErrorKind,
    TextValue,
    TimeSpan,
    Usage,
)
from cardin.contact.notes import clean_note_html

NOW = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
ACTION_URL = "https://cardin.example/addon/action"
ICON_BASE_URL = "https://cardin.example/static/icons"

ACCOUNT = Account(
    company_id=1,
    company_name="Acme GmbH",
    company_domain="acme",
    user_id=7,
    user_name="Sam Seller",
    user_email="sam@acme.example",
    locale="en_US",
    language="en",
    timezone="Europe/Berlin",
    default_currency="EUR",
)
APP = "https://acme.pipedrive.com"  # the web app of ACCOUNT


def context(
    locale: str = "en_US",
    timezone: str = "Europe/Berlin",
    features: frozenset[Feature] = ALL_FEATURES,
    connector_id: str | None = "conn-1",
) -> CardContext:
    """A reader in Berlin with every feature on, unless told otherwise."""
    return CardContext(
        locale=locale,
        timezone=timezone,
        features=features,
        action_url=ACTION_URL,
        icon_base_url=ICON_BASE_URL,
        connector_id=connector_id,
        now=NOW,
    )


# --- building blocks -----------------------------------------------------------------------

ORG = Organization(
    11, "Analytical Engines Ltd", f"{APP}/organization/11", "12 St James's Sq, London"
)
OWNER = Owner(7, "Sam Seller", "sam@acme.example", is_active=True)
TYPES = {
    "call": ActivityType("call", "Call", "call"),
    "meeting": ActivityType("meeting", "Meeting", "meeting"),
    "email": ActivityType("email", "Email", "email"),
    "lunch": ActivityType("lunch", "Lunch", "lunch"),
    "deadline": ActivityType("deadline", "Deadline", "deadline"),
    "task": ActivityType("task", "Task", "task"),
    "demo": ActivityType("demo", "Product demo", "presentation"),
    "odd": ActivityType("odd", "Custom type", "rocket"),
}


def note(note_id: int, raw_html: str, days_ago: int, author: str = "Sam Seller") -> Note:
    """A note as the lookup builds it: HTML reduced by the real sanitiser."""
    added = NOW - timedelta(days=days_ago)
    return Note(note_id, clean_note_html(raw_html), added=added, updated=added, author=author)


def activity(  # noqa: PLR0917 - fixtures read best as one positional line per activity
    activity_id: int,
    subject: str,
    kind: str,
    state: ActivityState,
    due: date | None,
    due_time: time | None = None,
    *,
    duration: timedelta | None = None,
    note_html: str | None = None,
    deal: tuple[int, str] | None = None,
) -> Activity:
    """An activity of a known type, optionally linked to a deal."""
    deal_id, deal_title = deal or (None, None)
    return Activity(
        id=activity_id,
        subject=subject,
        type=TYPES[kind],
        is_done=state is ActivityState.DONE,
        state=state,
        due_date=due,
        due_time=due_time,
        duration=duration,
        note_html=clean_note_html(note_html) if note_html else None,
        deal_id=deal_id,
        deal_title=deal_title,
        deal_url=f"{APP}/deal/{deal_id}" if deal_id else None,
    )


def _fields() -> tuple[FieldValue, ...]:
    """One value of each of Pipedrive's 16 custom field types."""
    ref = f"{APP}/"
    values = [
        ("varchar", "Nickname", TextValue("Countess")),
        ("varchar_auto", "Industry", TextValue("Computing")),
        ("text", "Bio", TextValue("Mathematician.\nWrote the first program.", multiline=True)),
        ("double", "Score", NumberValue(Decimal("1234.5"))),
        ("monetary", "Budget", MoneyValue(Decimal(25000), "EUR")),
        ("date", "Birthday", DateSpan(date(1815, 12, 10))),
        ("daterange", "Contract", DateSpan(date(2026, 1, 1), date(2026, 12, 31), is_range=True)),
        ("time", "Best time to call", TimeSpan(time(9, 30))),
        (
            "timerange",
            "Office hours",
            TimeSpan(time(9), time(17), is_range=True, timezone="Europe/London"),
        ),
        ("set", "Interests", OptionsValue(("Engines", "Poetry"))),
        ("enum", "Tier", OptionsValue(("Gold",))),
        (
            "user",
            "Account manager",
            Reference(RefKind.USER, 7, "Sam Seller", ref + "users/details/7"),
        ),
        (
            "org",
            "Partner",
            Reference(RefKind.ORGANIZATION, 12, "Babbage & Co", ref + "organization/12"),
        ),
        (
            "people",
            "Assistant",
            Reference(RefKind.PERSON, 44, "Mary Somerville", ref + "person/44"),
        ),
        ("phone", "Fax", PhoneValue("+44 20 7946 0018")),
        (
            "address",
            "Home address",
            AddressValue("10 Downing St, London SW1A 2AA, UK", "UK", "London"),
        ),
    ]
    return tuple(
        FieldValue(f"f{i}", name, kind, value) for i, (kind, name, value) in enumerate(values)
    )


def _rich_notes() -> Section[Note]:
    notes = (
        note(
            4,
            "<p>Call recap:</p><ul><li>wants <b>50 seats</b></li><li>budget in Q1</li></ul>"
            '<p>See <a href="https://engines.example/rfp">the RFP</a>.</p>',
            1,
        ),
        note(3, "<ol><li>Send quote</li><li>Book demo</li></ol><p><i>Priority</i></p>", 6),
        note(2, "Met at the <u>Difference Engine</u> expo.<br>Very keen.", 30, author="Kim Lee"),
        note(1, "<s>Old</s> first contact", 400),
    )
    return Section(items=notes, total=len(notes))


def _rich_deals() -> tuple[Section[Deal], DealsOverview]:
    big = 101, "Engines for 50 seats"
    pilot = 102, "Pilot licence"
    deal_activities = Section(
        items=(
            activity(
                31, "Send quote", "email", ActivityState.OVERDUE, date(2026, 11, 18), deal=big
            ),
            activity(32, "Demo call", "call", ActivityState.PLANNED, date(2026, 11, 24), time(13)),
            activity(33, "Kick-off", "meeting", ActivityState.DONE, date(2026, 11, 2), deal=big),
        ),
        total=3,
    )
    deals = (
        Deal(
            big[0], big[1], DealStatus.OPEN, MoneyValue(Decimal(25000), "EUR"), f"{APP}/deal/101",
            organization=ORG, expected_close=date(2026, 12, 15), stage="Proposal made",
            notes=Section(items=(note(41, "Decision maker is <b>Ada</b>.", 3),), total=1),
            activities=deal_activities,
        ),
        Deal(
            105, "Support plan", DealStatus.OPEN, MoneyValue(Decimal("1200.50"), "USD"),
            f"{APP}/deal/105", expected_close=date(2027, 1, 31),
            notes=Section(), activities=Section(),
        ),
        Deal(
            pilot[0], pilot[1], DealStatus.WON, MoneyValue(Decimal(4800), "GBP"), f"{APP}/deal/102",
            organization=ORG, won_time=datetime(2026, 6, 30, 16, 0, tzinfo=UTC),
            notes=Section(items=(note(42, "Signed after the pilot.", 140),), total=1),
            activities=Section(),
        ),
        Deal(
            103, "Steam upgrade", DealStatus.LOST, MoneyValue(Decimal(9900), "EUR"),
            f"{APP}/deal/103", organization=ORG, lost_reason="Went with a competitor",
            lost_time=datetime(2025, 11, 3, 10, 0, tzinfo=UTC),
            notes=Section(), activities=Section(),
        ),
    )  # fmt: skip
    overview = DealsOverview(
        total=4,
        open=2,
        won=1,
        lost=1,
        open_value=(MoneyValue(Decimal(25000), "EUR"), MoneyValue(Decimal("1200.50"), "USD")),
    )
    return Section(items=deals, total=4), overview


def _rich_activities() -> tuple[Section[Activity], ActivitiesOverview]:
    big = 101, "Engines for 50 seats"
    hour, half = timedelta(hours=1), timedelta(minutes=30)
    items = (
        activity(1, "Send quote", "email", ActivityState.OVERDUE, date(2026, 11, 18), deal=big),
        activity(2, "Follow up on RFP", "call", ActivityState.OVERDUE, date(2026, 11, 20),
                 time(9, 0), duration=half),
        activity(3, "Demo call", "call", ActivityState.PLANNED, date(2026, 11, 24), time(13, 0),
                 duration=half, note_html="<p>Dial-in: <b>+44 20 7946 0000</b></p>", deal=big),
        activity(4, "Lunch with Ada", "lunch", ActivityState.PLANNED, date(2026, 11, 26),
                 time(11, 30), duration=timedelta(hours=1, minutes=30)),
        activity(5, "Contract deadline", "deadline", ActivityState.PLANNED, date(2026, 12, 15)),
        activity(6, "Product demo", "demo", ActivityState.PLANNED, date(2027, 1, 12), time(15),
                 duration=hour),
        activity(7, "Odd one", "odd", ActivityState.PLANNED, None),
        activity(8, "Kick-off", "meeting", ActivityState.DONE, date(2026, 11, 2), time(8),
                 duration=2 * hour, deal=big),
        activity(9, "Intro email", "email", ActivityState.DONE, date(2026, 10, 20)),
        activity(10, "Prepare pilot", "task", ActivityState.DONE, date(2026, 6, 1)),
        activity(11, "First call", "call", ActivityState.DONE, date(2026, 5, 2), time(10),
                 duration=half, note_html="Went well"),
        activity(12, "Expo meeting", "meeting", ActivityState.DONE, date(2026, 4, 1)),
    )  # fmt: skip
    overview = ActivitiesOverview(total=12, done=5, overdue=2, planned=5, next_due=items[2])
    return Section(items=items, total=len(items)), overview


def rich_match() -> Match:
    """Ada: 16 custom fields, 3 labels, 2 emails, 3 phones, notes, open/won/lost deals, 12
    activities, an owner, another person with the same address."""
    deals, deals_overview = _rich_deals()
    activities, activities_overview = _rich_activities()
    contact = Contact(
        id=1,
        name="Ada Lovelace",
        url=f"{APP}/person/1",
        emails=(
            Email("ada@engines.example", "work", is_primary=True),
            Email("ada.home@example.org", "home"),
        ),
        phones=(
            Phone("+44 20 7946 0000", "work", is_primary=True),
            Phone("+44 7700 900123", "mobile"),
            Phone("+44 20 7946 0999", "home"),
        ),
        labels=(Label(1, "Customer", "green"), Label(2, "VIP", "purple"), Label(3, "Newsletter")),
        organization=ORG,
        fields=_fields(),
        added=datetime(2024, 3, 4, 9, 15, tzinfo=UTC),
        updated=datetime(2026, 11, 18, 16, 5, tzinfo=UTC),
        picture_url="https://acme.pipedrive.com/pictures/ada-128.png",
        job_title="Head of Engines",
        owner=OWNER,
        notes=_rich_notes(),
        deals=deals,
        deals_overview=deals_overview,
        activities=activities,
        activities_overview=activities_overview,
    )
    reason = MatchReason("ada@engines.example", "work", is_primary=True)
    other = OtherMatch(
        2,
        "Ada King",
        f"{APP}/person/2",
        "Ockham Park",
        MatchReason("ada@engines.example", "other", is_primary=False),
    )
    return Match(
        email="ada@engines.example",
        contact=contact,
        reason=reason,
        account=ACCOUNT,
        others=(other,),
        usage=Usage(requests=9, tokens=58, rate_limit_remaining=9942),
        fetched_at=NOW - timedelta(minutes=5),
    )


def minimal_match() -> Match:
    """Bob: a name and one email, nothing else."""
    contact = Contact(
        id=3,
        name="Bob",
        url=f"{APP}/person/3",
        emails=(Email("bob@example.com", "work", is_primary=True),),
    )
    return Match(
        email="bob@example.com",
        contact=contact,
        reason=MatchReason("bob@example.com", "work", is_primary=True),
        account=ACCOUNT,
        usage=Usage(requests=3, tokens=23),
        fetched_at=NOW,
    )


def several_matches() -> Match:
    """Five persons share info@: the best one and four others."""
    contact = Contact(
        id=20, name="Reception", url=f"{APP}/person/20",
        emails=(
            Email("office@acme.example", "work", is_primary=True),
            Email("info@acme.example", "other"),
        ),
        organization=ORG,
    )  # fmt: skip
    others = tuple(
        OtherMatch(
            21 + i,
            f"Colleague {i + 1}",
            f"{APP}/person/{21 + i}",
            "Analytical Engines Ltd" if i % 2 else None,
            MatchReason("info@acme.example", "work", is_primary=i == 0),
        )
        for i in range(4)
    )
    return Match(
        email="info@acme.example",
        contact=contact,
        reason=MatchReason("info@acme.example", "other", is_primary=False),
        account=ACCOUNT,
        others=others,
        usage=Usage(requests=4, tokens=0),
        fetched_at=NOW - timedelta(hours=2),
    )


def no_match() -> NoMatch:
    """Nobody has the address."""
    return NoMatch(
        email="new.person@example.net",
        account=ACCOUNT,
        search_url=f"{APP}/search?term=new.person%40example.net",
        usage=Usage(requests=2, tokens=22),
    )


def partial_match() -> Match:
    """Rate limited half-way: custom fields unreadable, notes rate limited, activities down,
    a deal whose notes and activities failed."""
    rich = rich_match()
    limited = SectionError(SectionErrorKind.RATE_LIMITED, "429", retry_after=90)
    down = SectionError(SectionErrorKind.UNAVAILABLE, "timeout")
    deal = Deal(
        101, "Engines for 50 seats", DealStatus.OPEN, MoneyValue(Decimal(25000), "EUR"),
        f"{APP}/deal/101", notes=Section(error=limited), activities=Section(error=limited),
    )  # fmt: skip
    contact = Contact(
        id=rich.contact.id,
        name=rich.contact.name,
        url=rich.contact.url,
        emails=rich.contact.emails,
        organization=ORG,
        fields_error=SectionError(SectionErrorKind.BAD_RESPONSE, "bad json"),
        notes=Section(error=limited),
        deals=Section(items=(deal,), total=1),
        deals_overview=DealsOverview(1, 1, 0, 0, (MoneyValue(Decimal(25000), "EUR"),)),
        activities=Section(error=down),
        owner=OWNER,
    )
    return Match(
        email=rich.email,
        contact=contact,
        reason=rich.reason,
        account=ACCOUNT,
        usage=Usage(requests=6, tokens=44, rate_limit_remaining=0),
        fetched_at=NOW,
    )


def huge_match() -> Match:
    """200 deals (each with notes and activities), 500 activities, 100 notes, many fields."""
    rich = rich_match()
    statuses = (DealStatus.OPEN, DealStatus.WON, DealStatus.LOST)
    # In the lookup's order of relevance: open deals first; open activities by due date, then done.
    deals = tuple(sorted((_huge_deal(i, statuses[i % 3]) for i in range(200)), key=_deal_rank))
    activities = tuple(_huge_activity(i) for i in range(500))
    notes = tuple(note(5000 + i, f"<p>Note <b>{i}</b></p>", i) for i in range(100))
    fields = tuple(
        FieldValue(f"h{i}", f"Field {i}", "varchar", TextValue(f"value {i}")) for i in range(40)
    )
    contact = Contact(
        id=9, name="Huge Corp Buyer", url=f"{APP}/person/9",
        emails=tuple(Email(f"buyer{i}@huge.example", "work", i == 0) for i in range(8)),
        phones=tuple(Phone(f"+1 555 01{i:02d}", "mobile", i == 0) for i in range(8)),
        labels=rich.contact.labels, organization=ORG, fields=rich.contact.fields + fields,
        owner=OWNER, notes=Section(items=notes, total=100),
        deals=Section(items=deals, total=200),
        deals_overview=DealsOverview(200, 67, 67, 66, (MoneyValue(Decimal(1000000), "EUR"),)),
        activities=Section(items=activities, total=500),
        activities_overview=ActivitiesOverview(500, 166, 167, 167, activities[167]),
        added=rich.contact.added, updated=rich.contact.updated,
    )  # fmt: skip
    others = tuple(
        OtherMatch(100 + i, f"Buyer {i}", f"{APP}/person/{100 + i}", None, rich.reason)
        for i in range(12)
    )
    return Match(
        email=rich.email, contact=contact, reason=rich.reason, account=ACCOUNT, others=others,
        usage=Usage(requests=30, tokens=400), fetched_at=NOW - timedelta(minutes=42),
    )  # fmt: skip


def _huge_deal(i: int, status: DealStatus) -> Deal:
    deal_ref = (10_000 + i, f"Deal {i}")
    notes = tuple(note(20_000 + i * 10 + n, f"Deal note {n}", n) for n in range(3))
    acts = tuple(
        activity(30_000 + i * 10 + n, f"Step {n}", "task", ActivityState.PLANNED,
                 date(2026, 12, 1 + n), deal=deal_ref)
        for n in range(4)
    )  # fmt: skip
    return Deal(
        deal_ref[0], deal_ref[1], status, MoneyValue(Decimal(1000 + i), "EUR"),
        f"{APP}/deal/{deal_ref[0]}", organization=ORG, expected_close=date(2027, 1, 1),
        won_time=NOW if status is DealStatus.WON else None,
        lost_time=NOW if status is DealStatus.LOST else None,
        lost_reason="Price" if status is DealStatus.LOST else None,
        notes=Section(items=notes, total=3), activities=Section(items=acts, total=4),
    )  # fmt: skip


def _deal_rank(deal: Deal) -> int:
    return (DealStatus.OPEN, DealStatus.WON, DealStatus.LOST).index(deal.status)


def _huge_activity(i: int) -> Activity:
    """Activities 0-166 overdue, 167-333 planned, 334-499 done (latest first)."""
    if i < 167:
        return activity(1000 + i, f"Overdue {i}", "call", ActivityState.OVERDUE,
                        NOW.date() - timedelta(days=167 - i))  # fmt: skip
    if i < 334:
        return activity(1000 + i, f"Planned {i}", "meeting", ActivityState.PLANNED,
                        NOW.date() + timedelta(days=i - 166), time(9))  # fmt: skip
    return activity(1000 + i, f"Done {i}", "task", ActivityState.DONE,
                    NOW.date() - timedelta(days=i - 333))  # fmt: skip


# --- connectors (setup, homepage, dashboard) -----------------------------------------------

PD_ACCOUNT = Account(
    company_id=1, company_name="Acme GmbH", company_domain="acme", user_id=7,
    user_name="Sam Seller", user_email="sam@acme.example", locale="en_US",
    timezone="Europe/Berlin",
)  # fmt: skip
GLOBEX_ACCOUNT = Account(
    company_id=2, company_name="Globex Corp", company_domain="globex", user_id=31,
    user_name="Gina Globex", user_email="gina@globex.example", locale="en_US",
    timezone="America/New_York",
)  # fmt: skip


def connector(
    connector_id: str = "conn-1",
    name: str = "Pipedrive",
    *,
    run_mode: RunMode = RunMode.AUTOMATIC,
    is_default: bool = False,
    show_in_dashboard: bool = True,
    account: Account = PD_ACCOUNT,
    position: int = 0,
) -> Connector:
    """A stored connector with every feature on."""
    return Connector(
        id=connector_id, owner="google-sub-1", name=name, features=ALL_FEATURES,
        run_mode=run_mode, show_in_dashboard=show_in_dashboard, is_default=is_default,
        base_url="https://api.pipedrive.com", account=account, position=position,
        created_at=NOW - timedelta(days=30), updated_at=NOW - timedelta(days=2),
    )  # fmt: skip


def three_connectors() -> tuple[Connector, ...]:
    """The default (automatic), another automatic one, and a manual one."""
    return (
        connector("conn-1", "Pipedrive", is_default=True),
        connector("conn-2", "Sales EU", account=GLOBEX_ACCOUNT, position=1),
        connector("conn-3", "Support", run_mode=RunMode.MANUAL, show_in_dashboard=False,
                  position=2),
    )  # fmt: skip


def new_settings() -> ConnectorSettings:
    """What the wizard offers for a user's first connector."""
    return ConnectorSettings(features=ALL_FEATURES)


def settings_of(stored: Connector) -> ConnectorSettings:
    """A stored connector's choices (what editing pre-fills)."""
    return ConnectorSettings(
        stored.name, stored.features, stored.run_mode, stored.show_in_dashboard
    )
