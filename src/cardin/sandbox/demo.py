"""The demo data: three Pipedrive companies built deterministically by code.

`demo_dataset(today)` gives the same data for the same `today` (default: the current UTC date);
activity due dates and timestamps are offsets from it, so there are always done, overdue, due-today
and planned activities. Random filler comes from a fixed seed.

Companies and tokens:

- Aurora Demo Trading (`DEMO_COMPANY_ID`, domain `aurora-demo`, premium, 6 seats, contact sync on):
  `DEMO_TOKEN` (Maria Svensson, admin) and `COLLEAGUE_TOKEN` (Jonas Becker). 45 persons in 11
  organizations, names in Latin with diacritics, Cyrillic, Greek, Japanese, Chinese, Korean, Arabic,
  Hebrew and Devanagari; 6 users, one inactive (Olga Smirnova) and one deleted (id 7, referenced
  only by a custom field); labels beyond the four defaults; all 16 custom person field types.
- Second Sight Studio (`SECOND_COMPANY_ID`, growth, `SECOND_TOKEN`): 4 persons, one of them sharing
  `CROSS_ACCOUNT_EMAIL` with a demo company person.
- Lapsed Trial Co (`INACTIVE_COMPANY_ID`, `INACTIVE_TOKEN`): inactive, every request answers 402.

Interesting emails (demo company unless noted):

- `RICH_EMAIL` elodie.marchand@cotedazur-energies.example: three emails, four phones, labels
  Customer + VIP, picture, every custom field (a deleted "Interests" option, an account manager who
  is a deleted user), deals in EUR/USD/GBP/SEK (open, won, lost with reason, one deleted), every
  activity type (done, overdue, due today, planned; one inactive type, one unknown type), formatted
  notes (b/i/u/s, links, lists, line breaks) and one hostile note (`<script>`, `onerror=`,
  `javascript:`).
- `MINIMAL_EMAIL` sam.lee@minimal.example: a name and one email, nothing else.
- `SHARED_EMAIL` sales@olympia-shipping.example: two persons (Γιώργος Παπαδόπουλος, Ελένη Νικολάου).
- `HUGE_EMAIL` henrik.lindqvist@fjordline.example: 200+ deals, 500+ activities, 100+ notes.
- `MIXED_CASE_EMAIL` jonas.mueller@nordlicht.example: stored as Jonas.Mueller@Nordlicht.example.
- `CROSS_ACCOUNT_EMAIL` k.weber@nordlicht.example: in the demo company and in Second Sight Studio.
- `DELETED_EMAIL` gerhard.alt@nordlicht.example: a deleted person; search never finds it.
- `UNKNOWN_EMAIL` nobody@unknown.example: in no company.
- `JAPANESE_EMAIL` t.yamada@sakura-seiko.example: 山田 太郎, deals in JPY, a note in Japanese.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from cardin.sandbox import demo_base as base
from cardin.sandbox import demo_people as people
from cardin.sandbox.data import Company, Dataset
from cardin.sandbox.demo_fields import demo_person_fields
from cardin.sandbox.demo_history import DealSpec, History, add_random_history
from cardin.sandbox.demo_stories import (
    add_deal_notes,
    add_huge_note,
    add_other_stories,
    add_rich_contact,
)
from cardin.sandbox.limits import utc_today
from cardin.sandbox.pictures import picture_object

JSON = dict[str, Any]
DEMO_TOKEN = "demo-0123456789abcdef0123456789abcdef0001"  # noqa: S105 - a fake demo token
COLLEAGUE_TOKEN = "demo-0123456789abcdef0123456789abcdef0002"  # noqa: S105 - a fake demo token
SECOND_TOKEN = "second-0123456789abcdef0123456789abcdef01"  # noqa: S105 - a fake demo token
INACTIVE_TOKEN = "inactive-0123456789abcdef0123456789abcdef"  # noqa: S105 - a fake demo token
DEMO_COMPANY_ID, SECOND_COMPANY_ID, INACTIVE_COMPANY_ID = 7_301_001, 7_301_002, 7_301_003
DEMO_COMPANY_DOMAIN = "aurora-demo"
DEMO_USER_ID = 1

RICH_EMAIL = "elodie.marchand@cotedazur-energies.example"
MINIMAL_EMAIL = "sam.lee@minimal.example"
SHARED_EMAIL = "sales@olympia-shipping.example"
HUGE_EMAIL = "henrik.lindqvist@fjordline.example"
MIXED_CASE_EMAIL = "jonas.mueller@nordlicht.example"
CROSS_ACCOUNT_EMAIL = "k.weber@nordlicht.example"
DELETED_EMAIL = "gerhard.alt@nordlicht.example"
UNKNOWN_EMAIL = "nobody@unknown.example"
JAPANESE_EMAIL = "t.yamada@sakura-seiko.example"
_SEED = 20_260_301
_HUGE_COUNTS = {"deals": 200, "activities": 500, "notes": 100}
_SPECIAL = (people.RICH_ID, people.MINIMAL_ID, people.HUGE_ID)


def demo_dataset(today: date | None = None) -> Dataset:
    """The three demo companies; the same data for the same `today` (default: today in UTC)."""
    clock = base.DemoClock(today or utc_today())
    return Dataset([_demo_company(clock), _second_company(clock), _inactive_company(clock)])


def _catalogs(clock: base.DemoClock) -> JSON:
    return {
        "activity_types": base.activity_types(clock),
        "currencies": base.currencies(),
        "pipelines": base.pipelines(clock),
        "stages": base.stages(clock),
    }


def _demo_company(clock: base.DemoClock) -> Company:
    rng = random.Random(_SEED)
    persons = [
        people.build_person(
            spec,
            clock,
            people.demo_custom_values(spec, clock, rng),
            picture_id=spec.id if spec.id in people.PICTURED else None,
        )
        for spec in people.PERSONS
    ]
    persons[people.RICH_ID - 1].update(people.RICH_EXTRAS)
    history = History(clock)
    add_rich_contact(history)
    add_other_stories(history)
    huge = persons[people.HUGE_ID - 1]
    add_random_history(history, rng, huge, **_HUGE_COUNTS)
    add_huge_note(history, huge["id"], huge["org_id"])
    for person in persons:
        if person["id"] not in _SPECIAL and not person["is_deleted"]:
            counts = {
                "deals": rng.randint(0, 2),
                "activities": rng.randint(0, 4),
                "notes": rng.randint(0, 2),
            }
            add_random_history(history, rng, person, **counts)
    add_deal_notes(history, huge["id"], huge["org_id"])
    info = {
        "id": DEMO_COMPANY_ID,
        "name": "Aurora Demo Trading",
        "domain": DEMO_COMPANY_DOMAIN,
        "country": "SE",
        "industry": "Wholesale",
        "plan": "premium",
        "seats": 6,
        "active": True,
        "contact_sync": True,
    }
    return Company(
        info=info,
        tokens={DEMO_TOKEN: DEMO_USER_ID, COLLEAGUE_TOKEN: 2},
        users=[
            base.build_user(spec, clock, created_company=spec.id == DEMO_USER_ID)
            for spec in people.DEMO_USERS
        ],
        person_fields=demo_person_fields(clock),
        organizations=people.build_organizations(clock),
        persons=persons,
        person_pictures=[picture_object(DEMO_COMPANY_ID, pid, pid, 1) for pid in people.PICTURED],
        deals=history.deals,
        activities=history.activities,
        notes=history.notes,
        **_catalogs(clock),
    )


def _plain_person(spec: people.PersonSpec, clock: base.DemoClock) -> JSON:
    return people.build_person(spec, clock, {})


def _second_company(clock: base.DemoClock) -> Company:
    user = base.UserSpec(
        1,
        "Ravi Patel",
        "ravi@second-sight.example",
        "en_US",
        "America/Chicago",
        "-05:00",
        currency="USD",
        admin=True,
    )
    specs = [
        people.PersonSpec(
            1, "Katharina", "Weber", 1, (CROSS_ACCOUNT_EMAIL,), ("+49 89 4520 1187",), ("Hot lead",)
        ),
        people.PersonSpec(2, "Hannah", "Schulz", 1, ("hannah.schulz@nordlicht.example",)),
        people.PersonSpec(
            3,
            "Pierre",
            "Laurent",
            None,
            ("pierre.laurent@mail.example|home",),
            ("+33 6 98 76 54 32|mobile",),
        ),
        people.PersonSpec(4, "Mei Ling", "Tan", None, ("meiling.tan@mail.example",)),
    ]
    history = History(clock)
    deal = history.deal(
        DealSpec(
            "Studio photo shoot",
            person=1,
            org=1,
            value=4_800,
            currency="USD",
            stage=2,
            added=-12,
            expected=20,
        )
    )
    history.note(
        "<div>Asked for a <b>quote</b> for the spring catalogue.</div>",
        -11,
        person=1,
        org=1,
        deal=deal,
    )
    organization = people.build_organizations(clock)[0]
    info = {
        "id": SECOND_COMPANY_ID,
        "name": "Second Sight Studio",
        "domain": "second-sight",
        "country": "US",
        "industry": "Photography",
        "plan": "growth",
        "seats": 2,
        "active": True,
        "contact_sync": False,
    }
    return Company(
        info=info,
        tokens={SECOND_TOKEN: 1},
        users=[base.build_user(user, clock, created_company=True)],
        person_fields=base.builtin_person_fields(clock, base.DEFAULT_LABELS),
        organizations=[{**organization, "owner_id": 1}],
        persons=[_plain_person(spec, clock) for spec in specs],
        deals=history.deals,
        notes=history.notes,
        **_catalogs(clock),
    )


def _inactive_company(clock: base.DemoClock) -> Company:
    user = base.UserSpec(
        1,
        "Tina Trial",
        "tina@lapsed-trial.example",
        "en_GB",
        "Europe/London",
        "+01:00",
        currency="GBP",
        admin=True,
    )
    person = people.PersonSpec(1, "Trevor", "Tester", None, ("trevor@lapsed-trial.example",))
    info = {
        "id": INACTIVE_COMPANY_ID,
        "name": "Lapsed Trial Co",
        "domain": "lapsed-trial",
        "country": "GB",
        "industry": "Consulting",
        "plan": "lite",
        "seats": 1,
        "active": False,
        "contact_sync": False,
    }
    return Company(
        info=info,
        tokens={INACTIVE_TOKEN: 1},
        users=[base.build_user(user, clock, created_company=True)],
        person_fields=base.builtin_person_fields(clock, base.DEFAULT_LABELS),
        persons=[_plain_person(person, clock)],
        **_catalogs(clock),
    )
