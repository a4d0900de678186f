"""The deal card end to end: any deal of the huge contact opens with its notes and activities,
paged; a deleted deal gets a clear notice."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from cardin.sandbox import HUGE_EMAIL, FaultPlan, Sandbox, demo_dataset
from tests.cards.validate import assert_valid_response
from tests.conftest import TODAY
from tests.service.harness import Harness, action, actions_of, running, text_of, top_card
from tests.service.test_flow import ACTION_URL, ANN, add_connector

HUGE_ID = 14


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    sandbox = Sandbox(demo_dataset(TODAY), rate_limits=False)
    async with running(sandbox, tmp_path) as h:
        await add_connector(h, ANN)
        yield h


def valid(response: dict[str, Any]) -> dict[str, Any]:
    assert_valid_response(response, action_url=ACTION_URL)
    return response


def company(harness: Harness) -> Any:
    return harness.sandbox.dataset.companies[0]


async def deals_list(harness: Harness) -> dict[str, Any]:
    message = harness.message(sender=HUGE_EMAIL, to=ANN.email)
    opened = valid(await harness.open(ANN, message))
    return valid(await harness.act(ANN, action(opened, "show_all", section="deals")))


async def test_a_deal_beyond_the_fifth_opens_with_its_notes_and_activities(
    harness: Harness,
) -> None:
    listed = await deals_list(harness)
    offered = [a["deal_id"] for a in actions_of(listed) if a.get("op") == "open_deal"]
    data = company(harness)
    noted = {n["deal_id"] for n in data.notes if n["deal_id"] and n["person_id"] == HUGE_ID}
    with_activities = {a["deal_id"] for a in data.activities if a["deal_id"]}
    wanted = next(int(d) for d in offered[5:] if int(d) in noted & with_activities)
    pushed = valid(await harness.act(ANN, action(listed, "open_deal", deal_id=str(wanted))))
    assert "pushCard" in pushed["renderActions"]["action"]["navigations"][0]
    card = top_card(pushed)
    deal = next(d for d in data.deals if d["id"] == wanted)
    assert card["header"]["title"] == deal["title"]
    headers = [s.get("header") for s in card["sections"]]
    assert "Notes" in headers
    assert "Activities" in headers
    note = next(n for n in data.notes if n["deal_id"] == wanted)
    assert "delivery window was agreed" in note["content"]
    assert "delivery window was agreed" in text_of(pushed)
    activity = next(a for a in data.activities if a["deal_id"] == wanted)
    assert activity["subject"] in text_of(pushed)


@pytest.mark.parametrize("how", ["marked deleted", "gone"])
async def test_a_deleted_deal_gets_a_notice_and_the_card_stays(harness: Harness, how: str) -> None:
    listed = await deals_list(harness)
    first = next(a for a in actions_of(listed) if a.get("op") == "open_deal")
    deals = company(harness).deals
    deal = next(d for d in deals if d["id"] == int(first["deal_id"]))
    if how == "gone":  # purged: Pipedrive answers 404
        first = {**first, "deal_id": str(max(d["id"] for d in deals) + 1)}
    else:
        deal["is_deleted"] = True
    answer = valid(await harness.act(ANN, first))
    assert "navigations" not in answer["renderActions"]["action"]
    notice = answer["renderActions"]["action"]["notification"]["text"]
    assert notice == "This deal is gone from Pipedrive (deleted or merged)."


async def test_all_200_deals_are_reachable_by_paging(harness: Harness) -> None:
    listed = await deals_list(harness)
    seen: list[str] = []
    page = 0
    while True:
        seen += [a["deal_id"] for a in actions_of(listed) if a.get("op") == "open_deal"]
        forward = [
            a
            for a in actions_of(listed)
            if a.get("op") == "show_all" and a.get("page") == str(page + 1)
        ]
        if not forward:
            break
        listed = valid(await harness.act(ANN, forward[0]))
        assert "updateCard" in listed["renderActions"]["action"]["navigations"][0]
        page += 1
    theirs = {str(d["id"]) for d in company(harness).deals if d["person_id"] == HUGE_ID}
    assert len(theirs) == 200
    assert len(seen) == len(set(seen))
    assert set(seen) == theirs
    assert f"of {len(theirs)}" in text_of(listed)


LOG_ROWS = 300
LONG_NOTE = "<div><b>Delivery log</b></div><ol>{}</ol>".format(
    "".join(
        f"<li>Delivery {n:03d}: Bergen → Hamburg, reefer, on time</li>"
        for n in range(1, LOG_ROWS + 1)
    )
)


async def deal_with_long_note(harness: Harness) -> tuple[dict[str, Any], int, int]:
    """The deals list, a deal beyond the fifth and the id of a long note added to it now, on
    the deal only (so the contact's cached result cannot hold it)."""
    listed = await deals_list(harness)
    offered = [int(a["deal_id"]) for a in actions_of(listed) if a.get("op") == "open_deal"]
    wanted = offered[7]
    notes = company(harness).notes
    note = {**notes[-1], "id": max(n["id"] for n in notes) + 1, "content": LONG_NOTE}
    notes.append({**note, "deal_id": wanted, "person_id": None, "pinned_to_deal_flag": False})
    return listed, wanted, note["id"]


async def test_a_long_note_of_a_deal_beyond_the_fifth_is_read_whole(harness: Harness) -> None:
    listed, wanted, note_id = await deal_with_long_note(harness)
    opened = valid(await harness.act(ANN, action(listed, "open_deal", deal_id=str(wanted))))
    assert "Delivery 300" not in text_of(opened)  # cut on the deal card
    read = action(opened, "read_note", note_id=str(note_id))
    assert read["deal_id"] == str(wanted)
    harness.sandbox.reset_log()

    page = valid(await harness.act(ANN, read))
    # pushed over the deal card, so Back returns to it
    assert top_card(page)["name"] == "note"
    assert "pushCard" in page["renderActions"]["action"]["navigations"][0]
    assert any(r.path == f"/api/v2/deals/{wanted}" for r in harness.sandbox.requests)
    assert top_card(page)["sections"][0]["widgets"][0]["decoratedText"]["topLabel"] == next(
        d["title"] for d in company(harness).deals if d["id"] == wanted
    )
    seen = text_of(page)
    while "Delivery 300" not in text_of(page):
        forward = [a for a in actions_of(page) if a.get("op") == "read_note"][-1]
        assert forward["deal_id"] == str(wanted)
        page = valid(await harness.act(ANN, forward))
        assert "updateCard" in page["renderActions"]["action"]["navigations"][0]
        seen += text_of(page)
    for n in range(1, LOG_ROWS + 1):
        assert f"Delivery {n:03d}:" in seen


@pytest.mark.parametrize("how", ["note deleted", "deal deleted", "unknown deal"])
async def test_a_deal_note_no_longer_there_gets_the_gone_notice(harness: Harness, how: str) -> None:
    listed, wanted, note_id = await deal_with_long_note(harness)
    opened = valid(await harness.act(ANN, action(listed, "open_deal", deal_id=str(wanted))))
    read = action(opened, "read_note", note_id=str(note_id))
    data = company(harness)
    if how == "note deleted":
        data.notes[:] = [n for n in data.notes if n["id"] != note_id]
    elif how == "deal deleted":
        next(d for d in data.deals if d["id"] == wanted)["is_deleted"] = True
    else:  # a forged deal id: Pipedrive has no such deal
        read = {**read, "deal_id": str(max(d["id"] for d in data.deals) + 1)}
    gone = valid(await harness.act(ANN, read))
    assert "navigations" not in gone["renderActions"]["action"]
    assert "no longer there" in gone["renderActions"]["action"]["notification"]["text"]


@pytest.mark.parametrize("path", ["/api/v2/deals", "/v1/notes"])
async def test_a_deal_note_that_cannot_be_fetched_gets_the_error_card(
    harness: Harness, path: str
) -> None:
    listed, wanted, note_id = await deal_with_long_note(harness)
    opened = valid(await harness.act(ANN, action(listed, "open_deal", deal_id=str(wanted))))
    read = action(opened, "read_note", note_id=str(note_id))
    harness.sandbox.set_faults(FaultPlan.parse(f"503@{path}"))
    try:
        failed = valid(await harness.act(ANN, read))
    finally:
        harness.sandbox.set_faults(FaultPlan.none())
    card = top_card(failed)
    assert card["name"] == "error"
    assert "Pipedrive is not answering" in text_of(failed)
    assert "Delivery 001" not in text_of(failed)
    assert "pushCard" in failed["renderActions"]["action"]["navigations"][0]
    assert any(a.get("op") == "retry" for a in actions_of(failed))
