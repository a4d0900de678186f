"""The card renderer: every card the service emits draws, hostile text is neutralised."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from cardin.preview.render import CardRenderer, UnknownWidget, card_html, safe_url

GOLDEN = Path(__file__).parents[1] / "cards" / "golden"
GOLDEN_FILES = sorted(GOLDEN.rglob("*.json"))
HOSTILE = (
    '<script>alert(1)</script><img src=x onerror="alert(2)"><b onclick="alert(3)">bold</b>'
    '<a href="javascript:alert(4)">js</a><iframe src="https://evil.example"></iframe>'
    '<font color="#188038" style="x">green</font><a href="https://ok.example">ok</a>'
)
BUTTON = {"text": "Go", "onClick": {"action": {"function": "https://cardin.test/addon/action"}}}


class Elements(HTMLParser):
    """Every element and attribute of an HTML fragment, as a browser would parse them."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]


def cards_of(path: Path) -> list[dict[str, Any]]:
    """Every card a golden response pushes or updates."""
    response = json.loads(path.read_text())
    root = response.get("renderActions", response)
    navigations = root["action"]["navigations"]
    return [n.get("pushCard") or n.get("updateCard") for n in navigations]


def one_widget(widget: dict[str, Any]) -> dict[str, Any]:
    """A card holding one widget."""
    return {"sections": [{"widgets": [widget]}]}


@pytest.mark.parametrize("path", GOLDEN_FILES, ids=lambda p: str(p.relative_to(GOLDEN)))
def test_every_golden_card_draws_without_unknown_widgets(path: Path) -> None:
    for card in cards_of(path):
        rendered = CardRenderer(strict=True).render(card)

        assert rendered.unknown == ()
        assert "Cannot draw" not in rendered.body
        assert card["header"]["title"].split("&")[0] in rendered.body.unescape()


def test_the_golden_files_are_found() -> None:
    assert len(GOLDEN_FILES) >= 20


def test_an_unknown_widget_is_marked_on_the_card_or_refused_when_strict() -> None:
    card = one_widget({"carousel": {"carouselCards": []}})

    rendered = CardRenderer().render(card)

    assert rendered.unknown == ("widget carousel",)
    assert "Cannot draw: widget carousel" in rendered.body
    with pytest.raises(UnknownWidget, match="carousel"):
        CardRenderer(strict=True).render(card)


def test_unknown_card_fields_and_click_kinds_are_marked() -> None:
    card = {
        "sections": [
            {"widgets": [{"image": {"imageUrl": "https://x.test/a.png", "onClick": {"x": 1}}}]}
        ],
        "expressionData": [],
    }

    rendered = CardRenderer().render(card)

    assert set(rendered.unknown) == {"card field expressionData", "onClick x"}


@pytest.mark.parametrize(
    "widget",
    [
        {"textParagraph": {"text": HOSTILE}},
        {"decoratedText": {"topLabel": HOSTILE, "text": HOSTILE, "bottomLabel": HOSTILE}},
    ],
)
def test_hostile_card_text_is_neutralised(widget: dict[str, Any]) -> None:
    card = {"header": {"title": HOSTILE}, "sections": [{"header": HOSTILE, "widgets": [widget]}]}

    html = CardRenderer(strict=True).render(card).body
    parsed = Elements(html)

    assert not {"script", "iframe", "img"} & set(parsed.tags)
    assert not [name for name, _ in parsed.attributes if name.startswith("on")]
    assert not [value for _, value in parsed.attributes if "javascript" in value.lower()]
    assert "x" not in [value for name, value in parsed.attributes if name == "style"]
    assert "<b>bold</b>" in html
    assert '<font color="#188038">green</font>' in html
    assert re.search(r'<a href="https://ok.example" [^>]*target="_blank"', html)


def test_card_html_keeps_googles_subset_only() -> None:
    text = "<u>u</u><s>s</s><i>i</i><br><time>2026-01-01</time><div>d</div><strong>x</strong>"

    assert card_html(text) == "<u>u</u><s>s</s><i>i</i><br><time>2026-01-01</time>dx"


def test_plain_text_fields_are_escaped() -> None:
    card = {
        "header": {"title": "<b>T</b>"},
        "sections": [{"widgets": [{"buttonList": {"buttons": [{**BUTTON, "text": "<i>x</i>"}]}}]}],
    }

    html = CardRenderer().render(card).body

    assert "&lt;b&gt;T&lt;/b&gt;" in html
    assert "&lt;i&gt;x&lt;/i&gt;" in html


def test_links_open_in_a_new_tab_and_unsafe_schemes_are_not_clickable() -> None:
    links = [
        {"text": "Web", "onClick": {"openLink": {"url": "https://example.com/a?b=1&c=2"}}},
        {"text": "Bad", "onClick": {"openLink": {"url": "javascript:alert(1)"}}},
    ]
    card = one_widget({"buttonList": {"buttons": links}})

    rendered = CardRenderer().render(card)

    assert 'href="https://example.com/a?b=1&amp;c=2" target="_blank"' in rendered.body
    assert "javascript" not in rendered.body
    assert rendered.clicks == ()
    assert safe_url("tel:+4930") == "tel:+4930"
    assert safe_url("data:text/html,x") is None


