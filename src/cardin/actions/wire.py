"""Actions to and from the wire: `parse_action` validates an event's parameters once; a button's
parameters are written by `parameters_of`. Both follow the fields' annotations (see `codecs`)."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from cardin.actions.codecs import Input, Inputs, Param
from cardin.actions.keys import OP
from cardin.actions.ops import BY_OP, Action, Op

A = TypeVar("A")


class BadAction(Exception):
    """The parameters are no action our cards send; the message names the key and the problem
    (never a value)."""


@dataclass(frozen=True)
class _Field:
    """One dataclass field and how it travels: a spec, or a nested dataclass."""

    name: str
    spec: Param[Any] | Input[Any] | Inputs[Any] | None
    nested: type | None
    required: bool


def parse_action(parameters: Mapping[str, str], form_inputs: Mapping[str, Sequence[str]]) -> Action:
    """The action the parameters (and the user's input) stand for; BadAction says why there is
    none: no or an unknown `op`, a required field missing, a value of the wrong form. Keys that
    the action does not know are ignored."""
    op = parameters.get(OP)
    if op is None:
        raise BadAction(f"{OP} is missing")
    if op not in Op.__members__.values():
        raise BadAction(f"{OP} is not a known action")
    return parse_fields(BY_OP[Op(op)], parameters, form_inputs)


def parse_fields(
    kind: type[A], parameters: Mapping[str, str], form_inputs: Mapping[str, Sequence[str]]
) -> A:
    """An instance of the dataclass `kind` from the parameters and form inputs its fields name."""
    values: dict[str, Any] = {}
    for field in fields_of(kind):
        if field.nested is not None:
            values[field.name] = parse_fields(field.nested, parameters, form_inputs)
            continue
        found = _wire_value(field, parameters, form_inputs)
        if found is not None:
            values[field.name] = found
        elif field.required:
            raise BadAction(f"{_where(field)} is missing")
    return kind(**values)


def parameters_of(action: Action) -> dict[str, str]:
    """The parameters of a button that sends `action`: `op`, then the `Param` fields that are
    not None, in the order declared. Input fields are the user's to fill and are not sent."""
    parameters = {OP: action.op.value}
    _write(action, parameters)
    return parameters


def _write(instance: object, parameters: dict[str, str]) -> None:
    for field in fields_of(type(instance)):
        value = getattr(instance, field.name)
        if field.nested is not None:
            _write(value, parameters)
        elif isinstance(field.spec, Param) and value is not None:
            parameters[field.spec.key] = field.spec.codec.encode(value)


def _wire_value(
    field: _Field, parameters: Mapping[str, str], form_inputs: Mapping[str, Sequence[str]]
) -> object | None:
    """The field's decoded value, None when the event does not carry it."""
    spec = field.spec
    try:
        if isinstance(spec, Param):
            text = parameters.get(spec.key)
            return None if text is None else spec.codec.decode(text)
        if isinstance(spec, Input):
            values = form_inputs.get(spec.name)
            return spec.codec.decode(values[0]) if values else None
        if isinstance(spec, Inputs):
            many = form_inputs.get(spec.name)
            return None if many is None else spec.codec.decode_values(many)
    except ValueError as exc:
        raise BadAction(f"{_where(field)} {exc}") from None
    raise TypeError(f"field {field.name} has no spec")  # pragma: no cover - fields_of checks


def _where(field: _Field) -> str:
    spec = field.spec
    return spec.key if isinstance(spec, Param) else spec.name if spec else field.name


def fields_of(kind: type) -> tuple[_Field, ...]:
    """How each field of the dataclass `kind` travels; TypeError for a field without a spec."""
    known = _FIELDS.get(kind)
    if known is None:
        known = _FIELDS[kind] = _fields(kind)
    return known


_FIELDS: dict[type, tuple[_Field, ...]] = {}


def _fields(kind: type) -> tuple[_Field, ...]:
    hints = typing.get_type_hints(kind, include_extras=True)
    found = []
    for field in dataclasses.fields(kind):
        hint = hints[field.name]
        required = (
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
        )
        spec = _spec(hint)
        if spec is None and isinstance(hint, type) and dataclasses.is_dataclass(hint):
            found.append(_Field(field.name, None, hint, required))
        elif spec is None:
            raise TypeError(f"{kind.__name__}.{field.name} names no parameter or input")
        elif isinstance(spec, Input | Inputs) and required:
            raise TypeError(f"{kind.__name__}.{field.name}: an input needs a default (empty)")
        else:
            found.append(_Field(field.name, spec, None, required))
    return tuple(found)


def _spec(hint: object) -> Param[Any] | Input[Any] | Inputs[Any] | None:
    """The spec in `Annotated[T, spec]`, also inside `Annotated[T, spec] | None`."""
    if typing.get_origin(hint) is typing.Annotated:
        for extra in typing.get_args(hint)[1:]:
            if isinstance(extra, Param | Input | Inputs):
                return extra
        return None
    if typing.get_origin(hint) in {typing.Union, types.UnionType}:
        for arg in typing.get_args(hint):
            spec = _spec(arg)
            if spec is not None:
                return spec
    return None
