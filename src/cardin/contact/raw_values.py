"""Reading Pipedrive's raw custom-field JSON values tolerantly: blanks, numbers, dates, ids, text.

Every function accepts any JSON-like value and never raises: what cannot be read is None (or
plain text for the fallback), so a garbled value degrades instead of failing a lookup.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from cardin.contact.model import TextValue

# Pipedrive doubles stay far inside this; anything beyond is garbage, not a number to format.
_MAX_EXPONENT = 400
# Nested JSON deeper than this is garbage too; the text fallback stops there instead of recursing.
_MAX_DEPTH = 6
_ID_PATTERN = re.compile(r"\s*\d{1,18}\s*")
_ISO_DATE_LENGTH = len("YYYY-MM-DD")
RANGE_DASH = "\u2013"  # en dash, as typeset between the ends of a range


def is_blank(raw: object) -> bool:
    """Whether a raw value is empty: None, blank text, an empty list or object."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    return isinstance(raw, list | tuple | Mapping) and not raw


def unwrap(raw: object) -> object:
    """The "value" of a v2 object value, or the raw value itself."""
    return raw.get("value") if isinstance(raw, Mapping) else raw


def range_parts(raw: object) -> tuple[object, object]:
    """The start and end of a range value ({"value", "until"}, or a lone v1 start)."""
    if isinstance(raw, Mapping):
        return raw.get("value"), raw.get("until")
    return raw, None


def garbled(raw: object, parsed: object) -> bool:
    """Whether a non-blank raw part failed to parse."""
    return parsed is None and not is_blank(raw)


def as_text(raw: object) -> str:
    """A stripped string, or "" for anything that is not a string."""
    return raw.strip() if isinstance(raw, str) else ""


def text_value(raw: object, *, multiline: bool) -> TextValue | None:
    """A TextValue of the readable rendering, None when that is empty."""
    text = plain_text(raw)
    return TextValue(text, multiline=multiline) if text else None


def as_decimal(raw: object) -> Decimal | None:
    """A finite, sane Decimal from a JSON number or numeric string, else None."""
    try:
        number = raw_decimal(raw)
    except (InvalidOperation, ValueError):
        return None
    if number is None:
        return None
    if not number.is_finite() or abs(number.adjusted()) > _MAX_EXPONENT:
        return None
    return number


def raw_decimal(raw: object) -> Decimal | None:
    """The Decimal a JSON number or string spells, None for other types; may raise ValueError."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, Decimal | int):
        return Decimal(raw)
    if isinstance(raw, float):
        # repr keeps 0.1 as 0.1 rather than its binary expansion.
        return Decimal(repr(raw)) if math.isfinite(raw) else None
    return Decimal(raw.strip()) if isinstance(raw, str) else None


def as_date(raw: object) -> dt.date | None:
    """A date from "YYYY-MM-DD" (a time part after it is ignored), else None."""
    text = as_text(raw)[:_ISO_DATE_LENGTH]
    try:
        return dt.date.fromisoformat(text) if len(text) == _ISO_DATE_LENGTH else None
    except ValueError:
        return None


def as_time(raw: object) -> dt.time | None:
    """A time of day from "HH:MM[:SS]", else None."""
    text = as_text(raw)
    try:
        return dt.time.fromisoformat(text).replace(tzinfo=None) if text else None
    except ValueError:
        return None


def timezone_name(raw: object) -> str | None:
    """The IANA zone a v2 time value was stored in, if given."""
    return (as_text(raw.get("timezone_name")) or None) if isinstance(raw, Mapping) else None


def option_items(raw: object) -> list[object]:
    """The chosen option entries: a list, a v1 comma string "1,2", or a single entry."""
    if isinstance(raw, list | tuple):
        return list(raw)
    if isinstance(raw, str) and "," in raw:
        return [part for part in raw.split(",") if part.strip()]
    return [raw]


def option_label(item: object, options: Mapping[int, str]) -> str | None:
    """An option's label: the one sent with it, else the definition's; None if unknown."""
    if isinstance(item, Mapping):
        label = as_text(item.get("label"))
        return label or option_label(item.get("id"), options)
    option_id = int_id(item)
    return options.get(option_id) if option_id is not None else None


def int_id(raw: object) -> int | None:
    """A positive integer id from an int or a digit string, else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if raw > 0 else None
    if isinstance(raw, float) and raw.is_integer() and raw > 0:
        return int(raw)
    if isinstance(raw, str) and _ID_PATTERN.fullmatch(raw):
        return int(raw) or None
    return None


def reference_id(raw: object) -> int | None:
    """The id a reference value holds: an id, {"id"/"value": id}, or a one-element list."""
    if isinstance(raw, Mapping):
        return int_id(raw.get("id")) or int_id(raw.get("value"))
    if isinstance(raw, list | tuple) and len(raw) == 1:
        return reference_id(raw[0])
    return int_id(raw)


def embedded_name(raw: object) -> str | None:
    """A name shipped inside an expanded (v1-style) reference object."""
    return (as_text(raw.get("name")) or None) if isinstance(raw, Mapping) else None


# --- plain text rendering ------------------------------------------------------------------


def plain_text(raw: object, depth: int = 0) -> str:
    """A readable one-string rendering of any JSON value ("" when there is nothing to show)."""
    if depth > _MAX_DEPTH:
        return ""
    if isinstance(raw, Mapping):
        return _mapping_text(raw, depth)
    if isinstance(raw, list | tuple):
        parts = (plain_text(item, depth + 1) for item in raw)
        return ", ".join(part for part in parts if part)
    return _scalar_text(raw)


def _scalar_text(raw: object) -> str:
    """A string, number or boolean as text; "" for None and anything else."""
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, bool):
        # Locale-neutral marks: system booleans have no catalog words yet.
        return "\u2713" if raw else "\u2717"
    if isinstance(raw, int | float | Decimal):
        return _number_text(raw)
    return ""


def _number_text(raw: int | float | Decimal) -> str:
    """A number as written in JSON, without exponent noise for ordinary values."""
    number = as_decimal(raw)
    if number is None:
        return ""
    return f"{number.normalize():f}" if number else "0"


def _mapping_text(raw: Mapping[object, object], depth: int) -> str:
    """An object's readable text: its address, label, name or value (range), else its pairs."""
    for key in ("formatted_address", "label", "name"):
        text = plain_text(raw.get(key), depth + 1)
        if text:
            return text
    if "value" in raw:
        start, end = (plain_text(raw.get(k), depth + 1) for k in ("value", "until"))
        return f"{start} {RANGE_DASH} {end}" if start and end else start or end
    pairs = ((str(k).strip(), plain_text(v, depth + 1)) for k, v in raw.items())
    return ", ".join(f"{k}: {v}" if k else v for k, v in pairs if v)
