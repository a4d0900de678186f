"""Deals, activities and notes of the demo data: builders and the generated (seeded) history."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from cardin.sandbox.demo_base import STAGES, DemoClock

JSON = dict[str, Any]
STAGE_PIPELINE = {sid: pid for sid, pid, _, _ in STAGES}
STAGE_PROBABILITY = {sid: probability for sid, _, _, probability in STAGES}
LOST_REASONS = (
    "Price too high",
    "Chose a competitor",
    "No budget this year",
    "Project cancelled",
    "No response after proposal",
    "Timing — revisit next year",
)


@dataclass(frozen=True, slots=True)
class DealSpec:
    """A deal to build; day offsets are relative to the demo's today."""

    title: str
    person: int | None
    org: int | None
    value: float
    currency: str
    status: str = "open"
    stage: int = 1
    owner: int = 1
    added: int = -60
    expected: int | None = 30
    closed: int | None = None
    lost_reason: str | None = None
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class ActivitySpec:
    """An activity to build; `due` is a day offset, `at` a UTC time or None for all-day."""

    subject: str
    kind: str
    due: int
    person: int | None
    org: int | None = None
    deal: int | None = None
    owner: int = 1
    at: str | None = "10:00:00"
    duration: str | None = "00:30:00"
    done: bool | None = None
    note: str | None = None
    location: JSON | None = None
    others: tuple[int, ...] = ()
    attendees: tuple[JSON, ...] = ()
    meeting_url: str | None = None


@dataclass
class History:
    """Accumulates deals, activities and notes with sequential ids."""

    clock: DemoClock
    deals: list[JSON] = field(default_factory=list)
    activities: list[JSON] = field(default_factory=list)
    notes: list[JSON] = field(default_factory=list)

    def deal(self, spec: DealSpec) -> int:
        """Add a v2 deal; returns its id."""
        clock, deal_id = self.clock, len(self.deals) + 1
        closed = spec.closed if spec.status != "open" else None
        close_time = clock.v2(closed, 16) if closed is not None else None
        self.deals.append(
            {
                "id": deal_id,
                "title": spec.title,
                "creator_user_id": spec.owner,
                "owner_id": spec.owner,
                "value": spec.value,
                "person_id": spec.person,
                "org_id": spec.org,
                "stage_id": spec.stage,
                "pipeline_id": STAGE_PIPELINE[spec.stage],
                "currency": spec.currency,
                "archive_time": None,
                "add_time": clock.v2(spec.added, 9, 30),
                "update_time": clock.v2(
                    closed if closed is not None else min(spec.added + 20, -1), 11
                ),
                "stage_change_time": clock.v2(min(spec.added + 10, -1), 10),
                "status": spec.status,
                "is_archived": False,
                "is_deleted": spec.deleted,
                "probability": STAGE_PROBABILITY[spec.stage] if spec.status == "open" else None,
                "lost_reason": spec.lost_reason if spec.status == "lost" else None,
                "visible_to": 3,
                "close_time": close_time,
                "won_time": close_time if spec.status == "won" else None,
                "lost_time": close_time if spec.status == "lost" else None,
                "local_won_date": clock.day(closed) if spec.status == "won" and closed else None,
                "local_lost_date": clock.day(closed) if spec.status == "lost" and closed else None,
                "local_close_date": clock.day(closed) if closed is not None else None,
                "expected_close_date": clock.day(spec.expected)
                if spec.expected is not None
                else None,
                "label_ids": [],
                "origin": "ManuallyCreated",
                "origin_id": None,
                "channel": None,
                "channel_id": None,
                "source_lead_id": None,
                "acv": None,
                "arr": None,
                "mrr": None,
                "custom_fields": {},
            }
        )
        return deal_id

    def activity(self, spec: ActivitySpec) -> int:
        """Add a v2 activity; done defaults to "due in the past"; returns its id."""
        clock, activity_id = self.clock, len(self.activities) + 1
        done = spec.done if spec.done is not None else spec.due < 0
        hour = int(spec.at[:2]) if spec.at else 9
        participants = [{"person_id": spec.person, "primary": True}] if spec.person else []
        participants += [{"person_id": other, "primary": False} for other in spec.others]
        self.activities.append(
            {
                "id": activity_id,
                "subject": spec.subject,
                "type": spec.kind,
                "owner_id": spec.owner,
                "creator_user_id": spec.owner,
                "is_deleted": False,
                "add_time": clock.v2(min(spec.due, 0) - 14, 8),
                "update_time": clock.v2(min(spec.due, 0), 18),
                "deal_id": spec.deal,
                "lead_id": None,
                "person_id": spec.person,
                "org_id": spec.org,
                "project_id": None,
                "due_date": clock.day(spec.due),
                "due_time": spec.at,
                "duration": spec.duration,
                "busy": spec.kind in ("meeting", "lunch", "site_visit"),
                "done": done,
                "marked_as_done_time": clock.v2(spec.due, min(hour + 1, 23)) if done else None,
                "location": spec.location,
                "participants": participants,
                "attendees": list(spec.attendees) or None,
                "conference_meeting_client": "google_meet" if spec.meeting_url else None,
                "conference_meeting_url": spec.meeting_url,
                "conference_meeting_id": spec.meeting_url.rsplit("/", 1)[-1]
                if spec.meeting_url
                else None,
                "public_description": None,
                "priority": None,
                "note": spec.note,
            }
        )
        return activity_id

    def note(
        self,
        content: str,
        days: int,
        *,
        person: int | None = None,
        deal: int | None = None,
        org: int | None = None,
        user: int = 1,
        pinned: bool = False,
    ) -> int:
        """Add a v1 note (without the inline objects the API derives); returns its id."""
        note_id = len(self.notes) + 1
        self.notes.append(
            {
                "id": note_id,
                "active_flag": True,
                "add_time": self.clock.v1(days, 14, note_id % 60),
                "update_time": self.clock.v1(days, 15, note_id % 60),
                "content": content,
                "deal_id": deal,
                "lead_id": None,
                "org_id": org,
                "person_id": person,
                "project_id": None,
                "user_id": user,
                "last_update_user_id": user,
                "pinned_to_deal_flag": pinned and deal is not None,
                "pinned_to_organization_flag": False,
                "pinned_to_person_flag": pinned and deal is None and person is not None,
                "pinned_to_project_flag": False,
                "pinned_to_lead_flag": False,
            }
        )
        return note_id


