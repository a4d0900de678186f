"""Acting from the side panel end to end: each form, its submit, and the card that comes back.

The real add-on service with Google's signed events, on the in-process sandbox: every response
is validated against Google's card types.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cardin.addon.gmail import READONLY_SCOPE
from cardin.preview.google import TIME_ZONE
from cardin.sandbox import RICH_EMAIL, Sandbox, demo_dataset
from cardin.sandbox.faults import FaultPlan
from tests.cards.validate import assert_valid_response
from tests.conftest import TODAY
from tests.service.harness import (
    Harness,
    action,
    actions_of,
    running,
    text_of,
    top_card,
    walk,
)
from tests.service.test_flow import ACTION_URL, ANN, add_connector

MESSAGE_TEXT = "Dear Maria,\nthe renewal offer is attached.\nÉlodie"


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    sandbox = Sandbox(demo_dataset(TODAY), rate_limits=False)
    async with running(sandbox, tmp_path) as h:
        await add_connector(h, ANN, writes=True)
        yield h


def valid(response: dict[str, Any]) -> dict[str, Any]:
    assert_valid_response(response, action_url=ACTION_URL)
    return response


def posts(harness: Harness, path: str) -> int:
    return sum(1 for r in harness.sandbox.requests if r.method == "POST" and r.path == path)


def message(harness: Harness) -> str:
    message_id = harness.message(sender=f"Élodie Marchand <{RICH_EMAIL}>", to=ANN.email)
    harness.google.add_message(
        message_id,
        sender=f"Élodie Marchand <{RICH_EMAIL}>",
        to=ANN.email,
        subject="Solar renewal 2027",
        text=MESSAGE_TEXT,
    )
    return message_id


async def test_log_email_once_then_the_card_says_logged(harness: Harness) -> None:
    mail = message(harness)
    opened = valid(await harness.open(ANN, mail))
    form = valid(await harness.act(ANN, action(opened, "log_email_form"), message_id=mail))
    assert top_card(form)["header"]["title"] == "Log email"
    assert "Solar renewal 2027" in text_of(form)
    submit = action(form, "log_email")

    logged = valid(
        await harness.act(ANN, submit, form={"comment_input": ["Call her"]}, message_id=mail)
    )

    navigations = logged["renderActions"]["action"]["navigations"]
    assert navigations[0] == {"popToRoot": True}
    assert "Logged to Pipedrive on" in text_of(logged)
    assert "Email logged" in text_of(logged)
    assert "log_email_form" not in [a.get("op") for a in actions_of(logged)]
    assert posts(harness, "/v1/notes") == 1
    note = harness.sandbox.requests[-1]
    assert note.method == "GET"  # the card was looked up afresh after the write
    again = valid(await harness.act(ANN, submit, form={"comment_input": ["x"]}, message_id=mail))
    assert "Logged to Pipedrive on" in text_of(again)
    assert posts(harness, "/v1/notes") == 1
    reopened = valid(await harness.open(ANN, mail))
    assert "Logged to Pipedrive on" in text_of(reopened)
    assert "log_email_form" not in [a.get("op") for a in actions_of(reopened)]


async def test_including_the_message_text_asks_google_first(harness: Harness) -> None:
    mail = message(harness)
    opened = valid(await harness.open(ANN, mail))
    form = valid(await harness.act(ANN, action(opened, "log_email_form"), message_id=mail))
    submit = action(form, "log_email")
    asked = await harness.act(ANN, submit, form={"body_input": ["true"]}, message_id=mail)
    assert asked == {"requesting_google_scopes": {"scopes": [READONLY_SCOPE]}}
    assert posts(harness, "/v1/notes") == 0

    harness.google.grant(ANN.sub, [READONLY_SCOPE])
    valid(await harness.act(ANN, submit, form={"body_input": ["true"]}, message_id=mail))

    notes = [r for r in harness.sandbox.requests if r.method == "POST" and r.path == "/v1/notes"]
    assert len(notes) == 1
    content = harness.sandbox.dataset.companies[0].notes[-1]["content"]
    assert "the renewal offer is attached." in content


async def test_an_empty_note_keeps_the_form_then_a_note_is_added(harness: Harness) -> None:
    mail = message(harness)
    opened = valid(await harness.open(ANN, mail))
    form = valid(await harness.act(ANN, action(opened, "note_form"), message_id=mail))
    submit = action(form, "add_note")

    empty = valid(await harness.act(ANN, submit, form={"note_input": ["  "]}, message_id=mail))

    assert top_card(empty)["header"]["title"] == "Add note"
    assert "Please fill this in." in text_of(empty)
    assert posts(harness, "/v1/notes") == 0
    typed = {"note_input": ["Asked for a call\nnext week"]}
    added = valid(await harness.act(ANN, submit, form=typed, message_id=mail))
    assert "Note added" in text_of(added)
    assert "Asked for a call" in text_of(added)
    assert posts(harness, "/v1/notes") == 1
    # the message's dashboard shows the lookup the write made, with what it cost, not the
    # cache that lookup filled ("No Pipedrive tokens used (from cache)")
    assert "No Pipedrive tokens used" not in text_of(added)
    assert "Pipedrive tokens used" in text_of(added)


async def test_a_timed_out_note_is_not_written_twice(harness: Harness) -> None:
    mail = message(harness)
    opened = valid(await harness.open(ANN, mail))
    form = valid(await harness.act(ANN, action(opened, "note_form"), message_id=mail))
    submit = action(form, "add_note")
    harness.sandbox.set_faults(FaultPlan.parse("landed@/v1/notes"))

    added = valid(
        await harness.act(ANN, submit, form={"note_input": ["In the dark"]}, message_id=mail)
    )

    harness.sandbox.set_faults(FaultPlan.none())
    assert "Note added" in text_of(added)
    again = valid(
        await harness.act(ANN, submit, form={"note_input": ["In the dark"]}, message_id=mail)
    )
    assert "In the dark" in text_of(again)
    assert posts(harness, "/v1/notes") == 1


async def test_an_activity_is_scheduled_and_marked_done(harness: Harness) -> None:
    mail = message(harness)
    opened = valid(await harness.open(ANN, mail))
    form = valid(await harness.act(ANN, action(opened, "activity_form"), message_id=mail))
    assert "Follow up: Solar renewal 2027" in text_of(form)
    typed = {
        "subject_input": ["Follow up: Solar renewal 2027"],
        "type_input": ["call"],
        "due_input": ["2026-12-01T08:00:00+00:00"],
        "duration_input": ["30"],
    }
    made = valid(
        await harness.act(ANN, action(form, "schedule_activity"), form=typed, message_id=mail)
    )
    assert "Activity scheduled" in text_of(made)
    assert posts(harness, "/api/v2/activities") == 1
    activities = harness.sandbox.dataset.companies[0].activities
    [created] = [a for a in activities if a["subject"] == typed["subject_input"][0]]
    done = action(made, "mark_done", activity_id=str(created["id"]))

    marked = valid(await harness.act(ANN, done, message_id=mail))

    assert "Marked as done" in text_of(marked)
    assert created["done"] is True
    assert str(created["id"]) not in [a.get("activity_id") for a in actions_of(marked)]


async def test_a_deal_form_refuses_a_bad_value_then_creates_the_deal(harness: Harness) -> None:
    mail = message(harness)
    opened = valid(await harness.open(ANN, mail))
    form = valid(await harness.act(ANN, action(opened, "deal_form"), message_id=mail))
    assert "Solar renewal 2027" in text_of(form)
    submit = action(form, "create_deal")
    typed = {"title_input": ["Solar 2027"], "value_input": ["lots"], "currency_input": ["EUR"]}

    refused = valid(await harness.act(ANN, submit, form=typed, message_id=mail))

    assert "Enter a number" in text_of(refused)
    assert "Solar 2027" in text_of(refused)
    assert posts(harness, "/api/v2/deals") == 0
    typed["value_input"] = ["12,500"]
    made = valid(await harness.act(ANN, submit, form=typed, message_id=mail))
    assert "Deal created" in text_of(made)
    assert "Solar 2027" in text_of(made)
    assert posts(harness, "/api/v2/deals") == 1


async def test_pipedrive_refusing_a_write_keeps_the_form_with_its_reason(
    harness: Harness,
) -> None:
    mail = message(harness)
    opened = valid(await harness.open(ANN, mail))
    form = valid(await harness.act(ANN, action(opened, "deal_form"), message_id=mail))
    typed = {"title_input": ["Odd money"], "currency_input": ["XYZ"]}

    refused = valid(
        await harness.act(ANN, action(form, "create_deal"), form=typed, message_id=mail)
    )

    assert top_card(refused)["header"]["title"] == "Create deal"
    assert "Pipedrive says:" in text_of(refused)
    assert "Odd money" in text_of(refused)


async def test_mark_as_done_on_the_activities_list_keeps_the_list(harness: Harness) -> None:
    mail = message(harness)
    opened = valid(await harness.open(ANN, mail))
    listed = valid(
        await harness.act(ANN, action(opened, "show_all", section="activities"), message_id=mail)
    )
    done = action(listed, "mark_done", section="activities")

    marked = valid(await harness.act(ANN, done, message_id=mail))

    assert "Marked as done" in text_of(marked)
    assert top_card(marked)["name"] == "list_activities"
    assert done["activity_id"] not in [a.get("activity_id") for a in actions_of(marked)]


def form_input(response: dict[str, Any], name: str) -> dict[str, Any]:
    """The one input widget named `name` on the form a response pushes."""
    found = [
        body
        for node in walk(top_card(response))
        for kind, body in node.items()
        if kind in {"textInput", "selectionInput", "dateTimePicker"} and body["name"] == name
    ]
    assert len(found) == 1, (name, found)
    return found[0]


def picked(response: dict[str, Any], name: str) -> list[str]:
    return [i["value"] for i in form_input(response, name)["items"] if i["selected"]]


async def test_the_forms_start_with_the_defaults_of_the_issue(harness: Harness) -> None:
    mail = message(harness)
    company = harness.sandbox.dataset.companies[0]
    company.users[0]["default_currency"] = "CHF"  # the metadata's currency, not the fallback
    opened = valid(await harness.open(ANN, mail))
    # Élodie has several open deals: a log or a note goes on her by default
    for op in ("log_email_form", "note_form"):
        form = valid(await harness.act(ANN, action(opened, op), message_id=mail))
        assert picked(form, "deal_input") == ["0"], op
    deal = valid(await harness.act(ANN, action(opened, "deal_form"), message_id=mail))
    org = next(o for o in company.organizations if o["id"] == 2)
    title = f"{org['name']} – Solar renewal 2027"
    assert form_input(deal, "title_input")["value"] == title
    assert form_input(deal, "currency_input")["value"] == "CHF"
    activity = valid(await harness.act(ANN, action(opened, "activity_form"), message_id=mail))
    due = form_input(activity, "due_input")
    zone = ZoneInfo(TIME_ZONE)  # the zone Gmail's event carries
    local = datetime.fromtimestamp(int(due["valueMsEpoch"]) / 1000, zone)
    today = datetime.now(zone).date()
    assert local.time() == time(9, 0)
    assert local.weekday() < 5  # Monday to Friday
    assert 1 <= (local.date() - today).days <= 3  # Friday to Monday at most
    offset = local.utcoffset()
    assert offset is not None
    assert due["timezoneOffsetDate"] == offset.total_seconds() // 60


async def test_with_one_open_deal_a_log_or_note_goes_on_it_by_default(harness: Harness) -> None:
    mail = message(harness)
    for found in harness.sandbox.dataset.companies[0].deals:
        if found.get("person_id") == 1 and found["id"] != 1 and found["status"] == "open":
            found["status"] = "lost"  # Élodie keeps one open deal
    opened = valid(await harness.open(ANN, mail))
    for op in ("log_email_form", "note_form"):
        form = valid(await harness.act(ANN, action(opened, op), message_id=mail))
        assert picked(form, "deal_input") == ["1"], op
