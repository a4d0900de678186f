"""`GET /api/v2/persons/search`: person search over names, emails, phones, notes, custom fields.

Matching is case-insensitive (Unicode casefold). With `exact_match` a value must equal the term in
full; otherwise the term must occur in it. Phones compare by their digits. Only the custom field
types Pipedrive documents as searchable take part. Deleted persons are never found.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from cardin.sandbox.data import Company
from cardin.sandbox.paging import v2_page
from cardin.sandbox.query import invalid, query_bool, query_choices, query_int, query_text
from cardin.sandbox.render import custom_person_fields

JSON = dict[str, Any]
SEARCH_FIELDS = ("custom_fields", "email", "notes", "phone", "name")
SEARCHABLE_TYPES = ("address", "varchar", "text", "varchar_auto", "double", "monetary", "phone")
# How strongly a hit in each field counts; Pipedrive's real scores are opaque relevance numbers.
_WEIGHTS = {"email": 1.0, "name": 0.9, "phone": 0.8, "custom_fields": 0.6, "notes": 0.4}
TAG = re.compile(r"<[^>]+>")
_NON_DIGIT = re.compile(r"\D")


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed search request."""

    term: str
    fields: tuple[str, ...]
    exact: bool
    organization_id: int | None

    @classmethod
    def parse(cls, query: Mapping[str, str]) -> Query:
        """Validate the parameters as Pipedrive does (term of 2+ characters, or 1+ when exact)."""
        term, fields, exact = parse_search(query, SEARCH_FIELDS)
        return cls(term, fields, exact, query_int(query, "organization_id"))


def parse_search(
    query: Mapping[str, str], choices: tuple[str, ...]
) -> tuple[str, tuple[str, ...], bool]:
    """`term` (2+ characters, or 1+ with `exact_match`), `fields` (default: all), `exact_match`."""
    term = (query_text(query, "term") or "").strip()
    exact = bool(query_bool(query, "exact_match"))
    if len(term) < (1 if exact else 2):
        raise invalid(
            "term",
            "Search term must be at least 2 characters long (1 character with exact_match)",
        )
    fields = query_choices(query, "fields", choices) or list(choices)
    return term, tuple(fields), exact


def search_persons(company: Company, query: Mapping[str, str], base_url: str) -> tuple[JSON, JSON]:
    """The `data` and `additional_data` of one search page."""
    parsed = Query.parse(query)
    include = query_choices(query, "include_fields", ("person.picture",))
    hits = [
        hit for person in _candidates(company, parsed) if (hit := _score(company, person, parsed))
    ]
    hits.sort(key=lambda hit: (-hit[0], hit[1]["id"]))
    items = [
        _item(company, person, score, matched, base_url if include else None)
        for score, person, matched in hits
    ]
    page, additional = v2_page(items, query)
    return {"items": page}, additional


def _candidates(company: Company, query: Query) -> Iterator[JSON]:
    for person in company.persons:
        if person.get("is_deleted"):
            continue
        if query.organization_id is not None and person.get("org_id") != query.organization_id:
            continue
        yield person


def matches(term: str, value: str, *, exact: bool) -> float:
    """How well `value` matches the search term: 1 in full, less for a part, 0 for no match."""
    folded, wanted = value.casefold(), term.casefold()
    if folded == wanted:
        return 1.0
    if not exact and wanted in folded:
        return 0.5 * len(wanted) / len(folded)
    return 0.0


def _phone_matches(term: str, value: str, *, exact: bool) -> float:
    digits, wanted = _NON_DIGIT.sub("", value), _NON_DIGIT.sub("", term)
    if not wanted or not digits:
        return 0.0
    return matches(wanted, digits, exact=exact)


def _score(company: Company, person: JSON, query: Query) -> tuple[float, JSON, JSON] | None:
    best = 0.0
    matched: JSON = {"custom_fields": [], "notes": []}
    for field in query.fields:
        for value in _values(company, person, field):
            match = _phone_matches if field == "phone" else matches
            strength = match(query.term, value, exact=query.exact)
            if strength and field in matched:
                matched[field].append(value)
            best = max(best, strength * _WEIGHTS[field])
    return (round(best, 4), person, matched) if best else None


def _values(company: Company, person: JSON, field: str) -> Iterable[str]:
    if field == "name":
        return [person["name"]]
    if field == "email":
        return [entry["value"] for entry in person.get("emails") or ()]
    if field == "phone":
        return [entry["value"] for entry in person.get("phones") or ()]
    if field == "notes":
        return _note_texts(company, person)
    return _custom_texts(company, person)


def _note_texts(company: Company, person: JSON) -> list[str]:
    texts = [
        TAG.sub(" ", note["content"]).strip()
        for note in company.linked("notes.person_id", person["id"])
        if note["active_flag"]
    ]
    if company.info.get("contact_sync") and person.get("notes"):
        texts.append(person["notes"])
    return texts


def _custom_texts(company: Company, person: JSON) -> list[str]:
    stored = person.get("custom_fields") or {}
    texts = []
    for field in custom_person_fields(company):
        value = stored.get(field["key"])
        if value is None or field["field_type"] not in SEARCHABLE_TYPES:
            continue
        if isinstance(value, dict):
            value = value.get("value")
        texts.append(f"{value:g}" if isinstance(value, float) else str(value))
    return texts


def _item(
    company: Company, person: JSON, score: float, matched: JSON, base_url: str | None
) -> JSON:
    org = company.get("organizations", person.get("org_id"))
    item: JSON = {
        "id": person["id"],
        "type": "person",
        "name": person["name"],
        "phones": [entry["value"] for entry in person.get("phones") or ()],
        "emails": [entry["value"] for entry in person.get("emails") or ()],
        "visible_to": person["visible_to"],
        "owner": {"id": person["owner_id"]},
        "organization": _org_summary(org) if org else None,
        "custom_fields": matched["custom_fields"],
        "notes": matched["notes"],
    }
    if base_url is not None:
        picture = company.get("person_pictures", person.get("picture_id"))
        item["picture"] = _picture_summary(picture, base_url) if picture else None
    return {"result_score": score, "item": item}


def _org_summary(org: JSON) -> JSON:
    address = org.get("address") or {}
    return {"id": org["id"], "name": org["name"], "address": address.get("value")}


def _picture_summary(picture: JSON, base_url: str) -> JSON:
    return {
        "id": picture["id"],
        "pictures": {size: base_url + url for size, url in picture["pictures"].items()},
    }
