"""Note HTML: the card-safe subset, hostile input, idempotence and the plain-text view."""

from __future__ import annotations

import html
import re
import time
from datetime import date
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardin.contact import notes
from cardin.contact.notes import clean_note_html, note_plain_text
from cardin.sandbox import demo_dataset

NBSP = "\u00a0"
ALLOWED_TAGS = {"b", "i", "u", "s", "a", "br"}


# --- formatting kept -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("<b>b</b> <i>i</i> <u>u</u> <s>s</s>", "<b>b</b> <i>i</i> <u>u</u> <s>s</s>"),
        ("<strong>bold</strong> <em>it</em>", "<b>bold</b> <i>it</i>"),
        ("<strike>gone</strike> <del>gone too</del>", "<s>gone</s> <s>gone too</s>"),
        ("<b>bold <strong>inner</strong> end</b>", "<b>bold inner end</b>"),
        ("<b>unclosed <i>both", "<b>unclosed <i>both</i></b>"),
        ("<b></b><i> </i>text", "text"),
        ("text with <b>bold\nacross</b> lines", "text with <b>bold across</b> lines"),
        ('<span style="color:red">red</span> <font color="red">font</font>', "red font"),
        ("<h1>Title</h1>body", "Title<br>body"),
    ],
)
def test_inline_formatting(note: str, expected: str) -> None:
    assert clean_note_html(note) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (
            '<a href="https://x.example/p?a=1&amp;b=2">x</a>',
            '<a href="https://x.example/p?a=1&amp;b=2">x</a>',
        ),
        (
            '<a href="mailto:jane@acme.example">mail</a>',
            '<a href="mailto:jane@acme.example">mail</a>',
        ),
        ('<a href="tel:+3725555">call</a>', '<a href="tel:+3725555">call</a>'),
        (
            '<a href="https://x.example" target="_blank" rel="opener" onclick="x()" id="t">x</a>',
            '<a href="https://x.example">x</a>',
        ),
        ('<a href="/relative/path">rel</a>', "rel"),
        ('<a href="ftp://x.example">ftp</a>', "ftp"),
        ('<a href="data:text/html;base64,PHNjcmlwdD4=">data</a>', "data"),
        ("<a>no href</a>", "no href"),
        ('<a href="https://x.example"></a>after', "after"),
        (
            '<a href="https://x.example"><b>bold link</b></a>',
            '<a href="https://x.example"><b>bold link</b></a>',
        ),
    ],
)
def test_links_keep_only_safe_hrefs(note: str, expected: str) -> None:
    assert clean_note_html(note) == expected


@pytest.mark.parametrize(
    "href",
    [
        "https://x.example/p",
        "HTTPS://x.example/p",
        "HtTpS://x.example/p",
        "&#104;ttps://x.example/p",
        "https&#58;//x.example/p",
        " https://x.example/p",
        "mailto:jane@acme.example",
        "MailTo:jane@acme.example",
        "tel:+3725555",
        "TEL:+3725555",
    ],
)
def test_https_mailto_and_tel_links_survive(href: str) -> None:
    cleaned = clean_note_html(f'<a href="{href}">x</a>')
    target = html.unescape(href).strip()
    assert cleaned == f'<a href="{html.escape(target)}">x</a>'


