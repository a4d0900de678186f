"""Strict checks of the Card v1 JSON we send to Gmail, shared by every card test.

`assert_valid_card` parses the card with Google's own proto (unknown fields fail), counts the
widgets, checks callbacks, links and icons, rejects Chat-only features, and checks that every
HTML-capable field holds only the tags Gmail renders.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from google.apps import card_v1

from tests.cards.fixtures import ACTION_URL

MAX_WIDGETS = 100
ALLOWED_TAGS = {"b", "i", "u", "s", "font", "a", "br", "time"}
ALLOWED_ATTRIBUTES = {"font": {"color"}, "a": {"href"}}
LINK_SCHEMES = ("https://", "mailto:", "tel:")
# Documented as unavailable to Google Workspace add-ons (Chat only) or not in the Gmail sidebar.
CHAT_ONLY_KEYS = {
    "columns",
    "carousel",
    "materialIcon",
    "textSyntax",
    "topLabelText",
    "contentText",
    "bottomLabelText",
    "startIconVerticalAlignment",
    "placeholderText",
    "horizontalAlignment",
    "externalDataSource",
    "platformDataSource",
}
NAVIGATION_KEYS = {"pushCard", "updateCard", "pop", "popToRoot", "popToCard"}


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
            return
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES.get(tag, set()):
                self.problems.append(f"attribute {name} on <{tag}>")
            if name == "href" and not (value or "").startswith(LINK_SCHEMES):
                self.problems.append(f"link {value!r}")

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"end tag </{tag}>")


def html_problems(text: str) -> list[str]:
    """What in an HTML field Gmail would not render (or should never receive)."""
    collector = _TagCollector()
    collector.feed(text)
    collector.close()
    return collector.problems


def walk(node: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    """(path, key, value) of every entry of every dict in the JSON tree."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key, value
            yield from walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from walk(item, f"{path}[{i}]")


def html_fields(card: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(path, text) of every field Gmail renders as simple HTML."""
    for i, section in enumerate(card.get("sections", [])):
        if "header" in section:
            yield f"sections[{i}].header", section["header"]
    for path, key, value in walk(card):
        if key == "textParagraph":
            yield f"{path}.textParagraph.text", value["text"]
        elif key == "decoratedText":
            # topLabel and bottomLabel are plain text: Google documents no markup there
            yield f"{path}.decoratedText.text", value["text"]


def count_widgets(card: dict[str, Any]) -> int:
    """Widgets over all sections, as Google counts them against the limit."""
    return sum(len(section["widgets"]) for section in card["sections"])


def assert_valid_card(card: dict[str, Any], action_url: str = ACTION_URL) -> None:
    """Fail unless Gmail would render the card as we mean it to."""
    card_v1.Card.from_json(json.dumps(card))  # strict: an unknown field raises ParseError
    assert card["header"]["title"], "a card needs a title"
    assert count_widgets(card) <= MAX_WIDGETS, f"{count_widgets(card)} widgets"
    for i, section in enumerate(card["sections"]):
        widgets = section["widgets"]
        assert widgets, f"section {i} is empty"
        if "uncollapsibleWidgetsCount" in section:
            assert section["collapsible"] is True
            assert 0 < section["uncollapsibleWidgetsCount"] < len(widgets)
    for path, key, value in walk(card):
        _check_entry(path, key, value, action_url)
    for path, text in html_fields(card):
        assert isinstance(text, str), path
        assert not html_problems(text), f"{path}: {html_problems(text)} in {text!r}"


def _check_entry(path: str, key: str, value: Any, action_url: str) -> None:
    assert key not in CHAT_ONLY_KEYS, f"{path}: Chat-only {key}"
    if key == "function":
        assert value.startswith(action_url), f"{path}: callback {value}"
    elif key == "interaction":
        raise AssertionError(f"{path}: interaction {value} is not for add-ons")
    elif key == "openLink":
        assert value["url"].startswith(LINK_SCHEMES), f"{path}: link {value['url']}"
    elif key == "iconUrl":
        assert value.startswith("https://"), f"{path}: {value}"
        assert value.endswith(".png"), f"{path}: {value}"
    elif key == "decoratedText":
        assert not ("button" in value and "endIcon" in value), f"{path}: button and endIcon"
    elif key == "buttons":
        for button in value:
            assert "type" not in button, f"{path}: Button.type is Chat-only"
            assert button["text"], path
            assert "onClick" in button, path
    elif key == "parameters":
        for parameter in value:
            assert isinstance(parameter["value"], str), f"{path}: {parameter}"


def cards_of(response: dict[str, Any]) -> list[dict[str, Any]]:
    """The cards a trigger or action response pushes or updates; fails on a bad envelope."""
    if "renderActions" in response:
        assert set(response) <= {"renderActions", "stateChanged"}, set(response)
        action = response["renderActions"]["action"]
    else:
        assert set(response) == {"action"}, set(response)
        action = response["action"]
    assert set(action) <= {"navigations", "notification", "link"}, set(action)
    assert action, "an empty action does nothing"
    cards = []
    for navigation in action.get("navigations", []):
        assert len(navigation) == 1, navigation
        assert set(navigation) <= NAVIGATION_KEYS, navigation
        cards.extend(navigation[k] for k in ("pushCard", "updateCard") if k in navigation)
    if "notification" in action:
        assert html_problems(action["notification"]["text"]) == []
    return cards


def assert_valid_response(response: dict[str, Any], action_url: str = ACTION_URL) -> None:
    """Fail unless the response is a well-formed trigger or action answer with valid cards."""
    json.dumps(response)  # serialisable as the endpoint will send it
    for card in cards_of(response):
        assert_valid_card(card, action_url)
