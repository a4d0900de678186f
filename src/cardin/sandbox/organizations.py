"""`POST /api/v2/organizations` and `GET /api/v2/organizations/search`.

A new organization needs a `name`; the owner defaults to the token's user. Organization labels
and custom fields are not simulated (a non-empty value is a 400). Search works as person search
does (case-insensitive; `exact_match` for the whole value, otherwise the term must occur in it)
over the name, the address, the organization's notes and its custom fields (none are simulated,
so these never match). Deleted organizations are never found.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cardin.sandbox import bodies
from cardin.sandbox.calls import Call, ok
from cardin.sandbox.data import Company
from cardin.sandbox.paging import v2_page
from cardin.sandbox.render import ItemOptions, render_organization
from cardin.sandbox.search import TAG, matches, parse_search

JSON = dict[str, Any]
SEARCH_FIELDS = ("address", "custom_fields", "notes", "name")
_WEIGHTS = {"name": 1.0, "address": 0.7, "custom_fields": 0.6, "notes": 0.4}
OPTIONAL_TEXTS = ("website", "linkedin")
OPTIONAL_INTEGERS = ("industry", "annual_revenue", "employee_count")


def create_organization(call: Call) -> JSON:
    """`POST /api/v2/organizations`: store the organization (searchable at once), answer it."""
    company, body = call.company, call.json_body()
    name = bodies.required_text(body, "name", "Name")
    bodies.not_simulated(body, "label_ids", "Organization labels", empty=[])
    bodies.not_simulated(body, "custom_fields", "Organization custom fields", empty={})
    now = bodies.now_v2()
    org: JSON = {
        "id": company.next_id("organizations"),
        "name": name,
        "owner_id": bodies.user(company, body, "owner_id", call.user_id),
        "add_time": bodies.timestamp(body, "add_time") or now,
        "update_time": now,
        "is_deleted": False,
        "visible_to": bodies.visibility(body),
        "address": bodies.address(body, "address"),
        "label_ids": [],
        **{key: bodies.text(body, key) for key in OPTIONAL_TEXTS},
        **{key: bodies.integer(body, key) for key in OPTIONAL_INTEGERS},
        "custom_fields": {},
    }
    company.add("organizations", org)
    return ok(render_organization(company, org, ItemOptions()))


def search_organizations(call: Call) -> JSON:
    """`GET /api/v2/organizations/search`: the best matches first, one cursor page."""
    term, fields, exact = parse_search(call.query, SEARCH_FIELDS)
    hits = []
    for org in call.company.organizations:
        if org.get("is_deleted"):
            continue
        best, notes = 0.0, []
        for field in fields:
            for value in _values(call.company, org, field):
                strength = matches(term, value, exact=exact)
                if strength and field == "notes":
                    notes.append(value)
                best = max(best, strength * _WEIGHTS[field])
        if best:
            hits.append((round(best, 4), org, notes))
    hits.sort(key=lambda hit: (-hit[0], hit[1]["id"]))
    items = [_item(org, score, notes) for score, org, notes in hits]
    page, additional = v2_page(items, call.query)
    return ok({"items": page}, additional)


def _values(company: Company, org: JSON, field: str) -> Iterable[str]:
    if field == "name":
        return [org["name"]]
    if field == "address":
        value = (org.get("address") or {}).get("value")
        return [value] if value else []
    if field == "notes":
        return [
            TAG.sub(" ", note["content"]).strip()
            for note in company.notes
            if note.get("org_id") == org["id"] and note["active_flag"]
        ]
    return []  # organization custom fields are not simulated


def _item(org: JSON, score: float, notes: list[str]) -> JSON:
    return {
        "result_score": score,
        "item": {
            "id": org["id"],
            "type": "organization",
            "name": org["name"],
            "address": (org.get("address") or {}).get("value"),
            "visible_to": org["visible_to"],
            "owner": {"id": org["owner_id"]},
            "custom_fields": [],
            "notes": notes,
        },
    }
