"""The message catalogs: complete in English and German, placeholders kept, plurals, fallback."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from cardin.addon.write_actions import PROBLEM_WORDS
from cardin.connectors.features import REGISTRY
from cardin.contact.outcome import FailureKind
from cardin.i18n.messages import LANGUAGES, Messages, language_of, load_catalog, messages_for
from cardin.usecases.writes import WriteKind

CARDS_SOURCE = Path(__file__).parents[2] / "src" / "cardin" / "cards"
# Keys the code builds from a prefix and a value: (pattern in the code, the values).
DYNAMIC = {
    "activity.state.": ("done", "overdue", "planned"),
    "deal.status.": ("open", "won", "lost"),
    "section_error.": ("rate_limited", "unavailable", "forbidden", "bad_response"),
    "match.reason.": ("primary", "secondary"),
    "email.type.": ("work", "home", "other"),
    "phone.type.": ("work", "home", "mobile", "other"),
    "email.kind.": ("work", "home", "other"),
    "list.deals.": ("open", "won", "lost"),
    "list.activities.": ("overdue", "planned", "done"),
    "section.": ("fields", "emails", "phones", "others", "notes", "deals", "activities"),
}
ERROR_KINDS = ("rate_limited", "unavailable", "bad_response", "forbidden", "other")
# What a form says after a failed submit: one message per kind of failure.
FORM_FAILURES = tuple(f"form.failure.{kind}" for kind in FailureKind)
# Ids the forms and the contact card are handed by the use cases (problems, receipts).
HANDED_IDS = (
    *PROBLEM_WORDS.values(), "form.due_required",
    *(f"write.done.{kind}" for kind in WriteKind), *(f"write.notice.{kind}" for kind in WriteKind),
    "add_contact.duplicate.same_name", "add_contact.duplicate.same_domain",
)  # fmt: skip


def _ids(language: str) -> dict[str, object]:
    return {
        (m.id if isinstance(m.id, str) else m.id[0]): m.string
        for m in load_catalog(language)
        if m.id
    }


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _strings(value: object) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (str(value),)


def test_german_has_exactly_the_english_ids_all_translated() -> None:
    english, german = _ids("en"), _ids("de")
    assert set(german) == set(english)
    for key, value in german.items():
        assert all(_strings(value)), key
        assert not any(m.fuzzy for m in load_catalog("de") if m.id == key)


def test_translations_keep_the_placeholders() -> None:
    english, german = _ids("en"), _ids("de")
    for key, value in english.items():
        expected = set().union(*(_placeholders(s) for s in _strings(value)))
        for translated in _strings(german[key]):
            assert _placeholders(translated) <= expected | {"count"}, key
            assert expected - {"count"} <= _placeholders(translated), key


def test_plural_entries_are_plural_in_both_languages() -> None:
    for language in LANGUAGES:
        for message in load_catalog(language):
            if message.id and not isinstance(message.id, str):
                assert len(message.string) == 2, (language, message.id)


def _used_keys() -> set[str]:
    source = "\n".join(p.read_text() for p in CARDS_SOURCE.glob("*.py"))
    literal = set(re.findall(r'msgs\.(?:text|plural|has)\(\s*"([a-z_.]+)"', source))
    literal |= set(re.findall(r'"((?:owner|contact)\.(?:in)?active)"', source))
    built = {prefix + value for prefix, values in DYNAMIC.items() for value in values}
    built |= {f"error.{kind}.{part}" for kind in ERROR_KINDS
              for part in ("title", "explain", "subtitle")}  # fmt: skip
    built |= {"reauth.subtitle", "payment.subtitle", "rate_limited.subtitle"}
    built |= {*FORM_FAILURES, *HANDED_IDS}
    return literal | built


def test_every_key_the_cards_use_exists() -> None:
    english = _ids("en")
    missing = sorted(key for key in _used_keys() if key not in english)
    assert missing == []


def test_feature_labels_are_in_the_catalog() -> None:
    english = _ids("en")
    assert {info.message_id for info in REGISTRY} <= set(english)


@pytest.mark.parametrize(
    ("locale", "language"),
    [("de_DE", "de"), ("de-AT", "de"), ("DE_ch", "de"), ("de", "de"), ("en_GB", "en"),
     ("ja_JP", "en"), ("", "en"), (None, "en"), ("xx", "en")],
)  # fmt: skip
def test_language_follows_the_locale(locale: str | None, language: str) -> None:
    assert language_of(locale) == language
    assert messages_for(locale).language == language


def test_plural_forms() -> None:
    en, de = messages_for("en_US"), messages_for("de_DE")
    assert en.plural("deals.count", 1) == "1 deal"
    assert en.plural("deals.count", 2) == "2 deals"
    assert en.plural("deals.count", 0) == "0 deals"
    assert de.plural("activities.count", 1) == "1 Aktivität"
    assert de.plural("activities.count", 1000, count="1.000") == "1.000 Aktivitäten"


def test_placeholders_are_filled() -> None:
    assert messages_for("en").text("footer.updated.ago", ago="5 minutes ago") == (
        "Updated 5 minutes ago"
    )


def test_unknown_key_is_an_error_not_a_silent_id() -> None:
    with pytest.raises(KeyError, match=r"no\.such"):
        messages_for("de_DE").text("no.such.key")
    assert not messages_for("en").has("no.such.key")


def test_catalogs_are_cached() -> None:
    assert messages_for("de_DE") is messages_for("de_DE")
    assert messages_for("de_DE")._translations is messages_for("de-AT")._translations


def test_unsupported_language_has_no_catalog() -> None:
    with pytest.raises(ValueError, match="fr"):
        load_catalog("fr")


def test_a_key_missing_in_a_language_falls_back_to_english() -> None:
    english = messages_for("en")
    partial = Messages("de", english._translations, frozenset(), english)
    assert partial.text("action.edit") == "Edit"
    assert partial.plural("deals.count", 2) == "2 deals"


def test_a_service_keeps_the_messages_of_a_bounded_number_of_locale_strings() -> None:
    # The locale arrives with each request: any number of spellings must not grow the cache.
    for n in range(500):
        assert messages_for(f"de-X{n}").language == "de"
    assert messages_for.cache_info().currsize <= 64