@pytest.mark.parametrize(
    "href",
    [
        "http://x.example/p",
        "HTTP://x.example/p",
        "hTtP://x.example/p",
        "&#104;ttp://x.example/p",
        "&#x68;&#x74;&#x74;&#x70;://x.example/p",
        "http&#58;//x.example/p",
        " http://x.example/p",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;avascript&colon;alert(1)",
        "java&#x09;script:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "DATA:text/html,<b>x</b>",
        "vbscript:msgbox(1)",
        "VBScript:msgbox(1)",
        "file:///etc/passwd",
        "ftp://x.example/p",
        "ws://x.example/p",
        "/relative/path",
        "relative/path",
        "../up",
        "?q=1",
        "#fragment",
        "//evil.example/p",
        "\\\\evil.example/p",
        "/\\evil.example/p",
        "",
    ],
)
def test_links_to_any_other_target_become_their_text(href: str) -> None:
    assert clean_note_html(f'<a href="{href}">x</a>') == "x"


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("<p>one</p><p>two</p>", "one<br>two"),
        ("<div>a</div><div><br></div><div>b</div>", "a<br><br>b"),
        ("<p>a</p>\n\n<p>b</p>", "a<br>b"),
        ("<blockquote>quoted</blockquote>reply", "quoted<br>reply"),
        ("<br><br>x<br><br><br><br>y<br><br>", "x<br><br>y"),
        ("<p>  </p><p></p>", ""),
        ("a<br/>b<BR>c", "a<br>b<br>c"),
        ("<b>a<br></b>b", "<b>a</b><br>b"),
        ("<b>a<br>b</b>", "<b>a<br>b</b>"),
    ],
)
def test_blocks_and_breaks(note: str, expected: str) -> None:
    assert clean_note_html(note) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("<ul><li>a</li><li>b</li></ul>", "• a<br>• b"),
        ("<ol><li>one</li><li>two</li></ol>after", "• one<br>• two<br>after"),
        ("before<ul><li>x</li></ul>", "before<br>• x"),
        (
            "<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li><li>d</li></ul>",
            f"• a<br>{NBSP}{NBSP}• b<br>{NBSP * 4}• c<br>• d",
        ),
        ("<ul><li></li><li> x </li></ul>", "• x"),
        ("<ul><li><b>bold</b> item</li></ul>", "• <b>bold</b> item"),
        ("<ul><li><p>para</p></li></ul>", "• para"),
    ],
)
def test_lists_become_bullet_lines(note: str, expected: str) -> None:
    assert clean_note_html(note) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("a < b & c", "a &lt; b &amp; c"),
        ("<p>a &lt; b &amp; c</p>", "a &lt; b &amp; c"),
        ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<p>a&nbsp;&nbsp;b &quot;q&quot; &#8364;</p>", f'a{NBSP}{NBSP}b "q" €'),
        ("5 > 3", "5 &gt; 3"),
    ],
)
def test_entities_stay_text(note: str, expected: str) -> None:
    assert clean_note_html(note) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("line 1\nline 2", "line 1<br>line 2"),
        ("line 1\r\nline 2\rline 3", "line 1<br>line 2<br>line 3"),
        ("\n\nfirst\n\n\n\n\nlast\n\n", "first<br><br>last"),
        ("tom & jerry\n<3", "tom &amp; jerry<br>&lt;3"),
    ],
)
def test_plain_text_keeps_its_newlines(note: str, expected: str) -> None:
    assert clean_note_html(note) == expected


# --- hostile input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("<script>alert(1)</script>safe", "safe"),
        ("<style>body{display:none}</style>shown", "shown"),
        ("<img src=x onerror=alert(1)>hi", "hi"),
        ('<a href="jAvAsCrIpT:alert(1)">x</a>', "x"),
        ('<a href=" javascript:alert(1)">x</a>', "x"),
        ('<a href="java\tscript:alert(1)">x</a>', "x"),
        ('<a href="&#106;avascript:alert(1)">x</a>', "x"),
        ('<a href="&#x6A;&#x61;vascript&#58;alert(1)">x</a>', "x"),
        ('<a href="vbscript:msgbox(1)">x</a>', "x"),
        ("<svg onload=alert(1)><text>svg text</text></svg>after", "after"),
        ("<scr<script>ipt>alert(1)</script>", "ipt&gt;alert(1)"),
        ("<iframe src=javascript:alert(1)>inside</iframe>out", "out"),
        ('<div onmouseover="alert(1)" style="x:expression(alert(1))">d</div>', "d"),
        ("<!-- <script>alert(1)</script> -->c", "c"),
        ("<math><mtext><script>alert(1)</script></mtext></math>m", "m"),
        ('<object data="javascript:alert(1)">o</object>p', "p"),
        ("<b onclick=alert(1)>b</b>", "<b>b</b>"),
        ("<textarea><script>alert(1)</script></textarea>t", "t"),
        ('<a href="https://ok.example" style="x">ok</a>', '<a href="https://ok.example">ok</a>'),
        ("<template><b>t</b></template>z", "z"),
        ("<noscript><img src=x onerror=alert(1)></noscript>n", "n"),
        (
            "<b>unterminated <a href='https://x.example'>link",
            '<b>unterminated <a href="https://x.example">link</a></b>',
        ),
    ],
)
def test_hostile_html_is_neutralised(note: str, expected: str) -> None:
    assert clean_note_html(note) == expected


