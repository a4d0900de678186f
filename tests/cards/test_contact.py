"""The contact card: sections in order, what each shows, feature switches, freshness and cost."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from cardin.cards import Op
from cardin.cards.widgets import ZERO_WIDTH_SPACE as ZW
from cardin.connectors.features import ALL_FEATURES, Feature
from cardin.contact.model import Contact, Section, SectionError, SectionErrorKind, Usage
from tests.cards import fixtures
from tests.cards.checked import render_contact_card, render_list_card
from tests.cards.probe import actions, headers, links, ops, section, texts

EN = fixtures.context()
ALL_SECTIONS = [
    "General info",
    "Why this match",
    "Background",
    "Deals",
    "Activities",
    "Contact owner",
]


def test_rich_contact_has_every_section_in_the_spec_order() -> None:
    card = render_contact_card(fixtures.rich_match(), EN)
    assert headers(card) == ALL_SECTIONS
    assert card["header"] == {
        "title": "Ada Lovelace",
        "subtitle": "Analytical Engines Ltd",
        "imageUrl": "https://acme.pipedrive.com/pictures/ada-128.png",
        "imageType": "CIRCLE",
        "imageAltText": "Ada Lovelace",
    }


def test_minimal_contact_shows_general_info_match_and_footer_only() -> None:
    card = render_contact_card(fixtures.minimal_match(), EN)
    assert headers(card) == ["General info", "Why this match"]
    assert "imageUrl" not in card["header"]
    assert "subtitle" not in card["header"]
    assert "bob@example.com" in texts(card)


def test_last_edit_date_starts_folded_away() -> None:
    general = section(render_contact_card(fixtures.rich_match(), EN), "General info")
    assert general["collapsible"] is True
    hidden = general["widgets"][general["uncollapsibleWidgetsCount"] :]
    assert [w["decoratedText"]["topLabel"] for w in hidden] == ["Last edited"]


def test_no_collapsible_part_without_a_last_edit_date() -> None:
    general = section(render_contact_card(fixtures.minimal_match(), EN), "General info")
    assert "collapsible" not in general


def test_labels_are_chips_with_their_pipedrive_colour() -> None:
    card = render_contact_card(fixtures.rich_match(), EN)
    chips = next(w["chipList"]["chips"] for w in section(card, "General info")["widgets"]
                 if "chipList" in w)  # fmt: skip
    assert [(c["label"], c["icon"]["iconUrl"].rsplit("/", 1)[1]) for c in chips] == [
        ("Customer", "label_green.png"),
        ("VIP", "label_purple.png"),
        ("Newsletter", "label.png"),
    ]


def test_all_sixteen_custom_field_types_show_with_links_for_references_and_phones() -> None:
    card = render_contact_card(fixtures.rich_match(), EN)
    rows = {
        w["decoratedText"]["topLabel"]: w["decoratedText"]
        for w in section(card, "General info")["widgets"]
        if "decoratedText" in w and "topLabel" in w["decoratedText"]
    }
    for field in fixtures.rich_match().contact.fields:
        assert field.name in rows, field.name
    assert rows["Budget"]["text"] == "€25,000.00"
    assert rows["Bio"]["text"] == "Mathematician.<br>Wrote the first program."
    assert rows["Partner"]["text"] == "Babbage &amp; Co"
    assert rows["Partner"]["onClick"]["openLink"]["url"].endswith("/organization/12")
    assert rows["Assistant"]["onClick"]["openLink"]["url"].endswith("/person/44")
    assert rows["Account manager"]["onClick"]["openLink"]["url"].endswith("/users/details/7")
    assert rows["Fax"]["onClick"]["openLink"]["url"] == "tel:+442079460018"


def test_primary_email_and_phone_are_labelled_on_the_right_and_tappable() -> None:
    card = render_contact_card(fixtures.rich_match(), EN)
    rows = [w["decoratedText"] for w in section(card, "General info")["widgets"]
            if "decoratedText" in w]  # fmt: skip
    by_text = {row["text"].replace(ZW, ""): row for row in rows}
    work_email = by_text["ada@engines.example"]
    assert work_email["text"] == f"ada@{ZW}engines{ZW}.example"  # it wraps there, not mid-word
    assert work_email["button"]["text"] == "Primary"
    assert work_email["onClick"]["openLink"]["url"] == "mailto:ada@engines.example"
    assert work_email["startIcon"]["iconUrl"].endswith("/email_work.png")
    assert "button" not in by_text["ada.home@example.org"]
    mobile = by_text["+44 7700 900123"]
    assert mobile["onClick"]["openLink"]["url"] == "tel:+447700900123"
    assert mobile["startIcon"]["iconUrl"].endswith("/phone_mobile.png")
    assert by_text["+44 20 7946 0000"]["button"]["text"] == "Primary"


def test_why_this_match_names_the_address_and_lists_the_others() -> None:
    card = render_contact_card(fixtures.rich_match(), EN)
    why = section(card, "Why this match")["widgets"]
    assert why[0]["decoratedText"]["text"] == "Matched on ada@engines.example (work, primary)"
    other = why[1]["decoratedText"]
    assert other["text"] == "Ada King"
    assert other["onClick"]["openLink"]["url"] == "https://acme.pipedrive.com/person/2"


def test_notes_are_newest_first_with_their_html_kept_and_author_and_date_under() -> None:
    card = render_contact_card(fixtures.rich_match(), EN)
    first = section(card, "Background")["widgets"][0]["decoratedText"]
    assert first["text"].startswith("Call recap:<br>• wants <b>50 seats</b>")
    assert '<a href="https://engines.example/rfp">the RFP</a>' in first["text"]
    assert first["bottomLabel"] == "Sam Seller · Nov 19, 2026"


def test_deals_overview_and_status_specific_lines() -> None:
    widgets = section(render_contact_card(fixtures.rich_match(), EN), "Deals")["widgets"]
    overview = widgets[0]["decoratedText"]
    assert overview["text"] == "4 deals"
    assert overview["bottomLabel"] == (
        "2 open · 1 won · 1 lost · Open value: €25,000.00, $1,200.50"
    )
    rows = {w["decoratedText"]["text"].split("<br>")[0]: w["decoratedText"] for w in widgets}
    open_deal = rows["<b>Engines for 50 seats</b>"]
    assert open_deal["button"]["text"] == "Edit"
    assert (
        open_deal["button"]["onClick"]["openLink"]["url"] == "https://acme.pipedrive.com/deal/101"
    )
    assert "Expected close Dec 15, 2026" in open_deal["bottomLabel"]
    won = rows["<b>Pilot licence</b>"]
    assert "button" not in won
    assert won["endIcon"]["iconUrl"].endswith("/deal_won.png")
    assert "Won · Jun 30, 2026" in won["bottomLabel"]


def test_lost_deal_shows_reason_then_date() -> None:
    card = render_contact_card(fixtures.rich_match(), EN)
    deals = render_list_card(fixtures.rich_match(), "deals", EN)
    lost = section(deals, "Lost deal (1)")["widgets"][0]["decoratedText"]
    assert lost["bottomLabel"] == "€9,900.00 · Lost · Went with a competitor · Nov 3, 2025"
    assert lost["endIcon"]["iconUrl"].endswith("/deal_lost.png")
    assert "Steam upgrade" not in texts(card)  # cut from the preview (3 of 4)


def test_deal_shows_its_notes_and_activities_concisely() -> None:
    widgets = section(render_contact_card(fixtures.rich_match(), EN), "Deals")["widgets"]
    texts_in_order = [w["decoratedText"]["text"] for w in widgets]
    start = texts_in_order.index("<b>Engines for 50 seats</b>")
    assert texts_in_order[start + 1 : start + 4] == [
        "Decision maker is <b>Ada</b>.",
        "Send quote",
        "Demo call",
    ]
    overdue = widgets[start + 2]["decoratedText"]
    assert overdue["bottomLabel"] == "Overdue · Nov 18, 2026"  # a label is plain text


def test_activities_overview_and_rows() -> None:
    widgets = section(render_contact_card(fixtures.rich_match(), EN), "Activities")["widgets"]
    overview = widgets[0]["decoratedText"]
    assert overview["text"] == "12 activities"
    assert overview["bottomLabel"] == (
        "5 done · 2 overdue · 5 planned · Next: Demo call · Nov 24, 2026, 2:00\u202fPM"
    )
    demo = widgets[3]["decoratedText"]
    # the note's formatting and the deal's link are in the HTML text, under the subject
    assert demo["text"] == (
        'Demo call<br><font color="#5f6368">Dial-in: <b>+44 20 7946 0000</b></font><br>'
        '<a href="https://acme.pipedrive.com/deal/101">Deal: Engines for 50 seats</a>'
    )
    # 13:00 UTC is 2 PM in Berlin; the duration follows.
    assert demo["topLabel"] == "Planned · Nov 24, 2026, 2:00\u202fPM · 30 min"
    assert "bottomLabel" not in demo
    assert demo["startIcon"] == {"knownIcon": "PHONE", "altText": "Call"}


def test_done_activity_shows_the_done_icon_and_unknown_types_the_task_icon() -> None:
    card = render_list_card(fixtures.rich_match(), "activities", EN)
    rows = {w["decoratedText"]["text"].split("<br>")[0]: w["decoratedText"]
            for s in card["sections"] for w in s["widgets"]}  # fmt: skip
    assert rows["Kick-off"]["startIcon"]["iconUrl"].endswith("/state_done.png")
    assert rows["Odd one"]["startIcon"]["iconUrl"].endswith("/activity_task.png")
    assert rows["Odd one"]["topLabel"] == "Planned · No due date"
    assert rows["Product demo"]["startIcon"]["iconUrl"].endswith("/activity_presentation.png")


def test_owner_shows_name_email_and_status() -> None:
    match = fixtures.rich_match()
    inactive = replace(match, contact=replace(match.contact, owner=replace(
        fixtures.OWNER, is_active=False)))  # fmt: skip
    owner = section(render_contact_card(inactive, EN), "Contact owner")["widgets"][0]
    assert owner["decoratedText"]["text"] == "Sam Seller"
    assert owner["decoratedText"]["bottomLabel"] == f"sam@{ZW}acme{ZW}.example · Inactive user"


def test_an_owner_that_could_not_be_loaded_says_so_with_retry() -> None:
    match = fixtures.rich_match()
    error = SectionError(SectionErrorKind.UNAVAILABLE, "Pipedrive did not answer within 4.2 s")
    failed = replace(match, contact=replace(match.contact, owner=None, owner_error=error))
    assert failed.is_partial
    card = render_contact_card(failed, EN)
    assert headers(card) == ALL_SECTIONS
    owner = section(card, "Contact owner")
    assert "Pipedrive did not answer in time" in texts(owner)
    assert Op.RETRY in ops(owner)
    off = fixtures.context(features=ALL_FEATURES - {Feature.OWNER})
    assert "Contact owner" not in headers(render_contact_card(failed, off))


# --- freshness and cost --------------------------------------------------------------------


def _footer(card: dict[str, object]) -> dict[str, object]:
    last = card["sections"][-1]  # type: ignore[index]
    assert "header" not in last
    return last["widgets"][0]["decoratedText"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (None, "Updated just now"),
        (timedelta(seconds=20), "Updated just now"),
        (timedelta(minutes=5), "Updated 5 minutes ago"),
        (timedelta(hours=3), "Updated 3 hours ago"),
    ],
)
def test_footer_says_how_fresh_the_data_is(age: timedelta | None, expected: str) -> None:
    fetched = None if age is None else fixtures.NOW - age
    match = replace(fixtures.minimal_match(), fetched_at=fetched)
    footer = _footer(render_contact_card(match, EN))
    assert footer["text"] == expected
    assert footer["button"]["text"] == "Refresh"  # type: ignore[index]


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        (Usage(tokens=1), "1 Pipedrive token used"),
        (
            Usage(tokens=1234, rate_limit_remaining=50, rate_limit_limit=100),
            "1,234 Pipedrive tokens used",
        ),
        (
            Usage(tokens=12, rate_limit_remaining=9, rate_limit_limit=100),
            (
                "12 Pipedrive tokens used · "
                "Pipedrive rate limit nearly reached (9 of 100 requests left)"
            ),
        ),
        (Usage(tokens=0), "No Pipedrive tokens used (from cache)"),
    ],
)
def test_footer_says_what_the_lookup_cost(usage: Usage, expected: str) -> None:
    match = replace(fixtures.minimal_match(), usage=usage)
    assert _footer(render_contact_card(match, EN))["bottomLabel"] == expected


def test_refresh_and_show_all_actions_carry_what_the_service_needs() -> None:
    card = render_contact_card(fixtures.rich_match(), EN)
    params = actions(card)
    assert {"op": "refresh", "connector": "conn-1", "email": "ada@engines.example",
            "person_id": "1"} in params  # fmt: skip
    assert {"op": "show_all", "connector": "conn-1", "section": "deals",
            "email": "ada@engines.example", "person_id": "1"} in params  # fmt: skip
    assert {"op": "open_deal", "connector": "conn-1", "email": "ada@engines.example",
            "person_id": "1", "deal_id": "101"} in params  # fmt: skip
    assert ops(card) == {Op.REFRESH, Op.SHOW_ALL, Op.OPEN_DEAL}


def test_no_connector_id_means_no_connector_parameter() -> None:
    card = render_contact_card(fixtures.rich_match(), fixtures.context(connector_id=None))
    assert all("connector" not in params for params in actions(card))


def test_links_go_to_the_company_pipedrive_domain() -> None:
    card = render_contact_card(fixtures.rich_match(), EN)
    web = [url for url in links(card) if url.startswith("https://")]
    assert web
    assert all(
        url.startswith(("https://acme.pipedrive.com/", "https://engines.example/")) for url in web
    )


# --- feature switches ----------------------------------------------------------------------

SECTION_OF = {
    Feature.NOTES: "Background",
    Feature.DEALS: "Deals",
    Feature.ACTIVITIES: "Activities",
    Feature.OWNER: "Contact owner",
}


@pytest.mark.parametrize("feature", sorted(SECTION_OF, key=str))
def test_each_section_feature_off_removes_only_its_section(feature: Feature) -> None:
    ctx = fixtures.context(features=ALL_FEATURES - {feature})
    shown = headers(render_contact_card(fixtures.rich_match(), ctx))
    assert shown == [h for h in ALL_SECTIONS if h != SECTION_OF[feature]]


def test_custom_fields_off_removes_the_fields() -> None:
    ctx = fixtures.context(features=ALL_FEATURES - {Feature.CUSTOM_FIELDS})
    card = render_contact_card(fixtures.rich_match(), ctx)
    assert "Nickname" not in texts(card)
    assert "Babbage" not in texts(card)
    assert "Nickname" in texts(render_contact_card(fixtures.rich_match(), EN))


def test_organization_off_removes_the_organization() -> None:
    ctx = fixtures.context(features=ALL_FEATURES - {Feature.ORGANIZATION})
    card = render_contact_card(fixtures.rich_match(), ctx)
    assert card["header"]["subtitle"] == "Head of Engines"
    assert all(w.get("decoratedText", {}).get("topLabel") != "Organization"
               for w in section(card, "General info")["widgets"])  # fmt: skip


def test_deal_notes_and_deal_activities_switch_off_separately() -> None:
    match = fixtures.rich_match()

    def deal_texts(off: Feature) -> list[str]:
        card = render_contact_card(match, fixtures.context(features=ALL_FEATURES - {off}))
        return [w["decoratedText"]["text"] for w in section(card, "Deals")["widgets"]]

    without_notes = deal_texts(Feature.DEAL_NOTES)
    without_activities = deal_texts(Feature.DEAL_ACTIVITIES)
    assert "Decision maker is <b>Ada</b>." not in without_notes
    assert "Send quote" in without_notes
    assert "Decision maker is <b>Ada</b>." in without_activities
    assert "Send quote" not in without_activities


def test_no_features_still_shows_general_info_and_match() -> None:
    card = render_contact_card(fixtures.rich_match(), fixtures.context(features=frozenset()))
    assert headers(card) == ["General info", "Why this match"]


def test_empty_sections_are_left_out_even_when_their_feature_is_on() -> None:
    match = fixtures.minimal_match()
    empty = replace(match, contact=replace(match.contact, notes=Section(), deals=Section()))
    assert headers(render_contact_card(empty, EN)) == ["General info", "Why this match"]


def test_a_contact_without_emails_or_dates_still_renders() -> None:
    person = Contact(id=5, name="X", url="https://acme.pipedrive.com/person/5")
    bare = replace(fixtures.minimal_match(), contact=person)
    card = render_contact_card(bare, EN)
    assert card["header"]["title"] == "X"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en_US", "Unknown user #7"), ("de_DE", "Unbekannter Benutzer #7")],
)
def test_a_reference_pipedrive_cannot_resolve_says_so(locale: str, expected: str) -> None:
    from cardin.contact.model import FieldValue, Reference, RefKind  # noqa: PLC0415

    deleted = FieldValue("a" * 40, "Account manager", "user", Reference(RefKind.USER, 7))
    match = fixtures.minimal_match()
    match = replace(match, contact=replace(match.contact, fields=(deleted,)))
    card = render_contact_card(match, fixtures.context(locale=locale))
    assert expected in texts(card)
