"""Pipedrive custom person fields: raw v2 (or v1-style) values turned into typed field values.

Pure: takes the person's `custom_fields` JSON and the field definitions, returns `FieldValue`s.
Nothing here raises on odd input; a value of the wrong shape is shown as plain text or dropped.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from cardin.contact.model import (
    AddressValue,
    DateSpan,
    FieldData,
    FieldValue,
    MoneyValue,
    NumberValue,
    OptionsValue,
    PhoneValue,
    Reference,
    RefKind,
    TextValue,
    TimeSpan,
)
from cardin.i18n.format import Formatter

# Pipedrive doubles stay far inside this; anything beyond is garbage, not a number to format.
_MAX_EXPONENT = 400
# Nested JSON deeper than this is garbage too; the text fallback stops there instead of recursing.
_MAX_DEPTH = 6
_ID_PATTERN = re.compile(r"\s*\d{1,18}\s*")
_ISO_DATE_LENGTH = len("YYYY-MM-DD")
_RANGE_DASH = "\u2013"  # en dash, as typeset between the ends of a range
_REFERENCE_TYPES: Mapping[str, RefKind] = {
    "user": RefKind.USER,
    "org": RefKind.ORGANIZATION,
    "people": RefKind.PERSON,
}
_URL_PATHS: Mapping[RefKind, str] = {
    RefKind.USER: "users/details",
    RefKind.ORGANIZATION: "organization",
    RefKind.PERSON: "person",
}


@dataclass(frozen=True, slots=True)
class FieldDefinition:
    """A custom person field as the Pipedrive client hands it over."""

    key: str
    name: str
    field_type: str
    options: Mapping[int, str]
    order: int = 0


@dataclass(frozen=True, slots=True)
class ReferenceNames:
    """Names the lookup resolved for user, organization and person ids (missing = unknown)."""

    users: Mapping[int, str]
    organizations: Mapping[int, str]
    persons: Mapping[int, str]

    def name_of(self, kind: RefKind, ref_id: int) -> str | None:
        """The resolved name of that user, organization or person, None if unknown."""
        table = {
            RefKind.USER: self.users,
            RefKind.ORGANIZATION: self.organizations,
            RefKind.PERSON: self.persons,
        }[kind]
        return table.get(ref_id)


@dataclass(frozen=True, slots=True)
class _Context:
    """What a value parser needs besides the raw value."""

    definition: FieldDefinition
    names: ReferenceNames
    app_url: str


_Parser = Callable[[object, _Context], FieldData | None]
_Point = TypeVar("_Point", dt.date, dt.time)


# --- public API ----------------------------------------------------------------------------


def referenced_ids(
    custom_fields: Mapping[str, object], definitions: Sequence[FieldDefinition]
) -> dict[RefKind, frozenset[int]]:
    """Ids of users, organizations and persons that the person's custom fields point to."""
    found: dict[RefKind, set[int]] = {kind: set() for kind in RefKind}
    for definition in _in_order(definitions):
        kind = _REFERENCE_TYPES.get(definition.field_type)
        ref_id = _reference_id(custom_fields.get(definition.key)) if kind else None
        if kind is not None and ref_id is not None:
            found[kind].add(ref_id)
    return {kind: frozenset(ids) for kind, ids in found.items()}


def to_field_values(
    custom_fields: Mapping[str, object],
    definitions: Sequence[FieldDefinition],
    *,
    names: ReferenceNames,
    app_url: str,
) -> tuple[FieldValue, ...]:
    """The person's non-empty custom fields in definition order, as typed values."""
    base_url = app_url.rstrip("/")
    values: list[FieldValue] = []
    for definition in _in_order(definitions):
        raw = custom_fields.get(definition.key)
        data = None if _is_blank(raw) else _parse(raw, _Context(definition, names, base_url))
        if data is not None:
            values.append(FieldValue(definition.key, definition.name, definition.field_type, data))
    return tuple(values)