def test_a_link_nested_through_table_repair_joins_the_outer_link() -> None:
    note = '<a href="mailto:x@y.example"><table><tr><td><a href="https://ok.example">in</a>'
    cleaned = clean_note_html(note)
    assert cleaned == '<a href="mailto:x@y.example">in</a>'
    assert clean_note_html(cleaned) == cleaned


def test_huge_note_is_fast_and_complete() -> None:
    chunk = "<p><b>Meeting</b> notes &amp; <a href='https://x.example'>link</a><ul><li>item</li></ul></p>"
    note = chunk * (100_000 // len(chunk) + 1)
    start = time.perf_counter()
    cleaned = clean_note_html(note)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0
    assert cleaned.count("<b>Meeting</b>") == note.count("<b>Meeting</b>")
    assert cleaned.count("• item") == note.count("<li>item</li>")


def test_huge_plain_note_is_fast() -> None:
    note = "line & more\n" * 10_000
    start = time.perf_counter()
    cleaned = clean_note_html(note)
    assert time.perf_counter() - start < 2.0
    assert cleaned.count("<br>") == 9_999


# --- plain text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        ("<p>Hello <strong>World</strong></p><p>Second</p>", "Hello World\nSecond"),
        ("a < b & c", "a < b & c"),
        ("<p>a &lt; b &amp; c</p>", "a < b & c"),
        ('<a href="https://x.example">link</a> text', "link text"),
        ("<ul><li>a<ul><li>b</li></ul></li></ul>", f"• a\n{NBSP}{NBSP}• b"),
        ("<script>alert(1)</script>x\n\n\n\ny", "x y"),
        ("x\n\n\n\ny", "x\n\ny"),
        ("", ""),
    ],
)
def test_note_plain_text(note: str, expected: str) -> None:
    assert note_plain_text(note) == expected


# --- properties ----------------------------------------------------------------------------------


