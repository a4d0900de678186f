"""The deal card: a deal in full, its notes and activities paged within Google's limits."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from cardin.cards import action_response, push
from cardin.contact.model import ActivityState, Deal, Section, SectionError, SectionErrorKind
from tests.cards import checked, fixtures
from tests.cards.golden_files import GOLDEN_ROOT, assert_matches_golden
from tests.cards.probe import actions, texts

EN = fixtures.context()
DE = fixtures.context("de_DE")
EMAIL = "ada@engines.example"


def rich_deal() -> Deal:
    return fixtures.rich_match().contact.deals.items[0]


def big_deal(notes: int, activities: int) -> Deal:
    """A lost deal with many notes and activities."""
    base = fixtures.rich_match().contact.deals.items[3]
    return dataclasses.replace(
        base,
        notes=Section(
            items=tuple(fixtures.note(900 + i, f"Deal note <b>{i}</b>", i) for i in range(notes)),
            total=notes,
        ),
        activities=Section(
            items=tuple(
                fixtures.activity(
                    700 + i, f"Step {i}", "call", ActivityState.DONE, fixtures.NOW.date()
                )
                for i in range(activities)
            ),
            total=activities,
        ),
    )


def render(deal: Deal, page: int = 0, ctx: Any = EN) -> dict[str, Any]:
    return checked.render_deal_card(deal, ctx, email=EMAIL, person_id=1, page=page)


def widget_count(card: dict[str, Any]) -> int:
    return sum(len(s["widgets"]) for s in card["sections"])


@pytest.mark.parametrize(
    ("name", "builder"),
    [
        ("deal_card", lambda: render(rich_deal())),
        ("deal_card_de", lambda: render(rich_deal(), ctx=DE)),
        ("deal_card_paged", lambda: render(big_deal(60, 70), page=1)),
    ],
)
def test_card_matches_its_golden_file(name: str, builder: Any) -> None:
    assert_matches_golden(GOLDEN_ROOT / "deals", name, action_response(push(builder())))


def test_the_card_says_value_stage_dates_and_links_to_pipedrive() -> None:
    text = texts(render(rich_deal()))
    for expected in ("Engines for 50 seats", "€25,000.00", "Proposal made", "Dec 15, 2026"):
        assert expected in text, expected
    assert "https://acme.pipedrive.com/deal/101" in text
    assert "Decision maker is" in text


def test_a_lost_deal_says_why() -> None:
    text = texts(render(big_deal(0, 0)))
    assert "Went with a competitor" in text
    assert "No notes or activities on this deal." in text


def test_every_note_and_activity_is_on_some_page_within_the_limit() -> None:
    deal = big_deal(60, 170)
    seen: list[str] = []
    page = 0
    while True:
        card = render(deal, page)
        assert widget_count(card) <= 100
        lines = texts(card).splitlines()
        seen += [line for line in lines if line.startswith(("Deal note <b>", "Step "))]
        nexts = [a for a in actions(card) if a.get("op") == "open_deal" and "page" in a]
        forward = [a for a in nexts if int(a["page"]) == page + 1]
        if not forward:
            break
        page += 1
    assert page == 4  # 50 a page
    assert len(set(seen)) == len(seen) == 60 + 170
    assert "201–230 of 230" in texts(render(deal, page))
    assert "1–50 of 230" in texts(render(deal, 0))


def test_a_page_past_the_last_shows_the_last() -> None:
    deal = big_deal(60, 170)
    assert texts(render(deal, 99)) == texts(render(deal, 4))


def test_previous_goes_back_and_the_first_page_has_none() -> None:
    deal = big_deal(60, 70)
    first = [a for a in actions(render(deal)) if a.get("op") == "open_deal"]
    assert [a.get("page") for a in first] == ["1"]
    second = [a for a in actions(render(deal, 1)) if a.get("op") == "open_deal"]
    assert sorted(a["page"] for a in second) == ["0", "2"]  # sent: the page is replaced
    assert {a.get("deal_id") for a in second} == {str(deal.id)}


def test_notes_or_activities_that_failed_say_so() -> None:
    error = SectionError(SectionErrorKind.UNAVAILABLE, "down")
    deal = dataclasses.replace(rich_deal(), notes=Section(error=error))
    text = texts(render(deal))
    assert "could not be loaded" in text.lower() or "couldn" in text.lower()


def test_deal_notes_on_the_contact_card_say_how_many_more_and_lead_to_the_deal() -> None:
    match = fixtures.huge_match()
    card = checked.render_contact_card(match, EN)
    more = [w for w in walk_decorated(card) if "+2 more notes" in w.get("text", "")]
    assert more  # each huge deal has 3 notes, the card shows 1
    click = more[0]["onClick"]["action"]["parameters"]
    assert {"key": "op", "value": "open_deal"} in click
    assert {"key": "deal_id", "value": str(match.contact.deals.items[0].id)} in click


def test_the_activity_preview_puts_overdue_first_then_planned_then_done() -> None:
    rich = fixtures.rich_match()
    # the lookup's order reversed: done, then planned, then overdue
    reversed_ = dataclasses.replace(
        rich.contact.activities, items=tuple(reversed(rich.contact.activities.items))
    )
    match = dataclasses.replace(
        rich, contact=dataclasses.replace(rich.contact, activities=reversed_)
    )
    items = match.contact.activities.items
    card = checked.render_contact_card(match, EN)
    section = next(s for s in card["sections"] if s.get("header") == "Activities")
    shown = [w["decoratedText"]["text"] for w in section["widgets"] if "decoratedText" in w]
    subjects = [a.subject for a in items]
    order = [next(i for i, s in enumerate(subjects) if text.startswith(s)) for text in shown
             if any(text.startswith(s) for s in subjects)]  # fmt: skip
    states = [items[i].state for i in order]
    rank = [ActivityState.OVERDUE, ActivityState.PLANNED, ActivityState.DONE]
    assert states == sorted(states, key=rank.index)
    assert states[0] is ActivityState.OVERDUE


def walk_decorated(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        w["decoratedText"] for s in card["sections"] for w in s["widgets"] if "decoratedText" in w
    ]


def test_in_the_deals_list_each_note_and_activity_is_marked_as_its_deals() -> None:
    card = checked.render_list_card(fixtures.rich_match(), "deals", EN)
    rows = walk_decorated(card)
    labels = [(r.get("topLabel"), r["text"]) for r in rows]
    first = next(i for i, (_, text) in enumerate(labels) if "Engines for 50 seats" in text)
    under = [label for label, _ in labels[first + 1 : first + 5]]
    assert under == ["↳ Engines for 50 seats"] * 4  # its note and its three activities
    assert ("↳ Pilot licence", "Signed after the pilot.") in labels
    assert not any(label and label.startswith("↳") for label, text in labels if "<b>" in text
                   and "Decision" not in text)  # fmt: skip


LONG = "<ol>{}</ol>".format("".join(f"<li>Delivery {n:03d} on time</li>" for n in range(1, 41)))


def test_a_cut_note_on_the_deal_card_has_read_the_whole_note_with_the_deal() -> None:
    long_note = fixtures.note(555, LONG, 1)
    deal = dataclasses.replace(
        rich_deal(), notes=Section(items=(long_note, fixtures.note(556, "Short", 2)), total=2)
    )
    card = render(deal)
    reads = [a for a in actions(card) if a.get("op") == "read_note"]
    assert reads == [
        {"op": "read_note", "connector": "conn-1", "email": EMAIL, "person_id": "1",
         "note_id": "555", "deal_id": str(deal.id)},
    ]  # fmt: skip
    assert "Delivery 040" not in texts(card)
    buttons = [
        b["text"]
        for s in card["sections"]
        for w in s["widgets"]
        if "buttonList" in w
        for b in w["buttonList"]["buttons"]
    ]
    assert "Read the whole note" in buttons


def test_cut_notes_take_two_widgets_and_every_one_is_on_some_page() -> None:
    long_notes = tuple(fixtures.note(800 + i, LONG, i) for i in range(60))
    deal = dataclasses.replace(big_deal(0, 30), notes=Section(items=long_notes, total=60))
    seen: list[str] = []
    page = 0
    while True:
        card = render(deal, page)
        assert widget_count(card) <= 100
        seen += [a["note_id"] for a in actions(card) if a.get("op") == "read_note"]
        forward = [a for a in actions(card) if a.get("op") == "open_deal" and a.get("page")]
        if not any(int(a["page"]) == page + 1 for a in forward):
            break
        page += 1
    assert page >= 1
    assert sorted(seen) == sorted(str(800 + i) for i in range(60))
