"""How an action's field is read from the wire and written back: where it travels, and its codec.

A field of an action is annotated with one spec: `Param` (an action parameter the button carries),
`Input` (the first value of an input widget the user filled) or `Inputs` (every value of a
multi-valued widget). A codec turns the wire string into the field's type and back; `decode`
raises ValueError saying what is wrong, never quoting the value (it may be a token someone typed).
"""

from __future__ import annotations

import abc
import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

from cardin.connectors.features import REGISTRY, Feature

T = TypeVar("T")
E = TypeVar("E", bound=enum.StrEnum)

MAX_TEXT = 16 * 1024
"""The longest text a button carries: a display name is cut from a header of at most 16 KiB."""
MAX_ADDRESS = 254
"""The longest email address (RFC 5321)."""


class Codec(abc.ABC, Generic[T]):
    """One wire string ↔ one typed value."""

    @abc.abstractmethod
    def decode(self, text: str) -> T:
        """The value `text` stands for; ValueError says why it cannot be one."""

    @abc.abstractmethod
    def encode(self, value: T) -> str:
        """The wire string of `value` (`decode` of it gives the value back)."""


class ValuesCodec(abc.ABC, Generic[T]):
    """All the values of a multi-valued input widget ↔ one typed value."""

    @abc.abstractmethod
    def decode_values(self, values: Sequence[str]) -> T:
        """The value the widget's values stand for; ValueError says why they cannot be one."""


@dataclass(frozen=True)
class Param(Generic[T]):
    """A field sent as the action parameter `key`, set by the card that renders the button."""

    key: str
    codec: Codec[T]


@dataclass(frozen=True)
class Input(Generic[T]):
    """A field the user fills: the first value of the input widget `name`.

    Absent or empty, the field takes its default (every input field has one).
    """

    name: str
    codec: Codec[T]


@dataclass(frozen=True)
class Inputs(Generic[T]):
    """A field from every value of the multi-valued input widget `name` (absent: the default)."""

    name: str
    codec: ValuesCodec[T]


# --- codecs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text(Codec[str]):
    """Any text of at most `max_length` characters (None: what a user typed, of any length)."""

    max_length: int | None

    def decode(self, text: str) -> str:
        if self.max_length is not None and len(text) > self.max_length:
            raise ValueError(f"is longer than {self.max_length} characters")
        return text

    def encode(self, value: str) -> str:
        return value


@dataclass(frozen=True)
class Matching(Codec[str]):
    """Text that matches `pattern` in full; `what` names the form in errors."""

    pattern: re.Pattern[str]
    what: str

    def decode(self, text: str) -> str:
        if self.pattern.fullmatch(text) is None:
            raise ValueError(f"is not {self.what}")
        return text

    def encode(self, value: str) -> str:
        return value


class Address(Codec[str]):
    """An email address as the cards carry it: at most 254 characters, with an @."""

    def decode(self, text: str) -> str:
        if len(text) > MAX_ADDRESS or "@" not in text:
            raise ValueError("is not an email address")
        return text

    def encode(self, value: str) -> str:
        return value


class Number(Codec[int]):
    """A non-negative integer in its canonical decimal form ("7", not "07" or "+7")."""

    _FORM = re.compile(r"0|[1-9][0-9]{0,17}")

    def decode(self, text: str) -> int:
        if self._FORM.fullmatch(text) is None:
            raise ValueError("is not a number")
        return int(text)

    def encode(self, value: int) -> str:
        return str(value)


@dataclass(frozen=True)
class Choice(Codec[E]):
    """One value of the enumeration `kind`."""

    kind: type[E]

    def decode(self, text: str) -> E:
        try:
            return self.kind(text)
        except ValueError:
            choices = ", ".join(member.value for member in self.kind)
            raise ValueError(f"is not one of {choices}") from None

    def encode(self, value: E) -> str:
        return value.value


@dataclass(frozen=True)
class Flag(Codec[bool]):
    """A yes/no as the words `on` and `off` (only `on` when `off` is None: a switch's value)."""

    on: str
    off: str | None

    def decode(self, text: str) -> bool:
        if text == self.on:
            return True
        if self.off is not None and text == self.off:
            return False
        words = self.on if self.off is None else f"{self.on} or {self.off}"
        raise ValueError(f"is not {words}")

    def encode(self, value: bool) -> str:  # noqa: FBT001 - the codec's one value
        if value:
            return self.on
        if self.off is None:
            raise ValueError("a switch that is off sends nothing")
        return self.off


def encode_features(features: Iterable[Feature]) -> str:
    """The features' values in registry order, joined by ","."""
    on = frozenset(features)
    return ",".join(info.feature.value for info in REGISTRY if info.feature in on)


def decode_features(text: str) -> frozenset[Feature]:
    """The features of a ","-joined list; unknown ones (a feature since retired) are dropped."""
    known = {feature.value: feature for feature in Feature}
    return frozenset(known[value] for value in text.split(",") if value in known)


class FeatureList(Codec[frozenset[Feature]]):
    """Features as their values joined by "," in registry order ("" = none)."""

    def decode(self, text: str) -> frozenset[Feature]:
        if len(text) > MAX_TEXT:
            raise ValueError(f"is longer than {MAX_TEXT} characters")
        return decode_features(text)

    def encode(self, value: frozenset[Feature]) -> str:
        return encode_features(value)


class FeatureChoices(ValuesCodec[frozenset[Feature]]):
    """The checked features of a checkbox list (unknown values dropped, as in FeatureList)."""

    def decode_values(self, values: Sequence[str]) -> frozenset[Feature]:
        return decode_features(",".join(values))


class DateTime(Codec[datetime]):
    """An instant as ISO 8601 with its offset: how `events.py` passes a date-time picker's value."""

    def decode(self, text: str) -> datetime:
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError("is not a date and time") from None
        if value.tzinfo is None:
            raise ValueError("is not a date and time with an offset")
        return value

    def encode(self, value: datetime) -> str:
        return value.isoformat()


class Date(Codec[date]):
    """A calendar day as ISO 8601 ("2026-12-01"): how `events.py` passes a date picker's value."""

    def decode(self, text: str) -> date:
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError("is not a date") from None

    def encode(self, value: date) -> str:
        return value.isoformat()


TEXT = Text(MAX_TEXT)
TYPED = Text(None)
ADDRESS = Address()
NUMBER = Number()
IDENTIFIER = Matching(re.compile(r"[A-Za-z0-9_-]{1,64}"), "an identifier")
HEX_KEY = Matching(re.compile(r"[0-9a-f]{32}"), "32 hexadecimal digits")
FEATURE_LIST = FeatureList()
FEATURE_CHOICES = FeatureChoices()
DATE_TIME = DateTime()
DATE = Date()