class _TagCollector(HTMLParser):
    """Collects every tag and attribute of a fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def assert_card_safe(cleaned: str) -> None:
    """Only the allowed tags, only href on a, only safe schemes, no handlers, no scripts."""
    collector = _TagCollector()
    collector.feed(cleaned)
    collector.close()
    for tag, attrs in collector.tags:
        assert tag in ALLOWED_TAGS, cleaned
        assert [name for name, _ in attrs] == (["href"] if tag == "a" else []), cleaned
        if tag == "a":
            href = attrs[0][1] or ""
            assert re.match(r"(https|mailto|tel):", href, re.IGNORECASE), cleaned
    lowered = cleaned.lower()
    assert "<script" not in lowered
    assert "javascript:" not in lowered
    assert not re.search(r"<[^>]*\son\w*\s*=", lowered)
    assert "\n" not in cleaned


FRAGMENTS = [
    "<script>alert(1)</script>",
    "<scr<script>ipt>alert(2)</script>",
    "<img src=x onerror=alert(3)>",
    "<svg onload=alert(4)>",
    '<a href="jAvAsCrIpT:alert(5)">',
    '<a href=" javascript:alert(6)">',
    '<a href="&#106;avascript:alert(7)">',
    '<a href="data:text/html,<script>alert(8)</script>">',
    '<a href="https://ok.example/?a=1&b=2" onclick="x">',
    '<a href="mailto:x@y.example">',
    '<a href="http://plain.example">',
    '<a href="//evil.example">',
    "</a>",
    "<b>",
    "</b>",
    "<strong>",
    "<em>",
    "</em>",
    "<u>",
    "<s>",
    "<strike>",
    "<del>",
    "<p>",
    "</p>",
    "<div style='x'>",
    "</div>",
    "<ul>",
    "<ol>",
    "<li>",
    "</li>",
    "</ul>",
    "</ol>",
    "<br>",
    "<br/>",
    "<blockquote>",
    "<style>p{}</style>",
    "<!--",
    "-->",
    "<iframe src=x>",
    "&lt;",
    "&amp;",
    "&nbsp;",
    "&#60;script&#62;",
    "<",
    ">",
    "&",
    "\n",
    " ",
    '"',
    "'",
    "=",
    "<table><tr><td>",
    "<h2>",
    "<span>",
]
# Free text without ":" so that "javascript:" in the output could only come from markup.
free_text = st.text(st.characters(exclude_characters=":", exclude_categories=["Cs"]), max_size=12)
hostile_notes = st.lists(st.sampled_from(FRAGMENTS) | free_text, max_size=30).map("".join)


@settings(max_examples=500, deadline=None)
@given(hostile_notes)
def test_output_is_card_safe_and_idempotent(note: str) -> None:
    cleaned = clean_note_html(note)
    assert_card_safe(cleaned)
    assert clean_note_html(cleaned) == cleaned
    assert not cleaned.startswith("<br>")
    assert not cleaned.endswith("<br>")
    assert "<br><br><br>" not in cleaned


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_safe_and_idempotent(note: str) -> None:
    cleaned = clean_note_html(note)
    assert_card_safe_without_text_checks(cleaned)
    assert clean_note_html(cleaned) == cleaned


def assert_card_safe_without_text_checks(cleaned: str) -> None:
    """The structural checks only: free text may legitimately mention 'javascript:'."""
    collector = _TagCollector()
    collector.feed(cleaned)
    collector.close()
    assert all(tag in ALLOWED_TAGS for tag, _ in collector.tags), cleaned


@settings(max_examples=200, deadline=None)
@given(hostile_notes)
def test_plain_text_is_the_clean_html_without_markup(note: str) -> None:
    cleaned = clean_note_html(note)
    # Text in the clean HTML is escaped, so every "<...>" in it is one of our tags.
    expected = html.unescape(re.sub(r"<[^>]+>", "", cleaned.replace("<br>", "\n")))
    assert note_plain_text(note) == expected


# --- nh3's output read without HTMLParser -------------------------------------------------------


def walked(markup: str, *, quick: bool) -> str:
    walker = notes._NoteWalker()
    if quick:
        notes._walk_serialized(markup, walker)
    else:
        walker.feed(markup)
        walker.close()
    return walker.out.result()


@settings(max_examples=1000, deadline=None)
@given(hostile_notes | st.text(max_size=200))
def test_the_quick_walk_reads_nh3_output_as_htmlparser_does(note: str) -> None:
    sanitized = notes._SANITIZER.clean(note)
    assert notes._SERIALIZED.fullmatch(sanitized), sanitized  # nh3 writes nothing else
    assert walked(sanitized, quick=True) == walked(sanitized, quick=False)


def test_markup_not_as_nh3_writes_it_is_read_by_htmlparser(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    odd = "<B>bold</B> <a href='https://x.example'>x</a>"  # upper case, single quotes
    assert not notes._SERIALIZED.fullmatch(odd)
    # a ">" in a value would end the tag for the quick walk: HTMLParser reads it
    assert not notes._SERIALIZED.fullmatch('<a href="https://x.example/a>b">t</a>')

    class AsGiven:
        def clean(self, text: str) -> str:
            return text

    monkeypatch.setattr(notes, "_SANITIZER", AsGiven())
    assert clean_note_html(odd) == '<b>bold</b> <a href="https://x.example">x</a>'
    assert clean_note_html('<a href="https://x.example/a>b">t</a>') == (
        '<a href="https://x.example/a&gt;b">t</a>'
    )


def test_the_demo_notes_are_walked_quickly() -> None:
    company = demo_dataset(date(2026, 11, 28)).companies[0]
    for note in company.notes:
        sanitized = notes._SANITIZER.clean(note["content"])
        assert notes._SERIALIZED.fullmatch(sanitized)
        assert walked(sanitized, quick=True) == walked(sanitized, quick=False)
