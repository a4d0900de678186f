"""The note card: one note of the contact in full ("Read the whole note"), paged when long."""

from __future__ import annotations

from cardin.cards import icons
from cardin.cards.contact import contact_frame
from cardin.cards.context import CardContext
from cardin.cards.parts import NotesOf, note_meta, read_note_click
from cardin.cards.widgets import (
    GREY,
    MAX_TEXT,
    Html,
    Json,
    button,
    button_list,
    colored,
    decorated,
    paragraph,
    section,
)
from cardin.contact.model import Deal, Match, Note
from cardin.contact.notes import note_chunks

# A page holds a few screens of text: NOTE_PAGE_CHUNKS paragraphs of at most MAX_TEXT
# characters of markup each, far within Google's widget limit and a card's reasonable size.
NOTE_PAGE_CHUNKS = 6


def note_pages(note: Note) -> list[list[Html]]:
    """The note's text in pages of paragraphs (at least one page, maybe empty)."""
    chunks = [Html(chunk) for chunk in note_chunks(note.html.strip(), MAX_TEXT)]
    pages = [chunks[i : i + NOTE_PAGE_CHUNKS] for i in range(0, len(chunks), NOTE_PAGE_CHUNKS)]
    return pages or [[]]


def render_note_card(
    match: Match,
    note: Note,
    ctx: CardContext,
    *,
    page: int = 1,
    deal_id: int | None = None,
    deal: Deal | None = None,
) -> Json:
    """The note in full under the contact's header: who wrote it and when (and on which deal),
    then page `page` of its text (clamped to the pages there are) with Previous and Next.

    `deal_id`: the deal whose card the note was read from (Previous and Next carry it, so the
    note is found on that deal again); `deal`: that deal, when it was fetched to find the note.
    """
    pages = note_pages(note)
    shown = min(max(page, 1), len(pages))
    of = NotesOf(match.email, match.contact.id, deal.id if deal is not None else deal_id)
    title = deal.title if deal is not None else _deal_title(match, note.id, deal_id)
    about = decorated(
        note_meta(ctx, note) or ctx.msgs.text("note.title"),
        top=title,
        start_icon=icons.known("DESCRIPTION", ctx.msgs.text("icon.note")),
    )
    text = [paragraph(chunk) for chunk in pages[shown - 1]]
    if not text:
        text = [paragraph(colored(ctx.msgs.text("note.empty"), GREY))]
    sections = [
        section([about], header=ctx.msgs.text("note.title")),
        section(text),
    ]
    if len(pages) > 1:
        sections.append(_pager(of, note, ctx, shown, len(pages)))
    return contact_frame(match, ctx, sections, name="note")


def _pager(of: NotesOf, note: Note, ctx: CardContext, shown: int, count: int) -> Json:
    """ "Page 2 of 4" with Previous and Next (each only where there is such a page)."""
    fmt = ctx.fmt
    where = ctx.msgs.text("note.page", page=fmt.number(shown), pages=fmt.number(count))
    buttons = []
    if shown > 1:
        click = read_note_click(ctx, of, note, page=shown - 1)
        buttons.append(button(ctx.msgs.text("note.previous"), click))
    if shown < count:
        click = read_note_click(ctx, of, note, page=shown + 1)
        buttons.append(button(ctx.msgs.text("note.next"), click))
    return section([decorated(colored(where, GREY)), button_list(*buttons)])


def _deal_title(match: Match, note_id: int, deal_id: int | None) -> str | None:
    """The title of the deal the note is on, when it is one of the deal notes fetched, else of
    the deal it was read from, when that is one of the contact's deals fetched."""
    deals = match.contact.deals.items
    for deal in deals:
        if deal.notes is not None and any(n.id == note_id for n in deal.notes.items):
            return deal.title
    return next((deal.title for deal in deals if deal.id == deal_id), None)