def display_text(value: FieldData, fmt: Formatter) -> str:
    """The plain-text display of one value for a reader of `fmt`'s locale."""
    match value:
        case TextValue(text=text) | PhoneValue(number=text) | AddressValue(formatted=text):
            shown = text
        case NumberValue(number=number):
            shown = fmt.number(number)
        case MoneyValue(amount=amount, currency=currency):
            shown = fmt.money(amount, currency)
        case DateSpan():
            shown = _span_text(
                value.start, value.end, is_range=value.is_range, fmt=fmt, render=fmt.date
            )
        case TimeSpan():
            shown = _time_text(value, fmt)
        case OptionsValue(labels=labels):
            shown = ", ".join(labels)
        case Reference(id=ref_id, name=name):
            shown = name or f"#{ref_id}"
    return shown


# --- dispatch ------------------------------------------------------------------------------


def _in_order(definitions: Sequence[FieldDefinition]) -> list[FieldDefinition]:
    """Definitions sorted by their order (stable), each key once."""
    unique: dict[str, FieldDefinition] = {}
    for definition in definitions:
        unique.setdefault(definition.key, definition)
    return sorted(unique.values(), key=lambda d: d.order)


def _parse(raw: object, ctx: _Context) -> FieldData | None:
    """The typed value of a non-blank raw value, per the field's type; None drops it."""
    parser = _PARSERS.get(ctx.definition.field_type, _parse_fallback)
    return parser(raw, ctx)


def _parse_text(raw: object, ctx: _Context) -> FieldData | None:
    """varchar, varchar_auto and text; `text` is multiline."""
    return _text_value(raw, multiline=ctx.definition.field_type == "text")


def _parse_fallback(raw: object, _ctx: _Context) -> FieldData | None:
    """Unknown and system types: a readable plain-text rendering."""
    return _text_value(raw, multiline=False)


def _parse_double(raw: object, ctx: _Context) -> FieldData | None:
    """A number, from a JSON number or a numeric string."""
    number = _decimal(_unwrap(raw))
    return NumberValue(number) if number is not None else _parse_fallback(raw, ctx)


def _parse_monetary(raw: object, ctx: _Context) -> FieldData | None:
    """{"value", "currency"}; a bare number (v1) or a missing currency gives a plain number."""
    amount = _decimal(_unwrap(raw))
    if amount is None:
        return _parse_fallback(raw, ctx)
    currency = _text(raw.get("currency")) if isinstance(raw, Mapping) else ""
    return MoneyValue(amount, currency.upper()) if currency else NumberValue(amount)


def _parse_date(raw: object, ctx: _Context) -> FieldData | None:
    """A single date, "YYYY-MM-DD" or {"value": ...}."""
    day = _date(_unwrap(raw))
    return DateSpan(day) if day is not None else _parse_fallback(raw, ctx)


def _parse_daterange(raw: object, ctx: _Context) -> FieldData | None:
    """{"value", "until"} dates; a half-filled range is kept."""
    start_raw, end_raw = _range_parts(raw)
    start, end = _date(start_raw), _date(end_raw)
    if _garbled(start_raw, start) or _garbled(end_raw, end):
        return _parse_fallback(raw, ctx)
    return DateSpan(start, end, is_range=True) if start or end else None


def _parse_time(raw: object, ctx: _Context) -> FieldData | None:
    """A time of day, "HH:MM:SS" or {"value", "timezone_name"}."""
    start = _time(_unwrap(raw))
    if start is None:
        return _parse_fallback(raw, ctx)
    return TimeSpan(start, timezone=_timezone_name(raw))


def _parse_timerange(raw: object, ctx: _Context) -> FieldData | None:
    """{"value", "until", "timezone_name"} times; a half-filled range is kept."""
    start_raw, end_raw = _range_parts(raw)
    start, end = _time(start_raw), _time(end_raw)
    if _garbled(start_raw, start) or _garbled(end_raw, end):
        return _parse_fallback(raw, ctx)
    if start is None and end is None:
        return None
    return TimeSpan(start, end, is_range=True, timezone=_timezone_name(raw))


def _parse_options(raw: object, ctx: _Context) -> FieldData | None:
    """Chosen options of enum or set; unknown (deleted) option ids are skipped."""
    labels: list[str] = []
    for item in _option_items(raw):
        label = _option_label(item, ctx.definition.options)
        if label and label not in labels:
            labels.append(label)
    return OptionsValue(tuple(labels)) if labels else None


