"""Custom person fields: every Pipedrive type, v2 and v1 shapes, empties, garbage, display."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardin.contact.fields import (
    FieldDefinition,
    ReferenceNames,
    display_text,
    referenced_ids,
    to_field_values,
)
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
from cardin.i18n import Formatter

DOMAIN = "acme"
APP = "https://acme.pipedrive.com"
KEY = "d4de1c1518b4531717c676029a45911c340390a6"
NAMES = ReferenceNames(
    users={7: "Ursula User"},
    organizations={78: "Acme Ltd"},
    persons={123: "Jane Doe"},
)
NO_NAMES = ReferenceNames(users={}, organizations={}, persons={})
OPTIONS: Mapping[int, str] = {190: "Private person", 191: "Company", 192: "Government"}
SIXTEEN_TYPES = (
    "varchar",
    "varchar_auto",
    "text",
    "double",
    "monetary",
    "date",
    "daterange",
    "time",
    "timerange",
    "set",
    "enum",
    "user",
    "org",
    "people",
    "phone",
    "address",
)
EN = Formatter("en_US")
DE = Formatter("de_DE")


def definition(
    field_type: str, key: str = KEY, name: str = "Field", order: int = 0
) -> FieldDefinition:
    options = OPTIONS if field_type in {"set", "enum"} else {}
    return FieldDefinition(key=key, name=name, field_type=field_type, options=options, order=order)


def parse(field_type: str, raw: object, names: ReferenceNames = NAMES) -> FieldData | None:
    """The typed value of one raw value of that type, None when the field is dropped."""
    values = to_field_values(
        {KEY: raw}, [definition(field_type)], names=names, company_domain=DOMAIN
    )
    assert len(values) <= 1
    return values[0].value if values else None


# --- each type, v2 shapes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field_type", "raw", "expected"),
    [
        ("varchar", "  my text value ", TextValue("my text value")),
        ("varchar_auto", "Auto", TextValue("Auto")),
        ("text", "line 1\nline 2", TextValue("line 1\nline 2", multiline=True)),
        ("double", 500, NumberValue(Decimal(500))),
        ("double", 0.1, NumberValue(Decimal("0.1"))),
        ("double", "12.50", NumberValue(Decimal("12.50"))),
        ("double", 0, NumberValue(Decimal(0))),
        ("monetary", {"value": 2300, "currency": "EUR"}, MoneyValue(Decimal(2300), "EUR")),
        ("monetary", {"value": "19.99", "currency": "usd"}, MoneyValue(Decimal("19.99"), "USD")),
        ("date", "2024-01-01", DateSpan(date(2024, 1, 1))),
        (
            "daterange",
            {"value": "2024-01-01", "until": "2024-02-01"},
            DateSpan(date(2024, 1, 1), date(2024, 2, 1), is_range=True),
        ),
        (
            "time",
            {"value": "09:00:00", "timezone_id": 318, "timezone_name": "Europe/London"},
            TimeSpan(time(9, 0), timezone="Europe/London"),
        ),
        (
            "timerange",
            {"value": "09:00:00", "until": "11:30:00", "timezone_name": "Europe/London"},
            TimeSpan(time(9, 0), time(11, 30), is_range=True, timezone="Europe/London"),
        ),
        ("enum", 191, OptionsValue(("Company",))),
        ("enum", {"id": 191, "label": "Company (renamed)"}, OptionsValue(("Company (renamed)",))),
        ("set", [190, 192], OptionsValue(("Private person", "Government"))),
        (
            "set",
            [{"id": 11, "label": "Newsletter"}, {"id": 12, "label": "Webinar"}],
            OptionsValue(("Newsletter", "Webinar")),
        ),
        ("user", 7, Reference(RefKind.USER, 7, "Ursula User", f"{APP}/users/details/7")),
        ("org", 78, Reference(RefKind.ORGANIZATION, 78, "Acme Ltd", f"{APP}/organization/78")),
        ("people", 123, Reference(RefKind.PERSON, 123, "Jane Doe", f"{APP}/person/123")),
        ("phone", "+372 5555 5555", PhoneValue("+372 5555 5555")),
        (
            "address",
            {
                "value": "530 Fifth Avenue, New York, NY, USA",
                "country": "United States",
                "locality": "New York",
                "postal_code": "10036",
                "formatted_address": "530 5th Ave, New York, NY 10036, USA",
            },
            AddressValue("530 5th Ave, New York, NY 10036, USA", "United States", "New York"),
        ),
    ],
)
def test_v2_values_of_every_type(field_type: str, raw: object, expected: FieldData) -> None:
    assert parse(field_type, raw) == expected


def test_the_sixteen_types_are_all_covered_above() -> None:
    samples: dict[str, object] = {
        "varchar": "a",
        "varchar_auto": "a",
        "text": "a",
        "double": 1,
        "monetary": {"value": 1, "currency": "EUR"},
        "date": "2024-01-01",
        "daterange": {"value": "2024-01-01", "until": None},
        "time": "09:00:00",
        "timerange": {"value": "09:00:00", "until": "10:00:00"},
        "set": [190],
        "enum": 190,
        "user": 7,
        "org": 78,
        "people": 123,
        "phone": "1",
        "address": {"value": "Somewhere"},
    }
    kinds = {t: type(parse(t, samples[t])).__name__ for t in SIXTEEN_TYPES}
    assert kinds == {
        "varchar": "TextValue",
        "varchar_auto": "TextValue",
        "text": "TextValue",
        "double": "NumberValue",
        "monetary": "MoneyValue",
        "date": "DateSpan",
        "daterange": "DateSpan",
        "time": "TimeSpan",
        "timerange": "TimeSpan",
        "set": "OptionsValue",
        "enum": "OptionsValue",
        "user": "Reference",
        "org": "Reference",
        "people": "Reference",
        "phone": "PhoneValue",
        "address": "AddressValue",
    }


# --- v1-style and other tolerated shapes ---------------------------------------------------------


@pytest.mark.parametrize(
    ("field_type", "raw", "expected"),
    [
        ("set", "190,192", OptionsValue(("Private person", "Government"))),
        ("set", "190, 999", OptionsValue(("Private person",))),
        ("enum", "191", OptionsValue(("Company",))),
        ("set", 190, OptionsValue(("Private person",))),
        ("set", [190, 190], OptionsValue(("Private person",))),
        ("monetary", 500, NumberValue(Decimal(500))),
        ("monetary", {"value": 500, "currency": None}, NumberValue(Decimal(500))),
        ("daterange", "2024-01-01", DateSpan(date(2024, 1, 1), None, is_range=True)),
        ("date", "2024-01-01T00:00:00Z", DateSpan(date(2024, 1, 1))),
        ("date", {"value": "2024-03-04"}, DateSpan(date(2024, 3, 4))),
        ("time", "09:00", TimeSpan(time(9, 0))),
        ("timerange", "09:00:00", TimeSpan(time(9, 0), None, is_range=True)),
        ("user", "7", Reference(RefKind.USER, 7, "Ursula User", f"{APP}/users/details/7")),
        ("people", {"value": 123}, Reference(RefKind.PERSON, 123, "Jane Doe", f"{APP}/person/123")),
        (
            "org",
            {"id": 5, "name": "Embedded Org"},
            Reference(RefKind.ORGANIZATION, 5, "Embedded Org", f"{APP}/organization/5"),
        ),
        ("org", [78], Reference(RefKind.ORGANIZATION, 78, "Acme Ltd", f"{APP}/organization/78")),
        ("phone", 3725555, PhoneValue("3725555")),
        ("phone", {"value": "+1 555"}, PhoneValue("+1 555")),
        ("address", "530 Fifth Avenue", AddressValue("530 Fifth Avenue")),
        ("address", {"value": "530 Fifth Avenue"}, AddressValue("530 Fifth Avenue")),
        ("varchar", 42, TextValue("42")),
    ],
)
def test_v1_and_loose_shapes_are_tolerated(
    field_type: str, raw: object, expected: FieldData
) -> None:
    assert parse(field_type, raw) == expected


@pytest.mark.parametrize(
    ("field_type", "raw", "expected"),
    [
        (
            "daterange",
            {"value": "2024-01-01", "until": None},
            DateSpan(date(2024, 1, 1), None, is_range=True),
        ),
        (
            "daterange",
            {"value": None, "until": "2024-02-01"},
            DateSpan(None, date(2024, 2, 1), is_range=True),
        ),
        (
            "timerange",
            {"value": "", "until": "11:00:00"},
            TimeSpan(None, time(11, 0), is_range=True),
        ),
    ],
)
def test_half_empty_ranges_are_kept(field_type: str, raw: object, expected: FieldData) -> None:
    assert parse(field_type, raw) == expected


# --- empties and garbage -------------------------------------------------------------------------


@pytest.mark.parametrize("field_type", SIXTEEN_TYPES)
@pytest.mark.parametrize("raw", [None, "", "   \n\t", [], {}, {"value": None}, {"value": "  "}])
def test_empty_values_are_dropped(field_type: str, raw: object) -> None:
    assert parse(field_type, raw) is None


@pytest.mark.parametrize(
    "raw", [{"value": None, "until": None}, {"value": "", "until": "", "timezone_name": "UTC"}]
)
@pytest.mark.parametrize("field_type", ["daterange", "timerange", "time", "monetary"])
def test_empty_object_values_are_dropped(field_type: str, raw: object) -> None:
    assert parse(field_type, raw) is None


@pytest.mark.parametrize(
    ("field_type", "raw"),
    [
        ("enum", 999),
        ("enum", {"id": 999}),
        ("set", [998, 999]),
        ("set", "998,999"),
        ("enum", "Company"),
        ("set", [None, True, 0, -3]),
    ],
)
def test_options_that_no_longer_exist_drop_the_field(field_type: str, raw: object) -> None:
    assert parse(field_type, raw) is None


@pytest.mark.parametrize(
    ("field_type", "raw", "expected"),
    [
        ("double", "twelve", TextValue("twelve")),
        ("double", {"amount": 5}, TextValue("amount: 5")),
        ("monetary", {"value": "lots", "currency": "EUR"}, TextValue("lots")),
        ("date", "next tuesday", TextValue("next tuesday")),
        ("date", "2024-13-45", TextValue("2024-13-45")),
        (
            "daterange",
            {"value": "soon", "until": "2024-02-01"},
            TextValue("soon \u2013 2024-02-01"),
        ),
        ("time", "25:99", TextValue("25:99")),
        ("timerange", {"value": "9am", "until": "5pm"}, TextValue("9am \u2013 5pm")),
        ("user", "nobody", TextValue("nobody")),
        ("people", [1, 2], TextValue("1, 2")),
        ("phone", ["+1", "+2"], TextValue("+1, +2")),
        ("text", {"a": {"b": [1, True]}}, TextValue("a: b: 1, \u2713", multiline=True)),
        ("varchar", {"label": "Shown label", "id": 4}, TextValue("Shown label")),
    ],
)
def test_garbage_falls_back_to_readable_text(
    field_type: str, raw: object, expected: FieldData
) -> None:
    assert parse(field_type, raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (float("nan"), None),
        (float("inf"), None),
        ("1e999", TextValue("1e999")),
        (True, TextValue("\u2713")),
    ],
)
def test_non_finite_or_absurd_numbers_are_not_numbers(
    raw: object, expected: FieldData | None
) -> None:
    assert parse("double", raw) == expected


# --- unknown and system types --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field_type", "raw", "expected"),
    [
        ("boolean", True, "\u2713"),
        ("boolean", False, "\u2717"),
        ("int", 42, "42"),
        ("visible_to", 3, "3"),
        ("status", "open", "open"),
        ("json", {"plan": "pro", "seats": 5, "extra": None}, "plan: pro, seats: 5"),
        ("picture", {"id": 9, "name": "face.png"}, "face.png"),
        ("varchar_options", [{"label": "A"}, {"label": "B"}], "A, B"),
        ("some_future_type", {"value": 2.50}, "2.5"),
        ("deal", {"value": 1, "until": 2}, "1 \u2013 2"),
    ],
)
def test_unknown_types_fall_back_to_plain_text(field_type: str, raw: object, expected: str) -> None:
    assert parse(field_type, raw) == TextValue(expected)


def test_fallback_text_never_shows_a_python_repr() -> None:
    value = parse("json", {"a": {"b": {"c": [{"d": "deep"}]}}})
    assert value == TextValue("a: b: c: d: deep")


# --- references ----------------------------------------------------------------------------------


def test_unknown_reference_names_are_none_but_still_linked() -> None:
    assert parse("user", 8, NO_NAMES) == Reference(RefKind.USER, 8, None, f"{APP}/users/details/8")


@pytest.mark.parametrize("domain", ["acme/", "evil.example/#", "evil.example", "-acme", ""])
def test_a_company_domain_that_is_no_dns_label_never_makes_a_link(domain: str) -> None:
    values = to_field_values({KEY: 123}, [definition("people")], names=NAMES, company_domain=domain)
    expected = "https://app.pipedrive.com/person/123"
    assert values[0].value == Reference(RefKind.PERSON, 123, "Jane Doe", expected)


def test_referenced_ids_collects_each_kind() -> None:
    definitions = [
        definition("user", key="u1"),
        definition("user", key="u2"),
        definition("org", key="o"),
        definition("people", key="p"),
        definition("people", key="p_empty"),
        definition("varchar", key="v"),
    ]
    custom = {"u1": 7, "u2": "9", "o": {"id": 78}, "p": [123], "p_empty": None, "v": 5, "x": 1}
    assert referenced_ids(custom, definitions) == {
        RefKind.USER: frozenset({7, 9}),
        RefKind.ORGANIZATION: frozenset({78}),
        RefKind.PERSON: frozenset({123}),
    }


def test_referenced_ids_without_references_is_empty_per_kind() -> None:
    assert referenced_ids({}, []) == {kind: frozenset() for kind in RefKind}


# --- the whole person ----------------------------------------------------------------------------


def test_fields_come_in_definition_order_with_names_and_types() -> None:
    definitions = [
        definition("varchar", key="b", name="Second", order=2),
        definition("enum", key="a", name="First", order=1),
        definition("double", key="c", name="Empty", order=3),
        definition("varchar", key="d", name="Not on person", order=4),
    ]
    custom = {"b": "text", "a": 192, "c": None, "unknown-key": "ignored"}
    values = to_field_values(custom, definitions, names=NAMES, company_domain=DOMAIN)
    assert values == (
        FieldValue("a", "First", "enum", OptionsValue(("Government",))),
        FieldValue("b", "Second", "varchar", TextValue("text")),
    )


def test_equal_order_keeps_the_given_sequence_and_duplicates_count_once() -> None:
    definitions = [definition("varchar", key="z"), definition("varchar", key="a")]
    custom = {"z": "Z", "a": "A"}
    values = to_field_values(
        custom, [*definitions, definitions[0]], names=NAMES, company_domain=DOMAIN
    )
    assert [v.key for v in values] == ["z", "a"]


def test_fields_absent_from_definitions_are_skipped() -> None:
    assert to_field_values({KEY: "orphan"}, [], names=NAMES, company_domain=DOMAIN) == ()


# --- display -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "en", "de"),
    [
        (TextValue("hello"), "hello", "hello"),
        (NumberValue(Decimal("1234.5")), "1,234.5", "1.234,5"),
        (MoneyValue(Decimal(2300), "EUR"), "€2,300.00", "2.300,00\u00a0€"),
        (DateSpan(date(2024, 1, 1)), "Jan 1, 2024", "01.01.2024"),
        (
            DateSpan(date(2024, 1, 1), date(2024, 2, 1), is_range=True),
            "Jan 1, 2024 \u2013 Feb 1, 2024",
            "01.01.2024 \u2013 01.02.2024",
        ),
        (DateSpan(date(2024, 1, 1), None, is_range=True), "from Jan 1, 2024", "ab 01.01.2024"),
        (DateSpan(None, date(2024, 2, 1), is_range=True), "until Feb 1, 2024", "bis 01.02.2024"),
        (DateSpan(None, None, is_range=True), "", ""),
        (TimeSpan(time(9, 0)), "9:00\u202fAM", "09:00"),
        (
            TimeSpan(time(9, 0), time(11, 0), is_range=True, timezone="UTC"),
            "9:00\u202fAM \u2013 11:00\u202fAM",
            "09:00 \u2013 11:00",
        ),
        (
            TimeSpan(time(9, 0), None, is_range=True, timezone="Europe/London"),
            "from 9:00\u202fAM (Europe/London)",
            "ab 09:00 (Europe/London)",
        ),
        (OptionsValue(("Newsletter", "Webinar")), "Newsletter, Webinar", "Newsletter, Webinar"),
        (Reference(RefKind.PERSON, 123, "Jane Doe"), "Jane Doe", "Jane Doe"),
        (Reference(RefKind.USER, 8, None), "#8", "#8"),
        (PhoneValue("+372 5555"), "+372 5555", "+372 5555"),
        (AddressValue("530 5th Ave", "United States"), "530 5th Ave", "530 5th Ave"),
    ],
)
def test_display_text(value: FieldData, en: str, de: str) -> None:
    assert (display_text(value, EN), display_text(value, DE)) == (en, de)


# --- never raise ---------------------------------------------------------------------------------

# Text without brackets or quotes, so that any of those in the output would betray a Python repr.
json_text = st.text(st.characters(exclude_characters="{}[]'\""), max_size=30)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | json_text
    | st.sampled_from(["2024-01-01", "09:00:00", "190,191", "191", "1e999999", "-0", "NaN"])
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["value", "until", "currency", "id", "label", "name", "timezone_name"])
            | json_text,
            children,
            max_size=4,
        )
    ),
    max_leaves=12,
)
field_types = st.sampled_from([*SIXTEEN_TYPES, "boolean", "json", "visible_to", "status", ""])


@settings(max_examples=400, deadline=None)
@given(field_type=field_types, raw=json_values)
def test_no_input_makes_parsing_or_display_raise(field_type: str, raw: object) -> None:
    custom = {KEY: raw}
    definitions = [definition(field_type)]
    referenced_ids(custom, definitions)
    for value in to_field_values(custom, definitions, names=NAMES, company_domain=DOMAIN):
        assert value.key == KEY
        text = display_text(value.value, EN) + display_text(value.value, DE)
        assert not set(text) & set("{}[]'\""), text
        assert display_text(value.value, EN).strip()


@settings(max_examples=100, deadline=None)
@given(raw=json_values)
def test_text_fallback_never_keeps_surrounding_whitespace(raw: object) -> None:
    value = parse("json", raw)
    if value is not None:
        assert isinstance(value, TextValue)
        assert value.text == value.text.strip()
        assert value.text
