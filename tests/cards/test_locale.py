"""The card follows the reader: German words for de_*, English otherwise; dates, times and money
in the reader's locale and time zone."""

from __future__ import annotations

import pytest

from tests.cards import fixtures
from tests.cards.checked import render_contact_card, render_no_match_card, render_reauth_card
from tests.cards.probe import headers, section, texts

NNBSP = "\u202f"
NBSP = "\u00a0"


def _card(locale: str, timezone: str = "Europe/Berlin") -> dict[str, object]:
    return render_contact_card(fixtures.rich_match(), fixtures.context(locale, timezone))


def test_en_us() -> None:
    card = _card("en_US")
    text = texts(card)
    assert headers(card)[:3] == ["General info", "Why this match", "Background"]
    assert "€25,000.00" in text
    assert "$1,200.50" in text
    assert "Mar 4, 2024" in text  # created
    assert f"Nov 24, 2026, 2:00{NNBSP}PM" in text  # due 13:00 UTC, Berlin
    assert "1 hr 30 min" in text
    assert "Updated 5 minutes ago" in text


def test_de_de_uses_german_words_and_formats() -> None:
    card = _card("de_DE")
    text = texts(card)
    assert headers(card) == [
        "Allgemeines", "Warum dieser Treffer", "Hintergrund", "Deals", "Aktivitäten",
        "Kontaktinhaber",
    ]  # fmt: skip
    assert f"25.000,00{NBSP}€" in text
    assert f"1.200,50{NBSP}$" in text
    assert "04.03.2024" in text
    assert "24.11.2026, 14:00" in text
    assert "Aktualisiert vor 5 Minuten" in text
    assert "4 Deals" in text
    assert "12 Aktivitäten" in text
    assert "Gefunden über ada@engines.example (geschäftlich, primär)" in text
    assert "Überfällig" in text
    assert "Primär" in text
    assert "Alle 4 anzeigen" in text
    assert "Updated" not in text
    assert "Show all" not in text


def test_ja_jp_formats_in_japanese_with_english_words() -> None:
    card = _card("ja_JP", "Asia/Tokyo")
    text = texts(card)
    assert headers(card)[0] == "General info"
    assert "€25,000" in text
    assert "2024/03/04" in text
    assert "2026/11/24 22:00" in text  # 13:00 UTC is 22:00 in Tokyo
    assert "Updated 5 分前" in text


@pytest.mark.parametrize(
    ("locale", "word"),
    [
        ("de-AT", "Allgemeines"),
        ("de", "Allgemeines"),
        ("fr_FR", "General info"),
        ("", "General info"),
    ],
)
def test_the_language_follows_the_locale_with_english_as_fallback(locale: str, word: str) -> None:
    assert headers(_card(locale))[0] == word


def test_the_time_zone_moves_due_times() -> None:
    activities = section(_card("en_US", "America/New_York"), "Activities")["widgets"]
    demo = next(
        w["decoratedText"]
        for w in activities
        if w["decoratedText"]["text"].startswith("Demo call<br>")
    )
    assert demo["topLabel"] == f"Planned · Nov 24, 2026, 8:00{NNBSP}AM · 30 min"


def test_other_cards_are_translated_too() -> None:
    de = fixtures.context("de_DE")
    assert "Neuen Token holen" in texts(render_reauth_card(de, connector_name="Pipedrive"))
    no_match = texts(render_no_match_card(fixtures.no_match(), de, sender_name=None))
    assert "Niemand in Acme GmbH hat diese Adresse." in no_match
    assert "Zu Pipedrive hinzufügen" in no_match
