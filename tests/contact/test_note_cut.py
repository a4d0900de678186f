"""Cutting a note: at a line end or between words, limits kept, the markup always well formed."""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest

from cardin.contact import notes
from cardin.contact.notes import clean_note_html, cut_note_html, note_chunks, note_plain_text

_VOID = {"br"}


class _Balance(HTMLParser):
    """Checks that every tag opened is closed, in order (a well-formed fragment)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, _attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.bad.append(tag)

    def unknown_decl(self, data: str) -> None:  # pragma: no cover - would be a defect
        self.bad.append(data)


def well_formed(markup: str) -> bool:
    """Balanced tags, no tag or entity cut open at either end."""
    checker = _Balance()
    checker.feed(markup)
    checker.close()
    entity_cut = markup.rfind("&") > markup.rfind(";")
    tag_cut = markup.rfind("<") > markup.rfind(">") or markup.find(">") < markup.find("<")
    return not checker.stack and not checker.bad and not entity_cut and not tag_cut


def lines_of(n: int) -> str:
    return clean_note_html("".join(f"<p>Line {i} of the log</p>" for i in range(1, n + 1)))


def test_a_short_note_is_not_cut() -> None:
    markup = clean_note_html("<p>Hello <b>Ada</b> &amp; co</p>")
    cut = cut_note_html(markup, max_lines=6, max_chars=600)
    assert (cut.head, cut.rest, cut.is_cut) == (markup, "", False)


def test_the_line_limit_cuts_at_the_end_of_a_line() -> None:
    cut = cut_note_html(lines_of(10), max_lines=6, max_chars=600)
    assert cut.is_cut
    assert note_plain_text(cut.head).splitlines() == [f"Line {i} of the log" for i in range(1, 7)]
    assert note_plain_text(cut.rest).splitlines()[0] == "Line 7 of the log"
    assert not cut.rest.startswith("<br>")


def test_the_length_limit_cuts_between_words() -> None:
    words = " ".join(f"word{i}" for i in range(200))
    cut = cut_note_html(clean_note_html(words), max_lines=6, max_chars=100)
    assert len(cut.head) <= 100
    assert cut.head.endswith(tuple(f"word{i}" for i in range(200)))
    assert cut.head + " " + cut.rest == words


def test_a_word_longer_than_the_limit_is_cut_where_the_limit_falls() -> None:
    cut = cut_note_html("x" * 1000, max_chars=600)
    assert cut.head == "x" * 600
    assert cut.rest == "x" * 400


def test_a_tag_open_at_the_cut_is_closed_and_opened_again() -> None:
    markup = clean_note_html('<b>bold <a href="https://x.example/a">a link with words</a> end</b>')
    cut = cut_note_html(markup, max_chars=14)
    assert cut.head == '<b>bold <a href="https://x.example/a">a link</a></b>'
    assert cut.rest == '<b><a href="https://x.example/a">with words</a> end</b>'
    assert well_formed(cut.head)
    assert well_formed(cut.rest)


def test_an_entity_counts_as_one_character_and_is_never_split() -> None:
    markup = clean_note_html("a&amp;b&lt;c&gt;d " * 40)
    for limit in range(1, 60):
        cut = cut_note_html(markup, max_chars=limit)
        assert well_formed(cut.head), (limit, cut.head)
        assert len(note_plain_text(cut.head)) <= limit


@pytest.mark.parametrize("limit", [1, 7, 13, 40, 99, 250])
def test_every_cut_of_a_formatted_note_is_well_formed_and_loses_nothing(limit: int) -> None:
    markup = clean_note_html(
        "<div><b>Shipment log</b></div><ol>"
        + "".join(
            f'<li>Item {n}: <i>Göteborg → <a href="https://t.example/{n}">Rotterdam</a></i>'
            " &amp; back</li>"
            for n in range(30)
        )
        + "</ol>"
    )
    text, rest, pieces = "", markup, 0
    while rest:
        cut = cut_note_html(rest, max_lines=3, max_chars=limit)
        assert cut.head
        assert well_formed(cut.head)
        assert not cut.rest or well_formed(cut.rest)
        text += note_plain_text(cut.head)
        rest, pieces = cut.rest, pieces + 1
    squeeze = str.maketrans("", "", " \n")
    assert text.translate(squeeze) == note_plain_text(markup).translate(squeeze)
    assert pieces > 1


def test_a_markup_limit_counts_the_closing_tags() -> None:
    markup = clean_note_html("<b>" + "abc " * 100 + "</b>")
    cut = cut_note_html(markup, max_markup=50)
    assert len(cut.head) <= 50
    assert cut.head.endswith("</b>")
    assert well_formed(cut.head)


def test_chunks_end_at_line_ends_and_stay_within_the_limit() -> None:
    markup = lines_of(450)
    chunks = note_chunks(markup, 2000)
    assert all(len(chunk) <= 2000 and well_formed(chunk) for chunk in chunks)
    assert all(note_plain_text(chunk).endswith("of the log") for chunk in chunks)
    joined = "\n".join(note_plain_text(chunk) for chunk in chunks)
    assert joined == note_plain_text(markup)


def test_a_link_too_long_for_a_chunk_keeps_its_text() -> None:
    url = "https://x.example/" + "p" * 3000
    chunks = note_chunks(clean_note_html(f'<a href="{url}">the link</a> after'), 2000)
    assert chunks == ["the link after"]


def test_cuts_of_short_notes_are_kept_and_long_ones_made_again() -> None:
    short = "<b>Kick-off</b> call<br>" * 20
    first = notes.cut_note_html(short, max_lines=3, max_chars=200)
    before = notes._memo_cut.cache_info()
    again = notes.cut_note_html(short, max_lines=3, max_chars=200)
    assert again is first  # kept: a NoteCut is frozen
    assert notes._memo_cut.cache_info().hits == before.hits + 1
    assert notes.cut_note_html(short, max_lines=2, max_chars=200) != first  # other limits
    long = "word " * 2_000  # above what is kept
    assert len(long) > notes._MEMO_MARKUP
    misses = notes._memo_cut.cache_info().misses
    assert notes.cut_note_html(long, max_chars=50) == notes.cut_note_html(long, max_chars=50)
    assert notes._memo_cut.cache_info().misses == misses


def _long_notes(count: int) -> Iterator[str]:
    """Notes as long as is kept, of 4-byte characters, whose cut falls inside a long link (its
    tags are closed in the head and opened again in the rest), each made as it is asked for."""
    smile = "\U0001f600"
    href = "https://x.example/" + smile * 340
    words = 180
    while True:  # as many words as keep the note within what is kept (the same for every n)
        note = (
            f'<b><i><u><s><a href="{href}">{{:04}} {(smile * 4 + " ") * words}</a></s></u></i></b>'
        )
        if len(clean_note_html(note.format(0))) <= notes._MEMO_MARKUP:
            break
        words -= 1
    for n in range(count):
        yield clean_note_html(note.format(n))


def test_the_kept_cuts_stay_within_a_few_mb_at_their_bound() -> None:
    # the worst case the bound allows: as many notes as are kept, each as long as is kept, and
    # nothing else holding them (a note's markup is kept as the key of its cut)
    notes._memo_cut.cache_clear()
    tracing = tracemalloc.is_tracing()  # under `python -X tracemalloc`: measure, leave it on
    if not tracing:
        tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for markup in _long_notes(notes._MEMO_CUTS):
            assert len(markup) > notes._MEMO_MARKUP - 10
            assert notes.cut_note_html(markup, max_lines=6, max_chars=600).rest  # cut
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        if not tracing:
            tracemalloc.stop()
        assert notes._memo_cut.cache_info().currsize == notes._MEMO_CUTS
        notes._memo_cut.cache_clear()
    assert kept < 3_500_000
