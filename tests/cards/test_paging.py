"""Cutting a list into pages: the same pages as cutting the whole list, from only the items
up to the page asked for (the golden list cards hold the pages' contents)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cardin.cards.paging import Page, Rendered, cut


def whole_list_pages(sizes: list[int], room: int, per_page: int) -> list[tuple[int, int]]:
    """Every page's (start, stop), cutting greedily from the first item: the reference."""
    bounds, start = [], 0
    while start < len(sizes):
        stop, used = start, 0
        while stop < len(sizes) and stop - start < per_page:
            if used + sizes[stop] > room and stop > start:
                break
            used += sizes[stop]
            stop += 1
        bounds.append((start, stop))
        start = stop
    return bounds


@given(
    sizes=st.lists(st.integers(min_value=1, max_value=12), max_size=120),
    room=st.integers(min_value=1, max_value=40),
    per_page=st.integers(min_value=1, max_value=50),
    wanted=st.integers(min_value=-2, max_value=130),
)
def test_a_page_is_the_one_the_whole_list_would_give(
    sizes: list[int], room: int, per_page: int, wanted: int
) -> None:
    asked: list[int] = []

    def size(index: int) -> int:
        asked.append(index)
        return sizes[index]

    page = cut(size, len(sizes), room, wanted, per_page=per_page)
    # never an item past the one after the page (which showed that the page was full)
    assert all(index <= page.stop and index < len(sizes) for index in asked)
    bounds = whole_list_pages(sizes, room, per_page)
    if not bounds:
        assert page == Page(0, 0, 0, 0)
        assert not page.has_previous
        assert not page.has_next
        return
    index = max(0, min(wanted, len(bounds) - 1))  # past the last: the last
    assert page == Page(index, *bounds[index], len(sizes))
    assert page.has_previous == (index > 0)
    assert page.has_next == (index < len(bounds) - 1)


def test_the_first_page_of_a_long_list_renders_only_what_it_shows_and_the_next_item() -> None:
    rendered: list[int] = []

    def render(item: int) -> list[dict[str, object]]:
        rendered.append(item)
        return [{"item": item}] * 3  # three widgets each

    blocks = Rendered(list(range(200)), render)
    page = cut(blocks.size, len(blocks), room=30, wanted=0)
    assert (page.start, page.stop, page.has_next) == (0, 10, True)
    assert rendered == list(range(11))  # the 11th did not fit: it starts page 2
    assert [block[0]["item"] for block in blocks.on(page)] == list(range(10))
    assert rendered == list(range(11))  # kept, not rendered again
