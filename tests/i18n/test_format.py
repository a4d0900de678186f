"""Locale formatting: exact outputs for en_US, de_DE and ja_JP, and fallbacks that never raise."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from babel import numbers

from cardin.i18n import Formatter

NNBSP = "\u202f"  # CLDR puts a narrow no-break space before AM/PM
NBSP = "\u00a0"

EN = Formatter("en_US")
DE = Formatter("de_DE")
JA = Formatter("ja_JP")


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [(EN, "Mar 4, 2025"), (DE, "04.03.2025"), (JA, "2025/03/04")],
)
def test_date_uses_the_medium_style_of_the_locale(fmt: Formatter, expected: str) -> None:
    assert fmt.date(date(2025, 3, 4)) == expected


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [(EN, f"2:05{NNBSP}PM"), (DE, "14:05"), (JA, "14:05")],
)
def test_time_uses_the_short_style_of_the_locale(fmt: Formatter, expected: str) -> None:
    assert fmt.time(time(14, 5, 59)) == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en_US", f"Mar 5, 2025, 8:30{NNBSP}AM"),
        ("de_DE", "05.03.2025, 08:30"),
        ("ja_JP", "2025/03/05 8:30"),
    ],
)
def test_datetime_is_shown_in_the_readers_time_zone(locale: str, expected: str) -> None:
    fmt = Formatter(locale, "Asia/Tokyo")
    assert fmt.datetime(datetime(2025, 3, 4, 23, 30, tzinfo=UTC)) == expected


def test_naive_datetime_is_taken_as_utc() -> None:
    fmt = Formatter("de_DE", "Europe/Tallinn")
    assert fmt.datetime(datetime(2025, 7, 1, 12, 0)) == "01.07.2025, 15:00"  # noqa: DTZ001 - naive input is the case under test


@pytest.mark.parametrize(
    ("fmt", "currency", "expected"),
    [
        (EN, "EUR", "€1,234.50"),
        (EN, "USD", "$1,234.50"),
        (EN, "JPY", "¥1,235"),
        (DE, "EUR", f"1.234,50{NBSP}€"),
        (DE, "USD", f"1.234,50{NBSP}$"),
        (DE, "JPY", f"1.235{NBSP}¥"),
        (JA, "EUR", "€1,234.50"),
        (JA, "USD", "$1,234.50"),
        (JA, "JPY", "￥1,235"),
    ],
)
def test_money_in_common_currencies(fmt: Formatter, currency: str, expected: str) -> None:
    assert fmt.money(Decimal("1234.5"), currency) == expected


def test_money_code_is_case_and_space_insensitive() -> None:
    assert EN.money(10, " eur ") == "€10.00"


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [(EN, "1,234.00 XYZ"), (DE, "1.234,00 XYZ")],
)
def test_unknown_currency_code_follows_the_amount(fmt: Formatter, expected: str) -> None:
    assert fmt.money(1234, "XYZ") == expected


def test_money_without_currency_is_a_two_decimal_number() -> None:
    assert DE.money(Decimal("1234.5"), "") == "1.234,50"


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [(EN, "-€1,234.50"), (DE, f"-1.234,50{NBSP}€")],
)
def test_negative_money(fmt: Formatter, expected: str) -> None:
    assert fmt.money(-1234.5, "EUR") == expected


def test_huge_money_keeps_every_digit() -> None:
    assert EN.money(Decimal("123456789012345678901234567890.5"), "USD") == (
        "$123,456,789,012,345,678,901,234,567,890.50"
    )


def test_absurdly_huge_amounts_switch_to_scientific_notation() -> None:
    assert EN.money(Decimal("1e300"), "USD") == "1E300 USD"
    assert EN.number(Decimal("-1e300")) == "-1E300"


@pytest.mark.parametrize(
    ("fmt", "number", "expected"),
    [
        (EN, Decimal("1234567.891"), "1,234,567.891"),
        (DE, Decimal("1234567.891"), "1.234.567,891"),
        (JA, Decimal("1234567.891"), "1,234,567.891"),
        (EN, 0.1, "0.1"),
        (EN, -42, "-42"),
        (DE, Decimal("0.000001"), "0,000001"),
        (EN, 1e30, "1,000,000,000,000,000,000,000,000,000,000"),
    ],
)
def test_number_keeps_all_digits_with_locale_separators(
    fmt: Formatter, number: Decimal | float, expected: str
) -> None:
    assert fmt.number(number) == expected


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [(EN, "1 hr 30 min"), (DE, "1 Std., 30 Min."), (JA, "1 時間30 分")],
)
def test_duration_composes_hours_and_minutes(fmt: Formatter, expected: str) -> None:
    assert fmt.duration(timedelta(hours=1, minutes=30)) == expected


@pytest.mark.parametrize(
    ("td", "expected"),
    [
        (timedelta(0), "0 min"),
        (timedelta(seconds=45), "45 sec"),
        (timedelta(hours=2), "2 hr"),
        (timedelta(days=2, hours=3, seconds=59), "2 days 3 hr"),
        (timedelta(minutes=-45), "-45 min"),
    ],
)
def test_duration_edge_cases(td: timedelta, expected: str) -> None:
    assert EN.duration(td) == expected


@pytest.mark.parametrize(
    ("fmt", "minutes", "expected"),
    [
        (EN, -5, "5 minutes ago"),
        (EN, 5, "in 5 minutes"),
        (DE, -5, "vor 5 Minuten"),
        (JA, -5, "5 分前"),
    ],
)
def test_relative_time(fmt: Formatter, minutes: int, expected: str) -> None:
    now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    assert fmt.relative(now + timedelta(minutes=minutes), now) == expected


def test_relative_accepts_naive_and_aware_together() -> None:
    now = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
    assert EN.relative(datetime(2025, 1, 1, 10, 0), now) == "2 hours ago"  # noqa: DTZ001 - naive input is the case under test


@pytest.mark.parametrize(
    ("locale", "start", "end"),
    [
        ("en_US", "from Mar 4", "until Mar 4"),
        ("de_DE", "ab Mar 4", "bis Mar 4"),
        ("de_AT", "ab Mar 4", "bis Mar 4"),
        ("ja_JP", "from Mar 4", "until Mar 4"),
    ],
)
def test_half_open_range_words_follow_the_language(locale: str, start: str, end: str) -> None:
    fmt = Formatter(locale)
    assert (fmt.from_("Mar 4"), fmt.until("Mar 4")) == (start, end)


@pytest.mark.parametrize("locale", ["xx_YY", "", "123", "not a locale", "\x00"])
def test_invalid_locale_falls_back_to_en_us(locale: str) -> None:
    fmt = Formatter(locale)
    assert fmt.locale == "en_US"
    assert fmt.date(date(2025, 3, 4)) == "Mar 4, 2025"


@pytest.mark.parametrize(("given", "normalized"), [("et_EE", "et_EE"), ("en-GB", "en_GB")])
def test_valid_locales_are_kept_in_babel_form(given: str, normalized: str) -> None:
    assert Formatter(given).locale == normalized


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../etc/passwd"])
def test_invalid_timezone_falls_back_to_utc(zone: str) -> None:
    fmt = Formatter("en_US", zone)
    assert fmt.timezone == "UTC"
    assert fmt.datetime(datetime(2025, 3, 4, 9, 0, tzinfo=UTC)) == f"Mar 4, 2025, 9:00{NNBSP}AM"


def test_estonian_dates_are_localized() -> None:
    assert Formatter("et_EE").date(date(2025, 3, 4)) == "4. märts 2025"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(Decimal("0.125"), "$0.13"), (Decimal("-0.125"), "-$0.13"), (Decimal("2.5"), "$2.50")],
)
def test_money_rounds_half_away_from_zero_like_the_web_app(amount: Decimal, expected: str) -> None:
    assert EN.money(amount, "USD") == expected


def test_formatter_is_frozen_and_hashable() -> None:
    assert Formatter("de_DE", "Europe/Berlin") == Formatter("de_DE", "Europe/Berlin")
    assert len({Formatter("de_DE"), Formatter("de_DE")}) == 1


def test_remembered_texts_keep_apart_what_is_equal_but_written_differently() -> None:
    """The formatted texts are kept per reader and exact value (formatting with Babel is slow)."""
    en, de = Formatter("en_US", "UTC"), Formatter("de_DE", "Europe/Berlin")
    for _ in range(2):  # the second round is answered from what the first one kept
        for value in (Decimal("1.0"), Decimal("1.00"), 1, 1.0, Decimal("1234.5678"), 0.1):
            assert en.number(value) == numbers.format_decimal(
                Decimal(str(value)), locale="en_US", decimal_quantization=False
            )
        assert en.number(Decimal("1234.5")) == "1,234.5"
        assert de.number(Decimal("1234.5")) == "1.234,5"
        assert en.money(Decimal(5), "usd") == "$5.00"
        assert de.money(Decimal(5), "EUR") == "5,00\xa0€"
        moment = datetime(2025, 3, 4, 23, 30, tzinfo=UTC)
        assert en.datetime(moment) != de.datetime(moment)
        assert de.datetime(moment).startswith("05.03.2025")
        assert en.datetime(moment.replace(tzinfo=None)) == en.datetime(moment)
        assert en.time(time(9, 5)) == en.time(time(9, 5, tzinfo=UTC)) == "9:05\u202fAM"
        assert en.date(datetime(2025, 3, 4, 23, 30, tzinfo=UTC)) == en.date(date(2025, 3, 4))


def test_remembered_durations_are_per_reader() -> None:
    en, de = Formatter("en_US"), Formatter("de_DE")
    for _ in range(2):
        assert en.duration(timedelta(minutes=90)) == "1 hr 30 min"
        assert de.duration(timedelta(minutes=90)) == "1 Std., 30 Min."
        assert en.duration(timedelta(minutes=-5)).startswith("-")
