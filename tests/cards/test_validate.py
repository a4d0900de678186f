"""The validator itself must catch what Gmail would reject or render wrongly."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.cards import fixtures
from tests.cards.checked import render_contact_card
from tests.cards.validate import assert_valid_card, assert_valid_response

EN = fixtures.context()


def _card() -> dict[str, Any]:
    return copy.deepcopy(render_contact_card(fixtures.rich_match(), EN))


def _first_text(card: dict[str, Any]) -> dict[str, Any]:
    return next(w["decoratedText"] for w in card["sections"][0]["widgets"] if "decoratedText" in w)


def test_a_good_card_passes() -> None:
    assert_valid_card(_card())


def test_unknown_field_fails() -> None:
    card = _card()
    card["sections"][0]["widgets"][0]["decoratedText"]["colour"] = "red"
    with pytest.raises(Exception, match="colour"):
        assert_valid_card(card)


def test_too_many_widgets_fails() -> None:
    card = _card()
    card["sections"][0]["widgets"] *= 5
    card["sections"][0].pop("collapsible")
    card["sections"][0].pop("uncollapsibleWidgetsCount")
    with pytest.raises(AssertionError, match="widgets"):
        assert_valid_card(card)


def test_foreign_callback_fails() -> None:
    card = _card()
    card["cardActions"][1]["onClick"]["action"]["function"] = "https://evil.example/x"
    with pytest.raises(AssertionError, match="callback"):
        assert_valid_card(card)


@pytest.mark.parametrize(
    "markup",
    [
        "<script>x</script>",
        "<div>x</div>",
        "<img src=x>",
        '<a href="javascript:x">y</a>',
        '<font onclick="x">y</font>',
    ],
)
def test_disallowed_html_fails(markup: str) -> None:
    card = _card()
    _first_text(card)["text"] = markup
    with pytest.raises(AssertionError):
        assert_valid_card(card)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c["sections"][0]["widgets"].append({"columns": {"columnItems": []}}),
        lambda c: _first_text(c).__setitem__("startIcon", {"materialIcon": {"name": "home"}}),
        lambda c: c["cardActions"][0]["onClick"].__setitem__("openLink", {"url": "http://x"}),
        lambda c: c["sections"].append({"widgets": []}),
    ],
    ids=["columns", "materialIcon", "plain-http-link", "empty-section"],
)
def test_chat_only_features_and_bad_structure_fail(mutate: Any) -> None:
    card = _card()
    mutate(card)
    with pytest.raises((AssertionError, Exception)):
        assert_valid_card(card)


def test_button_type_is_rejected() -> None:
    card = _card()
    buttons = [w for s in card["sections"] for w in s["widgets"] if "buttonList" in w]
    assert not buttons  # the contact card has none; build one
    card["sections"][0]["widgets"].append(
        {"buttonList": {"buttons": [{"text": "x", "type": "FILLED",
                                     "onClick": {"openLink": {"url": "https://a.example"}}}]}}
    )  # fmt: skip
    with pytest.raises(AssertionError, match="Chat-only"):
        assert_valid_card(card)


def test_bad_envelopes_fail() -> None:
    card = _card()
    with pytest.raises(AssertionError):
        assert_valid_response({"action": {"navigations": [{"popCard": True}]}})
    with pytest.raises(AssertionError):
        assert_valid_response({"renderActions": {"action": {}}})
    with pytest.raises(AssertionError):
        assert_valid_response({"card": card})
