"""The action registry: one typed dataclass per op, parsed once and written back the same way."""

from __future__ import annotations

import enum
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated

import pytest

from cardin.actions import (
    ACTIONS,
    BY_OP,
    About,
    Action,
    ActivityForm,
    AddContact,
    AddNote,
    BadAction,
    Cancel,
    Carried,
    CreateContact,
    CreateDeal,
    DealForm,
    Delete,
    DeleteConfirm,
    Edit,
    Home,
    ListSection,
    LogEmail,
    LogEmailForm,
    Lookup,
    MarkDone,
    NoteForm,
    Op,
    OpenConnector,
    OpenDeal,
    ReadNote,
    Reauth,
    ReauthConfirm,
    ReauthToken,
    Refresh,
    Retry,
    RunConnector,
    ScheduleActivity,
    SearchOther,
    SetupBehaviour,
    SetupFeatures,
    SetupName,
    SetupStart,
    SetupToken,
    ShowAll,
    parameters_of,
    parse_action,
    parse_fields,
)
from cardin.actions.codecs import DATE_TIME, HEX_KEY, NUMBER, TYPED, Choice, Input, Param
from cardin.actions.ops import ConnectorId
from cardin.actions.wire import fields_of
from cardin.connectors import ALL_FEATURES, Feature
from cardin.connectors.model import ConnectorSettings, RunMode

KEY = "0123456789abcdef0123456789abcdef"
SOME = frozenset({Feature.NOTES, Feature.DEALS})
ABOUT = About(connector_id="c1", email="a@b.example", person_id=7, name="Ann")
EDITED = Carried(name="EU", features=SOME, run_mode=RunMode.MANUAL, show_in_dashboard=False)
Form = dict[str, list[str]]