_KINDS = (
    "call",
    "meeting",
    "task",
    "deadline",
    "email",
    "lunch",
    "product_demo",
    "site_visit",
    "contract_review",
    "trade_fair",
)
_SUBJECTS = {
    "call": "Follow-up call",
    "meeting": "Review meeting",
    "task": "Prepare offer",
    "deadline": "Offer deadline",
    "email": "Send summary",
    "lunch": "Lunch",
    "product_demo": "Product demo",
    "site_visit": "Site visit",
    "contract_review": "Review terms",
    "trade_fair": "Meet at the trade fair",
}
_CURRENCY_VALUES = {
    "EUR": (5_000, 250_000),
    "USD": (5_000, 300_000),
    "GBP": (4_000, 200_000),
    "JPY": (500_000, 40_000_000),
    "SEK": (50_000, 2_500_000),
}
_NOTE_TEMPLATES = (
    "<div>Spoke with <b>{name}</b> about next quarter.</div>",
    "<div>Agreed next steps:</div><ul><li>Send pricing</li><li>Book a demo</li></ul>",
    "<div><i>Waiting for</i> the signed order form.</div>",
    "Called, no answer.\nLeft a voicemail.",
    "<div>Meeting notes:</div><ol><li>Scope</li><li>Timeline</li><li>Budget</li></ol>",
)


def random_deal(rng: random.Random, title: str, person: JSON, owner: int) -> DealSpec:
    """A plausible deal for `person` in a random currency and status."""
    currency = rng.choice(tuple(_CURRENCY_VALUES))
    low, high = _CURRENCY_VALUES[currency]
    value = round(rng.uniform(low, high), -2 if currency != "JPY" else -4)
    status = rng.choices(("open", "won", "lost"), weights=(5, 3, 2))[0]
    added = -rng.randint(20, 900)
    return DealSpec(
        title=title,
        person=person["id"],
        org=person["org_id"],
        value=value,
        currency=currency,
        status=status,
        stage=rng.randint(1, 5),
        owner=owner,
        added=added,
        expected=rng.randint(5, 200) if status == "open" else added + rng.randint(20, 90),
        closed=min(added + rng.randint(10, 300), -1),
        lost_reason=rng.choice(LOST_REASONS) if status == "lost" else None,
    )


def random_activity(rng: random.Random, person: JSON, deal: int | None, owner: int) -> ActivitySpec:
    """A plausible activity for `person`: past ones mostly done, some overdue, some planned."""
    kind = rng.choice(_KINDS)
    due = rng.randint(-700, 180)
    done = due < 0 and rng.random() > 0.1  # noqa: PLR2004 - one in ten past activities is overdue
    at = None if kind == "deadline" else f"{rng.randint(7, 16):02d}:{rng.choice((0, 30)):02d}:00"
    return ActivitySpec(
        subject=_SUBJECTS[kind],
        kind=kind,
        due=due,
        person=person["id"],
        org=person["org_id"],
        deal=deal,
        owner=owner,
        at=at,
        duration="01:00:00" if at else None,
        done=done,
    )


def add_random_history(
    history: History, rng: random.Random, person: JSON, *, deals: int, activities: int, notes: int
) -> None:
    """Add generated deals, activities (some on those deals) and notes for `person`."""
    owner = person["owner_id"]
    deal_ids = [
        history.deal(random_deal(rng, f"{person['name']} — order {index + 1}", person, owner))
        for index in range(deals)
    ]
    for _ in range(activities):
        deal = rng.choice(deal_ids) if deal_ids and rng.random() < 0.5 else None  # noqa: PLR2004
        history.activity(random_activity(rng, person, deal, owner))
    for _ in range(notes):
        template = rng.choice(_NOTE_TEMPLATES)
        history.note(
            template.format(name=person["first_name"]),
            -rng.randint(1, 800),
            person=person["id"],
            org=person["org_id"],
            user=owner,
        )
