"""`POST /api/v2/deals` and `DELETE /api/v2/deals/{id}`, with Pipedrive's body rules.

A new deal needs a `title`. The person, organization and owner must exist (the owner defaults to
the token's user); `currency` is one of the company's currency codes (default: the user's default
currency); `value` a number (default 0). A stage alone implies its pipeline; a pipeline alone
takes its first stage; neither, the first pipeline's first stage; both, the stage must belong to
the pipeline. `status` is open, won or lost; the won, lost and close times and `lost_reason` only
go with the status they belong to ("Can only be set if deal status is ..."), and a deal cannot be
created deleted (migration guide: "It is no longer possible to create an already deleted entity
with POST"). Deal labels and deal custom fields are not simulated (a non-empty value is a 400).

Deleting marks the deal deleted (listed under `status=deleted`, no longer counted); a deleted or
unknown deal answers the v2 404, and every later write naming it the 404 of a gone deal.
"""

from __future__ import annotations

from typing import Any

from cardin.sandbox import bodies
from cardin.sandbox.calls import Call, ok
from cardin.sandbox.data import Company
from cardin.sandbox.errors import v2_not_found
from cardin.sandbox.render import ItemOptions, render_deal

JSON = dict[str, Any]
STATUSES = ("open", "won", "lost")
# each property that only goes with one or more statuses
STATUS_ONLY = {
    "won_time": ("won",),
    "lost_time": ("lost",),
    "lost_reason": ("lost",),
    "close_time": ("won", "lost"),
}


def create_deal(call: Call) -> JSON:
    """`POST /api/v2/deals`: store the deal (listed and counted at once) and answer it."""
    company, body = call.company, call.json_body()
    title = bodies.required_text(body, "title", "Deal title")
    if bodies.boolean(body, "is_deleted"):
        raise bodies.refused("is_deleted", "A deal cannot be created deleted")
    bodies.not_simulated(body, "label_ids", "Deal labels", empty=[])
    bodies.not_simulated(body, "custom_fields", "Deal custom fields", empty={})
    status = bodies.choice(body, "status", STATUSES) or "open"
    pipeline_id, stage_id = _placement(company, body)
    now = bodies.now_v2()
    times = _status_times(body, status, now)
    close_time = times["close_time"]
    deal: JSON = {
        "id": company.next_id("deals"),
        "title": title,
        "creator_user_id": call.user_id,
        "owner_id": bodies.user(company, body, "owner_id", call.user_id),
        "value": bodies.number(body, "value") or 0,
        "person_id": bodies.live(company, "persons", "person_id", body.get("person_id"), "Person"),
        "org_id": bodies.live(
            company, "organizations", "org_id", body.get("org_id"), "Organization"
        ),
        "stage_id": stage_id,
        "pipeline_id": pipeline_id,
        "currency": _currency(company, body, call.user_id),
        "archive_time": None,
        "add_time": now,
        "update_time": now,
        "stage_change_time": now,
        "status": status,
        "is_archived": bool(bodies.boolean(body, "is_archived")),
        "is_deleted": False,
        "probability": bodies.number(body, "probability"),
        "lost_reason": times["lost_reason"],
        "visible_to": bodies.visibility(body),
        "close_time": close_time,
        "won_time": times["won_time"],
        "lost_time": times["lost_time"],
        "local_won_date": times["won_time"] and times["won_time"][:10],
        "local_lost_date": times["lost_time"] and times["lost_time"][:10],
        "local_close_date": close_time and close_time[:10],
        "expected_close_date": bodies.day(body, "expected_close_date"),
        "label_ids": [],
        "origin": "API",
        "origin_id": None,
        "channel": None,
        "channel_id": None,
        "source_lead_id": None,
        "acv": None,
        "arr": None,
        "mrr": None,
        "custom_fields": {},
    }
    if deal["is_archived"]:
        deal["archive_time"] = bodies.timestamp(body, "archive_time") or now
    elif body.get("archive_time") is not None:
        raise bodies.refused("archive_time", "Can only be set if the deal is archived")
    company.add("deals", deal)
    return ok(render_deal(company, deal, ItemOptions()))


def delete_deal(call: Call) -> JSON:
    """`DELETE /api/v2/deals/{id}`: mark the deal deleted; a deal already gone is a 404."""
    found = call.company.get("deals", call.id)
    if found is None or found["is_deleted"]:
        raise v2_not_found()
    found["is_deleted"] = True
    found["update_time"] = bodies.now_v2()
    return ok({"id": found["id"]})


def _placement(company: Company, body: JSON) -> tuple[int, int]:
    """(pipeline_id, stage_id) of a new deal, from either, both or neither."""
    pipelines = {p["id"]: p for p in company.pipelines if not p["is_deleted"]}
    stages = [s for s in company.stages if not s["is_deleted"]]
    pipeline_id, stage_id = bodies.integer(body, "pipeline_id"), bodies.integer(body, "stage_id")
    if pipeline_id is not None and pipeline_id not in pipelines:
        raise bodies.refused("pipeline_id", "Pipeline not found")
    if stage_id is not None:
        stage = next((s for s in stages if s["id"] == stage_id), None)
        if stage is None:
            raise bodies.refused("stage_id", "Stage not found")
        if pipeline_id is not None and stage["pipeline_id"] != pipeline_id:
            raise bodies.refused("stage_id", "The stage does not belong to the pipeline")
        return stage["pipeline_id"], stage_id
    if pipeline_id is None:
        if not pipelines:
            raise bodies.refused("pipeline_id", "The company has no pipeline")
        pipeline_id = min(pipelines.values(), key=lambda p: (p["order_nr"], p["id"]))["id"]
    own = [s for s in stages if s["pipeline_id"] == pipeline_id]
    if not own:
        raise bodies.refused("pipeline_id", "The pipeline has no stage")
    return pipeline_id, min(own, key=lambda s: (s["order_nr"], s["id"]))["id"]


def _currency(company: Company, body: JSON, user_id: int) -> str:
    code = bodies.text(body, "currency")
    if code is None:
        user = company.get("users", user_id) or {}
        return str(user.get("default_currency") or "EUR")
    known = {c["code"] for c in company.currencies if c.get("active_flag", True)}
    if code not in known:
        raise bodies.refused("currency", "Unknown currency code")
    return code


def _status_times(body: JSON, status: str, now: str) -> JSON:
    """won_time, lost_time, close_time and lost_reason: given only with their status."""
    values: JSON = {
        name: bodies.text(body, name) if name == "lost_reason" else bodies.timestamp(body, name)
        for name in STATUS_ONLY
    }
    for name, statuses in STATUS_ONLY.items():
        if values[name] is not None and status not in statuses:
            raise bodies.refused(name, f"Can only be set if deal status is {' or '.join(statuses)}")
    if status == "won":
        values["won_time"] = values["won_time"] or now
    if status == "lost":
        values["lost_time"] = values["lost_time"] or now
    if status != "open":
        values["close_time"] = values["close_time"] or values["won_time"] or values["lost_time"]
    return values
