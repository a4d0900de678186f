"""What every probe holds an answer to, as functions that return the problem (None: no problem)
so that tests can assert them and `bench/fuzz.py` can count them.

Cards are checked with the suite's strict Card v1 validator, and the response as a whole with
the bounds below (Google publishes no response size limit; issue 8 asks for a cap on every
rendered string).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from typing import Any

from google.protobuf.json_format import ParseError

from tests.cards.validate import (
    ALLOWED_TAGS,
    assert_valid_card,
    assert_valid_response,
    html_fields,
    walk,
)

MAX_STRING = 10_000
"""The longest string a card may hold (issue 8 defect 6: values are capped with an ellipsis)."""
MAX_RESPONSE_BYTES = 256 * 1024
"""The largest response: about six times the biggest card the golden files hold."""
SCOPE_REQUEST = "requesting_google_scopes"
_VOID_TAGS = frozenset({"br"})


def card_problem(card: dict[str, Any], action_url: str) -> str | None:
    """Why Gmail would not render the card as meant (strict Card v1 and HTML checks), or None."""
    try:
        assert_valid_card(card, action_url)
    except (AssertionError, ParseError, KeyError, TypeError) as exc:
        return f"invalid card: {type(exc).__name__}: {str(exc)[:300]}"
    return size_problem(card) or markup_problem(card)


def response_problem(response: object, action_url: str) -> str | None:
    """Why a 200 answer is not a well-formed add-on response with valid cards, or None."""
    if isinstance(response, dict) and SCOPE_REQUEST in response:
        # Asks Gmail for a missing scope instead of a card (platform fidelity is another branch).
        return None if set(response) == {SCOPE_REQUEST} else f"scope request with {set(response)}"
    if not isinstance(response, dict):
        return f"not a JSON object: {type(response).__name__}"
    try:
        assert_valid_response(response, action_url)
    except (AssertionError, ParseError, KeyError, TypeError) as exc:
        return f"invalid response: {type(exc).__name__}: {str(exc)[:300]}"
    for card in _cards(response):
        problem = size_problem(card) or markup_problem(card)
        if problem:
            return problem
    return size_problem(response)


def size_problem(node: Any) -> str | None:
    """A string over MAX_STRING characters, or a response over MAX_RESPONSE_BYTES."""
    size = len(json.dumps(node, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    if size > MAX_RESPONSE_BYTES:
        return f"response of {size} bytes (limit {MAX_RESPONSE_BYTES})"
    for path, _key, value in walk(node):
        if isinstance(value, str) and len(value) > MAX_STRING:
            return f"{path}: a string of {len(value)} characters (limit {MAX_STRING})"
    return None


def markup_problem(card: dict[str, Any]) -> str | None:
    """Markup in an HTML field that is unbalanced (a stray `</font>` closes ours) or carries an
    event handler; the validator already refuses unknown tags and attributes."""
    for path, text in html_fields(card):
        problem = _balance_problem(text)
        if problem:
            return f"{path}: {problem} in {text[:200]!r}"
    return None


def _balance_problem(text: str) -> str | None:
    checker = _Balance()
    checker.feed(text)
    checker.close()
    if checker.problem:
        return checker.problem
    if checker.open:
        return f"unclosed <{checker.open[-1]}>"
    return None


class _Balance(HTMLParser):
    """Checks that allowed tags nest properly and that no tag carries an event handler."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.problem: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ALLOWED_TAGS and tag not in _VOID_TAGS:
            self.open.append(tag)
        for name, _value in attrs:
            if name.startswith("on"):
                self.problem = self.problem or f"event handler {name} on <{tag}>"

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problem = self.problem or f"stray </{tag}>"
            return
        self.open.pop()


def _cards(response: dict[str, Any]) -> Iterator[dict[str, Any]]:
    root = response.get("renderActions", response)
    for navigation in root.get("action", {}).get("navigations", []):
        for key in ("pushCard", "updateCard"):
            if key in navigation:
                yield navigation[key]


def first(problems: Iterable[str | None]) -> str | None:
    """The first problem found, if any."""
    return next((p for p in problems if p), None)
