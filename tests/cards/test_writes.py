"""The contact card's writes: the button row, "Logged to Pipedrive", "Mark as done", receipts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from cardin import cards
from cardin.actions import parse_action
from cardin.cards import LoggedView, Op, WriteOptions, WriteReceipt, action_response, push
from cardin.cards import trigger_response as trigger
from cardin.connectors.features import ALL_FEATURES, Feature
from cardin.contact.model import Match
from cardin.contact.outcome import Failure, FailureKind
from tests.cards import checked, fixtures
from tests.cards.golden_files import GOLDEN_ROOT, assert_matches_golden
from tests.cards.probe import actions, texts, widget_count
from tests.cards.validate import assert_valid_card, walk

Card = dict[str, Any]
GOLDEN = GOLDEN_ROOT / "writes"
EN = fixtures.context()
DE = fixtures.context("de_DE")
WRITES = frozenset({Feature.LOG_EMAILS, Feature.WRITE_NOTES, Feature.WRITE_ACTIVITIES,
                    Feature.WRITE_DEALS})  # fmt: skip
READS_ONLY = fixtures.context(features=ALL_FEATURES - WRITES)
OPEN = WriteOptions(message_open=True)
LOGGED = WriteOptions(
    message_open=True,
    logged=LoggedView(logged_at=datetime(2026, 11, 19, 23, 30, tzinfo=UTC),
                      url=f"{fixtures.APP}/person/1"),
)  # fmt: skip
RECEIPT = WriteOptions(
    message_open=True, receipt=WriteReceipt(message_id="write.done.note", tokens=10)
)
BUTTONS = ["Log email", "Add note", "Schedule activity", "Create deal"]


def contact_card(
    match: Match | None = None,
    ctx: cards.CardContext = EN,
    writes: WriteOptions | None = OPEN,
    sender_name: str | None = "Ada L.",
) -> Card:
    return checked.render_contact_card(
        match or fixtures.rich_match(), ctx, writes=writes, sender_name=sender_name
    )


def list_card(section: str = "activities", writes: WriteOptions | None = OPEN,
              match: Match | None = None) -> Card:  # fmt: skip
    return checked.render_list_card(match or fixtures.rich_match(), section, EN, writes=writes)


def button_row(card: Card) -> list[str]:
    """The labels of the write buttons (the first section's button list)."""
    for widget in card["sections"][0]["widgets"]:
        if "buttonList" in widget:
            return [b["text"] for b in widget["buttonList"]["buttons"]]
    return []


def done_buttons(card: Card) -> list[dict[str, str]]:
    """The parameters of every "Mark as done" button."""
    return [
        {p["key"]: p["value"] for p in value["onClick"]["action"]["parameters"]}
        for _, key, value in walk(card)
        if key == "button" and value["text"] == "Mark as done"
    ]


# --- golden files --------------------------------------------------------------------------

GOLDEN_CASES: dict[str, Callable[[], Card]] = {
    "contact_writes": lambda: trigger(contact_card()),
    "contact_writes_logged": lambda: trigger(contact_card(writes=LOGGED)),
    "contact_writes_receipt": lambda: trigger(contact_card(writes=RECEIPT)),
    "contact_writes_off": lambda: trigger(contact_card(ctx=READS_ONLY)),
    "contact_writes_de": lambda: trigger(contact_card(ctx=DE, writes=RECEIPT)),
    "activities_list_writes": lambda: action_response(push(list_card(writes=RECEIPT))),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_card_matches_its_golden_file(name: str) -> None:
    assert_matches_golden(GOLDEN, name, GOLDEN_CASES[name]())


def test_every_writes_golden_file_has_a_case() -> None:
    assert {p.stem for p in GOLDEN.glob("*.json")} == set(GOLDEN_CASES)


# --- the button row ------------------------------------------------------------------------


def test_the_buttons_come_first_with_their_english_labels() -> None:
    card = contact_card()

    assert button_row(card) == BUTTONS
    assert "header" not in card["sections"][0]
    assert card["sections"][1]["header"] == "General info"


def test_each_button_opens_its_form_about_this_person() -> None:
    card = contact_card()
    row = next(w for w in card["sections"][0]["widgets"] if "buttonList" in w)
    params = [
        {p["key"]: p["value"] for p in b["onClick"]["action"]["parameters"]}
        for b in row["buttonList"]["buttons"]
    ]

    assert [p["op"] for p in params] == [
        Op.LOG_EMAIL_FORM, Op.NOTE_FORM, Op.ACTIVITY_FORM, Op.DEAL_FORM,
    ]  # fmt: skip
    for p in params:
        assert (p["connector"], p["email"], p["person_id"], p["name"]) == (
            "conn-1", "ada@engines.example", "1", "Ada L.",
        )  # fmt: skip
        action = parse_action(p, {})
        assert action.about.person_id == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("off", "gone"),
    [(Feature.LOG_EMAILS, "Log email"), (Feature.WRITE_NOTES, "Add note"),
     (Feature.WRITE_ACTIVITIES, "Schedule activity"), (Feature.WRITE_DEALS, "Create deal")],
)  # fmt: skip
def test_each_button_needs_its_feature(off: Feature, gone: str) -> None:
    card = contact_card(ctx=fixtures.context(features=ALL_FEATURES - {off}))

    assert button_row(card) == [b for b in BUTTONS if b != gone]


def test_with_every_write_off_there_is_no_write_section_and_no_mark_done() -> None:
    card = contact_card(ctx=READS_ONLY)

    assert card["sections"][0]["header"] == "General info"
    assert done_buttons(card) == []


def test_log_email_only_with_an_open_message() -> None:
    assert button_row(contact_card(writes=WriteOptions())) == BUTTONS[1:]


def test_a_logged_message_says_so_instead_of_offering_to_log_it_again() -> None:
    card = contact_card(writes=LOGGED)
    first = card["sections"][0]["widgets"][0]["decoratedText"]

    assert button_row(card) == BUTTONS[1:]
    assert "Logged to Pipedrive on Nov 20, 2026" in first["text"]  # 23:30 UTC is the 20th in Berlin
    assert first["button"]["onClick"] == {"openLink": {"url": f"{fixtures.APP}/person/1"}}


def test_without_writes_the_card_is_as_before() -> None:
    match = fixtures.rich_match()
    before = cards.render_contact_card(match, EN)

    assert before == contact_card(match, writes=None)
    assert Op.NOTE_FORM.value not in {a.get("op") for a in actions(before)}
    assert done_buttons(before) == []


def test_the_outcome_card_passes_writes_and_the_sender_name_on() -> None:
    card = cards.render_outcome_card(
        fixtures.rich_match(), EN, email="ada@engines.example", connector_name="Pipedrive",
        sender_name="Ada L.", writes=OPEN,
    )  # fmt: skip

    assert_valid_card(card)
    assert button_row(card) == BUTTONS
    assert {a.get("name") for a in actions(card) if a.get("op") == Op.NOTE_FORM} == {"Ada L."}


def test_the_outcome_card_of_a_failure_ignores_writes() -> None:
    card = cards.render_outcome_card(
        Failure(FailureKind.UNAVAILABLE), EN, email="a@b.example", connector_name="Pipedrive",
        writes=OPEN,
    )  # fmt: skip

    assert_valid_card(card)
    assert "Log email" not in texts(card)


# --- mark as done --------------------------------------------------------------------------


def test_each_open_activity_has_mark_as_done_and_done_ones_do_not() -> None:
    match = fixtures.rich_match()
    card = contact_card(match)
    shown = match.contact.activities.items[:5]  # the card previews five

    assert [int(p["activity_id"]) for p in done_buttons(card)] == [
        a.id for a in shown if not a.is_done
    ]
    for params in done_buttons(card):
        assert params["op"] == Op.MARK_DONE
        assert parse_action(params, {}).op is Op.MARK_DONE


def test_mark_as_done_needs_the_activities_write_feature() -> None:
    ctx = fixtures.context(features=ALL_FEATURES - {Feature.WRITE_ACTIVITIES})
    assert done_buttons(contact_card(ctx=ctx)) == []


def test_the_activities_list_offers_mark_as_done_on_open_ones_only() -> None:
    match = fixtures.huge_match()
    card = list_card(match=match)
    done_ids = {a.id for a in match.contact.activities.items if a.is_done}
    ids = [int(p["activity_id"]) for p in done_buttons(card)]

    assert ids
    assert not done_ids & set(ids)
    assert widget_count(card) <= 100
    # the list comes back after the click, not the contact card
    assert {p.get("section") for p in done_buttons(card)} == {"activities"}
    assert all("section" not in p for p in done_buttons(contact_card(match)))


def test_other_lists_have_no_write_buttons() -> None:
    assert done_buttons(list_card("notes")) == []
    assert done_buttons(list_card("activities", writes=None)) == []


# --- receipts ------------------------------------------------------------------------------


def test_the_footer_shows_the_receipt_of_the_last_write() -> None:
    card = contact_card(writes=RECEIPT)
    footer = card["sections"][-1]["widgets"]

    assert "Note added · 10 Pipedrive tokens" in footer[0]["decoratedText"]["text"]
    assert "Updated 5 minutes ago" in footer[1]["decoratedText"]["text"]


def test_a_receipt_of_one_token_is_singular_and_german_is_german() -> None:
    one = WriteOptions(receipt=WriteReceipt(message_id="write.done.deal", tokens=1))

    assert "Deal created · 1 Pipedrive token" in texts(contact_card(writes=one))
    assert "Notiz hinzugefügt · 10 Pipedrive-Tokens" in texts(contact_card(ctx=DE, writes=RECEIPT))


def test_the_list_card_ends_with_the_receipt_within_the_limit() -> None:
    card = list_card(writes=RECEIPT, match=fixtures.huge_match())

    assert "Note added" in card["sections"][-1]["widgets"][0]["decoratedText"]["text"]
    assert widget_count(card) <= 100
    shown = texts(card)
    assert "1–" in shown  # the page's position is still there
    assert "show_all" in {a["op"] for a in actions(card)}  # and Next


def test_a_huge_contact_with_every_write_stays_within_the_limit() -> None:
    card = contact_card(fixtures.huge_match(), writes=RECEIPT)

    assert widget_count(card) <= 100
    assert button_row(card) == BUTTONS
    assert "Note added" in texts(card)


def test_german_labels() -> None:
    assert button_row(contact_card(ctx=DE)) == [
        "E-Mail protokollieren", "Notiz hinzufügen", "Aktivität planen", "Deal anlegen",
    ]  # fmt: skip
    assert "Am 20.11.2026 in Pipedrive protokolliert" in texts(contact_card(ctx=DE, writes=LOGGED))
    assert "Als erledigt markieren" in texts(contact_card(ctx=DE))