# One action of every op, with the form inputs its card's widgets would send.
SAMPLES: list[tuple[Action, Form]] = [
    (ShowAll(connector_id="c1", section=ListSection.DEALS, email="a@b.example", person_id=7), {}),
    (
        ShowAll(
            connector_id="c1", section=ListSection.DEALS, email="a@b.example", person_id=7, page=3
        ),
        {},
    ),
    (OpenDeal(connector_id="c1", email="a@b.example", person_id=7, deal_id=42), {}),
    (OpenDeal(connector_id="c1", email="a@b.example", person_id=7, deal_id=42, page=2), {}),
    (Retry(connector_id="c1"), {}),
    (Retry(connector_id="c1", email="a@b.example", person_id=7, name="Ann"), {}),
    (Refresh(connector_id="c1", email="a@b.example", person_id=0), {}),
    (AddContact(connector_id="c1", email="a@b.example", name="Zoë Newcomer"), {}),
    (SearchOther(connector_id="c1", search=" x@y.example "), {"search_email": [" x@y.example "]}),
    (Lookup(search="x@y.example"), {"search_email": ["x@y.example"]}),
    (Lookup(email="a@b.example", name="Ann"), {}),
    (OpenConnector(connector_id="c1", email="a@b.example", name="Ann"), {}),
    (RunConnector(connector_id="c1", email="a@b.example"), {}),
    (Home(), {}),
    (Cancel(), {}),
    (SetupStart(), {}),
    (
        SetupName(carried=Carried(features=SOME, run_mode=RunMode.AUTOMATIC), setup_key=KEY),
        {},
    ),
    (SetupName(connector_id="c1", carried=Carried(), name="EU"), {"name_input": ["EU"]}),
    (
        SetupFeatures(carried=EDITED, setup_key=KEY, features=SOME),
        {"features_input": ["notes", "deals"]},
    ),
    (SetupToken(carried=Carried(name=""), setup_key=KEY, token="abc"), {"token_input": ["abc"]}),
    (SetupToken(connector_id="c1", carried=EDITED), {"token_input": [""]}),
    (
        SetupBehaviour(
            connector_id="c1",
            carried=Carried(name="EU", features=frozenset()),
            run_mode=RunMode.MANUAL,
            show_in_dashboard=True,
        ),
        {"run_mode_input": ["manual"], "dashboard_input": ["true"]},
    ),
    (Edit(connector_id="0f" * 16), {}),
    (Reauth(connector_id="c1"), {}),
    (ReauthToken(connector_id="c1", token="t"), {"token_input": ["t"]}),
    (ReauthConfirm(connector_id="c1", carried=Carried(), company_id=1, user_id=22), {}),
    (ReauthConfirm(connector_id="c1", carried=EDITED, company_id=1, user_id=22), {}),
    (Delete(connector_id="c1"), {}),
    (DeleteConfirm(connector_id="c1"), {}),
    (
        CreateContact(
            connector_id="c1",
            email="a@b.example",
            request_key=KEY,
            org_id=5,
            org_name="Acme",
            person_name="Ann Lee",
            organization="Acme",
            phone="+49 30 1",
            job_title="CTO",
        ),
        {
            "person_name_input": ["Ann Lee"],
            "org_input": ["Acme"],
            "phone_input": ["+49 30 1"],
            "job_title_input": ["CTO"],
        },
    ),
    (LogEmailForm(about=ABOUT), {}),
    (
        LogEmail(about=ABOUT, request_key=KEY, deal_id=12, comment="Hi\nthere", include_body=True),
        {"deal_input": ["12"], "comment_input": ["Hi\nthere"], "body_input": ["true"]},
    ),
    (LogEmail(about=ABOUT, request_key=KEY), {}),
    (NoteForm(about=ABOUT), {}),
    (AddNote(about=ABOUT, request_key=KEY, content="a\nb"), {"note_input": ["a\nb"]}),
    (ActivityForm(about=ABOUT), {}),
    (
        ScheduleActivity(
            about=ABOUT,
            request_key=KEY,
            subject="Follow up",
            activity_type="call",
            due=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
            duration_minutes=30,
            deal_id=3,
            note="n",
        ),
        {
            "subject_input": ["Follow up"],
            "type_input": ["call"],
            "due_input": ["2026-12-01T08:00:00+00:00"],
            "duration_input": ["30"],
            "deal_input": ["3"],
            "note_input": ["n"],
        },
    ),
    (DealForm(about=ABOUT), {}),
    (
        CreateDeal(
            about=ABOUT,
            request_key=KEY,
            title="Acme deal",
            value="1,500.50",
            currency="EUR",
            stage_id=2,
            expected_close=date(2027, 1, 31),
        ),
        {
            "title_input": ["Acme deal"],
            "value_input": ["1,500.50"],
            "currency_input": ["EUR"],
            "stage_input": ["2"],
            "close_date_input": ["2027-01-31"],
        },
    ),
    (MarkDone(about=ABOUT, activity_id=99), {}),
    (MarkDone(about=ABOUT, activity_id=99, section=ListSection.ACTIVITIES), {}),
    (ReadNote(connector_id="c1", email="ada@example.org", person_id=7, note_id=12), {}),
    (ReadNote(connector_id="c1", email="ada@example.org", person_id=7, note_id=12, page=3), {}),
    (
        ReadNote(
            connector_id="c1", email="ada@example.org", person_id=7, note_id=12, page=2, deal_id=42
        ),
        {},
    ),
]


def test_every_op_has_one_action() -> None:
    assert [kind.op for kind in ACTIONS] == list(BY_OP)
    assert set(BY_OP) == set(Op)
    assert len(ACTIONS) == len(Op)
    assert {type(action) for action, _ in SAMPLES} == set(ACTIONS)


def test_every_field_names_where_it_travels() -> None:
    for kind in ACTIONS:
        fields_of(kind)  # raises TypeError for a field without a spec


@pytest.mark.parametrize(("action", "form"), SAMPLES, ids=lambda v: type(v).__name__)
def test_an_action_survives_the_wire(action: Action, form: Form) -> None:
    parameters = parameters_of(action)
    assert parameters["op"] == action.op.value
    assert parse_action(parameters, form) == action


def test_parameters_are_written_in_declared_order_without_the_inputs() -> None:
    step = SetupToken(connector_id="c1", carried=EDITED, setup_key=KEY, token="secret")
    assert list(parameters_of(step).items()) == [
        ("op", "setup_token"),
        ("connector", "c1"),
        ("connector_name", "EU"),
        ("features", "notes,deals"),
        ("run_mode", "manual"),
        ("dashboard", "false"),
        ("setup", KEY),
    ]
    assert "secret" not in str(parameters_of(step))


