"""The user-visible words: gettext catalogs (.po) read at run time, looked up by stable ids.

Only the `.po` sources are in the tree: each language's catalog is parsed with Babel and compiled
in memory on first use, then cached. A message is `str.format` text with named placeholders;
the caller escapes the result for HTML fields (messages themselves are plain text).
"""

from __future__ import annotations

import functools
import gettext
import io
from dataclasses import dataclass
from importlib import resources

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "cardin"
DEFAULT_LANGUAGE = "en"
LANGUAGES = ("en", "de")


def language_of(locale: str | None) -> str:
    """The catalog language for a locale ("de_DE", "de-AT", "de" → "de"); English otherwise."""
    language = (locale or "").replace("-", "_").split("_", 1)[0].lower()
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def load_catalog(language: str) -> Catalog:
    """The parsed `.po` catalog of one supported language."""
    if language not in LANGUAGES:
        raise ValueError(f"no catalog for language {language!r}")
    source = resources.files("cardin.i18n") / "locale" / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    with source.open("rb") as po:
        return read_po(po, locale=language, domain=DOMAIN)


@dataclass(frozen=True, eq=False)
class Messages:
    """One language's messages; keys missing in it come from the English fallback."""

    language: str
    _translations: gettext.GNUTranslations
    _keys: frozenset[str]
    _fallback: Messages | None = None

    def text(self, key: str, /, **params: object) -> str:
        """The message `key` with its placeholders filled; KeyError for an unknown key."""
        if key not in self._keys:
            return self._fall_back(key).text(key, **params)
        return self._translations.gettext(key).format(**params)

    def plural(self, key: str, n: int, /, **params: object) -> str:
        """The plural form of `key` for the count `n` (shown as `{count}`, `n` unless given)."""
        if key not in self._keys:
            return self._fall_back(key).plural(key, n, **params)
        params.setdefault("count", n)
        return self._translations.ngettext(key, key, n).format(**params)

    def has(self, key: str) -> bool:
        """Whether this language (not counting the fallback) has the message."""
        return key in self._keys

    def _fall_back(self, key: str) -> Messages:
        if self._fallback is None:
            raise KeyError(f"unknown message id {key!r}")
        return self._fallback


@functools.lru_cache(maxsize=64)
def messages_for(locale: str | None) -> Messages:
    """The messages for a reader's locale, cached per locale string (the last 64 strings: the
    locale comes with requests, so their variety is not ours to bound)."""
    return _messages(language_of(locale))


@functools.cache
def _messages(language: str) -> Messages:
    """Compile and cache one language's catalog (English is every other language's fallback)."""
    catalog = load_catalog(language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    fallback = None if language == DEFAULT_LANGUAGE else _messages(DEFAULT_LANGUAGE)
    return Messages(language, gettext.GNUTranslations(compiled), _translated_ids(catalog), fallback)


def _translated_ids(catalog: Catalog) -> frozenset[str]:
    """Ids of the catalog's messages that have a translation (fuzzy ones do not count)."""
    ids: set[str] = set()
    for message in catalog:
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if key and not message.fuzzy and all(strings):
            ids.add(key)
    return frozenset(ids)
