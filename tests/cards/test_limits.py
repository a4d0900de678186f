"""Google's 100-widget limit: previews cut with "show all", list cards cut with a note."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from cardin.cards import MAX_WIDGETS, ListSection
from cardin.cards.limits import CONTACT_CAPS, fit
from cardin.contact.model import Section
from tests.cards import fixtures
from tests.cards.checked import render_contact_card, render_list_card
from tests.cards.probe import actions, headers, section, texts, widget_count

EN = fixtures.context()
HUGE = fixtures.huge_match()


def test_huge_contact_keeps_every_section_within_the_limit() -> None:
    card = render_contact_card(HUGE, EN)
    assert widget_count(card) <= MAX_WIDGETS
    assert headers(card) == [
        "General info", "Why this match", "Background", "Deals", "Activities", "Contact owner",
    ]  # fmt: skip
    assert "Updated 42 minutes ago" in texts(card)


@pytest.mark.parametrize(
    ("header", "section_name", "shown", "total"),
    [
        ("Background", "notes", CONTACT_CAPS.notes, 100),
        ("Deals", "deals", CONTACT_CAPS.deals, 200),
        ("Activities", "activities", CONTACT_CAPS.activities, 500),
        ("Why this match", "others", CONTACT_CAPS.others, 12),
    ],
)
def test_long_lists_are_cut_to_the_most_relevant_with_show_all(
    header: str, section_name: str, shown: int, total: int
) -> None:
    card = render_contact_card(HUGE, EN)
    last = section(card, header)["widgets"][-1]["decoratedText"]
    assert last["text"] == f'<font color="#5f6368">Showing {shown} of {total}</font>'
    assert last["button"]["text"] == f"Show all {total}"
    params = [p for p in actions(last) if p["op"] == "show_all"]
    assert params == [{"op": "show_all", "connector": "conn-1", "section": section_name,
                       "email": HUGE.email, "person_id": str(HUGE.contact.id)}]  # fmt: skip


def test_the_preview_keeps_the_model_order() -> None:
    card = render_contact_card(HUGE, EN)
    deals = [w["decoratedText"]["text"] for w in section(card, "Deals")["widgets"]]
    assert [t for t in deals if t.startswith("<b>Deal")] == [
        f"<b>{d.title}</b>" for d in HUGE.contact.deals.items[: CONTACT_CAPS.deals]
    ]


def test_emails_phones_and_fields_are_cut_too() -> None:
    general = render_contact_card(HUGE, EN)["sections"][0]
    rows = [w["decoratedText"] for w in general["widgets"] if "decoratedText" in w]
    cut = [
        r["button"]["text"] for r in rows if r.get("button", {}).get("text", "").startswith("Show")
    ]
    assert cut == ["Show all 56", "Show all 8", "Show all 8"]


def test_more_in_pipedrive_than_fetched_links_to_pipedrive_instead_of_show_all() -> None:
    match = fixtures.rich_match()
    notes = match.contact.notes
    fewer = replace(match, contact=replace(match.contact, notes=Section(notes.items[:2], total=9)))
    last = section(render_contact_card(fewer, EN), "Background")["widgets"][-1]["decoratedText"]
    assert last["button"]["text"] == "All 9 in Pipedrive"
    assert last["button"]["onClick"] == {"openLink": {"url": "https://acme.pipedrive.com/person/1"}}


def test_nothing_is_cut_when_everything_fits() -> None:
    card = render_contact_card(fixtures.minimal_match(), EN)
    assert "Showing" not in texts(card)


@pytest.mark.parametrize("name", [s.value for s in ListSection])
def test_every_list_card_of_the_huge_contact_stays_within_the_limit(name: str) -> None:
    card = render_list_card(HUGE, name, EN)
    assert widget_count(card) <= MAX_WIDGETS
    assert card["name"] == f"list_{name}"


def _item_keys(card: dict[str, Any], name: str) -> list[str]:
    """What identifies each item a list page shows (deals by the deal each row opens)."""
    if name == "deals":
        # a deal's row and its "+2 more notes" both open it
        return list(dict.fromkeys(a["deal_id"] for a in actions(card) if a["op"] == "open_deal"))
    pattern = {
        "notes": r"(<p>)?Note <b>\d+</b>.*",
        "activities": r"(Overdue|Planned|Done) \d+",
        "others": r"Buyer \d+",
    }[name]
    return [x for x in texts(card).splitlines() if re.fullmatch(pattern, x)]


@pytest.mark.parametrize(
    ("name", "total"), [("notes", 100), ("deals", 200), ("activities", 500), ("others", 12)]
)
def test_a_long_list_is_paged_and_every_item_is_reachable(name: str, total: int) -> None:
    seen: list[str] = []
    page = 0
    while True:
        card = render_list_card(HUGE, name, EN, page=page)
        assert widget_count(card) <= MAX_WIDGETS
        seen += _item_keys(card, name)
        forward = [
            a for a in actions(card) if a["op"] == "show_all" and a.get("page") == str(page + 1)
        ]
        if not forward:
            break
        assert forward[0]["section"] == name
        page += 1
    assert len(seen) == len(set(seen)) == total
    last = texts(card)
    if total > 50:
        assert f" of {total}" in last
        assert "Showing" not in last
    assert "show_all" not in {a["op"] for a in actions(render_list_card(HUGE, name, EN, page=page))
                              if a.get("page") is None}  # fmt: skip


def test_the_notes_list_shows_fifty_a_page() -> None:
    card = render_list_card(HUGE, "notes", EN)
    assert "1–50 of 100" in texts(card)
    assert "51–100 of 100" in texts(render_list_card(HUGE, "notes", EN, page=1))


def test_notes_not_all_fetched_link_to_the_rest_in_pipedrive() -> None:
    contact = HUGE.contact
    fewer = replace(HUGE, contact=replace(contact, notes=replace(contact.notes, total=150)))
    card = render_list_card(fewer, "notes", EN, page=1)
    assert "51–100 of 150" in texts(card)
    assert "All 150 in Pipedrive" in texts(card)
    assert HUGE.contact.url in texts(card)


def test_a_list_card_groups_deals_by_status_in_order() -> None:
    card = render_list_card(fixtures.rich_match(), "deals", EN)
    assert headers(card) == ["Open deals (2)", "Won deal (1)", "Lost deal (1)"]
    assert "Showing" not in texts(card)


def test_a_list_card_groups_activities_by_state() -> None:
    card = render_list_card(fixtures.rich_match(), "activities", EN)
    assert headers(card) == [
        "Overdue activities (2)", "Planned activities (5)", "Done activities (5)",
    ]  # fmt: skip


def test_a_cut_list_never_shows_a_later_group_ahead_of_a_cut_earlier_one() -> None:
    card = render_list_card(HUGE, "deals", EN)
    shown = headers(card)
    assert shown == ["Open deals (67)"]


def test_unknown_list_section_is_refused() -> None:
    with pytest.raises(ValueError, match="nope"):
        render_list_card(HUGE, "nope", EN)


def test_a_list_whose_feature_is_off_shows_nothing() -> None:
    from cardin.connectors.features import ALL_FEATURES, Feature  # noqa: PLC0415

    ctx = fixtures.context(features=ALL_FEATURES - {Feature.DEALS})
    card = render_list_card(HUGE, "deals", ctx)
    assert "Nothing to show." in texts(card)


def test_fit_guards_any_card() -> None:
    sections = [
        {"widgets": [{"divider": {}}] * 80, "collapsible": True, "uncollapsibleWidgetsCount": 60},
        {"widgets": [{"divider": {}}] * 30},
    ]
    fitted = fit([{**s, "widgets": list(s["widgets"])} for s in sections])
    assert sum(len(s["widgets"]) for s in fitted) == MAX_WIDGETS
    assert len(fitted) == 2
    assert fitted[0]["uncollapsibleWidgetsCount"] < len(fitted[0]["widgets"])


def test_the_caps_alone_keep_the_contact_card_within_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import cardin.cards.contact  # noqa: PLC0415

    monkeypatch.setattr(cardin.cards.contact, "fit", lambda sections: sections)
    worst = replace(HUGE, contact=replace(HUGE.contact, job_title="Buyer"))
    assert widget_count(render_contact_card(worst, EN)) <= MAX_WIDGETS - 20