def test_action_clicks_are_numbered_in_drawing_order() -> None:
    first = {
        "action": {
            "function": "https://cardin.test/addon/action",
            "parameters": [{"key": "op", "value": "a"}],
        }
    }
    second = {
        "action": {
            "function": "https://cardin.test/addon/action",
            "parameters": [{"key": "op", "value": "b"}],
        }
    }
    card = {
        "sections": [{"widgets": [{"decoratedText": {"text": "row", "onClick": first}}]}],
        "fixedFooter": {
            "primaryButton": {
                "text": "Save",
                "color": {"red": 0.1, "green": 0.45, "blue": 0.91},
                "onClick": second,
            }
        },
        "cardActions": [{"actionLabel": "Menu", "onClick": first}],
    }

    rendered = CardRenderer(strict=True).render(card)

    assert rendered.clicks == (first, second, first)
    assert 'data-click="0"' in rendered.body
    assert 'data-click="1"' in rendered.footer
    assert "background:rgb(26, 115, 232)" in rendered.footer
    assert 'data-click="2"' in rendered.menu


def test_the_whole_widget_catalogue_draws() -> None:
    action = {"function": "https://cardin.test/addon/action"}
    items = [{"text": "One", "value": "1", "selected": True}, {"text": "Two", "value": "2"}]
    widgets = [
        {"divider": {}},
        {"image": {"imageUrl": "https://x.test/i.png", "altText": "pic"}},
        {
            "grid": {
                "title": "G",
                "columnCount": 2,
                "items": [{"id": "a", "title": "A", "image": {"imageUri": "https://x.test/a.png"}}],
                "onClick": {"action": action},
            }
        },
        {
            "columns": {
                "columnItems": [
                    {"widgets": [{"textParagraph": {"text": "L"}}]},
                    {"widgets": [{"textParagraph": {"text": "R"}}]},
                ]
            }
        },
        {"chipList": {"chips": [{"label": "VIP", "icon": {"knownIcon": "STAR"}}]}},
        {"textInput": {"name": "note", "label": "Note", "type": "MULTIPLE_LINE"}},
        {"selectionInput": {"name": "c", "type": "CHECK_BOX", "items": items}},
        {"selectionInput": {"name": "r", "type": "RADIO_BUTTON", "items": items}},
        {"selectionInput": {"name": "s", "type": "SWITCH", "items": items}},
        {
            "selectionInput": {
                "name": "d",
                "type": "DROPDOWN",
                "items": items,
                "onChangeAction": action,
            }
        },
        {"selectionInput": {"name": "m", "type": "MULTI_SELECT", "items": items}},
        {
            "dateTimePicker": {
                "name": "day",
                "label": "Day",
                "type": "DATE_ONLY",
                "valueMsEpoch": "1767225600000",
            }
        },
        {
            "dateTimePicker": {
                "name": "at",
                "label": "At",
                "type": "DATE_AND_TIME",
                "valueMsEpoch": 1767261600000,
            }
        },
        {
            "dateTimePicker": {
                "name": "time",
                "label": "Time",
                "type": "TIME_ONLY",
                "valueMsEpoch": 52200000,
            }
        },
        {
            "decoratedText": {
                "text": "on",
                "switchControl": {"name": "sw", "value": "yes", "selected": True},
            }
        },
        {"decoratedText": {"text": "end", "endIcon": {"materialIcon": {"name": "person"}}}},
        {"textParagraph": {"text": "long", "maxLines": 2}},
    ]
    card = {
        "sections": [
            {
                "header": "All",
                "collapsible": True,
                "uncollapsibleWidgetsCount": 3,
                "widgets": widgets,
            }
        ]
    }

    rendered = CardRenderer(strict=True).render(card)
    html = rendered.body

    for fragment in (
        '<hr class="divider">',
        'class="grid-items" style="--columns: 2"',
        'class="columns"',
        'class="chip"',
        "<textarea",
        'type="radio" name="r" value="1" checked',
        '<select name="m" multiple>',
        'type="date" name="day" data-kind="date" data-offset="0" value="2026-01-01"',
        'value="2026-01-01T10:00"',
        'value="14:30"',
        'name="sw" value="yes" checked',
        "Show more",
        'class="more-widgets"',
    ):
        assert fragment in html, fragment
    assert rendered.clicks[0]["action"]["parameters"] == [
        {"key": "grid_item_identifier", "value": "a"}
    ]
    assert 'data-change="1"' in html


def test_text_inputs_are_refilled_with_kept_values() -> None:
    card = one_widget({"textInput": {"name": "token_input", "label": "Token", "value": "old"}})

    html = CardRenderer().render(card, values={"token_input": ["typed <x>"]}).body

    assert 'value="typed &lt;x&gt;"' in html


def test_the_input_widgets_of_a_card_are_recorded_by_name() -> None:
    switch = {"name": "notify", "value": "on", "controlType": "SWITCH"}
    card = {
        "sections": [
            {
                "widgets": [
                    {"textInput": {"name": "note", "label": "Note"}},
                    {"decoratedText": {"text": "Notify", "switchControl": switch}},
                    {"selectionInput": {"name": "stage", "type": "DROPDOWN", "items": []}},
                ]
            },
            {
                "widgets": [
                    {
                        "columns": {
                            "columnItems": [
                                {"widgets": [{"dateTimePicker": {"name": "due", "label": "Due"}}]}
                            ]
                        }
                    }
                ]
            },
        ],
        "fixedFooter": {"primaryButton": BUTTON},
    }

    assert CardRenderer().render(card).fields == ("note", "stage", "due")
    assert CardRenderer().render(one_widget({"textParagraph": {"text": "x"}})).fields == ()
