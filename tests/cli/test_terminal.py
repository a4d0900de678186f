"""The terminal view of a lookup: the card's zone and words, notes, durations, plurals, strikes."""

from __future__ import annotations

import dataclasses
import io
from datetime import timedelta

import pytest
from rich.console import Console

from cardin.cards.parts import due_text
from cardin.contact.model import ActivityState, LookupResult, Usage
from cardin.i18n.format import Formatter
from cardin.i18n.messages import messages_for
from cardin.terminal import render_result
from tests.cards.fixtures import context, no_match, partial_match, rich_match

STRIKE = "\x1b[9m"


def shown(
    result: LookupResult, locale: str = "en_US", zone: str = "Europe/Berlin", *, ansi: bool = False
) -> str:
    """What `cardin lookup` prints for the result, wide enough that nothing wraps."""
    out = io.StringIO()
    console = Console(
        file=out, width=220, force_terminal=ansi, color_system="standard" if ansi else None
    )
    render_result(result, console, Formatter(locale, zone))
    return out.getvalue()


def spaced(text: str) -> str:
    """Babel's narrow no-break space before AM/PM as a plain one."""
    return text.replace("\u202f", " ")


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Asia/Tokyo", "America/Los_Angeles", "UTC"])
def test_due_times_are_the_cards_in_the_readers_zone(zone: str) -> None:
    match = rich_match()
    out = shown(match, zone=zone)
    timed = [a for a in match.contact.activities.items if a.due_time is not None]
    assert timed
    for activity in timed:
        assert due_text(context(timezone=zone), activity) in out


def test_a_due_time_is_converted_from_utc() -> None:
    # "Demo call" is due 2026-11-24 13:00 UTC: 14:00 in Berlin, 22:00 in Tokyo
    assert "Nov 24, 2026, 2:00 PM" in spaced(shown(rich_match(), zone="Europe/Berlin"))
    tokyo = spaced(shown(rich_match(), zone="Asia/Tokyo"))
    assert "Nov 24, 2026, 10:00 PM" in tokyo
    assert "1:00 PM" not in tokyo


def test_words_come_from_the_readers_language() -> None:
    out = shown(rich_match(), locale="de_DE")
    for word in ("Aktivitäten", "Überfällig", "Geplant", "Erledigt", "Primär", "4 Deals"):
        assert word in out
    for english in ("Activities", "Overdue", "Planned", "Primary", "4 deals", "requests"):
        assert english not in out
    assert "24.11.2026, 14:00" in out  # German date and clock, in Berlin


def test_plurals_agree_with_their_counts() -> None:
    match = partial_match()  # one deal
    out = shown(match)
    assert "1 deal ·" in out
    assert "1 deals" not in out
    one = shown(dataclasses.replace(no_match(), usage=Usage(requests=1, tokens=1)))
    assert "1 request ·" in one
    assert "1 Pipedrive token used" in one


def test_activity_notes_and_durations_are_shown() -> None:
    out = shown(rich_match())
    fmt = Formatter("en_US", "Europe/Berlin")
    assert f"({fmt.duration(timedelta(minutes=30))})" in out
    assert f"({fmt.duration(timedelta(hours=1, minutes=30))})" in out
    assert "Dial-in: +44 20 7946 0000" in out
    assert "Went well" in out


def test_done_activities_and_struck_note_text_keep_their_strike() -> None:
    out = shown(rich_match(), ansi=True)
    done = [a.subject for a in rich_match().contact.activities.items if a.is_done]
    for subject in done:
        assert f"{STRIKE}{subject}" in out
    planned = next(
        a for a in rich_match().contact.activities.items if a.state is ActivityState.PLANNED
    )
    assert f"{STRIKE}{planned.subject}" not in out
    assert f"{STRIKE}Old" in out  # the note "<s>Old</s> first contact"


def test_note_markup_becomes_styles_not_text() -> None:
    from cardin.terminal import note_text  # noqa: PLC0415 - new with this view

    text = note_text('<b>bold</b> <s>gone</s> <a href="https://x.example/">link</a><br>next')
    assert text.plain == "bold gone link (https://x.example/)\nnext"
    styles = {text.plain[span.start : span.end]: str(span.style) for span in text.spans}
    assert "bold" in styles["bold"]
    assert "strike" in styles["gone"]
    assert "underline" in styles["link"]


def test_a_section_error_is_said_in_the_readers_language() -> None:
    out = shown(partial_match(), locale="de_DE")
    assert messages_for("de_DE").text("section_error.rate_limited") in out
    assert "429" not in out


def test_no_match_in_german() -> None:
    out = shown(no_match(), locale="de_DE")
    assert messages_for("de_DE").text("no_match.subtitle") in out
    assert "No match" not in out