READ_NOTE = {
    "op": "read_note",
    "connector": "c1",
    "email": "a@b",
    "person_id": "7",
    "note_id": "12",
}
BAD: list[tuple[dict[str, str], Form, str]] = [
    ({}, {}, "op is missing"),
    ({"op": "save_note"}, {}, "op is not a known action"),
    ({"op": "delete"}, {}, "connector is missing"),
    ({"op": "delete", "connector": ""}, {}, "connector is not an identifier"),
    ({"op": "delete", "connector": "a b"}, {}, "connector is not an identifier"),
    ({"op": "delete", "connector": "c" * 65}, {}, "connector is not an identifier"),
    ({"op": "refresh", "connector": "c1"}, {}, "email is missing"),
    ({"op": "refresh", "connector": "c1", "email": "nobody"}, {}, "email is not an email"),
    ({"op": "refresh", "connector": "c1", "email": "a@" + "b" * 253}, {}, "email is not an email"),
    (
        {"op": "refresh", "connector": "c1", "email": "a@b", "person_id": "07"},
        {},
        "person_id is not a number",
    ),
    (
        {"op": "show_all", "connector": "c1", "email": "a@b", "section": "secrets"},
        {},
        "section is not one of fields, emails",
    ),
    (
        {"op": "open_connector", "connector": "c1", "email": "a@b", "name": "n" * 20_000},
        {},
        "name is longer than 16384 characters",
    ),
    ({"op": "setup_name", "setup": "XYZ"}, {}, "setup is not 32 hexadecimal digits"),
    ({"op": "setup_name", "dashboard": "yes"}, {}, "dashboard is not true or false"),
    ({"op": "setup_name", "run_mode": "sometimes"}, {}, "run_mode is not one of automatic"),
    (
        {"op": "setup_behaviour", "connector": "c1"},
        {"run_mode_input": ["sometimes"]},
        "run_mode_input is not one of automatic, manual",
    ),
    (
        {"op": "setup_behaviour", "connector": "c1"},
        {"dashboard_input": ["false"]},
        "dashboard_input is not true",
    ),
    (
        {"op": "reauth_confirm", "connector": "c1", "company_id": "1"},
        {},
        "user_id is missing",
    ),
    (
        {"op": "reauth_confirm", "connector": "c1", "company_id": "-1", "user_id": "1"},
        {},
        "company_id is not a number",
    ),
    (
        {**READ_NOTE, "deal_id": "42; DROP TABLE"},
        {},
        "deal_id is not a number",
    ),
    ({**READ_NOTE, "deal_id": "-42"}, {}, "deal_id is not a number"),
    ({**READ_NOTE, "deal_id": "9" * 40}, {}, "deal_id is not a number"),
]


@pytest.mark.parametrize(("parameters", "form", "problem"), BAD)
def test_a_bad_parameter_is_a_bad_action_naming_it(
    parameters: dict[str, str], form: Form, problem: str
) -> None:
    with pytest.raises(BadAction) as caught:
        parse_action(parameters, form)
    assert str(caught.value).startswith(problem)
    for key, value in parameters.items():
        assert key == "op" or not value or value not in str(caught.value)


def test_keys_it_does_not_know_are_ignored() -> None:
    parameters = {"op": "delete", "connector": "c1", "contactId": "c_42"}
    assert parse_action(parameters, {"other_input": ["x"]}) == Delete(connector_id="c1")


def test_a_read_note_button_from_before_the_deal_id_still_reads_the_note() -> None:
    old = parse_action(READ_NOTE, {})
    assert old == ReadNote(connector_id="c1", email="a@b", person_id=7, note_id=12)
    assert isinstance(old, ReadNote)
    assert old.deal_id is None
    assert "deal_id" not in parameters_of(old)
    from_deal = ReadNote(connector_id="c1", email="a@b", person_id=7, note_id=12, deal_id=42)
    assert parameters_of(from_deal)["deal_id"] == "42"
    with pytest.raises(BadAction, match="deal_id is not a number"):
        parse_action({**READ_NOTE, "deal_id": ""}, {})  # sent, it must name a deal


def test_retired_features_are_dropped_not_refused() -> None:
    step = parse_action({"op": "setup_token", "features": "deals,retired_feature"}, {})
    assert isinstance(step, SetupToken)
    assert step.carried.features == frozenset({Feature.DEALS})
    chosen = parse_action({"op": "setup_features"}, {"features_input": ["deals", "retired"]})
    assert isinstance(chosen, SetupFeatures)
    assert chosen.features == frozenset({Feature.DEALS})


