"""Google's event JSON: the documented payloads parse, anything else names its problem."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from cardin.actions import Carried, SetupToken
from cardin.addon import events
from cardin.addon.events import (
    MAX_EVENT_BYTES,
    AuthorizationEvent,
    CommonEvent,
    Event,
    GmailEvent,
    MalformedEvent,
    parse_event,
)
from cardin.preview.google import LocalGoogle

SCOPES = [
    "https://www.googleapis.com/auth/gmail.addons.execute",
    "https://www.googleapis.com/auth/gmail.addons.current.message.metadata",
    "https://www.googleapis.com/auth/userinfo.email",
]
AUTHORIZATION = {
    "userOAuthToken": "ya29.a0AfB_byC...",
    "userIdToken": "eyJhbGciOiJSUzI1NiIs...",
    "systemIdToken": "eyJhbGciOiJSUzI1NiIs...",
    "authorizedScopes": SCOPES,
}
COMMON = {
    "hostApp": "GMAIL",
    "platform": "WEB",
    "userLocale": "en-GB",
    "timeZone": {"id": "Europe/London", "offset": 3600000},
}
GMAIL = {
    "messageId": "msg-f:1659728385805497086",
    "threadId": "thread-f:1659728385805497086",
    "accessToken": "AND7SKXzD...hpWGGgiVKJIWTT8ggOhpNw",
}
HOMEPAGE = {"commonEventObject": COMMON, "authorizationEventObject": AUTHORIZATION}
CONTEXTUAL = {**HOMEPAGE, "gmail": GMAIL}
ACTION = {
    "commonEventObject": {
        **COMMON,
        "parameters": {"contactId": "c_42", "op": "save_note"},
        "formInputs": {
            "note": {"stringInputs": {"value": ["Called, wants a quote"]}},
            "stage": {"stringInputs": {"value": ["qualified"]}},
            "tags": {"stringInputs": {"value": ["vip", "renewal"]}},
            "followUpAt": {
                "dateTimeInput": {"msSinceEpoch": "1767261600000", "hasDate": True, "hasTime": True}
            },
        },
    },
    "authorizationEventObject": AUTHORIZATION,
    "gmail": GMAIL,
}


def _parse(event: Any) -> Event:
    return parse_event(json.dumps(event).encode())


def _problem(event: Any) -> str:
    with pytest.raises(MalformedEvent) as caught:
        _parse(event)
    return str(caught.value)


def _with_common(**fields: Any) -> dict[str, Any]:
    return {**HOMEPAGE, "commonEventObject": {**COMMON, **fields}}


def _form(**inputs: Any) -> CommonEvent:
    return _parse(_with_common(formInputs=inputs)).common


# --- the documented payloads -------------------------------------------------------------------


def test_the_homepage_trigger_parses() -> None:
    event = _parse(HOMEPAGE)
    assert event.common == CommonEvent(
        host_app="GMAIL",
        platform="WEB",
        user_locale="en-GB",
        time_zone_id="Europe/London",
        time_zone_offset_ms=3600000,
    )
    assert event.common.locale == "en_GB"
    assert event.authorization == AuthorizationEvent(
        user_oauth_token="ya29.a0AfB_byC...",
        user_id_token="eyJhbGciOiJSUzI1NiIs...",
        system_id_token="eyJhbGciOiJSUzI1NiIs...",
        authorized_scopes=tuple(SCOPES),
    )
    assert event.gmail is None


def test_the_contextual_trigger_carries_the_open_message() -> None:
    event = _parse(CONTEXTUAL)
    assert event.gmail == GmailEvent(
        message_id="msg-f:1659728385805497086",
        thread_id="thread-f:1659728385805497086",
        access_token="AND7SKXzD...hpWGGgiVKJIWTT8ggOhpNw",
    )
    assert event.common.parameters == {}
    assert event.common.form_inputs == {}


def test_an_action_carries_parameters_and_form_values() -> None:
    event = _parse(ACTION)
    assert event.parameter("contactId") == "c_42"
    assert event.parameter("op") == "save_note"
    assert event.parameter("missing") is None
    assert event.form_value("note") == "Called, wants a quote"
    assert event.form_value("tags") == "vip"
    assert event.common.form_inputs["tags"] == ["vip", "renewal"]
    assert event.form_value("followUpAt") == "2026-01-01T10:00:00+00:00"
    assert event.form_value("missing") is None


def test_an_action_is_parsed_once_with_the_event() -> None:
    step = _with_common(
        parameters={"op": "setup_token", "connector_name": "EU"},
        formInputs={"token_input": {"stringInputs": {"value": ["tok"]}}},
    )
    event = _parse(step)
    assert event.action == SetupToken(carried=Carried(name="EU"), token="tok")
    assert event.action_problem is None


def test_parameters_that_are_no_action_say_why_and_are_still_an_event() -> None:
    event = _parse(ACTION)  # an op Cardin does not have
    assert event.action is None
    assert event.action_problem == "op is not a known action"
    assert event.parameter("op") == "save_note"
    bad = _parse(_with_common(parameters={"op": "delete"}))
    assert (bad.action, bad.action_problem) == (None, "connector is missing")


def test_a_trigger_has_no_action() -> None:
    event = _parse(CONTEXTUAL)
    assert (event.action, event.action_problem) == (None, None)


def test_the_local_google_event_parses(tmp_path: Any) -> None:
    google = LocalGoogle()
    raw = google.event(
        sub="1",
        email="sam@acme.example",
        message_id="17088a2c5b91b2fe",
        parameters={"op": "refresh"},
        form_inputs={"email": ["ann@example.org"]},
        locale="de-DE",
        audience="https://cardin.test/addon/action",
    )
    event = _parse(raw)
    assert event.gmail is not None
    assert event.gmail.message_id == "msg-f:1659728385805497086"
    assert event.common.locale == "de_DE"
    assert event.common.time_zone_id == "Europe/Berlin"
    assert event.common.time_zone_offset_ms in {3_600_000, 7_200_000}
    assert event.parameter("op") == "refresh"
    assert event.form_value("email") == "ann@example.org"
    assert event.authorization.system_id_token is not None
    assert google.event(sub="1", email="sam@acme.example").get("gmail") is None


# --- tolerance ---------------------------------------------------------------------------------


def test_the_prose_spelling_of_the_oauth_token_is_read() -> None:
    authorization = {"userOauthToken": "ya29.prose"}
    event = _parse({**HOMEPAGE, "authorizationEventObject": authorization})
    assert event.authorization.user_oauth_token == "ya29.prose"
    both = {"userOAuthToken": "ya29.samples", "userOauthToken": "ya29.prose"}
    event = _parse({**HOMEPAGE, "authorizationEventObject": both})
    assert event.authorization.user_oauth_token == "ya29.samples"


def test_unknown_fields_and_hosts_are_ignored() -> None:
    event = _parse(
        {
            **CONTEXTUAL,
            "commonEventObject": {**COMMON, "invokedFunction": "x", "newField": {"a": [1]}},
            "calendar": {"id": "x"},
            "gmail": {**GMAIL, "toRecipients": ["a@b.c"], "future": 1},
        }
    )
    assert event.gmail is not None
    assert event.gmail.message_id == GMAIL["messageId"]


def test_a_minimal_event_has_empty_defaults() -> None:
    event = _parse({"commonEventObject": {}})
    assert event.common == CommonEvent()
    assert event.common.locale is None
    assert event.authorization == AuthorizationEvent()
    assert event.gmail is None


def test_nulls_count_as_absent() -> None:
    event = _parse(
        {
            "commonEventObject": {"userLocale": None, "timeZone": None, "parameters": None},
            "authorizationEventObject": None,
            "gmail": {"messageId": None},
        }
    )
    assert event.common == CommonEvent()
    assert event.gmail == GmailEvent()


def test_a_homepage_in_gmail_without_a_message_id() -> None:
    event = _parse({**HOMEPAGE, "gmail": {}})
    assert event.gmail == GmailEvent()


def test_the_models_are_frozen() -> None:
    event = _parse(CONTEXTUAL)
    with pytest.raises(ValidationError):
        event.common.host_app = "DRIVE"  # type: ignore[misc]


# --- form inputs -------------------------------------------------------------------------------


def test_string_inputs_keep_every_value() -> None:
    common = _form(
        note={"stringInputs": {"value": ["free text"]}},
        tags={"stringInputs": {"value": ["vip", "renewal"]}},
        nothing={"stringInputs": {"value": []}},
        bare={"stringInputs": {}},
        subscribe={"stringInputs": {"value": [""]}},
    )
    assert common.form_inputs == {
        "note": ["free text"],
        "tags": ["vip", "renewal"],
        "nothing": [],
        "bare": [],
        "subscribe": [""],
    }


@pytest.mark.parametrize(
    ("inputs", "value"),
    [
        ({"dateTimeInput": {"msSinceEpoch": "1767261600000"}}, "2026-01-01T10:00:00+00:00"),
        ({"dateTimeInput": {"msSinceEpoch": 1767261600000}}, "2026-01-01T10:00:00+00:00"),
        (
            {"dateTimeInput": {"msSinceEpoch": "1767261600000", "hasDate": True, "hasTime": False}},
            "2026-01-01",
        ),
        (
            {"dateTimeInput": {"msSinceEpoch": "52200000", "hasDate": False, "hasTime": True}},
            "14:30",
        ),
        ({"dateInput": {"msSinceEpoch": "1767225600000"}}, "2026-01-01"),
        ({"dateInput": {"msSinceEpoch": "-157766400000"}}, "1965-01-01"),
        ({"timeInput": {"hours": 14, "minutes": 30}}, "14:30"),
        ({"timeInput": {"hours": 9}}, "09:00"),
    ],
)
def test_date_and_time_inputs_become_iso_strings(inputs: dict[str, Any], value: str) -> None:
    assert _form(when=inputs).form_inputs == {"when": [value]}


def test_an_input_of_an_unknown_kind_has_no_values() -> None:
    assert _form(future={"colorInput": {"rgb": "#fff"}}).form_inputs == {"future": []}


# --- malformed events --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"", "event is not valid JSON"),
        (b"{", "event is not valid JSON"),
        (b"\xff\xfe{}", "event is not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "event is not valid JSON"),
        (b"[]", "event is not a JSON object"),
        (b'"event"', "event is not a JSON object"),
        (b"null", "event is not a JSON object"),
        (b" " * (MAX_EVENT_BYTES + 1), f"event is larger than {MAX_EVENT_BYTES} bytes"),
    ],
)
def test_a_body_that_is_no_json_object_is_malformed(body: bytes, problem: str) -> None:
    with pytest.raises(MalformedEvent, match=problem.replace("[", r"\[")):
        parse_event(body)


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        ({}, "commonEventObject is missing"),
        ({"authorizationEventObject": AUTHORIZATION}, "commonEventObject is missing"),
        ({"commonEventObject": "GMAIL"}, "commonEventObject must be an object"),
        (
            {**HOMEPAGE, "authorizationEventObject": []},
            "authorizationEventObject must be an object",
        ),
        ({**HOMEPAGE, "gmail": "msg-f:1"}, "gmail must be an object"),
        (
            {**HOMEPAGE, "gmail": {"messageId": 1659728385805497086}},
            "gmail.messageId must be a string",
        ),
        ({**HOMEPAGE, "gmail": {"accessToken": ["x"]}}, "gmail.accessToken must be a string"),
        (_with_common(hostApp=1), "commonEventObject.hostApp must be a string"),
        (_with_common(timeZone="Europe/London"), "commonEventObject.timeZone must be an object"),
        (
            _with_common(timeZone={"offset": "east"}),
            "commonEventObject.timeZone.offset must be an integer",
        ),
        (_with_common(parameters=[]), "commonEventObject.parameters must be an object"),
        (_with_common(parameters={"id": 42}), "commonEventObject.parameters.id must be a string"),
        (_with_common(formInputs={"a": "x"}), "commonEventObject.formInputs.a must be an object"),
        (
            _with_common(formInputs={"a": {"stringInputs": {"value": "x"}}}),
            "commonEventObject.formInputs.a.stringInputs.value must be a list",
        ),
        (
            _with_common(formInputs={"a": {"stringInputs": {"value": ["x", 2]}}}),
            "commonEventObject.formInputs.a.stringInputs.value[1] must be a string",
        ),
        (
            _with_common(formInputs={"d": {"dateInput": {}}}),
            "commonEventObject.formInputs.d.dateInput.msSinceEpoch is missing",
        ),
        (
            _with_common(formInputs={"d": {"dateInput": {"msSinceEpoch": "soon"}}}),
            "commonEventObject.formInputs.d.dateInput.msSinceEpoch must be an integer",
        ),
        (
            _with_common(formInputs={"d": {"dateInput": {"msSinceEpoch": "1" * 30}}}),
            "commonEventObject.formInputs.d.dateInput.msSinceEpoch is out of range",
        ),
        (
            _with_common(formInputs={"t": {"timeInput": {"hours": 25}}}),
            "commonEventObject.formInputs.t.timeInput.hours is out of range",
        ),
        (
            _with_common(
                formInputs={"t": {"dateTimeInput": {"msSinceEpoch": 1, "hasDate": "maybe"}}}
            ),
            "commonEventObject.formInputs.t.dateTimeInput.hasDate must be true or false",
        ),
        (
            {**HOMEPAGE, "authorizationEventObject": {"authorizedScopes": "gmail"}},
            "authorizationEventObject.authorizedScopes must be a list",
        ),
        (
            {**HOMEPAGE, "authorizationEventObject": {"userIdToken": {"jwt": "x"}}},
            "authorizationEventObject.userIdToken must be a string",
        ),
    ],
)
def test_a_malformed_event_names_its_problem(event: Any, problem: str) -> None:
    assert _problem(event) == problem


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("authorizationEventObject", "userOAuthToken"),
        ("authorizationEventObject", "userOauthToken"),
        ("authorizationEventObject", "userIdToken"),
        ("authorizationEventObject", "systemIdToken"),
        ("gmail", "accessToken"),
    ],
)
@pytest.mark.parametrize("token", ["ya29.café", "ya29.a b", "ya29.\u2028x", "ya29.\x00"])
def test_a_token_that_cannot_go_into_a_header_is_malformed(
    where: str, field: str, token: str
) -> None:
    event = {**HOMEPAGE, where: {field: token}}
    assert _problem(event) == f"{where}.{field} must be a token of printable ASCII characters"


def test_the_problem_never_quotes_the_tokens() -> None:
    secret = "ya29.very-secret-token"
    problem = _problem({**HOMEPAGE, "authorizationEventObject": {"userOAuthToken": [secret]}})
    assert problem == "authorizationEventObject.userOAuthToken must be a string"
    assert secret not in problem


def nested(depth: int, leaf: object) -> object:
    for _ in range(depth):
        leaf = [leaf]
    return leaf


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"a": [1, {"b": "ok"}]}, None),
        ({"a": 2**70}, None),  # orjson cannot write it: walked, and nothing is wrong
        ({"a": "x\ud800"}, "a"),
        ({"deep": nested(300, "fine")}, None),  # past orjson's 255 levels: walked
        ({"deep": nested(300, "bad\udc00")}, "deep" + "[0]" * 300),
    ],
)
def test_a_string_utf8_cannot_encode_is_found_wherever_it_is(
    data: dict[str, object], where: str | None
) -> None:
    assert events._not_utf8(data) == where
