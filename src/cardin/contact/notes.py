"""Note HTML from Pipedrive reduced to what a Card v1 text widget renders safely.

Two passes: nh3 (a browser-grade HTML5 parser) strips everything unsafe and unknown, then a small
walker over its well-formed output renames tags, turns blocks and lists into line breaks and
bullets, and writes canonical markup. The output uses only b, i, u, s, a[href] and br, and a link
survives only with an https, mailto or tel target.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from html.parser import HTMLParser

import nh3

_INLINE = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "u": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
}
# Block elements: each starts and ends a line.
_BLOCKS = frozenset(
    {"p", "div", "blockquote", "pre", "hr", "center", "address", "table", "tr", "figure"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "dl", "dt", "dd", "figcaption"}
    | {"section", "article", "header", "footer"}
)
_LISTS = frozenset({"ul", "ol"})
# A note's link opens from Gmail's HTTPS page: plain http: would hand the reader a page anyone on
# the way can read and rewrite, and the other schemes (javascript:, data:, vbscript:, file:...)
# are ways to run or smuggle content. A link to anything else stays as its text.
_LINK_SCHEMES = frozenset({"https", "mailto", "tel"})
# Content of these is dropped with the tag; text inside them was never meant to be read.
_DROP_CONTENT = frozenset(
    {"script", "style", "template", "iframe", "object", "embed", "svg", "math", "title"}
    | {"noscript", "noembed", "noframes", "textarea", "select", "xmp"}
)
_SANITIZER = nh3.Cleaner(
    tags=set(_INLINE) | _BLOCKS | _LISTS | {"a", "br", "li"},
    clean_content_tags=set(_DROP_CONTENT),
    attributes={"a": {"href"}},
    url_schemes=set(_LINK_SCHEMES),
    url_relative="deny",
    link_rel=None,
    strip_comments=True,
)
_TAG_START = re.compile(r"<[a-zA-Z!/?]")
_NEWLINE = re.compile(r"\r\n?|\n")
_SPACES = re.compile(r"[ \t\n\r\f]+")  # HTML whitespace; a no-break space is content
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_URL_NOISE = re.compile(r"[\t\n\r]")
_MAX_BREAKS = 2
_BULLET = "\u2022 "
_INDENT = "\u00a0\u00a0"


def clean_note_html(html_text: str) -> str:
    """The note reduced to b, i, u, s, a[href] and br: safe for a card, idempotent."""
    if not _TAG_START.search(html_text):
        # Plain text (e.g. written through the API): its newlines are the line breaks.
        html_text = _NEWLINE.sub("<br>", html_text)
    walker = _NoteWalker()
    sanitized = _SANITIZER.clean(html_text)
    if _SERIALIZED.fullmatch(sanitized):
        _walk_serialized(sanitized, walker)
    else:  # not as nh3 is known to write: the standard library's parser reads it
        walker.feed(sanitized)
        walker.close()
    return walker.out.result()


# nh3's output as its serializer writes it: text with "<" escaped, lower-case tags, attribute
# values in double quotes (entities escaped). Such markup is read by `_walk_serialized`, which
# calls the walker as HTMLParser would (a test compares the two on hostile notes), about five
# times faster; anything else goes through HTMLParser.
_SERIALIZED = re.compile(
    r'(?:[^<]+|<[a-z][a-z0-9]*(?: [a-z][a-z0-9-]*="[^"<>]*")*>|</[a-z][a-z0-9]*>)*'
)
_SERIALIZED_TOKEN = re.compile(r"<(/?)([a-z][a-z0-9]*)([^>]*)>|([^<]+)")
_SERIALIZED_ATTRIBUTE = re.compile(r' ([a-z][a-z0-9-]*)="([^"]*)"')


def _walk_serialized(markup: str, walker: _NoteWalker) -> None:
    """Call `walker` on markup that `_SERIALIZED` matches, as HTMLParser calls it: one text run
    between tags, entities decoded; each tag with its attributes, their values decoded."""
    for closing, tag, attributes, text in _SERIALIZED_TOKEN.findall(markup):
        if text:
            walker.handle_data(html.unescape(text))
        elif closing:
            walker.handle_endtag(tag)
        else:
            pairs = _SERIALIZED_ATTRIBUTE.findall(attributes)
            walker.handle_starttag(tag, [(name, html.unescape(value)) for name, value in pairs])


def note_plain_text(html_text: str) -> str:
    """The note as plain text for a terminal: same rules, newlines, entities decoded."""
    reader = _PlainReader()
    reader.feed(clean_note_html(html_text))
    reader.close()
    return "".join(reader.parts)


def _safe_href(href: str | None) -> str | None:
    """The link target if it is an absolute https, mailto or tel URL, else None."""
    if href is None:
        return None
    # Browsers ignore tabs and newlines in URLs and trim spaces: check what they would follow.
    url = _URL_NOISE.sub("", href).strip(" \x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f")
    scheme = _SCHEME.match(url)
    return url if scheme and scheme.group(1).lower() in _LINK_SCHEMES else None


@dataclass
class _Open:
    """An inline element on the walker's stack; `markup` is None when it renders as nothing."""

    tag: str
    markup: str | None
    emitted: bool = False


