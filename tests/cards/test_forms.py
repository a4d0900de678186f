"""The write forms: every value kept, problems beside their fields, Pipedrive's failures above,
the submit carrying the request key, and Google's limits with long names and long lists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from cardin import cards
from cardin.actions import CreateDeal, parse_action
from cardin.actions.keys import (
    BODY_INPUT,
    CLOSE_DATE_INPUT,
    COMMENT_INPUT,
    CURRENCY_INPUT,
    DEAL_INPUT,
    DUE_INPUT,
    DURATION_INPUT,
    JOB_TITLE_INPUT,
    NOTE_INPUT,
    ORG_INPUT,
    PERSON_NAME_INPUT,
    PHONE_INPUT,
    REQUEST_KEY,
    STAGE_INPUT,
    SUBJECT_INPUT,
    TITLE_INPUT,
    TYPE_INPUT,
    VALUE_INPUT,
)
from cardin.cards import FieldProblem, Op, action_response, push
from cardin.cards.forms import MAX_OPTIONS
from cardin.cards.widgets import WORD_JOINER, ZERO_WIDTH_SPACE
from cardin.contact.outcome import Failure, FailureKind
from tests.cards import checked, fixtures
from tests.cards import form_fixtures as ff
from tests.cards.golden_files import GOLDEN_ROOT, assert_matches_golden
from tests.cards.probe import texts, widget_count
from tests.cards.validate import walk

Card = dict[str, Any]
GOLDEN = GOLDEN_ROOT / "forms"
EN = fixtures.context()
DE = fixtures.context("de_DE")


def log_email(view: cards.LogEmailView | None = None, ctx: cards.CardContext = EN) -> Card:
    return checked.render_log_email_form(view or ff.log_email(), ctx)


def note(view: cards.NoteView | None = None, ctx: cards.CardContext = EN) -> Card:
    return checked.render_note_form(view or ff.note(), ctx)


def activity(view: cards.ActivityView | None = None, ctx: cards.CardContext = EN) -> Card:
    return checked.render_activity_form(view or ff.activity(), ctx)


def deal(view: cards.DealView | None = None, ctx: cards.CardContext = EN) -> Card:
    return checked.render_deal_form(view or ff.deal(), ctx)


def contact(view: cards.ContactFormView | None = None, ctx: cards.CardContext = EN) -> Card:
    return checked.render_contact_form(view or ff.contact(), ctx)


def problems(name: str) -> cards.FormState:
    return ff.with_problems(ff.STATE, *ff.PROBLEMS[name])


# --- golden files --------------------------------------------------------------------------

GOLDEN_CASES: dict[str, Callable[[], Card]] = {
    "log_email": log_email,
    "log_email_problems": lambda: log_email(ff.log_email(problems("log_email"), comment="x")),
    "log_email_failure": lambda: log_email(
        ff.log_email(ff.with_failure(ff.STATE, ff.UNAVAILABLE), deal_id=101, include_body=True)
    ),
    "log_email_de": lambda: log_email(ctx=DE),
    "note": note,
    "note_problems": lambda: note(ff.note(problems("note"))),
    "note_failure": lambda: note(
        ff.note(ff.with_failure(ff.STATE, ff.RATE_LIMITED), content="Called.\nWants a quote.")
    ),
    "note_de": lambda: note(ctx=DE),
    "activity": activity,
    "activity_problems": lambda: activity(ff.activity(problems("activity"), subject="")),
    "activity_failure": lambda: activity(
        ff.activity(ff.with_failure(ff.STATE, ff.FORBIDDEN), duration_minutes=30, deal_id=102)
    ),
    "activity_de": lambda: activity(ctx=DE),
    "deal": deal,
    "deal_problems": lambda: deal(ff.deal(problems("deal"), title="", value="12 apples")),
    "deal_failure": lambda: deal(
        ff.deal(ff.with_failure(ff.STATE, ff.FORBIDDEN), stage_id=7, expected_close=ff.CLOSE)
    ),
    "deal_de": lambda: deal(ctx=DE),
    "contact": contact,
    "contact_duplicates": lambda: contact(ff.contact(duplicates=ff.DUPLICATES)),
    "contact_problems": lambda: contact(
        ff.contact(problems=ff.PROBLEMS["contact"], person_name="", phone="+44 20 7946 0000")
    ),
    "contact_failure": lambda: contact(ff.contact(failure=ff.INTERNAL, org_id=None)),
    "contact_de": lambda: contact(ff.contact(duplicates=ff.DUPLICATES), DE),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_form_matches_its_golden_file(name: str) -> None:
    assert_matches_golden(GOLDEN, name, action_response(push(GOLDEN_CASES[name]())))


def test_every_form_golden_file_has_a_case() -> None:
    assert {p.stem for p in GOLDEN.glob("*.json")} == set(GOLDEN_CASES)


# --- reading the cards ---------------------------------------------------------------------


def all_widgets(card: Card) -> list[Card]:
    return [w for s in card["sections"] for w in s["widgets"]]


def named(card: Card, name: str) -> Card:
    """The input widget (its body) named `name`."""
    found = [
        body
        for w in all_widgets(card)
        for kind, body in w.items()
        if kind in {"textInput", "selectionInput", "dateTimePicker"} and body["name"] == name
    ]
    switches = [
        w["decoratedText"]["switchControl"]
        for w in all_widgets(card)
        if "switchControl" in w.get("decoratedText", {})
    ]
    found += [s for s in switches if s["name"] == name]
    assert len(found) == 1, (name, found)
    return found[0]


def input_names(card: Card) -> list[str]:
    names = []
    for w in all_widgets(card):
        for kind, body in w.items():
            if kind in {"textInput", "selectionInput", "dateTimePicker"}:
                names.append(body["name"])
            elif kind == "decoratedText" and "switchControl" in body:
                names.append(body["switchControl"]["name"])
    return names


def next_after(card: Card, name: str) -> Card:
    """The widget right after the input named `name`."""
    widgets = all_widgets(card)
    for i, w in enumerate(widgets):
        bodies = [b for k, b in w.items() if k in {"textInput", "selectionInput"}]
        if bodies and bodies[0]["name"] == name:
            return widgets[i + 1]
    raise AssertionError(f"no input {name}")


def submit(card: Card) -> dict[str, str]:
    action = card["fixedFooter"]["primaryButton"]["onClick"]["action"]
    return {p["key"]: p["value"] for p in action["parameters"]}


def selected(body: Card) -> list[str]:
    return [item["value"] for item in body["items"] if item["selected"]]


# --- the inputs and what they hold ---------------------------------------------------------

INPUTS = {
    "log_email": [DEAL_INPUT, COMMENT_INPUT, BODY_INPUT],
    "note": [NOTE_INPUT, DEAL_INPUT],
    "activity": [SUBJECT_INPUT, TYPE_INPUT, DUE_INPUT, DURATION_INPUT, DEAL_INPUT, NOTE_INPUT],
    "deal": [TITLE_INPUT, VALUE_INPUT, CURRENCY_INPUT, STAGE_INPUT, CLOSE_DATE_INPUT],
    "contact": [PERSON_NAME_INPUT, ORG_INPUT, PHONE_INPUT, JOB_TITLE_INPUT],
}
PLAIN: dict[str, Callable[[], Card]] = {
    "log_email": log_email, "note": note, "activity": activity, "deal": deal, "contact": contact,
}  # fmt: skip


@pytest.mark.parametrize("form", sorted(INPUTS))
def test_each_form_has_its_inputs_in_order(form: str) -> None:
    assert input_names(PLAIN[form]()) == INPUTS[form]


def test_log_email_keeps_every_value() -> None:
    card = log_email(ff.log_email(deal_id=102, comment="Line 1\nLine 2", include_body=True))

    assert selected(named(card, DEAL_INPUT)) == ["102"]
    assert named(card, COMMENT_INPUT)["value"] == "Line 1\nLine 2"
    assert named(card, COMMENT_INPUT)["type"] == "MULTIPLE_LINE"
    assert named(card, BODY_INPUT) == {
        "name": BODY_INPUT, "value": "true", "selected": True, "controlType": "SWITCH",
    }  # fmt: skip


def test_log_email_shows_the_message_read_only_in_the_readers_zone() -> None:
    shown = texts(log_email())
    text = shown.replace(ZERO_WIDTH_SPACE, "").replace(WORD_JOINER, "")

    assert "Quote for the difference engine" in text
    assert "From: Ada Lovelace &lt;ada@engines.example&gt;" in text
    assert "To: Sam Seller &lt;sam@acme.example&gt;" in text
    assert f"ada@{ZERO_WIDTH_SPACE}engines{ZERO_WIDTH_SPACE}.example" in shown  # wraps there
    assert "Cc: Charles Babbage" in text
    assert "Nov 20, 2026, 10:12\u202fAM" in text  # 09:12 UTC in Berlin


def test_log_email_deal_dropdown_starts_with_the_person() -> None:
    items = named(log_email(), DEAL_INPUT)["items"]

    assert items[0] == {"text": "Ada Lovelace (no deal)", "value": "0", "selected": True}
    assert [i["value"] for i in items[1:]] == ["101", "102"]


def test_log_email_says_when_the_text_needs_googles_consent() -> None:
    asks = texts(log_email(ff.log_email(body_needs_consent=True)))
    granted = texts(log_email(ff.log_email(body_needs_consent=False)))

    assert "Google will ask you once" in asks
    assert "Google will ask you once" not in granted


def test_note_keeps_the_text_and_the_deal() -> None:
    card = note(ff.note(content="First line\n\nThird <b>line</b> & more", deal_id=101))

    assert named(card, NOTE_INPUT)["value"] == "First line\n\nThird <b>line</b> & more"
    assert named(card, NOTE_INPUT)["type"] == "MULTIPLE_LINE"
    assert selected(named(card, DEAL_INPUT)) == ["101"]


def test_activity_keeps_every_value() -> None:
    due = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)
    view = ff.activity(subject="Call back", activity_type="meeting", due=due,
                       duration_minutes=45, deal_id=102, note="Bring the slides")  # fmt: skip
    card = activity(view)

    assert named(card, SUBJECT_INPUT)["value"] == "Call back"
    assert selected(named(card, TYPE_INPUT)) == ["meeting"]
    assert named(card, DUE_INPUT)["valueMsEpoch"] == str(int(due.timestamp() * 1000))
    assert selected(named(card, DURATION_INPUT)) == ["45"]
    assert selected(named(card, DEAL_INPUT)) == ["102"]
    assert named(card, NOTE_INPUT)["value"] == "Bring the slides"


def test_activity_due_picker_shows_the_readers_zone() -> None:
    winter = named(activity(), DUE_INPUT)
    summer = named(activity(ff.activity(due=datetime(2026, 7, 1, 7, tzinfo=UTC))), DUE_INPUT)
    tokyo = named(activity(ctx=fixtures.context(timezone="Asia/Tokyo")), DUE_INPUT)

    assert winter["type"] == "DATE_AND_TIME"
    assert winter["valueMsEpoch"] == str(int(ff.DUE.timestamp() * 1000))
    assert (winter["timezoneOffsetDate"], summer["timezoneOffsetDate"]) == (60, 120)
    assert tokyo["timezoneOffsetDate"] == 540


def test_activity_types_carry_their_icons() -> None:
    items = named(activity(), TYPE_INPUT)["items"]

    assert [i["value"] for i in items] == ["call", "meeting", "email", "task", "odd"]
    assert items[0]["startIconUri"] == f"{fixtures.ICON_BASE_URL}/activity_call.png"
    assert items[4]["startIconUri"] == f"{fixtures.ICON_BASE_URL}/activity_task.png"


def test_activity_durations_and_one_typed_elsewhere() -> None:
    usual = named(activity(), DURATION_INPUT)["items"]
    odd = named(activity(ff.activity(duration_minutes=50)), DURATION_INPUT)["items"]

    assert [i["value"] for i in usual] == ["0", "15", "30", "45", "60", "90", "120"]
    assert usual[0]["text"] == "No duration"
    assert "50" in [i["value"] for i in odd]
    assert selected({"items": odd}) == ["50"]


def test_deal_keeps_every_value() -> None:
    view = ff.deal(title="Big one", value="1.500,50", currency="CHF", stage_id=7,
                   expected_close=date(2027, 3, 31))  # fmt: skip
    card = deal(view)

    assert named(card, TITLE_INPUT)["value"] == "Big one"
    assert named(card, VALUE_INPUT)["value"] == "1.500,50"
    assert named(card, CURRENCY_INPUT)["value"] == "CHF"
    assert selected(named(card, STAGE_INPUT)) == ["7"]
    picker = named(card, CLOSE_DATE_INPUT)
    assert picker["type"] == "DATE_ONLY"
    assert picker["valueMsEpoch"] == str(int(datetime(2027, 3, 31, tzinfo=UTC).timestamp() * 1000))


def test_deal_stages_read_pipeline_then_stage_and_default_to_the_first() -> None:
    items = named(deal(), STAGE_INPUT)["items"]

    assert [i["text"] for i in items] == [
        "Sales › Qualified", "Sales › Proposal made", "Partners › Lead in",
    ]  # fmt: skip
    assert selected({"items": items}) == ["1"]
    assert "valueMsEpoch" not in named(deal(), CLOSE_DATE_INPUT)


def test_deal_without_stages_says_where_it_goes() -> None:
    card = deal(ff.deal(stages=()))

    assert STAGE_INPUT not in input_names(card)
    assert "first stage of the default pipeline" in texts(card)


def test_contact_keeps_every_value_and_shows_the_email_fixed() -> None:
    view = ff.contact(person_name="Grace B. Hopper", organization="Navy", phone="+1 555 0100",
                      job_title="Rear Admiral")  # fmt: skip
    card = contact(view)

    assert named(card, PERSON_NAME_INPUT)["value"] == "Grace B. Hopper"
    assert named(card, ORG_INPUT)["value"] == "Navy"
    assert named(card, PHONE_INPUT)["value"] == "+1 555 0100"
    assert named(card, JOB_TITLE_INPUT)["value"] == "Rear Admiral"
    assert "grace@engines.example" in texts(card)
    assert "email_input" not in input_names(card)


def test_contact_prefills_the_preselected_organization() -> None:
    linked = contact()
    free = contact(ff.contact(org_id=None, org_name=None))

    assert named(linked, ORG_INPUT)["value"] == "Analytical Engines Ltd"
    assert "Found from the email's domain" in named(linked, ORG_INPUT)["hintText"]
    assert "value" not in named(free, ORG_INPUT)


def test_contact_lists_duplicates_above_the_form_with_a_warning() -> None:
    card = contact(ff.contact(duplicates=ff.DUPLICATES))
    first = card["sections"][0]

    assert first["header"] == "Possible duplicates"
    text = texts({"sections": [first]})
    assert "Pipedrive may already have this person" in text
    assert "A person named Ada Lovelace already exists" in text
    assert "Charles Babbage works at the organization of this email's domain" in text
    assert f"{fixtures.APP}/person/4" in text


def test_contact_shows_a_reason_that_is_no_message_id_as_is() -> None:
    odd = cards.DuplicateView(
        name="X", reason_message_id="Same phone number", url="https://x.example"
    )
    assert "Same phone number" in texts(contact(ff.contact(duplicates=(odd,))))


# --- problems beside their fields ----------------------------------------------------------


def _problem_text(widget: Card) -> str:
    return widget["decoratedText"]["text"]


@pytest.mark.parametrize(
    ("form", "card", "field", "words"),
    [
        ("note", lambda: note(ff.note(problems("note"))), NOTE_INPUT, "Please fill this in."),
        ("activity", lambda: activity(ff.activity(problems("activity"))), SUBJECT_INPUT,
         "Please fill this in."),
        ("deal", lambda: deal(ff.deal(problems("deal"))), VALUE_INPUT, "Enter a number"),
        ("deal", lambda: deal(ff.deal(problems("deal"))), CURRENCY_INPUT, "currency code"),
        ("log_email", lambda: log_email(ff.log_email(problems("log_email"))), COMMENT_INPUT,
         "at most 20000 characters"),
        ("contact", lambda: contact(ff.contact(problems=ff.PROBLEMS["contact"])),
         PERSON_NAME_INPUT, "Please fill this in."),
    ],
)  # fmt: skip
def test_a_problem_appears_right_under_its_field(
    form: str, card: Callable[[], Card], field: str, words: str
) -> None:
    shown = next_after(card(), field)

    assert words in _problem_text(shown)
    assert "#d93025" in _problem_text(shown)  # red


def test_a_problem_of_a_picker_follows_the_picker() -> None:
    card = activity(ff.activity(problems("activity")))
    widgets = all_widgets(card)
    at = next(i for i, w in enumerate(widgets) if "dateTimePicker" in w)

    assert "Pick a due date and time." in _problem_text(widgets[at + 1])


def test_a_problem_without_a_field_or_of_an_unknown_one_shows_above_the_form() -> None:
    loose = (
        FieldProblem(field=None, message_id="form.out_of_range"),
        FieldProblem(field="no_such_input", message_id="form.required"),
    )
    card = note(ff.note(ff.with_problems(ff.STATE, *loose)))
    top = texts({"sections": [card["sections"][0]]})

    assert "Pick a date between 1900 and 2100" in top
    assert "Please fill this in." in top
    assert NOTE_INPUT not in top


def test_without_problems_no_red_line() -> None:
    for build in PLAIN.values():
        assert "#d93025" not in texts(build())


# --- the submit ----------------------------------------------------------------------------

SUBMITS = {
    "log_email": (Op.LOG_EMAIL, []),
    "note": (Op.ADD_NOTE, [NOTE_INPUT]),
    "activity": (Op.SCHEDULE_ACTIVITY, [SUBJECT_INPUT]),
    "deal": (Op.CREATE_DEAL, [TITLE_INPUT]),
    "contact": (Op.CREATE_CONTACT, [PERSON_NAME_INPUT]),
}


@pytest.mark.parametrize("form", sorted(SUBMITS))
def test_the_submit_carries_the_request_key_the_op_and_the_contact(form: str) -> None:
    card = PLAIN[form]()
    op, required = SUBMITS[form]
    action = card["fixedFooter"]["primaryButton"]["onClick"]["action"]
    params = submit(card)

    assert params["op"] == op.value
    assert params[REQUEST_KEY] == ff.REQUEST_KEY
    assert params["connector"] == "conn-1"
    assert action.get("requiredWidgets", []) == required
    assert parse_action(params, {}).op is op


def test_the_submit_of_a_contact_write_names_the_person() -> None:
    params = submit(note())

    assert (params["email"], params["person_id"], params["name"]) == (
        "ada@engines.example", "1", "Ada L.",
    )  # fmt: skip


def test_the_contact_form_submit_carries_the_preselected_organization() -> None:
    linked, free = submit(contact()), submit(contact(ff.contact(org_id=None)))

    assert (linked["org_id"], linked["org_name"]) == ("11", "Analytical Engines Ltd")
    assert "org_id" not in free
    assert "org_name" not in free


def test_cancel_pops() -> None:
    for build in PLAIN.values():
        cancel = build()["fixedFooter"]["secondaryButton"]
        params = {p["key"]: p["value"] for p in cancel["onClick"]["action"]["parameters"]}
        assert params == {"op": Op.CANCEL.value}
        assert cancel["text"] == "Cancel"


@pytest.mark.parametrize(
    ("form", "label"),
    [("log_email", "Log email"), ("note", "Add note"), ("activity", "Schedule"),
     ("deal", "Create deal"), ("contact", "Add contact")],
)  # fmt: skip
def test_the_submit_button_says_what_it_does(form: str, label: str) -> None:
    assert PLAIN[form]()["fixedFooter"]["primaryButton"]["text"] == label


def test_the_submitted_inputs_parse_into_the_action() -> None:
    params = submit(deal())
    # as events.py flattens formInputs: strings, a date picker's day in ISO 8601
    inputs = {
        TITLE_INPUT: ["Big one"],
        VALUE_INPUT: ["1500"],
        STAGE_INPUT: ["7"],
        CLOSE_DATE_INPUT: ["2027-01-31"],
    }
    action = parse_action(params, inputs)

    assert isinstance(action, CreateDeal)
    assert (action.title, action.value, action.stage_id) == ("Big one", "1500", 7)
    assert action.expected_close == date(2027, 1, 31)
    assert action.request_key == ff.REQUEST_KEY


# --- Pipedrive's failures ------------------------------------------------------------------


def _top(card: Card) -> str:
    return texts({"sections": [card["sections"][0]]})


def _top_button(card: Card) -> Card | None:
    for widget in card["sections"][0]["widgets"]:
        if "button" in widget.get("decoratedText", {}):
            return widget["decoratedText"]["button"]
    return None


@pytest.mark.parametrize("failure", [ff.RATE_LIMITED, ff.UNAVAILABLE])
def test_a_retryable_failure_offers_retry_that_resubmits_the_same_form(
    failure: Failure,
) -> None:
    card = note(ff.note(ff.with_failure(ff.STATE, failure), content="Kept text"))
    retry = _top_button(card)

    assert retry is not None
    assert retry["text"] == "Try again"
    assert retry["onClick"] == card["fixedFooter"]["primaryButton"]["onClick"]
    assert "What you typed is still here." in _top(card)
    assert named(card, NOTE_INPUT)["value"] == "Kept text"


def test_a_rate_limit_says_when_to_try_again() -> None:
    text = _top(note(ff.note(ff.with_failure(ff.STATE, ff.RATE_LIMITED))))

    assert "Pipedrive is limiting requests" in text
    assert "Try again in 2 minutes" in text


def test_a_refusal_shows_pipedrives_reason_and_no_retry() -> None:
    card = deal(ff.deal(ff.with_failure(ff.STATE, ff.FORBIDDEN), title="Kept"))

    assert "your Pipedrive user may not do this" in _top(card)
    assert "Pipedrive says: You do not have permission to add deals." in _top(card)
    assert _top_button(card) is None
    assert named(card, TITLE_INPUT)["value"] == "Kept"


def test_a_kind_the_cards_do_not_know_is_worded_generally_with_pipedrives_reason() -> None:
    odd = Failure(FailureKind.FORBIDDEN, "x")
    unknown = replace(odd, kind="gone_fishing")  # type: ignore[arg-type] - a kind added later
    text = _top(note(ff.note(ff.with_failure(ff.STATE, unknown))))

    assert "something went wrong talking to Pipedrive" in text
    assert "Pipedrive says: x" in text


@pytest.mark.parametrize(
    "failure", [ff.INTERNAL, ff.UNAVAILABLE, ff.RATE_LIMITED,
                Failure(FailureKind.BAD_RESPONSE, "JSON error at 3")],
)  # fmt: skip
def test_our_own_or_technical_reasons_never_reach_the_card(failure: Failure) -> None:
    text = texts(note(ff.note(ff.with_failure(ff.STATE, failure))))

    assert failure.reason not in text
    assert "Pipedrive says" not in text


def test_a_refused_token_offers_to_update_the_connector() -> None:
    failure = Failure(FailureKind.REAUTH, "401")
    card = note(ff.note(ff.with_failure(ff.STATE, failure)))
    update = _top_button(card)

    assert update is not None
    params = {p["key"]: p["value"] for p in update["onClick"]["action"]["parameters"]}
    assert params == {"op": Op.REAUTH.value, "connector": "conn-1"}


def test_the_failure_comes_before_the_loose_problems_and_the_fields() -> None:
    state = ff.with_failure(ff.with_problems(ff.STATE, *ff.PROBLEMS["log_email"]), ff.FORBIDDEN)
    card = log_email(ff.log_email(state))
    top = card["sections"][0]["widgets"]

    assert "Not saved" in top[0]["decoratedText"]["text"]
    assert "Pick a date between 1900 and 2100" in top[1]["decoratedText"]["text"]


# --- Google's limits -----------------------------------------------------------------------


def test_a_long_contact_name_is_cut_in_the_header_and_the_options() -> None:
    state = replace(ff.STATE, contact_name=ff.LONG_NAME)
    for card in (note(ff.note(state)), log_email(ff.log_email(state)),
                 activity(ff.activity(state)), deal(ff.deal(state))):  # fmt: skip
        assert len(card["header"]["subtitle"]) <= 300
        for _, key, value in walk(card):
            if key == "items":
                assert all(len(item["text"]) <= 300 for item in value)


def test_two_hundred_deals_are_cut_with_a_note_and_the_chosen_one_kept() -> None:
    state = replace(ff.STATE, deals=ff.MANY_DEALS)
    chosen = ff.MANY_DEALS[150].id
    card = note(ff.note(state, deal_id=chosen))
    items = named(card, DEAL_INPUT)["items"]

    assert len(items) == MAX_OPTIONS + 1  # the person, then 50 deals
    assert selected({"items": items}) == [str(chosen)]
    assert "Showing 50 of 200; pick the others in Pipedrive." in texts(card)
    assert widget_count(card) <= 100


def test_sixty_types_and_many_stages_fit() -> None:
    card = activity(ff.activity(types=ff.MANY_TYPES, activity_type="type_59"))
    items = named(card, TYPE_INPUT)["items"]
    assert len(items) == MAX_OPTIONS
    assert selected({"items": items}) == ["type_59"]

    stages = deal(ff.deal(stages=ff.MANY_STAGES, stage_id=ff.MANY_STAGES[-1].id))
    assert len(named(stages, STAGE_INPUT)["items"]) == MAX_OPTIONS
    assert selected(named(stages, STAGE_INPUT)) == [str(ff.MANY_STAGES[-1].id)]


def test_a_long_typed_text_comes_back_whole() -> None:
    long_note = "A line of the note.\n" * 600  # 12,000 characters
    card = note(ff.note(content=long_note))

    assert named(card, NOTE_INPUT)["value"] == long_note


def test_many_duplicates_and_every_problem_stay_within_the_widget_limit() -> None:
    dups = tuple(replace(ff.DUPLICATES[0], name=f"Ada {i}") for i in range(40))
    many = tuple(FieldProblem(field=None, message_id="form.required") for _ in range(10))
    card = contact(ff.contact(duplicates=dups, problems=many, failure=ff.FORBIDDEN))

    assert widget_count(card) <= 100
    assert "And 20 more" in texts(card) or "20 more" in texts(card)


def test_hostile_text_is_escaped() -> None:
    hostile = '<script>alert(1)</script><a href="javascript:x">y</a>'
    state = replace(ff.STATE, contact_name=hostile, deals=(cards.DealOption(id=1, title=hostile),))
    email = replace(ff.EMAIL, subject=hostile, sender=hostile)
    card = log_email(ff.log_email(state, email=email, comment=hostile))

    assert "<script>" not in "".join(
        w["decoratedText"]["text"] for w in all_widgets(card) if "decoratedText" in w
    )
    assert named(card, COMMENT_INPUT)["value"] == hostile  # an input's value is plain text


def test_german_forms_use_german_words() -> None:
    text = texts(activity(ctx=DE)) + texts(deal(ctx=DE)) + texts(log_email(ctx=DE))

    assert "Aktivität planen" in text
    assert "Keine Dauer" in text
    assert "Deal anlegen" in text
    assert "Nachrichtentext einschließen" in text
    assert "Ada Lovelace (kein Deal)" in text
    assert "Abbrechen" in text