def test_an_input_left_empty_takes_its_default() -> None:
    empty: list[Form] = [{}, {"token_input": []}]
    for form in empty:
        step = parse_action({"op": "reauth_token", "connector": "c1"}, form)
        assert step == ReauthToken(connector_id="c1", token="")
    behaviour = parse_action({"op": "setup_behaviour", "connector": "c1"}, {})
    assert behaviour == SetupBehaviour(connector_id="c1", carried=Carried())
    assert isinstance(behaviour, SetupBehaviour)
    assert behaviour.run_mode is None
    assert behaviour.show_in_dashboard is False  # the switch sends nothing when off
    unchecked = parse_action({"op": "setup_features"}, {})
    assert unchecked == SetupFeatures(carried=Carried(), features=frozenset())


def test_carried_choices_fill_in_for_the_defaults() -> None:
    defaults = ConnectorSettings("Pipedrive", ALL_FEATURES, RunMode.AUTOMATIC)
    assert Carried().over(defaults) == defaults
    edited = ConnectorSettings("EU", SOME, RunMode.MANUAL, show_in_dashboard=False)
    assert EDITED.over(defaults) == edited
    typed = Carried(name="EU").over(defaults, name="")
    assert typed == ConnectorSettings("", ALL_FEATURES, RunMode.AUTOMATIC)
    assert Carried.of(defaults).over(ConnectorSettings()) == defaults


def test_an_account_change_knows_whether_it_came_from_the_edit_flow() -> None:
    plain = ReauthConfirm(connector_id="c1", carried=Carried(), company_id=1, user_id=2)
    assert not plain.from_edit
    assert ReauthConfirm(connector_id="c1", carried=EDITED, company_id=1, user_id=2).from_edit


# --- what the next actions need fits ------------------------------------------------------------


class Deal(enum.StrEnum):
    """A selection's values (a DROPDOWN of deals)."""

    FIRST = "11"
    SECOND = "12"


@dataclass(frozen=True, kw_only=True)
class LogEmail(Action):
    """A form with a text, a date-time and a selection, sent at most once (an idempotency key)."""

    op = Op.HOME  # a stand-in: the test does not register it
    connector_id: ConnectorId
    person_id: Annotated[int, Param("person_id", NUMBER)]
    request_key: Annotated[str, Param("request", HEX_KEY)]
    subject: Annotated[str, Input("subject_input", TYPED)] = ""
    due: Annotated[datetime | None, Input("due_input", DATE_TIME)] = None
    deal: Annotated[Deal | None, Input("deal_input", Choice(Deal))] = None


def test_a_form_with_several_typed_inputs_fits() -> None:
    parameters = {"op": "log_email", "connector": "c1", "person_id": "7", "request": KEY}
    form = {
        "subject_input": ["Call back"],
        "due_input": ["2026-12-01T09:30:00+00:00"],
        "deal_input": ["12"],
    }
    logged = parse_fields(LogEmail, parameters, form)
    assert logged == LogEmail(
        connector_id="c1",
        person_id=7,
        request_key=KEY,
        subject="Call back",
        due=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        deal=Deal.SECOND,
    )
    assert parse_fields(LogEmail, parameters, {}).due is None
    assert list(parameters_of(logged)) == ["op", "connector", "person_id", "request"]
    for due in ("tomorrow", "2026-12-01", "2026-12-01T09:30:00"):
        with pytest.raises(BadAction, match="due_input is not a date and time"):
            parse_fields(LogEmail, parameters, {"due_input": [due]})


def test_a_field_without_a_spec_or_an_input_without_a_default_is_refused() -> None:
    @dataclass(frozen=True, kw_only=True)
    class Untyped(Action):
        op = Op.HOME
        anything: str

    @dataclass(frozen=True, kw_only=True)
    class Required(Action):
        op = Op.HOME
        subject: Annotated[str, Input("subject_input", TYPED)]

    for kind in (Untyped, Required):
        with pytest.raises(TypeError):
            fields_of(kind)


def test_the_registry_loads_nothing_that_does_io() -> None:
    script = (
        "import sys, cardin.actions\n"
        # a module marked absent (None, as cardin marks httpx's command line) is not loaded
        "loaded = [m for m, module in sys.modules.items() if module is not None]\n"
        "print(sorted(m for m in loaded if m.split('.')[0] in "
        "{'httpx', 'sqlalchemy', 'redis', 'starlette', 'pydantic'} or m.startswith("
        "('cardin.pipedrive', 'cardin.store', 'cardin.addon', 'cardin.lookup'))))"
    )
    loaded = subprocess.run(  # noqa: S603 - this interpreter with a fixed script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"
