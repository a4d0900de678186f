"""Typed query parameters, read the way Pipedrive validates them: each bad value is a 400 naming it.

A parameter that is absent reads as None (or its default). A parameter that is present must hold a
valid value: an empty one (`limit=`) is refused like any other bad value, never read as absent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from cardin.sandbox.errors import ApiError, bad_request

Query = Mapping[str, str]
MAX_IDS = 100  # `ids`: "up to 100 entity ids" (the v2 list operations' parameter description)
_INTEGER = re.compile(r"-?[0-9]+")
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def invalid(name: str, reason: str) -> ApiError:
    """The 400 for a query parameter `name` whose value Pipedrive would refuse."""
    return bad_request(f"Validation failed: {name}: {reason}")


def query_text(query: Query, name: str) -> str | None:
    """A string parameter, None when absent; a 400 when present but empty."""
    text = query.get(name)
    if text is not None and not text.strip():
        raise invalid(name, "Must not be empty")
    return text


def query_int(query: Query, name: str) -> int | None:
    """An integer parameter (decimal digits, optional minus), None when absent."""
    text = query_text(query, name)
    if text is None:
        return None
    if not _INTEGER.fullmatch(text):
        raise invalid(name, "Parameter must be an integer")
    return int(text)


def query_bool(query: Query, name: str) -> bool | None:
    """A boolean parameter (true/false/1/0), None when absent."""
    text = query_text(query, name)
    if text is None:
        return None
    lowered = text.lower()
    if lowered in {"true", "1"}:
        return True
    if lowered in {"false", "0"}:
        return False
    raise invalid(name, "Parameter must be a boolean")


def query_flag(query: Query, name: str) -> bool | None:
    """A v1 `numberBoolean` parameter (0 or 1), None when absent."""
    text = query_text(query, name)
    if text is None:
        return None
    if text not in {"0", "1"}:
        raise invalid(name, "Must be one of 0, 1")
    return text == "1"


def query_list(query: Query, name: str) -> list[str]:
    """A comma-separated parameter as its parts ([] when absent); empty parts are refused."""
    text = query_text(query, name)
    if text is None:
        return []
    parts = [part.strip() for part in text.split(",")]
    if not all(parts):
        raise invalid(name, "Must be a comma-separated list without empty items")
    return parts


def query_choices(query: Query, name: str, choices: Sequence[str]) -> list[str]:
    """A comma-separated list whose every item must be one of `choices`."""
    parts = query_list(query, name)
    for part in parts:
        if part not in choices:
            raise invalid(name, f"Unknown value {part!r} (expected one of {', '.join(choices)})")
    return parts


def query_ids(query: Query, name: str = "ids") -> list[int] | None:
    """A comma-separated id list (at most 100 ids), None when absent."""
    parts = query_list(query, name)
    if not parts:
        return None
    if len(parts) > MAX_IDS:
        raise invalid(name, f"Maximum {MAX_IDS} ids allowed")
    if not all(_INTEGER.fullmatch(part) for part in parts):
        raise invalid(name, "Ids must be integers")
    return [int(part) for part in parts]


def query_choice(query: Query, name: str, choices: Sequence[str], default: str) -> str:
    """A parameter that must be one of `choices`; `default` when absent."""
    value = query_text(query, name)
    if value is None:
        return default
    if value not in choices:
        raise invalid(name, f"Must be one of {', '.join(choices)}")
    return value


def query_uuid(query: Query, name: str) -> str | None:
    """A UUID parameter in its canonical text form, lower-cased; None when absent."""
    text = query_text(query, name)
    if text is None:
        return None
    if not _UUID.fullmatch(text):
        raise invalid(name, "Must be a UUID")
    return text.lower()


def query_date(query: Query, name: str) -> date | None:
    """A `YYYY-MM-DD` date parameter, None when absent."""
    text = query_text(query, name)
    if text is None:
        return None
    reason = "Must be a date in the format YYYY-MM-DD"
    if not _DATE.fullmatch(text):
        raise invalid(name, reason)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise invalid(name, reason) from None


def query_time(query: Query, name: str) -> datetime | None:
    """An RFC 3339 date-time parameter with its UTC offset, None when absent."""
    text = query_text(query, name)
    if text is None:
        return None
    reason = "Must be an RFC 3339 date-time such as 2025-01-01T10:20:00Z"
    if not _DATE_TIME.fullmatch(text):
        raise invalid(name, reason)
    try:
        return datetime.fromisoformat(text.upper().replace(" ", "T"))
    except ValueError:
        raise invalid(name, reason) from None
