"""Paged cards: a long list cut into pages that each fit Google's widget limit, and the
"1-50 of 200" row with Previous and Next under a page.

Pages are cut greedily from the first item by the widgets each item takes, so the same list
always gives the same pages: a page number names the same items on every render. Items are
rendered when the cut first needs them (`Rendered`): a page renders the items up to its end and
the one after it, never the rest of a long list (200 deals with their notes took 52 ms when
every one was rendered to show the first 10).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from cardin.cards.context import CardContext
from cardin.cards.widgets import GREY, Json, button, button_list, colored, decorated

MAX_PER_PAGE = 50
"""The most items a page shows, however small they are (a page stays readable)."""
NAV_WIDGETS = 2
"""What the row under a page takes: the "1–50 of 200" line and the Previous/Next buttons."""


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: page `index` (0 first), items `start` to `stop` of `total`."""

    index: int
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
        return self.stop < self.total


class Rendered(Generic[T]):
    """The widgets of each item of a list, rendered when first asked for and kept."""

    def __init__(self, items: Sequence[T], render: Callable[[T], list[Json]]) -> None:
        self._items, self._render = items, render
        self._done: dict[int, list[Json]] = {}

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> list[Json]:
        if index not in self._done:
            self._done[index] = self._render(self._items[index])
        return self._done[index]

    def size(self, index: int) -> int:
        """How many widgets item `index` takes."""
        return len(self[index])

    def on(self, page: Page) -> list[list[Json]]:
        """The widgets of each item on `page`."""
        return [self[index] for index in range(page.start, page.stop)]


def cut(
    size: Callable[[int], int], total: int, room: int, wanted: int, *, per_page: int = MAX_PER_PAGE
) -> Page:
    """The page `wanted` of `total` items, item `i` taking `size(i)` widgets, each page within
    `room`; `size` is asked only for the items up to that page's end and the one after it.

    A page number past the last gives the last page; an item bigger than `room` gets a page
    of its own (the card's `fit` trims it).
    """
    index = start = 0
    while True:
        stop, used = start, 0
        while stop < total and stop - start < per_page:
            taken = size(stop)
            if used + taken > room and stop > start:
                break
            used += taken
            stop += 1
        if index >= wanted or stop >= total:
            return Page(index, start, stop, total)
        index, start = index + 1, stop


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
    if not page.has_previous and not page.has_next and more is None:
        return []
    line = decorated(colored(page_text(ctx, page, total), GREY), button=more)
    buttons = []
    if page.has_previous:
        buttons.append(button(ctx.msgs.text("action.previous_page"), go(page.index - 1)))
    if page.has_next:
        buttons.append(button(ctx.msgs.text("action.next_page"), go(page.index + 1), primary=True))
    return [line, button_list(*buttons)] if buttons else [line]
