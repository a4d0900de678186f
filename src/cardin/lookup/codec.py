"""Lookup results to and from the bytes the cache keeps, without pydantic on the way back.

A result read from the cache was written by this module, so reading it needs no validation of
Pipedrive's shapes, only a check that each value has its field's type. The codec is built once
from the domain model's annotations: a dataclass is a JSON object of its fields, a member of a
union of dataclasses carries its class name under "@", a tuple is an array, an enum its value,
a Decimal and a date or time their text, a timedelta its days, seconds and microseconds. What does
not fit (garbage, an older shape) raises `Unreadable`; `orjson` writes and parses the JSON.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from cardin.contact import model
from cardin.contact.model import LookupResult

Encode = Callable[[Any], Any]
Decode = Callable[[Any], Any]
TAG = "@"
_NONE = type(None)


class Unreadable(ValueError):
    """The bytes are not a result this codec wrote."""


def dump_result(result: LookupResult) -> bytes:
    """A result as JSON bytes."""
    encoded: bytes = orjson.dumps(_RESULT[0](result))
    return encoded


def load_result(raw: bytes) -> LookupResult:
    """The result `dump_result` wrote; Unreadable for anything else."""
    try:
        result: LookupResult = _RESULT[1](orjson.loads(raw))
    except (
        orjson.JSONDecodeError,
        KeyError,
        TypeError,
        ValueError,
        AttributeError,
        ArithmeticError,  # a duration past timedelta's range
        RecursionError,
    ) as exc:
        raise Unreadable(f"not a cached lookup result ({type(exc).__name__})") from None
    return result


# --- building the codec from the annotations -----------------------------------------------


def _codec(annotation: Any, bound: dict[Any, Any]) -> tuple[Encode, Decode]:
    annotation = bound.get(annotation, annotation)
    origin = typing.get_origin(annotation)
    if origin in (types.UnionType, typing.Union):
        return _union(typing.get_args(annotation), bound)
    if origin is tuple:
        return _tuple(typing.get_args(annotation), bound)
    if dataclasses.is_dataclass(origin or annotation):
        return _dataclass(annotation, bound)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _enum(annotation)
    scalar = _SCALARS.get(annotation)
    if scalar is None:
        raise TypeError(f"no cache codec for {annotation!r}")
    return scalar


def _dataclass(annotation: Any, bound: dict[Any, Any]) -> tuple[Encode, Decode]:
    cls = typing.get_origin(annotation) or annotation
    parameters: tuple[Any, ...] = getattr(cls, "__parameters__", ())
    inner = {**bound, **dict(zip(parameters, typing.get_args(annotation), strict=False))}
    hints = typing.get_type_hints(cls, vars(model))
    fields = [
        (f.name, bound_hint := inner.get(hints[f.name], hints[f.name]), *_codec(bound_hint, inner))
        for f in dataclasses.fields(cls)
    ]

    def encode(value: Any) -> dict[str, Any]:
        return {name: enc(getattr(value, name)) for name, _hint, enc, _dec in fields}

    return encode, _compiled_decoder(cls, [(name, hint, dec) for name, hint, _enc, dec in fields])


def _compiled_decoder(cls: type, fields: list[tuple[str, Any, Decode]]) -> Decode:
    """One function that reads each field and calls `cls` with them in order.

    A text, number or truth value and an enum are checked inline; other fields go through
    their own decoder. Generated once per class, it avoids a call per scalar and keywords.
    """
    names: dict[str, Any] = {"cls": cls}
    lines = ["def decode(data):", "    if type(data) is not dict:", "        raise TypeError"]
    for n, (name, hint, decode) in enumerate(fields):
        value = f"v{n}"
        lines.append(f"    {value} = data[{name!r}]")
        kind, optional = _plain(hint)
        if kind in (str, int, bool):
            names[f"t{n}"] = kind
            test = f"type({value}) is not t{n}"
            lines.append(f"    if {f'{value} is not None and ' if optional else ''}{test}:")
            lines.append("        raise TypeError")
        elif isinstance(kind, type) and issubclass(kind, enum.Enum):
            names[f"m{n}"] = {member.value: member for member in kind}
            lookup = f"m{n}[{value}]"
            lines.append(
                f"    {value} = None if {value} is None else {lookup}"
                if optional
                else f"    {value} = {lookup}"
            )
        else:
            names[f"d{n}"] = decode
            lines.append(f"    {value} = d{n}({value})")
    lines.append(f"    return cls({', '.join(f'v{n}' for n in range(len(fields)))})")
    exec(compile("\n".join(lines), f"<cache codec of {cls.__name__}>", "exec"), names)  # noqa: S102
    decoder: Decode = names["decode"]
    return decoder


def _plain(hint: Any) -> tuple[Any, bool]:
    """The one type of a field and whether it may be None (`X | None` → X, True)."""
    if typing.get_origin(hint) in (types.UnionType, typing.Union):
        kinds = [kind for kind in typing.get_args(hint) if kind is not _NONE]
        return (kinds[0] if len(kinds) == 1 else None), _NONE in typing.get_args(hint)
    return hint, False


def _union(members: tuple[Any, ...], bound: dict[Any, Any]) -> tuple[Encode, Decode]:
    optional = _NONE in members
    kinds = [m for m in members if m is not _NONE]
    if len(kinds) == 1:
        encode_one, decode_one = _codec(kinds[0], bound)
    else:
        encode_one, decode_one = _tagged(kinds, bound)
    if not optional:
        return encode_one, decode_one

    def encode(value: Any) -> Any:
        return None if value is None else encode_one(value)

    def decode(data: Any) -> Any:
        return None if data is None else decode_one(data)

    return encode, decode


def _tagged(kinds: list[Any], bound: dict[Any, Any]) -> tuple[Encode, Decode]:
    if not all(dataclasses.is_dataclass(kind) for kind in kinds):
        raise TypeError(f"no cache codec for a union of {kinds!r}")
    codecs = {kind: _codec(kind, bound) for kind in kinds}
    by_name = {kind.__name__: codec[1] for kind, codec in codecs.items()}

    def encode(value: Any) -> dict[str, Any]:
        kind = type(value)
        return {TAG: kind.__name__, **codecs[kind][0](value)}

    def decode(data: Any) -> Any:
        return by_name[data[TAG]](data)

    return encode, decode


def _tuple(args: tuple[Any, ...], bound: dict[Any, Any]) -> tuple[Encode, Decode]:
    if len(args) != 2 or args[1] is not Ellipsis:  # noqa: PLR2004 - tuple[X, ...]
        raise TypeError(f"no cache codec for tuple{list(args)!r}")
    encode_item, decode_item = _codec(args[0], bound)

    def encode(value: Any) -> list[Any]:
        return [encode_item(item) for item in value]

    def decode(data: Any) -> tuple[Any, ...]:
        if type(data) is not list:
            raise TypeError("not an array")
        return tuple([decode_item(item) for item in data])

    return encode, decode


def _enum(cls: type[enum.Enum]) -> tuple[Encode, Decode]:
    return (lambda value: value.value), cls


def _checked(kind: type) -> Decode:
    def decode(data: Any) -> Any:
        if type(data) is not kind:
            raise TypeError(f"not a {kind.__name__}")
        return data

    return decode


def _same(value: Any) -> Any:
    return value


def _float(data: Any) -> float:
    if type(data) not in (int, float):
        raise TypeError("not a number")
    return float(data)


def _decimal(data: Any) -> Decimal:
    try:
        return Decimal(data)
    except InvalidOperation:
        raise ValueError("not a decimal") from None


def _iso(kind: type[date] | type[time]) -> tuple[Encode, Decode]:
    def decode(data: Any) -> Any:
        if type(data) is not str:
            raise TypeError("not a text")
        value = kind.fromisoformat(data)
        if isinstance(value, datetime) and value.tzinfo is None:
            # every moment of a result is aware (UTC from Pipedrive): a naive one would fail
            # later, where a card compares it with now
            raise ValueError("a moment without its zone")
        return value

    return (lambda value: value.isoformat()), decode


def _timedelta(data: Any) -> timedelta:
    days, seconds, microseconds = data
    return timedelta(days=days, seconds=seconds, microseconds=microseconds)


_SCALARS: dict[Any, tuple[Encode, Decode]] = {
    str: (_same, _checked(str)),
    int: (_same, _checked(int)),
    bool: (_same, _checked(bool)),
    float: (_same, _float),
    Decimal: (str, _decimal),
    datetime: _iso(datetime),
    date: _iso(date),
    time: _iso(time),
    timedelta: (lambda value: [value.days, value.seconds, value.microseconds], _timedelta),
}
_RESULT = _codec(LookupResult, {})
