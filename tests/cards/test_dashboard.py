"""The homepage, the message dashboard and the add-contact prompt (SPEC §2, §4, §9)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import pytest

from cardin import cards
from cardin.cards import (
    MAX_WIDGETS,
    SEARCH_INPUT,
    DashboardContact,
    DashboardEntry,
    trigger_response,
)
from cardin.connectors.model import Connector, ConnectorState, RunMode
from tests.cards import fixtures
from tests.cards.checked import render_contact_card
from tests.cards.golden_files import GOLDEN_ROOT, assert_matches_golden
from tests.cards.probe import actions, headers, ops, section, texts, widget_count
from tests.cards.validate import assert_valid_card, html_fields, walk

Card = dict[str, Any]
GOLDEN = GOLDEN_ROOT / "dashboard"
EN = fixtures.context()  # the default connector's context ("conn-1")
HOME_CTX = fixtures.context(connector_id=None)
SENDER = ("ada@engines.example", "Ada Lovelace")
STATES = list(ConnectorState)
PARTICIPANTS = [("charles@engines.example", "Charles Babbage"), ("ops@engines.example", None)]


def widget_kinds(card: Card) -> set[str]:
    """The keys of every widget in the card (its kind, such as `textInput`), however nested."""
    return {kind for _, key, value in walk(card) if key == "widgets" for w in value for kind in w}


def checked(card: Card) -> Card:
    assert_valid_card(card)
    return card


def homepage(connectors: Sequence[Connector] = (), ctx: cards.CardContext = HOME_CTX) -> Card:
    return checked(cards.render_homepage(ctx, connectors=connectors, user_email="sam@acme.example"))


NAMES = {
    ConnectorState.HAS_MATCH: "Sales EU",
    ConnectorState.NO_MATCH: "Partners",
    ConnectorState.REAUTH: "Berlin office",
    ConnectorState.MANUAL: "Support",
    ConnectorState.ERROR: "Marketing",
    ConnectorState.PAYMENT: "Old trial",
}


def other(i: int, state: ConnectorState) -> Connector:
    mode = RunMode.MANUAL if state is ConnectorState.MANUAL else RunMode.AUTOMATIC
    account = fixtures.GLOBEX_ACCOUNT if i % 2 else fixtures.PD_ACCOUNT
    return fixtures.connector(f"conn-{i}", NAMES[state], run_mode=mode, account=account, position=i)


def every_state() -> list[DashboardEntry]:
    """One other connector in each state (the error one after a rate limit)."""
    summaries = {ConnectorState.HAS_MATCH: "Ada Lovelace · Analytical Engines Ltd",
                 ConnectorState.ERROR: "Rate limit reached"}  # fmt: skip
    return [
        DashboardEntry(
            other(i, state),
            state,
            summary=summaries.get(state),
            retry_after=120 if state is ConnectorState.ERROR else None,
        )
        for i, state in enumerate(STATES, start=2)
    ]


def dashboard(
    main: Card | None,
    entries: Sequence[DashboardEntry] = (),
    participants: Sequence[tuple[str, str | None]] = PARTICIPANTS,
    *,
    sender_name: str | None = SENDER[1],
    ctx: cards.CardContext = EN,
    more: Sequence[DashboardContact] = (),
) -> Card:
    card = cards.render_dashboard(
        ctx,
        email=SENDER[0],
        sender_name=sender_name,
        main=main,
        entries=entries,
        participants=participants,
        more=more,
    )
    return checked(card)


def contact_main() -> Card:
    return render_contact_card(fixtures.rich_match(), EN)


def rows(card: Card, header: str) -> list[Card]:
    return [w["decoratedText"] for w in section(card, header)["widgets"] if "decoratedText" in w]


# --- golden files --------------------------------------------------------------------------

GOLDEN_CASES: dict[str, Callable[[], Card]] = {
    "home_empty": lambda: trigger_response(homepage()),
    "home_three_connectors": lambda: trigger_response(homepage(fixtures.three_connectors())),
    "dashboard_contact": lambda: trigger_response(dashboard(contact_main(), every_state())),
    "dashboard_no_main": lambda: trigger_response(dashboard(None, every_state())),
    "dashboard_two_contacts": lambda: trigger_response(
        dashboard(contact_main(), every_state()[1:], more=[globex_contact()])
    ),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_card_matches_its_golden_file(name: str) -> None:
    assert_matches_golden(GOLDEN, name, GOLDEN_CASES[name]())


def test_every_dashboard_golden_file_has_a_case() -> None:
    assert {p.stem for p in GOLDEN.glob("*.json")} == set(GOLDEN_CASES)


# --- homepage ------------------------------------------------------------------------------


def test_homepage_without_connectors_invites_to_add_one() -> None:
    card = homepage()
    assert card["header"] == {"title": "sam@acme.example"}  # Gmail names the add-on above it
    assert "Add your Pipedrive account" in texts(card)
    assert actions(card) == [{"op": "setup_start"}]
    assert "textInput" not in widget_kinds(card)


def test_homepage_lists_the_connectors_with_their_actions() -> None:
    card = homepage(fixtures.three_connectors())
    assert headers(card) == ["Your Pipedrive accounts", "Look up an email address"]
    listed = rows(card, "Your Pipedrive accounts")
    assert [r["text"] for r in listed] == ["<b>Pipedrive</b>", "<b>Sales EU</b>", "<b>Support</b>"]
    assert [r["bottomLabel"] for r in listed] == [
        "acme.pipedrive.com · Automatic · Default",
        "globex.pipedrive.com · Automatic",
        "acme.pipedrive.com · Manual",
    ]
    for connector in ("conn-1", "conn-2", "conn-3"):
        for op in ("edit", "reauth", "delete"):
            assert {"op": op, "connector": connector} in actions(card)
    assert {"op": "setup_start"} in actions(card)


def test_homepage_searches_by_email_and_names_no_connector_elsewhere() -> None:
    card = homepage(fixtures.three_connectors(), ctx=EN)  # even from a connector's context
    search = section(card, "Look up an email address")["widgets"]
    assert search[0]["textInput"]["name"] == SEARCH_INPUT
    lookup = search[1]["buttonList"]["buttons"][0]["onClick"]["action"]
    assert lookup["requiredWidgets"] == [SEARCH_INPUT]
    assert {"op": "lookup"} in actions(card)
    for params in actions(card):
        assert ("connector" in params) == (params["op"] in {"edit", "reauth", "delete"})


def test_homepage_with_very_many_connectors_stays_within_the_limit() -> None:
    many = [fixtures.connector(f"c{i}", f"Account {i}") for i in range(120)]
    card = homepage(many)
    assert widget_count(card) <= MAX_WIDGETS
    assert "80 more not shown" in texts(card)


# --- the dashboard with a default card -----------------------------------------------------


def test_dashboard_puts_the_other_accounts_first_keeps_main_and_appends_people() -> None:
    main = contact_main()
    card = dashboard(main, every_state())
    assert card["header"] == main["header"]
    assert card["sections"][0]["header"] == "Other accounts"
    assert card["sections"][1 : len(main["sections"]) + 1] == main["sections"]
    assert headers(card)[-1] == "Other people in this thread"
    assert card["cardActions"][:-1] == main["cardActions"]
    assert card["cardActions"][-1]["actionLabel"] == "Pipedrive accounts"
    assert {"op": "home"} in actions(card)


def test_main_is_not_changed() -> None:
    main = contact_main()
    before = copy.deepcopy(main)
    dashboard(main, every_state())
    assert main == before


@pytest.mark.parametrize(
    ("state", "label", "op"),
    [
        (ConnectorState.HAS_MATCH, "Has match", "open_connector"),
        (ConnectorState.NO_MATCH, "No match", "open_connector"),
        (ConnectorState.REAUTH, "Reauth", "open_connector"),
        (ConnectorState.MANUAL, "Manual", "run_connector"),
        (ConnectorState.ERROR, "Error", "run_connector"),
        (ConnectorState.PAYMENT, "Payment", "open_connector"),
    ],
)
def test_each_state_has_its_label_on_the_right_and_its_action(
    state: ConnectorState, label: str, op: str
) -> None:
    entry = next(e for e in every_state() if e.state is state)
    card = dashboard(contact_main(), [entry])
    [row] = rows(card, "Other accounts")
    assert row["button"]["text"] == label
    assert set(row["button"]["color"]) == {"red", "green", "blue"}
    expected = {"op": op, "connector": entry.connector.id, "email": SENDER[0], "name": SENDER[1]}
    assert row["onClick"]["action"] == row["button"]["onClick"]["action"]
    assert {p["key"]: p["value"] for p in row["onClick"]["action"]["parameters"]} == expected
    assert row["text"] == f"<b>{NAMES[state]}</b>"
    assert row["topLabel"] in {"acme.pipedrive.com", "globex.pipedrive.com"}


def test_state_labels_have_distinct_colours() -> None:
    card = dashboard(None, every_state())
    colours = [json.dumps(r["button"]["color"]) for r in rows(card, "Pipedrive accounts")]
    assert len(set(colours)) == len(STATES)


def test_rows_show_the_summary_or_what_the_state_means() -> None:
    card = dashboard(contact_main(), every_state())
    bottoms = {r["button"]["text"]: r["bottomLabel"] for r in rows(card, "Other accounts")}
    assert bottoms == {
        "Has match": "Ada Lovelace · Analytical Engines Ltd",
        "No match": "Nobody with this address",
        "Reauth": "New API token needed",
        "Manual": "Tap to search this account",
        "Error": "Rate limit reached · Try again in 2 minutes (at 3:32\u202fPM).",
        "Payment": "Pipedrive account inactive",
    }


def test_error_without_retry_after_says_try_again_soon() -> None:
    entry = DashboardEntry(other(2, ConnectorState.ERROR), ConnectorState.ERROR)
    [row] = rows(dashboard(None, [entry]), "Pipedrive accounts")
    assert row["bottomLabel"] == "Try again in a moment."


def test_other_people_can_be_looked_up() -> None:
    card = dashboard(contact_main(), every_state())
    people = rows(card, "Other people in this thread")
    assert [p["text"] for p in people] == ["Charles Babbage", "ops@engines.example"]
    assert people[0]["bottomLabel"] == "charles@engines.example"
    assert "bottomLabel" not in people[1]
    lookups = [p for p in actions(card) if p["op"] == "lookup"]
    assert lookups == [
        {"op": "lookup", "email": "charles@engines.example", "name": "Charles Babbage"},
        {"op": "lookup", "email": "ops@engines.example"},
    ]


def test_without_entries_or_people_only_main_and_the_menu_entry_are_added() -> None:
    main = contact_main()
    card = dashboard(main, [], [])
    assert card["sections"] == main["sections"]


# --- the dashboard without a default card --------------------------------------------------


def test_without_main_the_header_names_the_sender_and_the_list_is_the_card() -> None:
    card = dashboard(None, every_state())
    breakable = "ada@\u200bengines\u200b.example"  # it wraps after "@" and before ".", if at all
    assert card["header"] == {"title": "Ada Lovelace", "subtitle": breakable}
    assert headers(card) == ["Pipedrive accounts", "Other people in this thread"]
    assert card["name"] == "dashboard"
    assert len(rows(card, "Pipedrive accounts")) == len(STATES)


def test_without_a_sender_name_the_address_is_the_title() -> None:
    card = dashboard(None, every_state(), sender_name=None)
    assert card["header"] == {"title": "ada@engines.example"}
    assert all("name" not in params for params in actions(card) if params["op"] != "lookup")


def test_with_nothing_at_all_it_offers_to_add_an_account() -> None:
    card = dashboard(None, [], [])
    assert "No Pipedrive account is connected yet." in texts(card)
    assert ops(card) == {"setup_start", "home"}


# --- the 100-widget limit ------------------------------------------------------------------


def _many_entries(count: int) -> list[DashboardEntry]:
    return [
        DashboardEntry(other(i, STATES[i % len(STATES)]), STATES[i % len(STATES)])
        for i in range(count)
    ]


def _many_people(count: int) -> list[tuple[str, str | None]]:
    return [(f"person{i}@thread.example", f"Person {i}") for i in range(count)]


def test_participants_are_trimmed_first() -> None:
    main = contact_main()
    card = dashboard(main, every_state(), _many_people(200))
    assert widget_count(card) == MAX_WIDGETS
    assert card["sections"][1 : len(main["sections"]) + 1] == main["sections"]
    people = section(card, "Other people in this thread")["widgets"]
    hidden = 200 - (len(people) - 1)
    assert people[-1]["decoratedText"]["text"] == (
        f'<font color="#5f6368">{hidden} more not shown</font>'
    )


def test_a_huge_main_loses_its_last_sections_with_a_note() -> None:
    main = render_contact_card(fixtures.huge_match(), EN)
    card = dashboard(main, _many_entries(40), _many_people(50))
    assert widget_count(card) <= MAX_WIDGETS
    assert "Other people in this thread" not in headers(card)
    assert len(rows(card, "Other accounts")) == 40
    assert card["sections"][0]["header"] == "Other accounts"
    kept = len(card["sections"]) - 2
    assert 0 < kept < len(main["sections"])
    assert card["sections"][1 : kept + 1] == main["sections"][:kept]
    note = card["sections"][-1]["widgets"][0]["decoratedText"]
    assert "Part of this card was left out" in note["text"]
    assert {p["key"]: p["value"] for p in note["button"]["onClick"]["action"]["parameters"]} == {
        "op": "open_connector", "connector": "conn-1", "email": SENDER[0], "name": SENDER[1],
    }  # fmt: skip


def test_a_main_whose_first_section_alone_is_too_big_is_shortened() -> None:
    widgets = [{"textParagraph": {"text": f"line {i}"}} for i in range(99)]
    main = {"header": {"title": "Big"}, "sections": [
        {"widgets": widgets, "collapsible": True, "uncollapsibleWidgetsCount": 90},
        {"widgets": [{"textParagraph": {"text": "tail"}}]},
    ]}  # fmt: skip
    card = dashboard(main, _many_entries(12), _many_people(5))
    assert widget_count(card) <= MAX_WIDGETS
    first = card["sections"][1]
    assert len(first["widgets"]) == MAX_WIDGETS - 12 - 1
    assert "collapsible" not in first
    assert "tail" not in texts(card)


def test_many_entries_without_main_stay_within_the_limit() -> None:
    card = dashboard(None, _many_entries(150), _many_people(150))
    assert widget_count(card) <= MAX_WIDGETS
    assert "110 more not shown" in texts(card)


# --- hostile names -------------------------------------------------------------------------


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "<b>bold</b>"])
def test_hostile_names_are_escaped_on_the_homepage_and_dashboard(hostile: str) -> None:
    stored = replace(fixtures.connector("conn-9", hostile), is_default=True)
    entry = DashboardEntry(stored, ConnectorState.HAS_MATCH, summary=hostile)
    rendered = [
        homepage([stored]),
        dashboard(None, [entry], [("x@y.example", hostile)], sender_name=hostile),
    ]
    escaped = hostile.replace("<", "&lt;").replace(">", "&gt;")
    for card in rendered:
        html = "\n".join(text for _, text in html_fields(card))
        assert hostile not in html
        assert escaped in html
    assert rendered[1]["header"]["title"] == hostile  # a title is plain text


# --- other connectors shown in full ----------------------------------------------------------


def globex_contact(
    name: str = "Sales EU", i: int = 7, match: Callable[[], Any] = fixtures.rich_match
) -> DashboardContact:
    connector = fixtures.connector(
        f"conn-{i}", name, account=fixtures.GLOBEX_ACCOUNT, is_default=False, position=i
    )
    ctx = fixtures.context(connector_id=connector.id)
    body = cards.render_outcome_card(
        match(), ctx, email=SENDER[0], connector_name=name, account_name=name
    )
    return DashboardContact(connector, body)


def test_a_contact_shown_in_full_follows_main_under_its_account_name() -> None:
    main = contact_main()
    more = globex_contact(match=fixtures.minimal_match)
    card = dashboard(main, every_state()[1:], more=[more])
    assert widget_count(card) <= MAX_WIDGETS
    names = headers(card)
    assert names[0] == "Other accounts"
    assert names[-1] == "Other people in this thread"
    start = [sec.get("header") for sec in card["sections"]].index("Sales EU")
    heading = card["sections"][start]["widgets"][0]["decoratedText"]
    assert heading["text"] == f"<b>{more.card['header']['title']}</b>"
    assert heading["topLabel"] == "globex.pipedrive.com"
    opens = {p["key"]: p["value"] for p in heading["button"]["onClick"]["action"]["parameters"]}
    assert opens == {"op": "open_connector", "connector": "conn-7",
        "email": SENDER[0], "name": SENDER[1]}  # fmt: skip
    # Every widget of the other contact is shown (nothing trimmed: it fits).
    shown = card["sections"][start + 1 : start + 1 + len(more.card["sections"])]
    assert shown == more.card["sections"]


def test_later_contacts_are_cut_with_show_everything_before_main_is() -> None:
    main = contact_main()
    more = [globex_contact(f"Account {i}", i) for i in range(10, 14)]
    card = dashboard(main, every_state(), _many_people(30), more=more)
    assert widget_count(card) <= MAX_WIDGETS
    assert card["sections"][1 : len(main["sections"]) + 1] == main["sections"]
    assert "Other people in this thread" not in headers(card)
    note = card["sections"][-1]["widgets"][0]["decoratedText"]
    assert "Part of this card was left out" in note["text"]
    params = {p["key"]: p["value"] for p in note["button"]["onClick"]["action"]["parameters"]}
    assert params["op"] == "open_connector"
    assert params["connector"] in {f"conn-{i}" for i in range(10, 14)}
    assert "Account 10" in headers(card)


def test_cut_cards_of_main_and_more_are_not_changed() -> None:
    """The dashboard shares the parts of the cards it is given (no copy): cutting them builds
    new sections and lists, and leaves the given cards as they were."""
    main = contact_main()
    more = [globex_contact(f"Account {i}", i) for i in range(10, 14)]
    before = copy.deepcopy((main, [m.card for m in more]))
    dashboard(main, every_state(), _many_people(30), more=more)
    huge = render_contact_card(fixtures.huge_match(), EN)
    huge_before = copy.deepcopy(huge)
    dashboard(huge, every_state(), _many_people(30), more=more)
    assert (main, [m.card for m in more]) == before
    assert huge == huge_before


def test_the_account_name_leads_the_subtitle_of_a_non_default_contact() -> None:
    more = globex_contact("Sales · EU <b>")
    plain_card = render_contact_card(fixtures.rich_match(), EN)
    subtitle = plain_card["header"]["subtitle"]
    assert more.card["header"]["subtitle"] == f"Sales · EU <b> · {subtitle}"
    assert_valid_card(more.card)