def _parse_reference(raw: object, ctx: _Context) -> FieldData | None:
    """A user, organization or person id, with its resolved name and Pipedrive link."""
    ref_id = _reference_id(raw)
    if ref_id is None:
        return _parse_fallback(raw, ctx)
    kind = _REFERENCE_TYPES[ctx.definition.field_type]
    name = ctx.names.name_of(kind, ref_id) or _embedded_name(raw)
    url = f"{ctx.app_url}/{_URL_PATHS[kind]}/{ref_id}"
    return Reference(kind, ref_id, name, url)


def _parse_phone(raw: object, ctx: _Context) -> FieldData | None:
    """A phone number: a string, a number, or {"value": ...}."""
    value = _unwrap(raw)
    number = str(value) if isinstance(value, int) and not isinstance(value, bool) else _text(value)
    return PhoneValue(number) if number else _parse_fallback(raw, ctx)


def _parse_address(raw: object, _ctx: _Context) -> FieldData | None:
    """An address: its formatted_address (else value) with country and locality."""
    if not isinstance(raw, Mapping):
        text = _plain_text(raw)
        return AddressValue(text) if text else None
    formatted = _text(raw.get("formatted_address")) or _text(raw.get("value"))
    if not formatted:
        return None
    country = _text(raw.get("country")) or None
    return AddressValue(formatted, country, _text(raw.get("locality")) or None)


_PARSERS: Mapping[str, _Parser] = {
    "varchar": _parse_text,
    "varchar_auto": _parse_text,
    "text": _parse_text,
    "double": _parse_double,
    "monetary": _parse_monetary,
    "date": _parse_date,
    "daterange": _parse_daterange,
    "time": _parse_time,
    "timerange": _parse_timerange,
    "set": _parse_options,
    "enum": _parse_options,
    "user": _parse_reference,
    "org": _parse_reference,
    "people": _parse_reference,
    "phone": _parse_phone,
    "address": _parse_address,
}


# --- raw value helpers ---------------------------------------------------------------------


def _is_blank(raw: object) -> bool:
    """Whether a raw value is empty: None, blank text, an empty list or object."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    return isinstance(raw, list | tuple | Mapping) and not raw


def _unwrap(raw: object) -> object:
    """The "value" of a v2 object value, or the raw value itself."""
    return raw.get("value") if isinstance(raw, Mapping) else raw


def _range_parts(raw: object) -> tuple[object, object]:
    """The start and end of a range value ({"value", "until"}, or a lone v1 start)."""
    if isinstance(raw, Mapping):
        return raw.get("value"), raw.get("until")
    return raw, None


def _garbled(raw: object, parsed: object) -> bool:
    """Whether a non-blank raw part failed to parse."""
    return parsed is None and not _is_blank(raw)


def _text(raw: object) -> str:
    """A stripped string, or "" for anything that is not a string."""
    return raw.strip() if isinstance(raw, str) else ""


def _text_value(raw: object, *, multiline: bool) -> TextValue | None:
    """A TextValue of the readable rendering, None when that is empty."""
    text = _plain_text(raw)
    return TextValue(text, multiline=multiline) if text else None


def _decimal(raw: object) -> Decimal | None:
    """A finite, sane Decimal from a JSON number or numeric string, else None."""
    try:
        number = _raw_decimal(raw)
    except (InvalidOperation, ValueError):
        return None
    if number is None:
        return None
    if not number.is_finite() or abs(number.adjusted()) > _MAX_EXPONENT:
        return None
    return number


def _raw_decimal(raw: object) -> Decimal | None:
    """The Decimal a JSON number or string spells, None for other types; may raise ValueError."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, Decimal | int):
        return Decimal(raw)
    if isinstance(raw, float):
        # repr keeps 0.1 as 0.1 rather than its binary expansion.
        return Decimal(repr(raw)) if math.isfinite(raw) else None
    return Decimal(raw.strip()) if isinstance(raw, str) else None


