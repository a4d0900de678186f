"""API v2 endpoints Cardin uses: persons, person fields, organizations, deals, activities.

Every documented parameter is either applied or refused with a 400 naming it; none is ignored.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from cardin.sandbox.calls import Call, ok
from cardin.sandbox.counts import note_counts
from cardin.sandbox.errors import v2_not_found
from cardin.sandbox.paging import sort_items, v2_page
from cardin.sandbox.persons import create_person_from_body
from cardin.sandbox.query import (
    Query,
    invalid,
    query_bool,
    query_choice,
    query_choices,
    query_ids,
    query_int,
    query_text,
    query_time,
)
from cardin.sandbox.render import (
    DEAL_INCLUDE_FIELDS,
    ORGANIZATION_INCLUDE_FIELDS,
    PERSON_INCLUDE_FIELDS,
    ItemOptions,
    person_field_v2,
    render_activity,
    render_deal,
    render_organization,
    render_person,
)
from cardin.sandbox.search import search_persons

JSON = dict[str, Any]
Filter = Callable[[JSON], bool]
DEAL_STATUSES = ("open", "won", "lost", "deleted")
FIELD_NAMESPACES = ("ui_visibility", "important_fields", "required_fields")
ACTIVITY_INCLUDE_FIELDS = ("attendees",)


def person_fields(call: Call) -> JSON:
    """`GET /api/v2/personFields`: active fields with cursor pagination."""
    include = query_choices(call.query, "include_fields", FIELD_NAMESPACES)
    fields = [
        person_field_v2(field, include)
        for field in call.company.person_fields
        if field.get("active_flag", True)
    ]
    page, additional = v2_page(fields, call.query)
    return ok(page, additional)


def persons_search(call: Call) -> JSON:
    """`GET /api/v2/persons/search`."""
    data, additional = search_persons(call.company, call.query, call.base_url)
    return ok(data, additional)


def persons(call: Call) -> JSON:
    """`GET /api/v2/persons` with the id, organization, owner and deal filters."""
    company = call.company
    options = ItemOptions.parse(call.query, PERSON_INCLUDE_FIELDS)
    found = [person for person in company.persons if not person.get("is_deleted")]
    deal_id = query_int(call.query, "deal_id")
    if deal_id is not None:
        deal = company.get("deals", deal_id) or {}
        found = [person for person in found if person["id"] == deal.get("person_id")]
    found = _filter(found, call.query, ("org_id", "owner_id"))
    found = _sorted(found, call.query, ("id", "update_time", "add_time"))
    page, additional = v2_page(found, call.query)
    return ok([render_person(company, person, options) for person in page], additional)


def person(call: Call) -> JSON:
    """`GET /api/v2/persons/{id}` with `include_fields`, `custom_fields` and label options."""
    options = ItemOptions.parse(call.query, PERSON_INCLUDE_FIELDS)
    return ok(render_person(call.company, _get(call, "persons"), options))


def create_person(call: Call) -> JSON:
    """`POST /api/v2/persons`: store the person (searchable at once) and answer it with 200."""
    created = create_person_from_body(call.company, call.json_body(), call.user_id)
    return ok(render_person(call.company, created, ItemOptions()))


def person_picture(call: Call) -> JSON:
    """`GET /api/v2/persons/{id}/picture`, with URLs served by the sandbox itself."""
    found = call.company.get("persons", call.id)
    picture = call.company.get("person_pictures", (found or {}).get("picture_id"))
    if picture is None:
        raise v2_not_found()
    data = copy.deepcopy(picture)
    data["pictures"] = {size: call.base_url + url for size, url in picture["pictures"].items()}
    return ok(data)


def organizations(call: Call) -> JSON:
    """`GET /api/v2/organizations` with `ids`, `owner_id` and the update window."""
    options = _options(call.query, ORGANIZATION_INCLUDE_FIELDS, "Organization")
    found = [org for org in call.company.organizations if not org.get("is_deleted")]
    found = _filter(found, call.query, ("owner_id",))
    found = _sorted(found, call.query, ("id", "update_time", "add_time"))
    page, additional = v2_page(found, call.query)
    return ok([render_organization(call.company, org, options) for org in page], additional)


def organization(call: Call) -> JSON:
    """`GET /api/v2/organizations/{id}`."""
    options = _options(call.query, ORGANIZATION_INCLUDE_FIELDS, "Organization")
    return ok(render_organization(call.company, _get(call, "organizations"), options))


def deals(call: Call) -> JSON:
    """`GET /api/v2/deals` with filters, `status` list, sorting and `include_fields`."""
    options = _options(call.query, DEAL_INCLUDE_FIELDS, "Deal")
    statuses = query_choices(call.query, "status", DEAL_STATUSES)
    keys = ("person_id", "org_id", "owner_id", "pipeline_id", "stage_id")
    # the id filters first: they leave few of a large company's deals to test the status of
    found = _filter(call.company.deals, call.query, keys)
    found = [deal for deal in found if _deal_status_matches(deal, statuses)]
    found = _sorted(found, call.query, ("id", "update_time", "add_time"))
    page, additional = v2_page(found, call.query)
    notes = note_counts(call.company, page) if "notes_count" in options.include else None
    return ok([render_deal(call.company, deal, options, notes) for deal in page], additional)


def _deal_status_matches(deal: JSON, statuses: list[str]) -> bool:
    if deal["is_deleted"]:
        return "deleted" in statuses
    return not statuses or deal["status"] in statuses


def deal(call: Call) -> JSON:
    """`GET /api/v2/deals/{id}`."""
    options = _options(call.query, DEAL_INCLUDE_FIELDS, "Deal")
    return ok(render_deal(call.company, _get(call, "deals"), options))


def activities(call: Call) -> JSON:
    """`GET /api/v2/activities`: `person_id` matches the primary participant only."""
    attendees = _attendees(call.query)
    found = _filter(
        call.company.activities, call.query, ("person_id", "deal_id", "org_id", "owner_id")
    )
    found = [activity for activity in found if not activity["is_deleted"]]
    lead_id = query_text(call.query, "lead_id")
    if lead_id is not None:
        found = [activity for activity in found if activity.get("lead_id") == lead_id]
    done = query_bool(call.query, "done")
    if done is not None:
        found = [activity for activity in found if activity["done"] is done]
    found = _sorted(found, call.query, ("id", "update_time", "add_time", "due_date"))
    page, additional = v2_page(found, call.query)
    return ok([render_activity(a, attendees=attendees) for a in page], additional)


def activity(call: Call) -> JSON:
    """`GET /api/v2/activities/{id}`."""
    attendees = _attendees(call.query)
    return ok(render_activity(_get(call, "activities"), attendees=attendees))


def _attendees(query: Query) -> bool:
    return "attendees" in query_choices(query, "include_fields", ACTIVITY_INCLUDE_FIELDS)


def pipelines(call: Call) -> JSON:
    """`GET /api/v2/pipelines`."""
    found = _sorted(call.company.pipelines, call.query, ("id", "update_time", "add_time"))
    page, additional = v2_page([copy.deepcopy(p) for p in found], call.query)
    return ok(page, additional)


def stages(call: Call) -> JSON:
    """`GET /api/v2/stages`, optionally of one pipeline."""
    found = call.company.stages
    pipeline_id = query_int(call.query, "pipeline_id")
    if pipeline_id is not None:
        found = [stage for stage in found if stage["pipeline_id"] == pipeline_id]
    found = _sorted(found, call.query, ("id", "update_time", "add_time", "order_nr"))
    page, additional = v2_page([copy.deepcopy(s) for s in found], call.query)
    return ok(page, additional)


def _get(call: Call, collection: str) -> JSON:
    found = call.company.get(collection, call.id)
    if found is None:
        raise v2_not_found()
    return found


def _options(query: Query, include: tuple[str, ...], kind: str) -> ItemOptions:
    return ItemOptions.parse(query, include).without_field_definitions(kind)


def _filter(items: list[JSON], query: Query, keys: tuple[str, ...]) -> list[JSON]:
    """Items matching every given id filter, `ids` and the `updated_since/until` window.

    `filter_id` names one of the company's saved filters; the sandbox has none to apply, so it is
    refused rather than ignored.
    """
    if "filter_id" in query:
        query_int(query, "filter_id")
        raise invalid("filter_id", "Saved filters are not simulated by the sandbox")
    found = list(items)
    for key in keys:
        wanted = query_int(query, key)
        if wanted is not None:
            found = [item for item in found if item.get(key) == wanted]
    ids = query_ids(query)
    if ids is not None:
        found = [item for item in found if item["id"] in ids]
    since, until = query_time(query, "updated_since"), query_time(query, "updated_until")
    if since is not None:
        found = [item for item in found if _parse_time(item["update_time"]) >= since]
    if until is not None:
        found = [item for item in found if _parse_time(item["update_time"]) < until]
    return found


def _sorted(items: list[JSON], query: Mapping[str, str], keys: tuple[str, ...]) -> list[JSON]:
    sort_by = query_choice(query, "sort_by", keys, "id")
    direction = query_choice(query, "sort_direction", ("asc", "desc"), "asc")
    if sort_by == "due_date":
        # due_time breaks ties inside a day, as in Pipedrive's activity lists
        return sort_items(items, _due, direction)
    return sort_items(items, lambda item: item.get(sort_by), direction)


def _due(activity: JSON) -> str | None:
    if activity.get("due_date") is None:
        return None
    return str(activity["due_date"]) + str(activity.get("due_time") or "")


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)
