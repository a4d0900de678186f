"""Long notes: cut on every card that lists them, read whole on the note card, paged."""

from __future__ import annotations

import json
from dataclasses import replace

from cardin.contact.model import Match, Note, Section
from cardin.contact.notes import note_plain_text
from tests.cards import fixtures
from tests.cards.checked import render_contact_card, render_list_card, render_note_card
from tests.cards.probe import actions, section, texts

EN = fixtures.context()
DE = fixtures.context(locale="de_DE")
ROW = "<li>Shipment {n:04d}: Göteborg → Rotterdam, 2 × 40' containers, delivered on time</li>"
LOG_HTML = "<div><b>Shipment log</b></div><ol>" + "".join(ROW.format(n=n) for n in range(1, 451))
LOG_HTML += "</ol>"


def with_log(match: Match | None = None, *, on_deal: bool = False) -> tuple[Match, Note]:
    """The rich contact with the 450-line note as its newest note (or on its first deal)."""
    match = match or fixtures.rich_match()
    log = fixtures.note(77, LOG_HTML, 0)
    contact = match.contact
    if on_deal:
        first, *others = contact.deals.items
        assert first.notes is not None
        notes = Section(items=(log, *first.notes.items), total=first.notes.total + 1)
        deals = replace(contact.deals, items=(replace(first, notes=notes), *others))
        return replace(match, contact=replace(contact, deals=deals)), log
    notes = Section(items=(log, *contact.notes.items), total=contact.notes.total + 1)
    return replace(match, contact=replace(contact, notes=notes)), log


def read_buttons(card: dict[str, object]) -> list[dict[str, str]]:
    return [a for a in actions(card) if a.get("op") == "read_note"]


def test_a_450_line_note_is_cut_to_a_few_lines_with_read_the_whole_note() -> None:
    match, _ = with_log()
    card = render_contact_card(match, EN)
    background = section(card, "Background")
    first = background["widgets"][0]["decoratedText"]
    assert len(json.dumps(background, ensure_ascii=False).encode()) < 8_000
    assert len(first["text"]) < 1_000
    shown = note_plain_text(first["text"]).splitlines()
    assert shown[0] == "Shipment log"
    assert len(shown) == 6
    assert shown[-1].endswith("…")
    assert "button" not in first
    read = background["widgets"][1]["buttonList"]["buttons"]
    assert [b["text"] for b in read] == ["Read the whole note"]
    assert read_buttons(card) == [
        {"op": "read_note", "connector": "conn-1", "email": match.email,
         "person_id": str(match.contact.id), "note_id": "77"},
    ]  # fmt: skip


def test_a_short_note_has_no_read_button_and_is_shown_whole() -> None:
    card = render_contact_card(fixtures.rich_match(), EN)
    assert read_buttons(card) == []
    assert "…" not in section(card, "Background")["widgets"][0]["decoratedText"]["text"]


def test_the_show_all_notes_card_cuts_too() -> None:
    match, _ = with_log()
    card = render_list_card(match, "notes", EN)
    assert [b["note_id"] for b in read_buttons(card)] == ["77"]
    assert len(json.dumps(card).encode()) < 12_000


def test_a_long_deal_note_is_cut_on_the_contact_card_and_in_the_deal_list() -> None:
    match, _ = with_log(on_deal=True)
    for card in (render_contact_card(match, EN), render_list_card(match, "deals", EN)):
        assert [b["note_id"] for b in read_buttons(card)] == ["77"]
        assert "Shipment 0450" not in texts(card)


def test_the_note_card_pages_the_whole_note_with_previous_and_next() -> None:
    match, log = with_log()
    first = render_note_card(match, log, EN)
    assert first["name"] == "note"
    assert first["header"]["title"] == "Ada Lovelace"
    pages = [first]
    while len(pages) < 20:
        nexts = [a for a in read_buttons(pages[-1]) if int(a["note_page"]) > len(pages)]
        if not nexts:
            break
        assert nexts == [
            {"op": "read_note", "connector": "conn-1", "email": match.email,
             "person_id": str(match.contact.id), "note_id": "77",
             "note_page": str(len(pages) + 1)},
        ]  # fmt: skip
        pages.append(render_note_card(match, log, EN, page=len(pages) + 1))
    assert 2 <= len(pages) < 10
    for number, page in enumerate(pages, start=1):
        assert len(json.dumps(page, ensure_ascii=False).encode()) < 20_000
        assert f"Page {number} of {len(pages)}" in texts(page)
        previous = {a["note_page"] for a in read_buttons(page)} - {str(number + 1)}
        assert previous == ({str(number - 1)} if number > 1 else set())
    text = "\n".join(
        note_plain_text(w["textParagraph"]["text"])
        for page in pages
        for s in page["sections"]
        for w in s["widgets"]
        if "textParagraph" in w
    )
    assert text == note_plain_text(log.html)


def test_the_note_card_says_who_wrote_it_when_and_on_which_deal() -> None:
    match, log = with_log(on_deal=True)
    card = render_note_card(match, log, EN)
    about = card["sections"][0]["widgets"][0]["decoratedText"]
    assert about["text"] == "Sam Seller · Nov 20, 2026"
    assert about["topLabel"] == match.contact.deals.items[0].title


def test_a_page_past_the_end_shows_the_last_page() -> None:
    match, log = with_log()
    last = render_note_card(match, log, EN, page=99)
    assert "Shipment 0450" in texts(last)
    previous = [int(a["note_page"]) for a in read_buttons(last)]
    assert len(previous) == 1  # Previous only
    assert f"Page {previous[0] + 1} of {previous[0] + 1}" in texts(last)


def test_a_short_note_is_one_page_without_paging() -> None:
    match = fixtures.rich_match()
    card = render_note_card(match, match.contact.notes.items[0], EN)
    assert read_buttons(card) == []
    assert "the RFP" in texts(card)


def test_an_empty_note_says_so() -> None:
    match = fixtures.rich_match()
    card = render_note_card(match, Note(5, ""), EN)
    assert "Empty note" in texts(card)


def test_the_note_card_in_german() -> None:
    match, log = with_log()
    page = render_note_card(match, log, DE, page=2)
    words = texts(page)
    assert "Notiz" in words
    assert "Seite 2 von" in words
    assert "Zurück" in words
    assert "Weiter" in words
    contact = render_contact_card(match, DE)
    assert "Ganze Notiz lesen" in texts(contact)


def test_a_note_read_from_a_deal_card_keeps_the_deal_on_its_pages() -> None:
    match = fixtures.rich_match()
    _, log = with_log()
    fetched = replace(match.contact.deals.items[0], id=4242, title="Harbour cranes 2027")
    first = render_note_card(match, log, EN, deal=fetched)
    assert first["sections"][0]["widgets"][0]["decoratedText"]["topLabel"] == "Harbour cranes 2027"
    assert {a["deal_id"] for a in read_buttons(first)} == {"4242"}
    # found in the contact's result, read from a deal card: the title of that deal
    known = match.contact.deals.items[1]
    second = render_note_card(match, log, EN, page=2, deal_id=known.id)
    assert second["sections"][0]["widgets"][0]["decoratedText"]["topLabel"] == known.title
    assert {a["deal_id"] for a in read_buttons(second)} == {str(known.id)}
    assert all("deal_id" not in a for a in read_buttons(render_note_card(match, log, EN)))
