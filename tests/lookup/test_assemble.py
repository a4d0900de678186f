"""The pure assembly of Pipedrive payloads into the contact model."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

from cardin.connectors.setup import account_of
from cardin.contact.model import ActivityState, DealStatus, MoneyValue
from cardin.lookup import assemble
from cardin.pipedrive.models import (
    ActivityInfo,
    CurrentUser,
    DealInfo,
    NoteInfo,
    Person,
    PersonField,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
BERLIN = assemble.zone("Europe/Berlin")


def person(**kw: object) -> Person:
    return Person.model_validate({"id": 1, "name": "Ann", **kw})


def test_match_reason_prefers_the_primary_entry_and_ignores_case() -> None:
    p = person(
        emails=[
            {"value": "ann@home.example", "primary": False, "label": "home"},
            {"value": "ANN@acme.example", "primary": True, "label": "work"},
        ]
    )
    reason = assemble.match_reason(p, " ann@ACME.example ")
    assert reason is not None
    assert (reason.label, reason.is_primary, reason.email) == ("work", True, "ANN@acme.example")
    assert reason.describe() == "primary work email ANN@acme.example"
    home = assemble.match_reason(p, "ann@home.example")
    assert home is not None
    assert (home.label, home.is_primary) == ("home", False)
    assert assemble.match_reason(p, "ann@other.example") is None


def test_unknown_email_labels_become_other() -> None:
    p = person(emails=[{"value": "a@b.c", "primary": True, "label": "main"}])
    assert assemble.emails_of(p)[0].label == "other"


def test_rank_candidates_primary_first_then_most_recent() -> None:
    email = "shared@x.example"
    old_primary = person(
        id=1,
        update_time="2020-01-01T00:00:00Z",
        emails=[{"value": email, "primary": True, "label": "work"}],
    )
    new_secondary = person(
        id=2,
        update_time="2026-01-01T00:00:00Z",
        emails=[
            {"value": "z@x.example", "primary": True, "label": "work"},
            {"value": email, "primary": False, "label": "other"},
        ],
    )
    new_primary = person(
        id=3,
        update_time="2025-01-01T00:00:00Z",
        emails=[{"value": email, "primary": True, "label": "home"}],
    )
    stranger = person(id=4, emails=[{"value": "nobody@x.example", "primary": True}])
    ranked = assemble.rank_candidates([old_primary, new_secondary, new_primary, stranger], email)
    assert [p.id for p, _ in ranked] == [3, 1, 2]


def test_labels_take_names_and_colours_from_the_label_field() -> None:
    fields = [
        PersonField.model_validate(
            {
                "field_code": "label_ids",
                "field_type": "set",
                "options": [
                    {"id": 5, "label": "VIP", "color": "purple"},
                    {"id": 7, "label": "Partner", "color": "green"},
                ],
            }
        )
    ]
    labels = assemble.labels_of(person(label_ids=[7, 5, 99]), fields)
    assert [(lb.name, lb.color) for lb in labels] == [
        ("Partner", "green"),
        ("VIP", "purple"),
        ("#99", None),
    ]


def test_account_defaults_when_preferences_are_missing() -> None:
    me = CurrentUser.model_validate({"id": 3, "company_id": 9})
    account = account_of(me)
    assert (account.locale, account.timezone, account.language) == ("en_US", "UTC", "en")
    assert account.company_domain == "app"
    assert assemble.Links(account.company_domain).person(1) == "https://app.pipedrive.com/person/1"


def test_activity_states_respect_time_zone_and_utc_due_times() -> None:
    def activity(**kw: object) -> ActivityInfo:
        return ActivityInfo.model_validate({"id": 1, **kw})

    assert assemble.activity_state(activity(done=True), NOW, BERLIN) is ActivityState.DONE
    yesterday = activity(due_date="2026-11-27")
    assert assemble.activity_state(yesterday, NOW, BERLIN) is ActivityState.OVERDUE
    today_no_time = activity(due_date="2026-11-28")
    assert assemble.activity_state(today_no_time, NOW, BERLIN) is ActivityState.PLANNED
    earlier_today = activity(due_date="2026-11-28", due_time="11:59")
    assert assemble.activity_state(earlier_today, NOW, BERLIN) is ActivityState.OVERDUE
    later_today = activity(due_date="2026-11-28", due_time="12:01:00")
    assert assemble.activity_state(later_today, NOW, BERLIN) is ActivityState.PLANNED
    assert assemble.activity_state(activity(), NOW, BERLIN) is ActivityState.PLANNED


def test_malformed_dates_degrade_to_none_instead_of_failing() -> None:
    a = ActivityInfo.model_validate(
        {"id": 1, "due_date": "soon", "due_time": "25:99", "duration": "x", "done": "1"}
    )
    assert (a.due_date, a.due_time, a.duration, a.done) == (None, None, None, True)
    n = NoteInfo.model_validate({"id": 1, "add_time": "2019-12-09 13:59:21"})
    assert n.add_time == datetime(2019, 12, 9, 13, 59, 21, tzinfo=UTC)


def test_activities_are_sorted_next_planned_first() -> None:
    ctx = assemble.ActivityContext({}, {9: "Big deal"}, assemble.Links("acme"), NOW, BERLIN)
    raw = [
        ActivityInfo.model_validate(x)
        for x in (
            {"id": 1, "done": True, "due_date": "2026-01-01"},
            {"id": 2, "due_date": "2026-12-24", "deal_id": 9},
            {"id": 3, "due_date": "2026-11-01"},
            {"id": 4, "done": True, "due_date": "2026-06-01"},
        )
    ]
    section = assemble.activities_section(raw, ctx)
    assert [a.id for a in section.items] == [2, 3, 4, 1]
    assert section.items[0].deal_title == "Big deal"
    assert section.items[0].deal_url == "https://acme.pipedrive.com/deal/9"
    assert section.items[0].due_time is None
    assert section.items[1].state is ActivityState.OVERDUE


def test_deals_overview_counts_and_sums_open_value_per_currency() -> None:
    deals = [
        DealInfo.model_validate(x)
        for x in (
            {"id": 1, "status": "open", "value": 100.5, "currency": "EUR"},
            {"id": 2, "status": "open", "value": 200, "currency": "EUR"},
            {"id": 3, "status": "open", "value": 5000, "currency": "JPY"},
            {"id": 4, "status": "won", "value": 999, "currency": "EUR"},
            {"id": 5, "status": "lost", "value": None, "currency": "EUR"},
        )
    ]
    overview = assemble.deals_overview(deals, person())
    assert (overview.total, overview.open, overview.won, overview.lost) == (5, 3, 1, 1)
    assert overview.open_value == (
        MoneyValue(Decimal("300.5"), "EUR"),
        MoneyValue(Decimal(5000), "JPY"),
    )
    reported = assemble.deals_overview(deals[:1], person(open_deals_count=12, won_deals_count=4))
    assert (reported.open, reported.won, reported.total) == (12, 4, 16)


def test_select_deals_puts_open_first_then_recent() -> None:
    deals = [
        DealInfo.model_validate(x)
        for x in (
            {"id": 1, "status": "won", "update_time": "2026-11-01T00:00:00Z"},
            {"id": 2, "status": "open", "update_time": "2025-01-01T00:00:00Z"},
            {"id": 3, "status": "lost", "update_time": "2026-11-20T00:00:00Z"},
            {"id": 4, "status": "open", "update_time": "2026-02-01T00:00:00Z"},
            {"id": 5, "status": "open", "is_deleted": True},
        )
    ]
    assert [d.id for d in assemble.select_deals(deals)] == [4, 2, 3, 1]
    assert (
        assemble.deal_status(DealInfo.model_validate({"id": 1, "status": "?"})) is DealStatus.OPEN
    )


def test_notes_are_newest_first_and_sanitised() -> None:
    notes = [
        NoteInfo.model_validate(x)
        for x in (
            {"id": 1, "content": "old", "add_time": "2020-01-01 00:00:00"},
            {
                "id": 2,
                "content": "<b>new</b><script>x()</script>",
                "add_time": "2026-01-01 00:00:00",
            },
            {"id": 3, "content": "gone", "active_flag": False},
        )
    ]
    section = assemble.notes_section(notes, total=40)
    assert [n.id for n in section.items] == [2, 1]
    assert section.items[0].html == "<b>new</b>"
    assert section.total == 40


def test_field_definitions_keep_only_custom_fields_in_order() -> None:
    fields = [
        PersonField.model_validate(x)
        for x in (
            {"field_code": "name", "field_name": "Name", "is_custom_field": False},
            {
                "field_code": "a" * 40,
                "field_name": "Tier",
                "field_type": "enum",
                "is_custom_field": True,
                "options": [{"id": 1, "label": "Gold"}],
            },
        )
    ]
    (definition,) = assemble.field_definitions(fields)
    assert (definition.name, definition.field_type, dict(definition.options)) == (
        "Tier",
        "enum",
        {1: "Gold"},
    )


def test_times_parse_v1_and_v2_formats() -> None:
    a = ActivityInfo.model_validate({"id": 1, "due_time": "15:00", "duration": "01:30"})
    assert a.due_time == time(15, 0)
    assert a.duration is not None
    assert a.duration.total_seconds() == 5400
    d = DealInfo.model_validate({"id": 1, "expected_close_date": "2026-12-31"})
    assert d.expected_close_date == date(2026, 12, 31)
