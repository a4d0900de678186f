"""Query parsing and pagination: v2 opaque cursors, v1 start/limit offsets, typed query values."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cardin.sandbox.errors import bad_request

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
        raise bad_request("Validation failed: cursor: Invalid cursor") from None
    if not isinstance(offset, int) or offset < 0:
        raise bad_request("Validation failed: cursor: Invalid cursor")
    return offset


def query_int(query: Mapping[str, str], name: str) -> int | None:
    """An integer query parameter, None when absent; a 400 when not an integer."""
    text = query.get(name)
    if text is None or text == "":
        return None
    try:
        return int(text)
    except ValueError:
        raise bad_request(f"Validation failed: {name}: Parameter must be an integer") from None


def query_bool(query: Mapping[str, str], name: str) -> bool | None:
    """A boolean query parameter (true/false/1/0), None when absent; a 400 otherwise."""
    text = query.get(name)
    if text is None or text == "":
        return None
    lowered = text.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise bad_request(f"Validation failed: {name}: Parameter must be a boolean")


def query_list(query: Mapping[str, str], name: str) -> list[str]:
    """A comma-separated query parameter as trimmed, non-empty parts."""
    return [part.strip() for part in query.get(name, "").split(",") if part.strip()]


def query_ids(query: Mapping[str, str], name: str = "ids") -> list[int] | None:
    """A comma-separated id list (at most 100 ids), None when absent."""
    parts = query_list(query, name)
    if not parts:
        return None
    if len(parts) > 100:  # noqa: PLR2004 - Pipedrive's documented maximum
        raise bad_request(f"Validation failed: {name}: Maximum 100 ids allowed")
    try:
        return [int(part) for part in parts]
    except ValueError:
        raise bad_request(f"Validation failed: {name}: Ids must be integers") from None


def query_limit(query: Mapping[str, str]) -> int:
    """The `limit` parameter: 100 by default, 1..500 allowed."""
    limit = query_int(query, "limit")
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(f"Validation failed: limit: Must be between 1 and {MAX_LIMIT}")
    return limit


def query_choice(query: Mapping[str, str], name: str, choices: Sequence[str], default: str) -> str:
    """A parameter that must be one of `choices`."""
    value = query.get(name) or default
    if value not in choices:
        allowed = ", ".join(choices)
        raise bad_request(f"Validation failed: {name}: Must be one of {allowed}")
    return value


def v2_page(items: Sequence[JSON], query: Mapping[str, str]) -> tuple[list[JSON], JSON]:
    """One cursor page of `items`: the page and its `additional_data`."""
    limit = query_limit(query)
    cursor = query.get("cursor")
    start = decode_cursor(cursor) if cursor else 0
    page = list(items[start : start + limit])
    has_more = start + limit < len(items)
    return page, {"next_cursor": encode_cursor(start + limit) if has_more else None}


def v1_page(items: Sequence[JSON], query: Mapping[str, str]) -> tuple[list[JSON], JSON]:
    """One start/limit page of `items`: the page and its `additional_data`."""
    start = query_int(query, "start") or 0
    if start < 0:
        raise bad_request("Validation failed: start: Must be 0 or more")
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
