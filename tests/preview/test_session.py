"""The side panel's stack: Gmail's navigation rules, form inputs and required widgets."""

from __future__ import annotations

from typing import Any

import pytest

from cardin.preview.session import (
    Applied,
    Consent,
    Panel,
    Panels,
    ScopeRequest,
    UnusableResponse,
    apply_response,
    form_inputs,
    missing_required,
    navigate,
    scope_request,
    text_values,
)


def card(name: str) -> dict[str, Any]:
    """A small named card."""
    return {"name": name, "header": {"title": name}, "sections": []}


def names(stack: tuple[dict[str, Any], ...]) -> list[str]:
    """The names of a stack's cards, bottom first."""
    return [c["name"] for c in stack]


def answer(*navigations: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """An action callback's answer, wrapped as the service sends it."""
    return {"renderActions": {"action": {"navigations": list(navigations), **extra}}}


STACK = (card("home"), card("contact"), card("deals"))


@pytest.mark.parametrize(
    ("navigation", "expected"),
    [
        ({"pushCard": card("new")}, ["home", "contact", "deals", "new"]),
        ({"updateCard": card("new")}, ["home", "contact", "new"]),
        ({"pop": True}, ["home", "contact"]),
        ({"popToRoot": True}, ["home"]),
        ({"popToCard": "contact"}, ["home", "contact"]),
        ({"popToCard": "missing"}, ["home", "contact", "deals"]),
    ],
)
def test_each_navigation_changes_the_stack_as_gmail_does(
    navigation: dict[str, Any], expected: list[str]
) -> None:
    assert names(navigate(STACK, [navigation])) == expected


def test_navigations_apply_in_order_and_pop_keeps_the_root() -> None:
    stack = navigate(STACK, [{"popToRoot": True}, {"pop": True}, {"pushCard": card("x")}])

    assert names(stack) == ["home", "x"]


def test_an_unknown_navigation_is_refused() -> None:
    with pytest.raises(UnusableResponse, match="popCard"):
        navigate(STACK, [{"popCard": True}])


def test_a_trigger_answer_starts_a_fresh_stack() -> None:
    trigger = {"action": {"navigations": [{"pushCard": card("dashboard")}]}}

    applied = apply_response(STACK, trigger, trigger=True)

    assert names(applied.stack) == ["dashboard"]
    assert apply_response(STACK, card("bare"), trigger=True).stack == (card("bare"),)


def test_an_action_answer_carries_its_notification_and_link() -> None:
    response = answer(
        {"updateCard": card("saved")},
        notification={"text": "Saved"},
        link={"url": "https://app.pipedrive.com/settings/api"},
    )

    applied = apply_response(STACK, response)

    assert applied == Applied(
        (*STACK[:2], card("saved")),
        notification="Saved",
        link="https://app.pipedrive.com/settings/api",
        updated=True,
        navigated=True,
    )


def test_a_notification_alone_keeps_the_stack() -> None:
    applied = apply_response(STACK, {"renderActions": {"action": {"notification": {"text": "Hi"}}}})

    assert applied.stack == STACK
    assert applied.notification == "Hi"
    assert not applied.updated
    assert not applied.navigated  # the page keeps its panel (and what the user typed)


@pytest.mark.parametrize(
    "response",
    [
        {"requesting_google_scopes": {"all_scopes": True}},
        {"renderActions": {}},
        {"action": {"navigations": []}},
    ],
)
def test_answers_gmail_would_not_show_are_refused(response: dict[str, Any]) -> None:
    with pytest.raises(UnusableResponse):
        apply_response((), response, trigger=True)


def test_form_inputs_take_googles_shapes() -> None:
    raw = [
        ["note", "text", "Called"],
        ["empty", "text", ""],
        ["features", "text", "deals"],
        ["features", "text", "notes"],
        ["day", "date", "2026-01-01"],
        ["at", "datetime-local", "2026-01-01T11:00", "60"],
        ["call", "time", "14:30"],
        ["broken", "date", "not a date"],
    ]

    assert form_inputs(raw) == {
        "note": {"stringInputs": {"value": ["Called"]}},
        "features": {"stringInputs": {"value": ["deals", "notes"]}},
        "day": {"dateInput": {"msSinceEpoch": "1767225600000"}},
        "at": {
            "dateTimeInput": {"msSinceEpoch": "1767261600000", "hasDate": True, "hasTime": True}
        },
        "call": {"timeInput": {"hours": 14, "minutes": 30}},
    }


def test_required_widgets_without_a_value_stop_the_click() -> None:
    click = {"action": {"function": "f", "requiredWidgets": ["search_email", "note"]}}
    inputs = form_inputs([["note", "text", "x"], ["search_email", "text", ""]])

    assert missing_required(click, inputs) == ["search_email"]
    assert missing_required({"openLink": {"url": "u"}}, inputs) == []
    assert text_values(inputs) == {"note": ["x"]}


def test_a_panel_accepts_only_clicks_of_the_card_drawn_last() -> None:
    panel = Panel("p")
    first = panel.drawn(({"action": {"function": "a"}},))
    second = panel.drawn(({"action": {"function": "b"}},))

    assert panel.click(first, 0) is None
    assert panel.click(second, 0) == {"action": {"function": "b"}}
    assert panel.click(second, 1) is None


def test_the_back_arrow_pops_but_never_the_last_card() -> None:
    panel = Panel("p", stack=STACK[:2], kept_values={"x": ["1"]})

    panel.back()
    panel.back()

    assert names(panel.stack) == ["home"]
    assert panel.kept_values == {}


def test_panels_are_per_browser_and_bounded() -> None:
    panels = Panels(limit=2)
    first = panels.get(None)

    assert panels.get(first.id) is first
    second, third = panels.get("unknown"), panels.get(None)
    assert second.id != "unknown"
    assert panels.get(first.id) is not first  # the least recently used one was forgotten
    assert panels.get(third.id) is third


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        " JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//evil.example/x",
    ],
)
def test_a_link_with_an_unsafe_scheme_is_dropped(url: str) -> None:
    response = answer(notification={"text": "Open it"}, link={"url": url})

    applied = apply_response(STACK, response)

    assert applied.link is None
    assert applied.notification == "Open it"


