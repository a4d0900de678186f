"""The optional `include_fields` of v2 persons, organizations and deals, computed from the data."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cardin.sandbox.data import Company

JSON = dict[str, Any]


def _activity_ids(activities: list[JSON]) -> tuple[int | None, int | None]:
    def when(activity: JSON) -> tuple[str, str, int]:
        return (activity["due_date"] or "", activity.get("due_time") or "", activity["id"])

    undone = sorted((a for a in activities if not a["done"]), key=when)
    done = sorted((a for a in activities if a["done"]), key=when)
    return (undone[0]["id"] if undone else None, done[-1]["id"] if done else None)


def _deal_counts(deals: list[JSON]) -> JSON:
    statuses = [deal["status"] for deal in deals if not deal["is_deleted"]]
    won, lost, open_ = statuses.count("won"), statuses.count("lost"), statuses.count("open")
    return {
        "open_deals_count": open_,
        "related_open_deals_count": open_,
        "closed_deals_count": won + lost,
        "related_closed_deals_count": won + lost,
        "won_deals_count": won,
        "related_won_deals_count": won,
        "lost_deals_count": lost,
        "related_lost_deals_count": lost,
    }


def _activity_counts(activities: list[JSON]) -> JSON:
    current = [a for a in activities if not a["is_deleted"]]
    done = sum(1 for a in current if a["done"])
    next_id, last_id = _activity_ids(current)
    return {
        "next_activity_id": next_id,
        "last_activity_id": last_id,
        "activities_count": len(current),
        "done_activities_count": done,
        "undone_activities_count": len(current) - done,
    }


def _mailbox(company: Company, kind: str, obj_id: int) -> JSON:
    return {
        "email_messages_count": 0,
        "files_count": 0,
        "followers_count": 1,
        "last_incoming_mail_time": None,
        "last_outgoing_mail_time": None,
        "smart_bcc_email": f"{company.info['domain']}+{kind}{obj_id}@pipedrivemail.com",
    }


def person_counts(company: Company, person: JSON) -> JSON:
    """Every count field of a person, computed from its deals, activities and notes."""
    notes = [n for n in company.linked("notes.person_id", person["id"]) if n["active_flag"]]
    return {
        **_deal_counts(company.linked("deals.person_id", person["id"])),
        **_activity_counts(company.linked("activities.person_id", person["id"])),
        **_mailbox(company, "person", person["id"]),
        "participant_open_deals_count": 0,
        "participant_closed_deals_count": 0,
        "notes_count": len(notes),
    }


def organization_counts(company: Company, org: JSON) -> JSON:
    """Every count field of an organization, from its deals, people, activities and notes."""
    people = [p for p in company.linked("persons.org_id", org["id"]) if not p.get("is_deleted")]
    activities = [a for a in company.activities if a.get("org_id") == org["id"]]
    notes = [n for n in company.notes if n.get("org_id") == org["id"] and n["active_flag"]]
    counts = {
        **_deal_counts(company.linked("deals.org_id", org["id"])),
        **_activity_counts(activities),
        **_mailbox(company, "org", org["id"]),
        "people_count": len(people),
        "notes_count": len(notes),
    }
    for name in ("last_incoming_mail_time", "last_outgoing_mail_time"):
        del counts[name]  # not among an organization's include_fields
    return counts


def note_counts(company: Company, deals: Iterable[JSON]) -> dict[int, int]:
    """The active notes of each of `deals`, counted in one pass over the company's notes."""
    counts = dict.fromkeys((deal["id"] for deal in deals), 0)
    for note in company.notes:
        deal_id = note.get("deal_id")
        try:
            counted = deal_id in counts
        except TypeError:  # an unhashable value is no deal's id
            continue
        if counted and note["active_flag"]:
            counts[deal_id] += 1
    return counts


def deal_counts(company: Company, deal: JSON, notes: Mapping[int, int] | None = None) -> JSON:
    """Every optional field of a deal, from its activities and notes (`notes`: the note counts
    of the deals being rendered together, from `note_counts`)."""
    if notes is None or deal["id"] not in notes:
        notes = note_counts(company, [deal])
    return {
        **_activity_counts(company.linked("activities.deal_id", deal["id"])),
        **_mailbox(company, "deal", deal["id"]),
        "first_won_time": deal.get("won_time"),
        "products_count": 0,
        "notes_count": notes[deal["id"]],
        "participants_count": 1 if deal.get("person_id") else 0,
        "source_lead_id": deal.get("source_lead_id"),
    }