@dataclass
class _Output:
    """Canonical markup builder: breaks, spaces, bullets and open tags wait for visible text."""

    parts: list[str] = field(default_factory=list)
    stack: list[_Open] = field(default_factory=list)
    breaks: int = 0
    space: bool = False
    bullet: str = ""
    has_text: bool = False
    line_has_text: bool = False

    def text(self, data: str) -> None:
        """Add text; runs of HTML whitespace become one space, dropped at line edges."""
        data = _SPACES.sub(" ", data)
        if data.startswith(" "):
            self.space = True
        words = data.strip(" ")
        if words:
            self._flush()
            self.parts.append(html.escape(words, quote=False))
            self.space = data.endswith(" ")

    def line_break(self, *, soft: bool = False) -> None:
        """End the line; a soft break (block edge) only ends a line that has text."""
        if soft and not self.line_has_text:
            return
        self.breaks += 1
        self.space = False
        self.bullet = ""
        self.line_has_text = False

    def start_bullet(self, depth: int) -> None:
        """Begin a list item on its own line, indented by its nesting depth."""
        self.line_break(soft=True)
        self.bullet = _INDENT * max(depth - 1, 0) + _BULLET

    def open(self, tag: str, markup: str | None) -> None:
        """Open an inline element; its markup is written before its first text."""
        outer = {_tag_name(o.markup) for o in self.stack if o.markup}
        # A tag already open around this one adds nothing (<b><strong>x</strong></b>), and a link
        # inside a link (which HTML forbids, but table fix-ups can produce) joins the outer one.
        inner = markup if markup and _tag_name(markup) not in outer else None
        self.stack.append(_Open(tag, inner))

    def close(self, tag: str) -> None:
        """Close the innermost open element of that tag, and any left open inside it."""
        if all(o.tag != tag for o in self.stack):
            return
        while self.stack:
            element = self.stack.pop()
            if element.emitted and element.markup:
                self.parts.append(f"</{_tag_name(element.markup)}>")
            if element.tag == tag:
                return

    def result(self) -> str:
        """The markup, with open tags closed and trailing breaks dropped."""
        while self.stack:
            self.close(self.stack[-1].tag)
        return "".join(self.parts)

    def _flush(self) -> None:
        """Write what waits for text: breaks, the bullet or a space, then pending open tags."""
        if self.has_text and self.breaks:
            self.parts.append("<br>" * min(self.breaks, _MAX_BREAKS))
        elif self.space and self.line_has_text:
            self.parts.append(" ")
        self.breaks, self.space = 0, False
        if self.bullet:
            self.parts.append(self.bullet)
            self.bullet = ""
        for element in self.stack:
            if element.markup and not element.emitted:
                self.parts.append(element.markup)
                element.emitted = True
        self.has_text = self.line_has_text = True


def _tag_name(markup: str) -> str:
    """The tag name of an opening tag's markup ("<a href=...>" -> "a")."""
    return markup[1:].split(" ", 1)[0].rstrip(">")


class _NoteWalker(HTMLParser):
    """Walks nh3's output and writes the card subset into an `_Output`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = _Output()
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Map an opening tag to a line break, a bullet or an inline element."""
        if tag == "br":
            self.out.line_break()
        elif tag in _LISTS:
            self._depth += 1
            self.out.line_break(soft=True)
        elif tag == "li":
            self.out.start_bullet(self._depth)
        elif tag in _BLOCKS:
            self.out.line_break(soft=True)
        elif tag == "a":
            href = _safe_href(dict(attrs).get("href"))
            markup = f'<a href="{html.escape(href, quote=True)}">' if href else None
            self.out.open("a", markup)
        elif tag in _INLINE:
            self.out.open(tag, f"<{_INLINE[tag]}>")

    def handle_startendtag(self, tag: str, _attrs: list[tuple[str, str | None]]) -> None:
        """A self-closed tag: only <br/> means anything here."""
        if tag == "br":
            self.out.line_break()

    def handle_endtag(self, tag: str) -> None:
        """Close an inline element, or end the line of a block or list."""
        if tag in _LISTS:
            self._depth = max(self._depth - 1, 0)
            self.out.line_break(soft=True)
        elif tag in _BLOCKS or tag == "li":
            self.out.line_break(soft=True)
        elif tag == "a" or tag in _INLINE:
            self.out.close(tag)

    def handle_data(self, data: str) -> None:
        """Text, entities already decoded."""
        self.out.text(data)