@pytest.mark.parametrize(
    "url", ["https://app.pipedrive.com/x", "http://127.0.0.1:8765/", "mailto:a@b.example"]
)
def test_a_link_with_a_safe_scheme_is_kept(url: str) -> None:
    assert apply_response(STACK, answer(link={"url": url})).link == url


def test_all_widgets_are_required_checks_every_input_of_the_card() -> None:
    click = {"action": {"function": "f", "allWidgetsAreRequired": True}}
    inputs = form_inputs([["note", "text", "x"], ["search_email", "text", ""]])
    fields = ("search_email", "note", "when")

    assert missing_required(click, inputs, fields) == ["search_email", "when"]
    assert missing_required(click, {}, ()) == []
    optional = {"action": {"function": "f"}}
    assert missing_required(optional, inputs, fields) == []


def test_a_panel_remembers_the_input_fields_of_the_card_drawn_last() -> None:
    panel = Panel("p")
    panel.drawn((), ("a", "b"))
    assert panel.fields == ("a", "b")
    panel.drawn(())
    assert panel.fields == ()


@pytest.mark.parametrize("offset", ["²", "٣", "99999999999999", "-99999999999999", "x"])
def test_odd_picker_offsets_do_not_break_the_click(offset: str) -> None:
    inputs = form_inputs([["at", "datetime-local", "2026-01-01T11:00", offset]])

    assert set(inputs) <= {"at"}


READONLY = "https://www.googleapis.com/auth/gmail.addons.current.message.readonly"


def test_a_scope_request_is_read_from_the_answer() -> None:
    asked = {"requesting_google_scopes": {"scopes": [READONLY, READONLY]}}

    assert scope_request(asked) == ScopeRequest((READONLY,))
    everything = {"requesting_google_scopes": {"all_scopes": True}}
    assert scope_request(everything) == ScopeRequest(all_scopes=True)
    assert scope_request(answer({"pushCard": card("x")})) is None


@pytest.mark.parametrize(
    "asked", [{}, {"scopes": []}, {"scopes": [""]}, {"scopes": [1]}, {"all_scopes": "yes"}, "all"]
)
def test_a_scope_request_naming_nothing_is_refused(asked: Any) -> None:
    with pytest.raises(UnusableResponse):
        scope_request({"requesting_google_scopes": asked})


def test_the_back_arrow_drops_a_pending_consent() -> None:
    panel = Panel("p", stack=STACK[:2], consent=Consent((READONLY,), {"action": {}}, {}))

    panel.back()

    assert panel.consent is None
