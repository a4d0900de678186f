"""API v2 endpoints Cardin uses: persons, person fields, organizations, deals, activities."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from cardin.sandbox.calls import Call, ok
from cardin.sandbox.errors import bad_request, v2_not_found
from cardin.sandbox.paging import (
    query_bool,
    query_choice,
    query_ids,
    query_int,
    query_list,
    sort_items,
    v2_page,
)
from cardin.sandbox.persons import create_person_from_body
from cardin.sandbox.render import (
    DEAL_INCLUDE_FIELDS,
    check_include,
    person_field_v2,
    render_activity,
    render_deal,
    render_person,
)
from cardin.sandbox.search import search_persons

JSON = dict[str, Any]
Filter = Callable[[JSON], bool]
DEAL_STATUSES = ("open", "won", "lost", "deleted")
FIELD_NAMESPACES = ("ui_visibility", "important_fields", "required_fields")


def person_fields(call: Call) -> JSON:
    """`GET /api/v2/personFields`: active fields with cursor pagination."""
    include = check_include(query_list(call.query, "include_fields"), FIELD_NAMESPACES)
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
    found = [person for person in company.persons if not person.get("is_deleted")]
    deal_id = query_int(call.query, "deal_id")
    if deal_id is not None:
        deal = company.get("deals", deal_id) or {}
        found = [person for person in found if person["id"] == deal.get("person_id")]
    found = _filter(found, call.query, {"org_id": "org_id", "owner_id": "owner_id"})
    found = _sorted(found, call.query, ("id", "update_time", "add_time"))
    page, additional = v2_page(found, call.query)
    return ok([render_person(company, person, call.query) for person in page], additional)


def person(call: Call) -> JSON:
    """`GET /api/v2/persons/{id}` with `include_fields`, `custom_fields` and label options."""
    found = call.company.get("persons", call.id)
    if found is None:
        raise v2_not_found()
    return ok(render_person(call.company, found, call.query))


def create_person(call: Call) -> JSON:
    """`POST /api/v2/persons`: store the person (searchable at once) and answer it with 200."""
    created = create_person_from_body(call.company, call.json_body(), call.user_id)
    return ok(render_person(call.company, created, {}))


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
    """`GET /api/v2/organizations` with `ids` and `owner_id`."""
    found = [org for org in call.company.organizations if not org.get("is_deleted")]
    found = _filter(found, call.query, {"owner_id": "owner_id"})
    found = _sorted(found, call.query, ("id", "update_time", "add_time"))
    page, additional = v2_page([copy.deepcopy(org) for org in found], call.query)
    return ok(page, additional)


def organization(call: Call) -> JSON:
    """`GET /api/v2/organizations/{id}`."""
    return ok(copy.deepcopy(_get(call, "organizations")))


def deals(call: Call) -> JSON:
    """`GET /api/v2/deals` with filters, `status` list, sorting and `include_fields`."""
    statuses = query_list(call.query, "status")
    for status in statuses:
        if status not in DEAL_STATUSES:
            raise bad_request(
                f"Validation failed: status: Must be one of {', '.join(DEAL_STATUSES)}"
            )
    found = [deal for deal in call.company.deals if _deal_status_matches(deal, statuses)]
    found = _filter(
        found,
        call.query,
        {key: key for key in ("person_id", "org_id", "owner_id", "pipeline_id", "stage_id")},
    )
    found = _sorted(found, call.query, ("id", "update_time", "add_time"))
    include = check_include(query_list(call.query, "include_fields"), DEAL_INCLUDE_FIELDS)
    page, additional = v2_page(found, call.query)
    return ok([render_deal(call.company, deal, include) for deal in page], additional)


def _deal_status_matches(deal: JSON, statuses: list[str]) -> bool:
    if deal["is_deleted"]:
        return "deleted" in statuses
    return not statuses or deal["status"] in statuses


def deal(call: Call) -> JSON:
    """`GET /api/v2/deals/{id}`."""
    include = check_include(query_list(call.query, "include_fields"), DEAL_INCLUDE_FIELDS)
    return ok(render_deal(call.company, _get(call, "deals"), include))


def activities(call: Call) -> JSON:
    """`GET /api/v2/activities`: `person_id` matches the primary participant only."""
    found = [activity for activity in call.company.activities if not activity["is_deleted"]]
    found = _filter(
        found, call.query, {key: key for key in ("person_id", "deal_id", "org_id", "owner_id")}
    )
    done = query_bool(call.query, "done")
    if done is not None:
        found = [activity for activity in found if activity["done"] is done]
    found = _sorted(found, call.query, ("id", "update_time", "add_time", "due_date"))
    attendees = "attendees" in check_include(
        query_list(call.query, "include_fields"), ("attendees",)
    )
    page, additional = v2_page(found, call.query)
    return ok([render_activity(a, attendees=attendees) for a in page], additional)


def activity(call: Call) -> JSON:
    """`GET /api/v2/activities/{id}`."""
    attendees = "attendees" in check_include(
        query_list(call.query, "include_fields"), ("attendees",)
    )
    return ok(render_activity(_get(call, "activities"), attendees=attendees))


def pipelines(call: Call) -> JSON:
    """`GET /api/v2/pipelines`."""
    found = _sorted(call.company.pipelines, call.query, ("id", "update_time", "add_time"))
    page, additional = v2_page([copy.deepcopy(p) for p in found], call.query)
    return ok(page, additional)


def stages(call: Call) -> JSON:
    """`GET /api/v2/stages`, optionally of one pipeline."""
    found = _filter(call.company.stages, call.query, {"pipeline_id": "pipeline_id"})
    found = _sorted(found, call.query, ("id", "update_time", "add_time", "order_nr"))
    page, additional = v2_page([copy.deepcopy(s) for s in found], call.query)
    return ok(page, additional)


def _get(call: Call, collection: str) -> JSON:
    found = call.company.get(collection, call.id)
    if found is None:
        raise v2_not_found()
    return found


def _filter(items: list[JSON], query: Mapping[str, str], keys: Mapping[str, str]) -> list[JSON]:
    """Items matching every given id filter, `ids` and the `updated_since/until` window."""
    found = list(items)
    for param, key in keys.items():
        wanted = query_int(query, param)
        if wanted is not None:
            found = [item for item in found if item.get(key) == wanted]
    ids = query_ids(query)
    if ids is not None:
        found = [item for item in found if item["id"] in ids]
    since, until = _time(query, "updated_since"), _time(query, "updated_until")
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


def _time(query: Mapping[str, str], name: str) -> datetime | None:
    text = query.get(name)
    if not text:
        return None
    try:
        return _parse_time(text)
    except ValueError:
        raise bad_request(f"Validation failed: {name}: Must be an RFC 3339 date-time") from None


def _parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text)
