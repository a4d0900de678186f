"""The preview draws the write forms as a browser can fill and send them: every input by its
name, prefilled with the form's values, and sent back in Google's `formInputs` shapes."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from cardin.preview.render import CardRenderer
from cardin.preview.session import form_inputs

GOLDEN = Path(__file__).parents[1] / "cards" / "golden" / "forms"
FORMS = sorted(GOLDEN.glob("*.json"))


class Controls(HTMLParser):
    """The named form controls of an HTML fragment: tag, attributes, text (textareas) and the
    selected option's value (selects)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.controls: dict[str, dict[str, Any]] = {}
        self._open: dict[str, Any] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag in {"input", "textarea", "select"} and found.get("name"):
            control = {"tag": tag, **found, "text": "", "options": []}
            self.controls[found["name"]] = control
            self._open = control if tag in {"textarea", "select"} else None
        elif tag == "option" and self._open is not None:
            self._open["options"].append(found)

    def handle_endtag(self, tag: str) -> None:
        if tag in {"textarea", "select"}:
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None and self._open["tag"] == "textarea":
            self._open["text"] += data


def card_of(path: Path) -> dict[str, Any]:
    response = json.loads(path.read_text())
    navigation = response["renderActions"]["action"]["navigations"][0]
    card: dict[str, Any] = navigation["pushCard"]
    return card


def inputs_of(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every input widget of the card (switches included) by name."""
    found: dict[str, dict[str, Any]] = {}
    for section in card["sections"]:
        for widget in section["widgets"]:
            for kind, body in widget.items():
                if kind in {"textInput", "selectionInput", "dateTimePicker"}:
                    found[body["name"]] = {"kind": kind, **body}
                elif kind == "decoratedText" and "switchControl" in body:
                    found[body["switchControl"]["name"]] = {"kind": "switch",
                                                            **body["switchControl"]}  # fmt: skip
    return found


def test_the_form_golden_files_are_found() -> None:
    assert len(FORMS) >= 20


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.stem)
def test_every_input_of_a_form_is_drawn_by_name_with_its_value(path: Path) -> None:
    card = card_of(path)
    rendered = CardRenderer(strict=True).render(card)
    controls = Controls(rendered.body).controls

    for name, widget in inputs_of(card).items():
        control = controls[name]
        if widget["kind"] == "textInput":
            multiline = widget.get("type") == "MULTIPLE_LINE"
            assert control["tag"] == ("textarea" if multiline else "input"), name
            shown = control["text"] if multiline else control["value"]
            assert shown == widget.get("value", ""), name
        elif widget["kind"] == "selectionInput":
            assert control["tag"] == "select", name
            chosen = [o["value"] for o in control["options"] if "selected" in o]
            assert chosen == [i["value"] for i in widget["items"] if i["selected"]], name
        elif widget["kind"] == "dateTimePicker":
            kind = {"DATE_ONLY": "date", "DATE_AND_TIME": "datetime-local"}[widget["type"]]
            assert (control["tag"], control["type"]) == ("input", kind), name
        else:
            assert (control["type"], control["value"]) == ("checkbox", widget["value"]), name
            assert ("checked" in control) == widget["selected"], name
    for footer in ("primaryButton", "secondaryButton"):
        assert card["fixedFooter"][footer]["text"] in rendered.footer


def test_the_due_picker_round_trips_through_the_preview() -> None:
    card = card_of(GOLDEN / "activity.json")
    picker = inputs_of(card)["due_input"]
    control = Controls(CardRenderer().render(card).body).controls["due_input"]

    assert control["value"] == "2026-11-23T09:00"  # 09:00 in Berlin, as Gmail shows it
    sent = form_inputs([["due_input", "datetime-local", control["value"], control["data-offset"]]])
    assert sent["due_input"]["dateTimeInput"]["msSinceEpoch"] == picker["valueMsEpoch"]


def test_the_close_date_picker_round_trips_through_the_preview() -> None:
    card = card_of(GOLDEN / "deal_failure.json")
    picker = inputs_of(card)["close_date_input"]
    control = Controls(CardRenderer().render(card).body).controls["close_date_input"]

    assert control["value"] == "2027-01-31"
    sent = form_inputs([["close_date_input", "date", control["value"], "0"]])
    assert sent["close_date_input"] == {"dateInput": {"msSinceEpoch": picker["valueMsEpoch"]}}


def test_a_filled_form_is_sent_in_googles_shapes() -> None:
    entries = [
        ["subject_input", "text", "Call back"],
        ["type_input", "text", "meeting"],
        ["due_input", "datetime-local", "2026-12-01T15:30", "60"],
        ["duration_input", "text", "45"],
        ["deal_input", "text", "0"],
        ["note_input", "text", "Line 1\nLine 2"],
        ["body_input", "text", "true"],
    ]

    sent = form_inputs(entries)

    assert sent["note_input"] == {"stringInputs": {"value": ["Line 1\nLine 2"]}}
    assert sent["duration_input"] == {"stringInputs": {"value": ["45"]}}
    assert sent["body_input"] == {"stringInputs": {"value": ["true"]}}
    due = sent["due_input"]["dateTimeInput"]
    assert due["msSinceEpoch"] == "1796135400000"  # 14:30 UTC
    assert (due["hasDate"], due["hasTime"]) == (True, True)
