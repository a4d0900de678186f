"""Pipedrive custom person fields: raw v2 (or v1-style) values turned into typed field values.

Pure: takes the person's `custom_fields` JSON and the field definitions, returns `FieldValue`s.
Nothing here raises on odd input; a value of the wrong shape is shown as plain text or dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from cardin.contact import raw_values as rv
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
from cardin.links import web_app_url

_REFERENCE_TYPES: Mapping[str, RefKind] = {
    "user": RefKind.USER,
    "org": RefKind.ORGANIZATION,
    "people": RefKind.PERSON,
}
_URL_PATHS: Mapping[RefKind, tuple[str, ...]] = {
    RefKind.USER: ("users", "details"),
    RefKind.ORGANIZATION: ("organization",),
    RefKind.PERSON: ("person",),
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
    company_domain: str


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
        ref_id = rv.reference_id(custom_fields.get(definition.key)) if kind else None
        if kind is not None and ref_id is not None:
            found[kind].add(ref_id)
    return {kind: frozenset(ids) for kind, ids in found.items()}


def to_field_values(
    custom_fields: Mapping[str, object],
    definitions: Sequence[FieldDefinition],
    *,
    names: ReferenceNames,
    company_domain: str,
) -> tuple[FieldValue, ...]:
    """The person's non-empty custom fields in definition order, linking into that company's app."""
    values: list[FieldValue] = []
    for definition in _in_order(definitions):
        raw = custom_fields.get(definition.key)
        ctx = _Context(definition, names, company_domain)
        data = None if rv.is_blank(raw) else _parse(raw, ctx)
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
    return rv.text_value(raw, multiline=ctx.definition.field_type == "text")


def _parse_fallback(raw: object, _ctx: _Context) -> FieldData | None:
    """Unknown and system types: a readable plain-text rendering."""
    return rv.text_value(raw, multiline=False)


def _parse_double(raw: object, ctx: _Context) -> FieldData | None:
    """A number, from a JSON number or a numeric string."""
    number = rv.as_decimal(rv.unwrap(raw))
    return NumberValue(number) if number is not None else _parse_fallback(raw, ctx)


def _parse_monetary(raw: object, ctx: _Context) -> FieldData | None:
    """{"value", "currency"}; a bare number (v1) or a missing currency gives a plain number."""
    amount = rv.as_decimal(rv.unwrap(raw))
    if amount is None:
        return _parse_fallback(raw, ctx)
    currency = rv.as_text(raw.get("currency")) if isinstance(raw, Mapping) else ""
    return MoneyValue(amount, currency.upper()) if currency else NumberValue(amount)


def _parse_date(raw: object, ctx: _Context) -> FieldData | None:
    """A single date, "YYYY-MM-DD" or {"value": ...}."""
    day = rv.as_date(rv.unwrap(raw))
    return DateSpan(day) if day is not None else _parse_fallback(raw, ctx)


def _parse_daterange(raw: object, ctx: _Context) -> FieldData | None:
    """{"value", "until"} dates; a half-filled range is kept."""
    start_raw, end_raw = rv.range_parts(raw)
    start, end = rv.as_date(start_raw), rv.as_date(end_raw)
    if rv.garbled(start_raw, start) or rv.garbled(end_raw, end):
        return _parse_fallback(raw, ctx)
    return DateSpan(start, end, is_range=True) if start or end else None


def _parse_time(raw: object, ctx: _Context) -> FieldData | None:
    """A time of day, "HH:MM:SS" or {"value", "timezone_name"}."""
    start = rv.as_time(rv.unwrap(raw))
    if start is None:
        return _parse_fallback(raw, ctx)
    return TimeSpan(start, timezone=rv.timezone_name(raw))


def _parse_timerange(raw: object, ctx: _Context) -> FieldData | None:
    """{"value", "until", "timezone_name"} times; a half-filled range is kept."""
    start_raw, end_raw = rv.range_parts(raw)
    start, end = rv.as_time(start_raw), rv.as_time(end_raw)
    if rv.garbled(start_raw, start) or rv.garbled(end_raw, end):
        return _parse_fallback(raw, ctx)
    if start is None and end is None:
        return None
    return TimeSpan(start, end, is_range=True, timezone=rv.timezone_name(raw))


def _parse_options(raw: object, ctx: _Context) -> FieldData | None:
    """Chosen options of enum or set; unknown (deleted) option ids are skipped."""
    labels: list[str] = []
    for item in rv.option_items(raw):
        label = rv.option_label(item, ctx.definition.options)
        if label and label not in labels:
            labels.append(label)
    return OptionsValue(tuple(labels)) if labels else None


def _parse_reference(raw: object, ctx: _Context) -> FieldData | None:
    """A user, organization or person id, with its resolved name and Pipedrive link."""
    ref_id = rv.reference_id(raw)
    if ref_id is None:
        return _parse_fallback(raw, ctx)
    kind = _REFERENCE_TYPES[ctx.definition.field_type]
    name = ctx.names.name_of(kind, ref_id) or rv.embedded_name(raw)
    url = web_app_url(ctx.company_domain, *_URL_PATHS[kind], ref_id)
    return Reference(kind, ref_id, name, url)


def _parse_phone(raw: object, ctx: _Context) -> FieldData | None:
    """A phone number: a string, a number, or {"value": ...}."""
    value = rv.unwrap(raw)
    number = (
        str(value) if isinstance(value, int) and not isinstance(value, bool) else rv.as_text(value)
    )
    return PhoneValue(number) if number else _parse_fallback(raw, ctx)


def _parse_address(raw: object, _ctx: _Context) -> FieldData | None:
    """An address: its formatted_address (else value) with country and locality."""
    if not isinstance(raw, Mapping):
        text = rv.plain_text(raw)
        return AddressValue(text) if text else None
    formatted = rv.as_text(raw.get("formatted_address")) or rv.as_text(raw.get("value"))
    if not formatted:
        return None
    country = rv.as_text(raw.get("country")) or None
    return AddressValue(formatted, country, rv.as_text(raw.get("locality")) or None)


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
    return f"{first} {rv.RANGE_DASH} {last}" if first else fmt.until(last)


def _time_text(value: TimeSpan, fmt: Formatter) -> str:
    """A time or time range, with its zone when that is not the reader's."""
    text = _span_text(value.start, value.end, is_range=value.is_range, fmt=fmt, render=fmt.time)
    if value.timezone and value.timezone != fmt.timezone:
        return f"{text} ({value.timezone})"
    return text