class _PlainReader(HTMLParser):
    """Reads the card subset back as plain text: br becomes a newline, tags vanish."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, _attrs: list[tuple[str, str | None]]) -> None:
        """A <br> is a newline; other tags carry no text."""
        if tag == "br":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        """Text, entities already decoded."""
        self.parts.append(data)


# --- cutting a note ------------------------------------------------------------------------

_PIECE = re.compile(r"<[^>]*>|[^<]+|<")
_UNIT = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);|.", re.DOTALL)
_TAG_NAME = re.compile(r"<(/?)\s*([A-Za-z][A-Za-z0-9]*)")
_VOID = frozenset({"br"})
_ANY_TAG = re.compile(r"<[^>]*>")
_LEADING_GAP = re.compile(r"(?:\s|<br\s*/?>)+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class NoteCut:
    """A note cut in two: `head` and `rest` are each well-formed markup (a tag open at the cut
    is closed at the end of `head` and opened again at the start of `rest`); `rest` is "" when
    the whole note is in `head`."""

    head: str
    rest: str

    @property
    def is_cut(self) -> bool:
        """Whether some of the note is left over."""
        return bool(self.rest)


def cut_note_html(
    markup: str,
    *,
    max_lines: int | None = None,
    max_chars: int | None = None,
    max_markup: int | None = None,
    at_lines: bool = False,
) -> NoteCut:
    """The note cut after `max_lines` lines, `max_chars` visible characters or `max_markup`
    characters of markup (closing tags included), whichever comes first.

    The cut falls at the end of a line or between words (with `at_lines`, at the end of a line
    whenever one fits), never inside a tag or an entity; a single word longer than the limit is
    cut where the limit falls. `markup` is the card subset that `clean_note_html` writes; the
    head always holds some of a non-empty note, so cutting the rest again always ends.

    A pure function of its arguments, so the cuts of notes up to `_MEMO_MARKUP` characters are
    kept (`_MEMO_CUTS` of them): a repeat open renders the same notes again (a quarter of a
    contact card's rendering was cutting them).
    """
    if len(markup) <= _MEMO_MARKUP:
        return _memo_cut(markup, max_lines, max_chars, max_markup, at_lines=at_lines)
    return _Cutter(max_lines, max_chars, max_markup, at_lines=at_lines).cut(markup)


# Notes are short as a rule (the demo's: 44 characters of markup at the median, 181 at most
# but for its two long notes). Kept with their cuts, 256 notes of 1,024 characters take at most
# about 2.7 MB (4-byte characters, a long link cut inside; tests/contact/test_note_cut.py)
_MEMO_MARKUP = 1024
_MEMO_CUTS = 256


@lru_cache(maxsize=_MEMO_CUTS)
def _memo_cut(
    markup: str,
    max_lines: int | None,
    max_chars: int | None,
    max_markup: int | None,
    *,
    at_lines: bool,
) -> NoteCut:
    return _Cutter(max_lines, max_chars, max_markup, at_lines=at_lines).cut(markup)


def note_chunks(markup: str, max_markup: int) -> list[str]:
    """The note in pieces of at most `max_markup` characters of markup (a longer link or word
    may go over), each well-formed, cut at line ends where possible, in order."""
    chunks: list[str] = []
    rest = markup
    while rest:
        part = cut_note_html(rest, max_markup=max_markup, at_lines=True)
        chunks.append(part.head)
        rest = part.rest
    return chunks


@dataclass(frozen=True, slots=True)
class _Mark:
    """A place the head may end: pieces written before it, tags open there, where the rest
    starts in the source, and the visible characters before it."""

    written: int
    stack: tuple[tuple[str, str | None], ...]
    resume: int
    chars: int


class _Cutter:
    """One pass over the markup, writing the head until a limit is reached."""

    def __init__(
        self,
        max_lines: int | None,
        max_chars: int | None,
        max_markup: int | None,
        *,
        at_lines: bool,
    ) -> None:
        self.max_lines, self.max_chars, self.max_markup = max_lines, max_chars, max_markup
        self.at_lines = at_lines
        self.out: list[str] = []
        self.size = 0
        self.stack: list[tuple[str, str | None]] = []
        self.lines = 1
        self.chars = 0
        self.line_mark: _Mark | None = None
        self.word_mark: _Mark | None = None

    def cut(self, markup: str) -> NoteCut:
        for piece in _PIECE.finditer(markup):
            text, start = piece.group(), piece.start()
            is_tag = text.startswith("<") and len(text) > 1
            stop = self._tag(text, start) if is_tag else self._text(text, start)
            if stop is not None:
                return self._finish(markup, stop)
        return NoteCut(self._head(len(self.out), self.stack), "")

    # -- what each piece does ------------------------------------------------------------

    def _tag(self, tag: str, start: int) -> _Mark | None:
        """Write a tag, or return where to cut when it does not fit."""
        name_match = _TAG_NAME.match(tag)
        if name_match is None:  # a comment or declaration: the cleaner leaves none
            return None
        name = name_match.group(2).lower()
        if name_match.group(1) == "/":
            self._close(name)
            return None
        if name in _VOID:
            return self._break(tag, start)
        return self._open(tag, name, start)

    def _close(self, name: str) -> None:
        if self.stack and self.stack[-1][0] == name:
            _, opened = self.stack.pop()
            if opened is not None:
                self._write(f"</{name}>")

    def _break(self, tag: str, start: int) -> _Mark | None:
        if self.max_lines is not None and self.lines >= self.max_lines and self.chars:
            return self._here(start + len(tag))
        if not self._fits(len(tag)) and self.chars:
            return self._best(start)
        self.line_mark = self._here(start + len(tag))
        self._write(tag)
        self.lines += 1
        return None

    def _open(self, tag: str, name: str, start: int) -> _Mark | None:
        if self._fits(len(tag) + len(name) + 3):
            self.stack.append((name, tag))
            self._write(tag)
        elif self.chars:
            return self._best(start)
        else:  # not even alone on a piece: its text goes without it
            self.stack.append((name, None))
        return None

    def _text(self, text: str, start: int) -> _Mark | None:
        for unit in _UNIT.finditer(text):
            visible = unit.group()
            over_chars = self.max_chars is not None and self.chars + 1 > self.max_chars
            if (over_chars or not self._fits(len(visible))) and self.chars:
                return self._best(start + unit.start())
            if visible == " ":
                self.word_mark = self._here(start + unit.end())
            self._write(visible)
            self.chars += 1
        return None

    # -- bookkeeping ---------------------------------------------------------------------

    def _fits(self, cost: int) -> bool:
        if self.max_markup is None:
            return True
        closing = sum(len(name) + 3 for name, opened in self.stack if opened is not None)
        return self.size + cost + closing <= self.max_markup

    def _write(self, piece: str) -> None:
        self.out.append(piece)
        self.size += len(piece)

    def _here(self, resume: int) -> _Mark:
        return _Mark(len(self.out), tuple(self.stack), resume, self.chars)

    def _best(self, here: int) -> _Mark:
        """Where to cut once a limit is reached: a line end, else between words, else here."""
        marks = [m for m in (self.line_mark, self.word_mark) if m is not None and m.chars]
        if self.at_lines and self.line_mark is not None and self.line_mark.chars:
            return self.line_mark
        return max(marks, key=lambda m: m.written) if marks else self._here(here)

    def _head(self, written: int, stack: Sequence[tuple[str, str | None]]) -> str:
        closing = "".join(f"</{name}>" for name, opened in reversed(stack) if opened is not None)
        return "".join(self.out[:written]).rstrip(" ") + closing

    def _finish(self, markup: str, mark: _Mark) -> NoteCut:
        gap = _LEADING_GAP.match(markup, mark.resume)
        resume = gap.end() if gap else mark.resume
        tail = markup[resume:]
        if not _has_text(tail):
            return NoteCut(self._head(len(self.out), self.stack), "")
        reopened = "".join(opened for _, opened in mark.stack if opened is not None)
        return NoteCut(self._head(mark.written, mark.stack), reopened + tail)


def _has_text(markup: str) -> bool:
    """Whether any visible character is left in the markup."""
    return bool(_ANY_TAG.sub("", markup).strip())
