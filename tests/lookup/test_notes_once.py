"""A note linked to both the person and one of their deals is shown once: under the deal."""

from __future__ import annotations

from cardin.lookup import LookupEngine
from cardin.sandbox import HUGE_EMAIL, Sandbox
from tests.lookup.test_engine import match

HUGE_ID = 14
TEXT = "Linked to both the person and the deal"


async def test_a_note_on_the_person_and_a_shown_deal_is_shown_under_the_deal_only(
    engine: LookupEngine, sandbox: Sandbox
) -> None:
    before = await match(engine, HUGE_EMAIL)
    detailed = next(d for d in before.contact.deals.items if d.notes is not None)
    notes = sandbox.dataset.companies[0].notes
    newest = max(notes, key=lambda n: n["add_time"])
    notes.append(
        {**newest, "id": max(n["id"] for n in notes) + 1, "content": TEXT,
         "person_id": HUGE_ID, "deal_id": detailed.id}
    )  # fmt: skip

    after = await match(engine, HUGE_EMAIL)
    on_person = [n for n in after.contact.notes.items if TEXT in n.html]
    deal = next(d for d in after.contact.deals.items if d.id == detailed.id)
    assert deal.notes is not None
    on_deal = [n for n in deal.notes.items if TEXT in n.html]
    assert (len(on_person), len(on_deal)) == (0, 1)


async def test_a_note_on_the_person_and_a_deal_not_shown_stays_with_the_person(
    engine: LookupEngine, sandbox: Sandbox
) -> None:
    before = await match(engine, HUGE_EMAIL)
    hidden = next(d for d in reversed(before.contact.deals.items) if d.notes is None)
    notes = sandbox.dataset.companies[0].notes
    newest = max(notes, key=lambda n: n["add_time"])
    notes.append(
        {**newest, "id": max(n["id"] for n in notes) + 1, "content": TEXT,
         "person_id": HUGE_ID, "deal_id": hidden.id}
    )  # fmt: skip

    after = await match(engine, HUGE_EMAIL)
    assert [n for n in after.contact.notes.items if TEXT in n.html]
