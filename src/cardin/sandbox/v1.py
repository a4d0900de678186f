"""API v1 endpoints Cardin uses: users, activity types, currencies, person fields (and notes.py)."""

from __future__ import annotations

from typing import Any

from cardin.sandbox.calls import Call, ok
from cardin.sandbox.errors import v1_user_not_found
from cardin.sandbox.paging import v1_page
from cardin.sandbox.query import query_text
from cardin.sandbox.render import render_user

JSON = dict[str, Any]


def users_me(call: Call) -> JSON:
    """`GET /v1/users/me`: the token's user with the company's facts."""
    company = call.company
    user = company.get("users", call.user_id)
    if user is None:
        raise v1_user_not_found()
    language, _, country = str(user["locale"]).partition("_")
    data = {
        **render_user(user, call.user_id),
        "company_id": company.id,
        "company_name": company.info["name"],
        "company_domain": company.info["domain"],
        "company_country": company.info["country"],
        "company_industry": company.info["industry"],
        "language": {"language_code": language, "country_code": country or language.upper()},
    }
    return ok(data)


def users(call: Call) -> JSON:
    """`GET /v1/users`: every user of the company (no pagination, as in Pipedrive)."""
    return ok([render_user(user, call.user_id) for user in call.company.users])


def user(call: Call) -> JSON:
    """`GET /v1/users/{id}`."""
    found = call.company.get("users", call.id)
    if found is None:
        raise v1_user_not_found()
    return ok(render_user(found, call.user_id))


def activity_types(call: Call) -> JSON:
    """`GET /v1/activityTypes`: every activity type, active or not."""
    return ok(list(call.company.activity_types))


def currencies(call: Call) -> JSON:
    """`GET /v1/currencies`, optionally filtered by `term` on code or name."""
    term = (query_text(call.query, "term") or "").casefold()
    found = [
        currency
        for currency in call.company.currencies
        if term in currency["code"].casefold() or term in currency["name"].casefold()
    ]
    return ok(found)


def person_fields(call: Call) -> JSON:
    """`GET /v1/personFields` with start/limit pagination."""
    fields = [field for field in call.company.person_fields if field.get("active_flag", True)]
    page, additional = v1_page(fields, call.query)
    return ok(page, additional)
