"""Paged cards: a long list cut into pages that each fit Google's widget limit, and the
"1-50 of 200" row with Previous and Next under a page.

Pages are cut greedily from the first item by the widgets each item takes, so the same list
always gives the same pages: a page number names the same items on every render.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cardin.cards.context import CardContext
from cardin.cards.widgets import GREY, Json, button, button_list, colored, decorated

MAX_PER_PAGE = 50
"""The most items a page shows, however small they are (a page stays readable)."""
NAV_WIDGETS = 2
"""What the row under a page takes: the "1–50 of 200" line and the Previous/Next buttons."""


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: `index` (0 first) of `count` pages, items `start` to `stop`."""

    index: int
    count: int
    start: int
    stop: int
    total: int

    @property
    def has_previous(self) -> bool:
        """Whether a page comes before this one."""
        return self.index > 0

    @property
    def has_next(self) -> bool:
        """Whether a page comes after this one."""
        return self.index + 1 < self.count


def cut(sizes: Sequence[int], room: int, wanted: int, *, per_page: int = MAX_PER_PAGE) -> Page:
    """The page `wanted` of items taking `sizes` widgets each, each page within `room`.

    A page number past the last gives the last page; an item bigger than `room` gets a page
    of its own (the card's `fit` trims it).
    """
    bounds: list[tuple[int, int]] = []
    start = 0
    while start < len(sizes):
        stop, used = start, 0
        while stop < len(sizes) and stop - start < per_page:
            if used + sizes[stop] > room and stop > start:
                break
            used += sizes[stop]
            stop += 1
        bounds.append((start, stop))
        start = stop
    if not bounds:
        return Page(0, 1, 0, 0, 0)
    index = max(0, min(wanted, len(bounds) - 1))
    first, last = bounds[index]
    return Page(index, len(bounds), first, last, len(sizes))


def page_text(ctx: CardContext, page: Page, total: int | None = None) -> str:
    """ "1-50 of 200" (`total` when more exist than were fetched)."""
    return ctx.msgs.text(
        "list.page",
        first=ctx.fmt.number(page.start + 1),
        last=ctx.fmt.number(page.stop),
        total=ctx.fmt.number(max(total or 0, page.total)),
    )


def nav_widgets(
    ctx: CardContext,
    page: Page,
    go: Callable[[int], Json],
    *,
    total: int | None = None,
    more: Json | None = None,
) -> list[Json]:
    """The page's position and its Previous/Next buttons; none for a list on one page.

    `go(index)` is the click that shows page `index`; `more` is a button beside the position
    (the list's remainder in Pipedrive).
    """
    if page.count <= 1 and more is None:
        return []
    line = decorated(colored(page_text(ctx, page, total), GREY), button=more)
    buttons = []
    if page.has_previous:
        buttons.append(button(ctx.msgs.text("action.previous_page"), go(page.index - 1)))
    if page.has_next:
        buttons.append(button(ctx.msgs.text("action.next_page"), go(page.index + 1), primary=True))
    return [line, button_list(*buttons)] if buttons else [line]