def _date(raw: object) -> dt.date | None:
    """A date from "YYYY-MM-DD" (a time part after it is ignored), else None."""
    text = _text(raw)[:_ISO_DATE_LENGTH]
    try:
        return dt.date.fromisoformat(text) if len(text) == _ISO_DATE_LENGTH else None
    except ValueError:
        return None


def _time(raw: object) -> dt.time | None:
    """A time of day from "HH:MM[:SS]", else None."""
    text = _text(raw)
    try:
        return dt.time.fromisoformat(text).replace(tzinfo=None) if text else None
    except ValueError:
        return None


def _timezone_name(raw: object) -> str | None:
    """The IANA zone a v2 time value was stored in, if given."""
    return (_text(raw.get("timezone_name")) or None) if isinstance(raw, Mapping) else None


def _option_items(raw: object) -> list[object]:
    """The chosen option entries: a list, a v1 comma string "1,2", or a single entry."""
    if isinstance(raw, list | tuple):
        return list(raw)
    if isinstance(raw, str) and "," in raw:
        return [part for part in raw.split(",") if part.strip()]
    return [raw]


def _option_label(item: object, options: Mapping[int, str]) -> str | None:
    """An option's label: the one sent with it, else the definition's; None if unknown."""
    if isinstance(item, Mapping):
        label = _text(item.get("label"))
        return label or _option_label(item.get("id"), options)
    option_id = _int_id(item)
    return options.get(option_id) if option_id is not None else None


def _int_id(raw: object) -> int | None:
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


def _reference_id(raw: object) -> int | None:
    """The id a reference value holds: an id, {"id"/"value": id}, or a one-element list."""
    if isinstance(raw, Mapping):
        return _int_id(raw.get("id")) or _int_id(raw.get("value"))
    if isinstance(raw, list | tuple) and len(raw) == 1:
        return _reference_id(raw[0])
    return _int_id(raw)


def _embedded_name(raw: object) -> str | None:
    """A name shipped inside an expanded (v1-style) reference object."""
    return (_text(raw.get("name")) or None) if isinstance(raw, Mapping) else None


# --- plain text rendering ------------------------------------------------------------------


def _plain_text(raw: object, depth: int = 0) -> str:
    """A readable one-string rendering of any JSON value ("" when there is nothing to show)."""
    if depth > _MAX_DEPTH:
        return ""
    if isinstance(raw, Mapping):
        return _mapping_text(raw, depth)
    if isinstance(raw, list | tuple):
        parts = (_plain_text(item, depth + 1) for item in raw)
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
    number = _decimal(raw)
    if number is None:
        return ""
    return f"{number.normalize():f}" if number else "0"


def _mapping_text(raw: Mapping[object, object], depth: int) -> str:
    """An object's readable text: its address, label, name or value (range), else its pairs."""
    for key in ("formatted_address", "label", "name"):
        text = _plain_text(raw.get(key), depth + 1)
        if text:
            return text
    if "value" in raw:
        start, end = (_plain_text(raw.get(k), depth + 1) for k in ("value", "until"))
        return f"{start} {_RANGE_DASH} {end}" if start and end else start or end
    pairs = ((str(k).strip(), _plain_text(v, depth + 1)) for k, v in raw.items())
    return ", ".join(f"{k}: {v}" if k else v for k, v in pairs if v)


# --- display -------------------------------------------------------------------------------


def _span_text(
    start: _Point | None,
    end: _Point | None,
    *,
    is_range: bool,
    fmt: Formatter,
    render: Callable[[_Point], str],
) -> str:
    """A value or a range of two ends; a half-filled range reads "from start" / "until end"."""
    first = render(start) if start is not None else ""
    last = render(end) if end is not None else ""
    if not is_range or not last:
        return fmt.from_(first) if is_range and first else first
    return f"{first} {_RANGE_DASH} {last}" if first else fmt.until(last)


def _time_text(value: TimeSpan, fmt: Formatter) -> str:
    """A time or time range, with its zone when that is not the reader's."""
    text = _span_text(value.start, value.end, is_range=value.is_range, fmt=fmt, render=fmt.time)
    if value.timezone and value.timezone != fmt.timezone:
        return f"{text} ({value.timezone})"
    return text
