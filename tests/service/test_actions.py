"""Card actions end to end: show all, add contact, search, participants, failures."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from cardin.connectors.model import RunMode
from cardin.sandbox import (
    DEMO_TOKEN,
    HUGE_EMAIL,
    MIXED_CASE_EMAIL,
    RICH_EMAIL,
    FaultPlan,
    Sandbox,
    demo_dataset,
)
from tests.cards.validate import assert_valid_response
from tests.conftest import TODAY
from tests.service.harness import (
    LOOKUP_DEADLINE,
    Harness,
    action,
    running,
    text_of,
    top_card,
)
from tests.service.test_flow import ACTION_URL, ANN, UNUSED_TOKEN, add_connector, seed


async def hang(scope: Any, receive: Any, send: Any) -> None:
    """A Pipedrive that never answers."""
    await asyncio.sleep(3600)


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    sandbox = Sandbox(demo_dataset(TODAY), rate_limits=False)
    async with running(sandbox, tmp_path, extra_apps={"hang.pipedrive.com": hang}) as h:
        await add_connector(h, ANN)
        yield h


def valid(response: dict[str, Any]) -> dict[str, Any]:
    assert_valid_response(response, action_url=ACTION_URL)
    return response


async def test_show_all_deals_and_back(harness: Harness) -> None:
    message = harness.message(sender=HUGE_EMAIL, to=ANN.email)
    opened = valid(await harness.open(ANN, message))
    pushed = valid(await harness.act(ANN, action(opened, "show_all", section="deals")))
    assert "pushCard" in pushed["renderActions"]["action"]["navigations"][0]
    assert len(top_card(pushed)["sections"]) >= 1
    back = valid(await harness.act(ANN, {"op": "cancel"}))
    assert back["renderActions"]["action"]["navigations"] == [{"pop": True}]


async def test_unknown_sender_is_added_then_shown(harness: Harness) -> None:
    message = harness.message(sender="Zoë Newcomer <zoe@fresh-startup.example>", to=ANN.email)
    opened = valid(await harness.open(ANN, message))
    assert "zoe@fresh-startup.example" in text_of(opened)
    form = valid(await harness.act(ANN, action(opened, "add_contact"), message_id=message))
    assert top_card(form)["header"]["title"] == "Add contact"
    assert not [r for r in harness.sandbox.requests if r.method == "POST"]
    typed = {"person_name_input": ["Zoë Newcomer"], "job_title_input": ["Founder"]}
    submit = action(form, "create_contact")
    added = valid(await harness.act(ANN, submit, form=typed, message_id=message))
    assert top_card(added)["header"]["title"] == "Zoë Newcomer"
    assert "notification" in added["renderActions"]["action"]
    created = [r for r in harness.sandbox.requests if r.method == "POST"]
    assert len(created) == 1
    replayed = valid(await harness.act(ANN, submit, form=typed, message_id=message))
    assert top_card(replayed)["header"]["title"] == "Zoë Newcomer"
    assert len([r for r in harness.sandbox.requests if r.method == "POST"]) == 1
    again = valid(await harness.open(ANN, message))
    assert top_card(again)["header"]["title"] == "Zoë Newcomer"


async def test_the_add_contact_form_warns_of_a_likely_duplicate(harness: Harness) -> None:
    message = harness.message(sender="Élodie Marchand <elodie@new-address.example>", to=ANN.email)
    opened = valid(await harness.open(ANN, message))
    form = valid(await harness.act(ANN, action(opened, "add_contact"), message_id=message))
    assert "Possible duplicates" in text_of(form)
    assert not [r for r in harness.sandbox.requests if r.method == "POST"]
    typed = {"person_name_input": ["Élodie Marchand"]}
    added = valid(
        await harness.act(ANN, action(form, "create_contact"), form=typed, message_id=message)
    )
    assert [r for r in harness.sandbox.requests if r.method == "POST"]
    assert top_card(added)["header"]["title"] == "Élodie Marchand"


async def test_an_empty_name_keeps_the_form_with_the_problem(harness: Harness) -> None:
    message = harness.message(sender="zoe@fresh-startup.example", to=ANN.email)
    opened = valid(await harness.open(ANN, message))
    form = valid(await harness.act(ANN, action(opened, "add_contact"), message_id=message))
    typed = {"person_name_input": [" "], "phone_input": ["+49 30 1234"]}
    again = valid(
        await harness.act(ANN, action(form, "create_contact"), form=typed, message_id=message)
    )
    card = top_card(again)
    assert card["header"]["title"] == "Add contact"
    assert "Please fill this in." in text_of(again)
    assert "+49 30 1234" in text_of(again)
    assert not [r for r in harness.sandbox.requests if r.method == "POST"]


async def test_homepage_search_by_address(harness: Harness) -> None:
    home = valid((await harness.post("/addon/homepage", ANN)).json())
    found = valid(
        await harness.act(ANN, action(home, "lookup"), form={"search_email": [RICH_EMAIL]})
    )
    assert top_card(found)["header"]["title"] == "Élodie Marchand"
    bad = valid(await harness.act(ANN, action(home, "lookup"), form={"search_email": ["nope"]}))
    assert "notification" in bad["renderActions"]["action"]


async def test_a_sent_message_looks_up_its_recipients(harness: Harness) -> None:
    message = harness.message(
        sender=ANN.email, to=f"Jonas <{MIXED_CASE_EMAIL}>", cc=RICH_EMAIL, labels=["SENT"]
    )
    opened = valid(await harness.open(ANN, message))
    assert "Jonas" in top_card(opened)["header"]["title"]
    assert RICH_EMAIL in text_of(opened)  # listed as another participant


async def test_a_plus_tag_address_falls_back_to_the_plain_one(harness: Harness) -> None:
    tagged = RICH_EMAIL.replace("@", "+newsletter@")
    message = harness.message(sender=tagged, to=ANN.email)
    opened = valid(await harness.open(ANN, message))
    assert top_card(opened)["header"]["title"] == "Élodie Marchand"


async def test_a_hanging_account_does_not_hold_up_the_others(harness: Harness) -> None:
    seed(harness, ANN, "Hangs", UNUSED_TOKEN, base_url="https://hang.pipedrive.com")
    message = harness.message(sender=RICH_EMAIL, to=ANN.email)
    started = time.monotonic()
    opened = valid(await harness.open(ANN, message))
    elapsed = time.monotonic() - started
    assert elapsed < LOOKUP_DEADLINE + 1  # the hanging account ends at the deadline
    assert top_card(opened)["header"]["title"] == "Élodie Marchand"
    assert "Error" in text_of(opened)


async def test_pipedrive_down_gives_an_error_card_then_recovers(harness: Harness) -> None:
    harness.sandbox.set_faults(FaultPlan.parse("503"))
    message = harness.message(sender=RICH_EMAIL, to=ANN.email)
    failed = valid(await harness.open(ANN, message))
    assert action(failed, "retry")
    assert "Traceback" not in text_of(failed)
    harness.sandbox.set_faults(FaultPlan.none())
    retried = valid(await harness.act(ANN, action(failed, "retry"), message_id=message))
    assert top_card(retried)["header"]["title"] == "Élodie Marchand"


async def test_an_unreadable_message_says_so(harness: Harness) -> None:
    opened = valid(await harness.open(ANN, "msg-f:1234"))  # Gmail does not know it
    assert "Gmail did not share this message's sender" in text_of(opened)
    assert action(opened, "home")


SCOPE_REQUEST = {
    "requesting_google_scopes": {
        "scopes": ["https://www.googleapis.com/auth/gmail.addons.current.message.metadata"]
    }
}


@pytest.mark.parametrize(
    "scopes", [["https://www.googleapis.com/auth/gmail.addons.execute"], [], None]
)
async def test_missing_metadata_scope_asks_for_consent(
    harness: Harness, scopes: list[str] | None
) -> None:
    message = harness.message(sender=RICH_EMAIL, to=ANN.email)
    event = harness.google.event(sub=ANN.sub, email=ANN.email, message_id=message)
    if scopes is None:
        del event["authorizationEventObject"]["authorizedScopes"]
    else:
        event["authorizationEventObject"]["authorizedScopes"] = scopes
    import json  # noqa: PLC0415

    response = await harness.post("/addon/message", ANN, body=json.dumps(event).encode())
    assert response.json() == SCOPE_REQUEST
    harness.sandbox.reset_log()
    (connector,) = harness.app.state.runtime.store.list(ANN.sub)
    event["commonEventObject"]["parameters"] = {
        "op": "refresh",
        "connector": connector.id,
        "email": RICH_EMAIL,
    }
    response = await harness.post("/addon/action", ANN, body=json.dumps(event).encode())
    assert response.json() == SCOPE_REQUEST
    assert harness.sandbox.requests == []


async def test_repeat_opens_cost_no_pipedrive_calls(harness: Harness) -> None:
    message = harness.message(sender=RICH_EMAIL, to=ANN.email)
    await harness.open(ANN, message)
    harness.sandbox.reset_log()
    again = valid(await harness.open(ANN, message))
    assert harness.sandbox.requests == []
    assert "No Pipedrive tokens used" in text_of(again)


async def test_delete_a_connector(harness: Harness) -> None:
    store = harness.app.state.runtime.store
    (connector,) = store.list(ANN.sub)
    ask = valid(await harness.act(ANN, {"op": "delete", "connector": connector.id}))
    done = valid(await harness.act(ANN, action(ask, "delete_confirm")))
    assert store.list(ANN.sub) == []
    assert action(done, "setup_start")


async def test_edit_a_connector_keeps_its_token(harness: Harness) -> None:
    store = harness.app.state.runtime.store
    (connector,) = store.list(ANN.sub)
    step1 = valid(await harness.act(ANN, {"op": "edit", "connector": connector.id}))
    step2 = valid(await harness.act(ANN, action(step1, "setup_name"), form={"name_input": ["EU"]}))
    step3 = valid(
        await harness.act(ANN, action(step2, "setup_features"), form={"features_input": ["notes"]})
    )
    step4 = valid(await harness.act(ANN, action(step3, "setup_token"), form={"token_input": [""]}))
    valid(
        await harness.act(
            ANN, action(step4, "setup_behaviour"), form={"run_mode_input": ["manual"]}
        )
    )
    edited = store.get(ANN.sub, connector.id)
    assert edited.name == "EU"
    assert {f.value for f in edited.features} == {"notes"}
    assert edited.run_mode is RunMode.MANUAL
    assert store.credential(ANN.sub, connector.id).token == DEMO_TOKEN


UNKNOWN_ACTION = "That action is not available any more. Please open the message again."
NOTICE = {"renderActions": {"action": {"notification": {"text": UNKNOWN_ACTION}}}}


@pytest.mark.parametrize(
    ("parameters", "own_connector"),
    [
        ({}, False),
        ({"email": RICH_EMAIL}, False),  # no op
        ({"op": "save_note"}, False),
        ({"op": "show_all", "section": "deals", "email": RICH_EMAIL}, False),
        ({"op": "show_all", "section": "secrets", "email": RICH_EMAIL}, True),
        ({"op": "refresh", "email": "nobody"}, True),
        ({"op": "setup_behaviour", "dashboard": "yes"}, True),
        ({"op": "reauth_confirm", "company_id": "one", "user_id": "1"}, True),
        (
            {
                "op": "read_note",
                "email": RICH_EMAIL,
                "person_id": "1",
                "note_id": "1",
                "deal_id": "1 OR 1=1",
            },
            True,
        ),
    ],
)
async def test_a_bad_action_is_refused_with_a_notice_not_an_error(
    harness: Harness, parameters: dict[str, str], own_connector: bool
) -> None:
    (connector,) = harness.app.state.runtime.store.list(ANN.sub)
    if own_connector:  # the connector is the user's: the one fault is the other parameter
        parameters = {**parameters, "connector": connector.id}
    harness.sandbox.reset_log()
    response = await harness.post(
        "/addon/action", ANN, parameters=parameters, form={"run_mode_input": ["manual"]}
    )
    assert response.status_code == 200
    assert response.json() == NOTICE
    assert harness.sandbox.requests == []
    assert harness.app.state.runtime.store.list(ANN.sub) == [connector]


async def test_a_long_note_is_read_whole_page_by_page(harness: Harness) -> None:
    message = harness.message(sender=HUGE_EMAIL, to=ANN.email)
    opened = valid(await harness.open(ANN, message))
    assert "Shipment 0450" not in text_of(opened)
    read = action(opened, "read_note")
    harness.sandbox.reset_log()

    pushed = valid(await harness.act(ANN, read))
    navigation = pushed["renderActions"]["action"]["navigations"][0]
    assert navigation["pushCard"]["name"] == "note"
    assert "Shipment 0001" in text_of(pushed)
    assert "Shipment 0450" not in text_of(pushed)

    page = pushed
    while "Shipment 0450" not in text_of(page):
        page = valid(await harness.act(ANN, action(page, "read_note", note_page=_next(page))))
        assert "updateCard" in page["renderActions"]["action"]["navigations"][0]
    assert "Previous" in text_of(page)
    assert harness.sandbox.requests == []  # read from the cached lookup


def _next(response: dict[str, Any]) -> str:
    """The page the note card's Next button asks for."""
    shown = top_card(response)["sections"][-1]["widgets"][0]["decoratedText"]["text"]
    return str(int(shown.split("Page ", 1)[1].split(" ", 1)[0]) + 1)


async def test_a_note_no_longer_there_gets_a_notice(harness: Harness) -> None:
    message = harness.message(sender=HUGE_EMAIL, to=ANN.email)
    read = action(valid(await harness.open(ANN, message)), "read_note")
    gone = valid(await harness.act(ANN, {**read, "note_id": "999999"}))
    assert "no longer there" in text_of(gone)
    assert "navigations" not in gone["renderActions"]["action"]
