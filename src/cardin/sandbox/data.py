"""The sandbox's dataset: Pipedrive companies with their objects, a JSON data file, and indexes.

Objects are stored in Pipedrive's own shapes: persons, organizations, deals, activities, pipelines,
stages and person pictures as API v2 objects; users, activity types, currencies, person fields and
notes as API v1 objects (the v1 person field is the richer one; the v2 view is derived from it).
Notes are stored without the inline `person`/`deal`/`organization`/`user` objects, which the API
derives when it answers. Everything else the API answers is computed from these lists.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

JSON = dict[str, Any]
FORMAT = "cardin-sandbox-data/1"
COLLECTIONS = (
    "users",
    "activity_types",
    "currencies",
    "person_fields",
    "pipelines",
    "stages",
    "organizations",
    "persons",
    "person_pictures",
    "deals",
    "activities",
    "notes",
)
_BY_ID = ("users", "organizations", "persons", "person_pictures", "deals", "activities")
# (index name, collection, key): objects of the collection by the id their key points at
_LINKS = (
    ("deals.person_id", "deals", "person_id"),
    ("deals.org_id", "deals", "org_id"),
    ("activities.person_id", "activities", "person_id"),
    ("activities.deal_id", "activities", "deal_id"),
    ("notes.person_id", "notes", "person_id"),
    ("persons.org_id", "persons", "org_id"),
)


@dataclass
class Company:
    """One Pipedrive company account: its facts, API tokens and objects, with lookup indexes."""

    info: JSON
    tokens: dict[str, int]
    users: list[JSON] = field(default_factory=list)
    activity_types: list[JSON] = field(default_factory=list)
    currencies: list[JSON] = field(default_factory=list)
    person_fields: list[JSON] = field(default_factory=list)
    pipelines: list[JSON] = field(default_factory=list)
    stages: list[JSON] = field(default_factory=list)
    organizations: list[JSON] = field(default_factory=list)
    persons: list[JSON] = field(default_factory=list)
    person_pictures: list[JSON] = field(default_factory=list)
    deals: list[JSON] = field(default_factory=list)
    activities: list[JSON] = field(default_factory=list)
    notes: list[JSON] = field(default_factory=list)
    _by_id: dict[str, dict[int, JSON]] = field(default_factory=dict, repr=False)
    _links: dict[str, defaultdict[int, list[JSON]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.reindex()

    @property
    def id(self) -> int:
        """The company id (as `GET /v1/users/me` reports it)."""
        return int(self.info["id"])

    @property
    def plan(self) -> str:
        """The subscription plan: lite, growth, premium or ultimate."""
        return str(self.info["plan"])

    @property
    def seats(self) -> int:
        """Paid seats, a factor of the daily token budget."""
        return int(self.info["seats"])

    @property
    def is_active(self) -> bool:
        """False when the account is not open (every request answers 402)."""
        return bool(self.info["active"])

    def reindex(self) -> None:
        """Rebuild every index from the object lists (after an object's links changed)."""
        self._by_id = {name: {obj["id"]: obj for obj in getattr(self, name)} for name in _BY_ID}
        self._links = {link: defaultdict(list) for link, _, _ in _LINKS}
        for link, collection, key in _LINKS:
            for obj in getattr(self, collection):
                if obj.get(key) is not None:
                    self._links[link][obj[key]].append(obj)

    def get(self, collection: str, obj_id: int | None) -> JSON | None:
        """The object of `collection` with that id, or None."""
        if obj_id is None:
            return None
        return self._by_id[collection].get(obj_id)

    def linked(self, link: str, obj_id: int) -> list[JSON]:
        """Objects whose field points at `obj_id`, e.g. `linked("deals.person_id", 7)`."""
        return list(self._links[link].get(obj_id, ()))

    def next_id(self, collection: str) -> int:
        """A fresh id for a new object of `collection`."""
        return max((obj["id"] for obj in getattr(self, collection)), default=0) + 1

    def add(self, collection: str, obj: JSON) -> None:
        """Store a new object of `collection` and make it findable and counted at once."""
        getattr(self, collection).append(obj)
        if collection in self._by_id:
            self._by_id[collection][obj["id"]] = obj
        for link, linked_collection, key in _LINKS:
            if linked_collection == collection and obj.get(key) is not None:
                self._links[link][obj[key]].append(obj)

    def add_person(self, person: JSON) -> None:
        """Store a new person and make it findable at once."""
        self.add("persons", person)

    def to_json(self) -> JSON:
        """This company as a JSON object of the data file."""
        data: JSON = {"company": self.info, "tokens": self.tokens}
        data.update({name: getattr(self, name) for name in COLLECTIONS})
        return data

    @classmethod
    def from_json(cls, data: JSON) -> Company:
        """A company from a JSON object of the data file; ValueError when it is malformed."""
        info = data.get("company")
        if not isinstance(info, dict) or not {"id", "plan", "seats", "active"} <= info.keys():
            raise ValueError("company entry needs 'company' with id, plan, seats and active")
        tokens = data.get("tokens", {})
        if not isinstance(tokens, dict):
            # a malformed data file is bad input (ValueError), not a programming error
            raise ValueError(f"company {info['id']}: 'tokens' must be an object")  # noqa: TRY004
        lists = {name: data.get(name, []) for name in COLLECTIONS}
        for name, items in lists.items():
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise ValueError(f"company {info['id']}: {name!r} must be a list of objects")
        return cls(info=info, tokens={str(k): int(v) for k, v in tokens.items()}, **lists)


@dataclass
class Dataset:
    """Every company the sandbox serves; saved to and loaded from one JSON data file."""

    companies: list[Company]

    def company(self, company_id: int) -> Company:
        """The company with that id; KeyError when there is none."""
        for company in self.companies:
            if company.id == company_id:
                return company
        raise KeyError(company_id)

    def to_json(self) -> JSON:
        """The whole dataset as the data file's JSON object."""
        return {"format": FORMAT, "companies": [c.to_json() for c in self.companies]}

    @classmethod
    def from_json(cls, data: Any) -> Dataset:
        """A dataset from the data file's JSON object; ValueError when it is not one."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f'not a sandbox data file (expected "format": "{FORMAT}")')
        companies = data.get("companies")
        if not isinstance(companies, list):
            raise ValueError("sandbox data file: 'companies' must be a list")  # noqa: TRY004
        return cls([Company.from_json(entry) for entry in companies])

    @classmethod
    def load(cls, path: str | Path) -> Dataset:
        """Read a data file written by `save` (or by hand in the same shapes)."""
        with Path(path).open(encoding="utf-8") as handle:
            return cls.from_json(json.load(handle))

    def save(self, path: str | Path) -> None:
        """Write the data file as UTF-8 JSON."""
        text = json.dumps(self.to_json(), ensure_ascii=False, indent=1)
        Path(path).write_text(text + "\n", encoding="utf-8")
