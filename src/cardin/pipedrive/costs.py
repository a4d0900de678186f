"""Pipedrive's token cost of each operation Cardin sends (`x-token-cost` in its OpenAPI files).

Only the operations we use are listed; `tests/pipedrive/test_costs.py` checks each figure against
the published specs' cost table. The daily token budget is shared by the whole Pipedrive company.
"""

from __future__ import annotations

import re

# (method, path template) -> tokens
TOKEN_COSTS: dict[tuple[str, str], int] = {
    ("GET", "/v1/users/me"): 2,
    ("GET", "/v1/users"): 20,
    ("GET", "/v1/users/{id}"): 2,
    ("GET", "/v1/activityTypes"): 20,
    ("GET", "/v1/currencies"): 20,
    ("GET", "/v1/notes"): 20,
    ("POST", "/v1/notes"): 10,
    ("GET", "/v1/personFields"): 20,
    ("GET", "/api/v2/personFields"): 10,
    ("GET", "/api/v2/persons/search"): 20,
    ("GET", "/api/v2/persons"): 10,
    ("POST", "/api/v2/persons"): 5,
    ("GET", "/api/v2/persons/{id}"): 1,
    ("GET", "/api/v2/persons/{id}/picture"): 1,
    ("GET", "/api/v2/organizations"): 10,
    ("GET", "/api/v2/organizations/{id}"): 1,
    ("POST", "/api/v2/organizations"): 5,
    ("GET", "/api/v2/organizations/search"): 20,
    ("GET", "/api/v2/deals"): 10,
    ("POST", "/api/v2/deals"): 5,
    ("GET", "/api/v2/deals/{id}"): 1,
    ("GET", "/api/v2/activities"): 10,
    ("POST", "/api/v2/activities"): 5,
    ("GET", "/api/v2/activities/{id}"): 1,
    ("PATCH", "/api/v2/activities/{id}"): 5,
    ("GET", "/api/v2/pipelines"): 5,
    ("GET", "/api/v2/stages"): 5,
}

_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")


def path_template(path: str) -> str:
    """Turn a concrete path (`/api/v2/persons/42`) into its template (`/api/v2/persons/{id}`)."""
    return _ID_SEGMENT.sub("/{id}", path)


def token_cost(method: str, path: str) -> int:
    """Tokens Pipedrive charges for one request; 0 for an operation we do not know."""
    return TOKEN_COSTS.get((method.upper(), path_template(path)), 0)
