"""Hostile data from Pipedrive comes out escaped in HTML fields and verbatim in plain ones."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cardin.contact.model import Email, FieldValue, Label, Match, Organization, TextValue
from cardin.settings import Settings
from tests.cards import fixtures
from tests.cards.checked import render_contact_card, render_list_card, render_no_match_card
from tests.cards.probe import dump
from tests.cards.validate import html_fields

EN = fixtures.context()
SCRIPT = "<script>alert(1)</script>"
BOLD = "<b>bold</b>"
LINK = '<a href="javascript:x">click</a>'


def _hostile_match() -> Match:
    match = fixtures.rich_match()
    contact = replace(
        match.contact,
        name=f"Eve {SCRIPT}",
        job_title=f"{BOLD} & co",
        organization=Organization(66, f"Evil {BOLD} Ltd", f"{fixtures.APP}/organization/66"),
        labels=(Label(9, f"{SCRIPT}", '"><img src=x onerror=alert(1)>'),),
        fields=(FieldValue("f", f"Field {SCRIPT}", "varchar", TextValue(LINK)),),
        emails=(Email(f"eve+{SCRIPT}@evil.example", "work", is_primary=True),),
    )  # fmt: skip
    return replace(match, contact=contact, email="eve@evil.example")


def test_hostile_values_are_escaped_in_every_html_field() -> None:
    card = render_contact_card(_hostile_match(), EN)
    html = "\n".join(text for _, text in html_fields(card))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html
    assert "Evil &lt;b&gt;bold&lt;/b&gt; Ltd" in html
    assert '&lt;a href="javascript:x"&gt;' in html  # shown as text, never a link
    assert "<img" not in dump(card)


def test_plain_text_fields_keep_the_value_as_typed() -> None:
    card = render_contact_card(_hostile_match(), EN)
    assert card["header"]["title"] == f"Eve {SCRIPT}"  # a title is plain text, shown literally
    chips = [w for s in card["sections"] for w in s["widgets"] if "chipList" in w]
    assert chips[0]["chipList"]["chips"][0]["label"] == SCRIPT
    assert chips[0]["chipList"]["chips"][0]["icon"]["iconUrl"].endswith("/label.png")


def test_note_html_is_not_escaped_twice() -> None:
    card = render_list_card(fixtures.rich_match(), "notes", EN)
    html = "\n".join(text for _, text in html_fields(card))
    assert "<b>50 seats</b>" in html
    assert "&lt;b&gt;" not in html


def test_hostile_sender_name_on_the_no_match_card() -> None:
    card = render_no_match_card(fixtures.no_match(), EN, sender_name=SCRIPT)
    html = "\n".join(text for _, text in html_fields(card))
    assert "<script>" not in html
    labels = [w["decoratedText"].get("topLabel") for s in card["sections"] for w in s["widgets"]
              if "decoratedText" in w]  # fmt: skip
    assert SCRIPT in labels  # a label is plain text: shown literally, never markup


def test_labels_carry_no_markup_of_ours() -> None:
    for card in (render_contact_card(fixtures.rich_match(), EN),
                 render_list_card(fixtures.rich_match(), "activities", EN)):  # fmt: skip
        labels = [w["decoratedText"].get(k, "") for s in card["sections"] for w in s["widgets"]
                  if "decoratedText" in w for k in ("topLabel", "bottomLabel")]  # fmt: skip
        assert labels
        for label in labels:
            assert not any(mark in label for mark in ("<", "&lt;", "&amp;")), label


def test_every_string_is_capped() -> None:
    huge = "x" * 100_000
    match = fixtures.rich_match()
    contact = replace(match.contact, name=huge, job_title=huge,
                      fields=(FieldValue("f", huge, "varchar", TextValue(huge)),))  # fmt: skip
    card = render_contact_card(replace(match, contact=contact), EN)
    assert len(dump(card)) < 30_000
    assert card["header"]["title"].endswith("…")


def test_with_chips_switched_off_labels_are_one_line_of_escaped_text() -> None:
    card = render_contact_card(_hostile_match(), replace(EN, chips=False))
    assert "chipList" not in dump(card)
    html = "\n".join(text for _, text in html_fields(card))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_chips_switch_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().card_chips is True
    monkeypatch.setenv("CARDIN_CARD_CHIPS", "0")
    assert Settings().card_chips is False
