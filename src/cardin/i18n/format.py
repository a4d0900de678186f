"""Locale-aware formatting of dates, times, numbers and money for one reader (Babel)."""

from __future__ import annotations

import datetime as dt
import decimal
import functools
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, format_timedelta
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal, format_scientific, is_currency
from babel.units import format_unit

DEFAULT_LOCALE = "en_US"
DEFAULT_TIMEZONE = "UTC"

_SECONDS_PER_MINUTE = 60
_SECONDS_PER_HOUR = 3600
_SECONDS_PER_DAY = 86400
# Beyond 10**±100 the full digits are useless to a reader and costly to build: use scientific form.
_MAX_PLAIN_EXPONENT = 100

# Until the message catalog exists, the half-open range words live here: {language: (from, until)}.
_RANGE_WORDS: dict[str, tuple[str, str]] = {
    "en": ("from {}", "until {}"),
    "de": ("ab {}", "bis {}"),
}

Number = Decimal | float | int


@functools.lru_cache(maxsize=64)
def _parse_locale(identifier: str) -> Locale | None:
    """The Babel locale for a Pipedrive locale string ("de_DE", "en-US"), or None if unknown."""
    try:
        return Locale.parse(identifier.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return None


@functools.lru_cache(maxsize=64)
def _parse_zone(name: str) -> ZoneInfo | None:
    """The IANA zone of that name, or None if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return None


def _as_decimal(n: Number) -> Decimal:
    """A Decimal of the number; floats go through str so 0.1 stays 0.1."""
    if isinstance(n, Decimal):
        return n
    return Decimal(str(n)) if isinstance(n, float) else Decimal(n)


def _is_plain(value: Decimal) -> bool:
    """Whether the value is small enough to write out in full."""
    return not value.is_finite() or abs(value.adjusted()) <= _MAX_PLAIN_EXPONENT


def _context(value: Decimal) -> decimal.Context:
    """A decimal context for Babel's quantizing: precise enough, rounding half away from zero."""
    # Babel quantizes under the current context: its default 28 digits fail on large amounts, and
    # Pipedrive's web app (Intl.NumberFormat) rounds 0.5 away from zero, not to even.
    digits = len(value.as_tuple().digits)
    return decimal.Context(
        prec=max(3 * _MAX_PLAIN_EXPONENT, digits + 10), rounding=decimal.ROUND_HALF_UP
    )


@dataclass(frozen=True)
class Formatter:
    """Formats values for one reader; an invalid `locale` or `timezone` becomes en_US or UTC."""

    locale: str = DEFAULT_LOCALE
    timezone: str = DEFAULT_TIMEZONE

    def __post_init__(self) -> None:
        """Normalize the locale and time zone, replacing unknown ones by the defaults."""
        loc = _parse_locale(self.locale) if isinstance(self.locale, str) else None
        # Frozen dataclass: the normalized values are set once, here.
        object.__setattr__(self, "locale", str(loc) if loc is not None else DEFAULT_LOCALE)
        zone_ok = isinstance(self.timezone, str) and _parse_zone(self.timezone) is not None
        object.__setattr__(self, "timezone", self.timezone if zone_ok else DEFAULT_TIMEZONE)

    @property
    def _loc(self) -> Locale:
        """The parsed Babel locale (cached per locale string)."""
        return _parse_locale(self.locale) or Locale.parse(DEFAULT_LOCALE)

    @property
    def _zone(self) -> ZoneInfo:
        """The reader's time zone (cached per name)."""
        return _parse_zone(self.timezone) or ZoneInfo(DEFAULT_TIMEZONE)

    @property
    def language(self) -> str:
        """The locale's language code, e.g. "de"."""
        return self._loc.language

    def date(self, d: dt.date) -> str:
        """A date in the locale's medium style ("Mar 4, 2025", "04.03.2025", "2025/03/04")."""
        if type(d) is dt.date:
            return _date(self, d)
        return format_date(d, format="medium", locale=self._loc)

    def datetime(self, moment: dt.datetime) -> str:
        """A moment in the reader's time zone: medium date and short time; naive means UTC."""
        return _datetime(self, _aware(moment))

    def time(self, t: dt.time) -> str:
        """A time of day in the locale's short style ("9:05 AM", "09:05")."""
        return _time(self, t.replace(tzinfo=None))

    def number(self, n: Number) -> str:
        """A number with the locale's grouping and decimal sign, keeping all its digits."""
        return _number(self, str(_as_decimal(n)))

    def money(self, amount: Number, currency: str) -> str:
        """An amount in a currency; codes Babel does not know are written after the number."""
        return _money(self, str(_as_decimal(amount)), currency.strip().upper())

    def _plain_money(self, value: Decimal, code: str) -> str:
        """An amount of ordinary size in a currency, or with two decimals when there is no code."""
        if not code:
            return format_decimal(value, format="#,##0.00", locale=self._loc)
        if is_currency(code):
            return format_currency(value, code, locale=self._loc)
        # The "name" pattern puts an unknown code after the amount, as "1,234.00 XYZ".
        return format_currency(value, code, locale=self._loc, format_type="name")

    def duration(self, td: dt.timedelta) -> str:
        """A length of time as its largest units, e.g. "1 hr 30 min" or "2 days 3 hr"."""
        return _duration(self, td)

    def _duration(self, td: dt.timedelta) -> str:
        seconds = abs(int(td.total_seconds()))
        sign = "-" if td < dt.timedelta(0) else ""
        return sign + format_list(
            self._duration_parts(seconds), style="unit-narrow", locale=self._loc
        )

    def _duration_parts(self, seconds: int) -> list[str]:
        """The non-zero day/hour/minute parts of a duration (seconds only below one minute)."""
        if seconds < _SECONDS_PER_MINUTE:
            unit, amount = ("second", seconds) if seconds else ("minute", 0)
            return [self._unit(amount, unit)]
        days, rest = divmod(seconds, _SECONDS_PER_DAY)
        hours, rest = divmod(rest, _SECONDS_PER_HOUR)
        minutes = rest // _SECONDS_PER_MINUTE
        parts = (("day", days), ("hour", hours), ("minute", minutes))
        return [self._unit(amount, unit) for unit, amount in parts if amount]

    def _unit(self, amount: int, unit: str) -> str:
        """One duration unit in the locale's short form ("30 min", "1 Std.")."""
        return format_unit(amount, f"duration-{unit}", length="short", locale=self._loc)

    def relative(self, moment: dt.datetime, now: dt.datetime) -> str:
        """How long ago or ahead `moment` is from `now` ("5 minutes ago", "in 2 days")."""
        delta = _aware(moment) - _aware(now)
        return format_timedelta(delta, add_direction=True, locale=self._loc)

    def from_(self, s: str) -> str:
        """A range with only its start: "from X" in the locale's language."""
        return self._range_words()[0].format(s)

    def until(self, s: str) -> str:
        """A range with only its end: "until Y" in the locale's language."""
        return self._range_words()[1].format(s)

    def _range_words(self) -> tuple[str, str]:
        """The from/until patterns of the locale's language, English when not translated."""
        return _RANGE_WORDS.get(self.language, _RANGE_WORDS["en"])


# Formatting is a pure function of the reader and the value, and Babel is slow at it: each kind
# keeps its last texts. The keys are exact: a date, an aware moment, a naive time, a duration,
# a number's text (Decimal("1.0") and Decimal("1.00") are equal, their digits are not).
_FORMATTED = 4096


@functools.lru_cache(maxsize=_FORMATTED)
def _date(formatter: Formatter, d: dt.date) -> str:
    return format_date(d, format="medium", locale=formatter._loc)


@functools.lru_cache(maxsize=_FORMATTED)
def _datetime(formatter: Formatter, moment: dt.datetime) -> str:
    loc = formatter._loc
    local = moment.astimezone(formatter._zone)
    pattern = str(loc.datetime_formats["medium"]).replace("'", "")
    day = format_date(local.date(), format="medium", locale=loc)
    clock = format_time(local.time(), format="short", locale=loc)
    return pattern.replace("{1}", day).replace("{0}", clock)


@functools.lru_cache(maxsize=_FORMATTED)
def _time(formatter: Formatter, t: dt.time) -> str:
    return format_time(t, format="short", locale=formatter._loc)


@functools.lru_cache(maxsize=_FORMATTED)
def _duration(formatter: Formatter, td: dt.timedelta) -> str:
    return formatter._duration(td)


@functools.lru_cache(maxsize=_FORMATTED)
def _number(formatter: Formatter, text: str) -> str:
    value = Decimal(text)
    if not _is_plain(value):
        return format_scientific(value, locale=formatter._loc)
    with decimal.localcontext(_context(value)):
        return format_decimal(value, locale=formatter._loc, decimal_quantization=False)


@functools.lru_cache(maxsize=_FORMATTED)
def _money(formatter: Formatter, text: str, code: str) -> str:
    value = Decimal(text)
    if not _is_plain(value):
        return f"{format_scientific(value, locale=formatter._loc)} {code}".rstrip()
    with decimal.localcontext(_context(value)):
        return formatter._plain_money(value, code)


def _aware(moment: dt.datetime) -> dt.datetime:
    """The datetime with a time zone; a naive one is taken to be UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
