"""Pagination: v2 opaque cursors and v1 start/limit offsets, with the bounds Pipedrive documents."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any

from cardin.sandbox.query import Query, invalid, query_int, query_text

JSON = dict[str, Any]
DEFAULT_LIMIT = 100
MAX_LIMIT = 500


def encode_cursor(offset: int) -> str:
    """An opaque cursor for the item at `offset` (URL-safe base64 of a small JSON object)."""
    raw = json.dumps({"offset": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The offset inside a cursor from `encode_cursor`; a 400 ApiError for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        offset = json.loads(raw)["offset"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise invalid("cursor", "Invalid cursor") from None
    if type(offset) is not int or offset < 0:
        raise invalid("cursor", "Invalid cursor")
    return offset


def query_limit(query: Query) -> int:
    """The `limit` parameter: 100 by default, 1..500.

    The maximum is documented: "Please note that a maximum value of 500 is allowed" (every v2
    list's `limit`), and for v1's offset pagination "the pagination max limit value is 500"
    (https://pipedrive.readme.io/docs/using-pagination-to-retrieve-all-deal-titles). No minimum is
    documented; a page of no items cannot be paged through, so 0 and less are refused.
    """
    limit = query_int(query, "limit")
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise invalid("limit", f"Must be between 1 and {MAX_LIMIT}")
    return limit


def v2_page(items: Sequence[JSON], query: Query) -> tuple[list[JSON], JSON]:
    """One cursor page of `items`: the page and its `additional_data`."""
    limit = query_limit(query)
    cursor = query_text(query, "cursor")
    start = decode_cursor(cursor) if cursor is not None else 0
    page = list(items[start : start + limit])
    has_more = start + limit < len(items)
    return page, {"next_cursor": encode_cursor(start + limit) if has_more else None}


def v1_page(items: Sequence[JSON], query: Query) -> tuple[list[JSON], JSON]:
    """One start/limit page of `items`: the page and its `additional_data`.

    Pipedrive documents no bound on `start` ("Pagination start. If omitted, the default value is
    0."), so a negative start is read as the start of the list rather than refused.
    """
    start = max(query_int(query, "start") or 0, 0)
    limit = query_limit(query)
    page = list(items[start : start + limit])
    more = start + limit < len(items)
    pagination: JSON = {"start": start, "limit": limit, "more_items_in_collection": more}
    if more:
        pagination["next_start"] = start + limit
    return page, {"pagination": pagination}


def sort_items(items: Sequence[JSON], key: Callable[[JSON], Any], direction: str) -> list[JSON]:
    """Items sorted by `key` (None last when ascending), ties broken by id in the same direction."""
    reverse = direction == "desc"
    present = [item for item in items if key(item) is not None]
    missing = [item for item in items if key(item) is None]
    ordered = sorted(present, key=lambda item: (key(item), item["id"]), reverse=reverse)
    missing.sort(key=lambda item: item["id"], reverse=reverse)
    return ordered + missing if not reverse else missing + ordered
